import QtQuick
import QtQuick.Layouts
import "../components"

// The payment was refused: say why, and offer another way or the start.
ScreenPage {
    id: page
    // how the driver paid (kiosk PaymentMethod) and why it was refused (kiosk DeclineCode)
    readonly property string method: Store.sv("method")
    readonly property string code: Store.sv("declineCode")
    title: method === "account_token" ? qsTr("Charging card not accepted") : qsTr("Payment not accepted")
    subtitle: reason(method, code)
    objectName: "declinedPage"

    // One text per method and reason: a charging card is not a bank card, a phone is neither.
    function reason(how, why) {
        if (how === "account_token") {
            switch (why) {
            case "insufficient_funds": return qsTr("Your charging account has no credit left.")
            case "blocked": return qsTr("This charging card is blocked.")
            case "unknown_card": return qsTr("This charging card is not known here.")
            case "expired": return qsTr("This charging card has expired.")
            case "unavailable": return qsTr("Your charging card could not be checked just now.")
            default: return qsTr("This charging card was refused.")
            }
        }
        if (how === "qr_web") {
            switch (why) {
            case "insufficient_funds": return qsTr("There is not enough money for this phone payment.")
            case "blocked": return qsTr("The payment method on your phone is blocked.")
            case "expired": return qsTr("The payment method on your phone has expired.")
            case "unavailable": return qsTr("The payment service could not be reached.")
            default: return qsTr("Your phone payment was declined.")
            }
        }
        switch (why) {
        case "insufficient_funds": return qsTr("There is not enough money on the card.")
        case "blocked": return qsTr("This bank card is blocked.")
        case "unknown_card": return qsTr("This card could not be read.")
        case "aborted": return qsTr("The payment was cancelled at the terminal.")
        case "pin_wrong": return qsTr("The PIN was wrong.")
        case "card_not_supported": return qsTr("This card type is not accepted here.")
        case "limit_exceeded": return qsTr("The card's limit does not allow this amount.")
        case "card_error": return qsTr("The card could not be read. Please try again.")
        case "timeout": return qsTr("No card was presented in time.")
        case "busy": return qsTr("The terminal is busy. Please try again.")
        case "expired": return qsTr("This bank card has expired.")
        case "unavailable": return qsTr("The payment service could not be reached.")
        default: return qsTr("The card was declined by the bank.")
        }
    }
    iconName: "warning"
    tone: "danger"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: page.method === "qr_web" ? "phone" : page.method === "account_token" ? "rfid" : "card"
        tone: "danger"
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: info.implicitHeight + 56
        ColumnLayout {
            id: info
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 16
            RowLayout {
                spacing: 16
                Icon { name: "check"; size: 44; tone: Theme.iconAccent }
                KText { Layout.fillWidth: true; text: qsTr("Nothing has been charged."); font.bold: true }
            }
            KText {
                Layout.fillWidth: true
                objectName: "declinedAdvice"
                text: page.method === "account_token"
                      ? qsTr("Please contact the company that issued your charging card, or pay by bank card or phone instead.")
                      : page.method === "qr_web"
                        ? qsTr("You can try again on your phone, pay by bank card, or check your payment app.")
                        : qsTr("You can try another card or pay by phone, or ask your bank.")
                color: Theme.textMuted
            }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "cancelButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Cancel")
            onClicked: bridge.goHome()
        },
        KioskButton {
            objectName: "tryAgain"
            Layout.fillWidth: true
            iconName: "card"
            text: qsTr("Try another way to pay")
            onClicked: bridge.back()
        }
    ]
}

import QtQuick
import QtQuick.Layouts
import "../components"

// The payment is being checked (bank, account, or phone checkout).
ScreenPage {
    id: page
    readonly property string method: Store.sv("method")
    title: qsTr("Checking your payment")
    subtitle: method === "bank_card" ? qsTr("Please leave your card on the terminal until it beeps.")
            : method === "account_token" ? qsTr("Checking your charging card.")
            : qsTr("Confirming the payment from your phone.")
    iconName: "clock"
    hasActions: false

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        size: Math.min(400, page.height * 0.34)
        iconName: page.method === "bank_card" ? "card" : page.method === "account_token" ? "rfid" : "phone"
        busy: true
    }
    KText {
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        text: qsTr("This usually takes a few seconds.")
        color: Theme.textMuted
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
}

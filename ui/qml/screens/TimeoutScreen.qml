import QtQuick
import QtQuick.Layouts
import "../components"

// The station stopped waiting (no car plugged in, nobody at the screen).
ScreenPage {
    id: page
    objectName: "timeoutPage"
    // "<payment method>/<step that timed out>", e.g. "bank_card/waiting_for_plug"
    readonly property string method: bridge.noticeText.split("/")[0]
    readonly property bool held: bridge.noticeText.split("/")[1] === "waiting_for_plug"
    title: qsTr("Time ran out")
    subtitle: held ? qsTr("No car was plugged in, so we stopped waiting.")
                   : qsTr("Nothing happened for a while, so we stopped waiting.")

    // What happened to the money, for the way the driver paid: only a card or a phone
    // payment had an amount reserved, and only once it was authorized.
    function released(how, hadHold) {
        if (how === "account_token")
            return hadHold ? qsTr("This session was cancelled: nothing is billed to your charging account.")
                           : qsTr("No charging card was presented: nothing is billed.")
        if (how === "qr_web")
            return hadHold ? qsTr("The amount reserved for your phone payment has been released.")
                           : qsTr("The payment code has expired and nothing was paid.")
        if (how === "bank_card")
            return hadHold ? qsTr("The amount reserved on your card has been released. Your bank may take a few days to show it.")
                           : qsTr("No card was presented: nothing was reserved.")
        return ""
    }
    iconName: "clock"
    tone: "warning"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "clock"
        tone: "warning"
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
                objectName: "timeoutDetail"
                text: [page.released(page.method, page.held),
                       qsTr("You can start again whenever you are ready.")].filter(t => t !== "").join(" ")
                color: Theme.textMuted
            }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            Layout.fillWidth: true
            iconName: "home"
            text: qsTr("Start again")
            onClicked: bridge.goHome()
        }
    ]
}

import QtQuick
import QtQuick.Layouts
import "../components"

// The payment was refused: say why, and offer another way or the start.
ScreenPage {
    id: page
    title: qsTr("Payment not accepted")
    subtitle: Store.message(Store.sv("message"))
    iconName: "warning"
    tone: "danger"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "card"
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
                text: qsTr("You can try another card or another way to pay, or ask your bank or card issuer.")
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

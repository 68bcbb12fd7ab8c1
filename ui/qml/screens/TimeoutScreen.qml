import QtQuick
import QtQuick.Layouts
import "../components"

// The station stopped waiting (no car plugged in, nobody at the screen).
ScreenPage {
    id: page
    title: qsTr("Time ran out")
    subtitle: qsTr("Nothing happened for a while, so we stopped waiting.")
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
                text: qsTr("Any amount reserved on your card has been released. You can start again whenever you are ready.")
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

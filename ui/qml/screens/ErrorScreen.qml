import QtQuick
import QtQuick.Layouts
import "../components"

// A step could not be completed: what happened (when known) and the way back.
ScreenPage {
    id: page
    readonly property string detail: Store.message(bridge.noticeText)
    title: qsTr("That did not work")
    subtitle: detail !== "" ? detail : qsTr("The station could not complete this step.")
    iconName: "warning"
    tone: "danger"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "warning"
        tone: "danger"
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: info.implicitHeight + 48
        RowLayout {
            id: info
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 16
            Icon { name: "info"; size: 44; Layout.alignment: Qt.AlignTop }
            KText {
                Layout.fillWidth: true
                text: qsTr("Please try again. If it happens again, please contact %1.").arg(Store.station.operator || "")
            }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            Layout.fillWidth: true
            iconName: "home"
            text: qsTr("Back to start")
            onClicked: bridge.goHome()
        }
    ]
}

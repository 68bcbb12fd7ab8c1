import QtQuick
import QtQuick.Layouts
import "../components"

// The charger reports a fault at this charging point.
ScreenPage {
    id: page
    title: qsTr("Charging point %1 has a fault").arg(Store.activeLabel())
    subtitle: qsTr("Please use another charging point. The operator has been notified.")
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
        visible: Store.sv("message") !== ""
        Layout.fillWidth: true
        implicitHeight: why.implicitHeight + 48
        color: Theme.errorSoft
        ColumnLayout {
            id: why
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 8
            KText { Layout.fillWidth: true; text: qsTr("Reported by the charger"); color: Theme.textOnErrorSoft; font.pixelSize: Theme.fontSmall }
            KText { Layout.fillWidth: true; text: Store.message(Store.sv("message")); color: Theme.textOnErrorSoft; font.bold: true }
        }
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: safe.implicitHeight + 48
        RowLayout {
            id: safe
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 16
            Icon { name: "info"; size: 44; Layout.alignment: Qt.AlignTop }
            KText {
                Layout.fillWidth: true
                text: qsTr("For your safety this charging point is switched off. If a session was running, it has been stopped and you only pay for the energy you received.")
            }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            Layout.fillWidth: true
            iconName: "home"
            text: qsTr("Back to all charging points")
            onClicked: bridge.goHome()
        }
    ]
}

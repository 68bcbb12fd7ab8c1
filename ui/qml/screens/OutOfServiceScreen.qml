import QtQuick
import QtQuick.Layouts
import "../components"

// An attendant took this charging point out of service.
ScreenPage {
    id: page
    title: qsTr("Charging point %1 is out of service").arg(Store.activeLabel())
    subtitle: qsTr("Please use another charging point. We are sorry for the inconvenience.")
    iconName: "tools"
    tone: "warning"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "tools"
        tone: "warning"
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: op.implicitHeight + 48
        ColumnLayout {
            id: op
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 8
            KText { Layout.fillWidth: true; text: qsTr("Operator"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
            KText { Layout.fillWidth: true; text: Store.station.operator || ""; font.bold: true }
            KText { Layout.fillWidth: true; text: Store.station.address || ""; color: Theme.textMuted }
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

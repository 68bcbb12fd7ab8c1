import QtQuick
import QtQuick.Layouts
import "../components"

// The charger does not answer for this charging point.
ScreenPage {
    id: page
    title: qsTr("Charging point %1 is not responding").arg(Store.activeLabel())
    subtitle: qsTr("We are trying to reconnect. Please use another charging point for now.")
    iconName: "offline"
    tone: "warning"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "offline"
        tone: "warning"
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

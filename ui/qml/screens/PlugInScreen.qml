import QtQuick
import QtQuick.Layouts
import "../components"

// Paid: now the car has to be plugged in before the time runs out.
ScreenPage {
    id: page
    title: qsTr("Plug in your car")
    subtitle: qsTr("Payment accepted. Take the cable of charging point %1 and plug it into your car.").arg(Store.activeLabel())
    iconName: "plug"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Row {
        Layout.alignment: Qt.AlignHCenter
        spacing: 56
        Hero {
            id: hero
            size: Math.min(360, page.height * 0.3)
            iconName: "plug"
            anchors.verticalCenter: parent.verticalCenter
        }
        CountdownRing {
            objectName: "plugCountdown"
            anchors.verticalCenter: parent.verticalCenter
            seconds: Store.num(Store.session.secondsLeft, 0)
            size: Math.min(260, page.height * 0.22)
            caption: qsTr("to plug in")
        }
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: note.implicitHeight + 48
        RowLayout {
            id: note
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 18
            Icon { name: "info"; size: 44; Layout.alignment: Qt.AlignTop }
            KText {
                Layout.fillWidth: true
                text: qsTr("Charging starts by itself. If no car is plugged in before the time runs out, we cancel and release your payment.")
            }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "cancelPlugIn"
            kind: "secondary"
            iconName: "close"
            text: qsTr("Cancel and release payment")
            onClicked: bridge.back()
        }
    ]
}

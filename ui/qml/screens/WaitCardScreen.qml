import QtQuick
import QtQuick.Layouts
import "../components"

// Waiting for an RFID card or key fob on the reader (animated).
ScreenPage {
    id: page
    title: qsTr("Tap your charging card")
    subtitle: qsTr("Hold your card or key fob flat on the reader below the screen.")
    iconName: "rfid"

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.topMargin: page.compact ? 0 : size * 0.2
        Layout.bottomMargin: page.compact ? 0 : size * 0.2
        size: Math.min(380, page.height * (page.compact ? 0.26 : 0.3))
        iconName: "rfid"
        ripple: true
    }
    DownArrows {
        Layout.alignment: Qt.AlignHCenter
        text: qsTr("The reader is below the screen")
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    RowLayout {
        Layout.fillWidth: true
        spacing: 16
        Icon { name: "clock"; size: 40 }
        KText {
            Layout.fillWidth: true
            text: qsTr("This screen closes in %1 if nothing happens.").arg(Store.clock(Store.num(Store.session.secondsLeft, 0)))
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
    }

    actions: [
        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            iconName: "back"
            text: qsTr("Other payment")
            onClicked: bridge.back()
        },
        Item { Layout.fillWidth: true },
        KioskButton {
            objectName: "cancelButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Cancel")
            onClicked: bridge.goHome()
        }
    ]
}

import QtQuick

// Station name, the language switch and the accessibility toggles: on every screen.
Rectangle {
    id: bar
    implicitHeight: 112
    color: Theme.header

    Rectangle {  // a rule under the bar in high contrast
        visible: Theme.high
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        height: 3
        color: Theme.border
    }

    Row {
        id: brand
        anchors { left: parent.left; leftMargin: 28; verticalCenter: parent.verticalCenter }
        spacing: 18
        width: parent.width - controls.width - 28 - 40
        Rectangle {
            width: 60; height: 60; radius: 30
            color: Theme.primary
            anchors.verticalCenter: parent.verticalCenter
            Icon { anchors.centerIn: parent; name: "bolt"; tone: Theme.iconOnPrimary; size: 38 }
        }
        Column {
            anchors.verticalCenter: parent.verticalCenter
            width: brand.width - 78
            KText {
                width: parent.width
                text: Store.station.name || ""
                color: Theme.textOnHeader
                font.pixelSize: Theme.fontBody
                font.bold: true
                wrapMode: Text.NoWrap
                elide: Text.ElideRight
            }
            KText {
                width: parent.width
                text: Store.station.address || ""
                color: Theme.textOnHeaderMuted
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.NoWrap
                elide: Text.ElideRight
            }
        }
    }

    Row {
        id: controls
        anchors { right: parent.right; rightMargin: 20; verticalCenter: parent.verticalCenter }
        spacing: 8

        Repeater {
            model: bridge.languages
            HeaderButton {
                required property string modelData
                objectName: "lang_" + modelData
                label: modelData.toUpperCase()
                checked: Store.language === modelData
                accessibleName: ({ "en": "English", "de": "Deutsch", "fr": "Français", "nl": "Nederlands" })[modelData] || modelData
                onClicked: bridge.setLanguage(modelData)
            }
        }
        Item { width: 8; height: 1 }
        HeaderButton {
            objectName: "toggleContrast"
            iconName: "contrast"
            checked: bridge.highContrast
            accessibleName: qsTr("High contrast")
            onClicked: bridge.toggleHighContrast()
        }
        HeaderButton {
            objectName: "toggleReach"
            iconName: "reach"
            checked: bridge.reachMode
            accessibleName: qsTr("Reach mode: all controls in the lower part of the screen")
            onClicked: bridge.toggleReachMode()
        }
    }
}

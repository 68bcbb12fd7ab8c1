import QtQuick

// The station has no connection to the operator's backend.
Rectangle {
    id: banner
    objectName: "offlineBanner"
    implicitHeight: visible ? Math.max(84, text.implicitHeight + 28) : 0
    color: Theme.warning

    Row {
        anchors { left: parent.left; right: parent.right; leftMargin: 28; rightMargin: 28; verticalCenter: parent.verticalCenter }
        spacing: 18
        Icon { name: "offline"; tone: Theme.iconOnWarning; size: 44; anchors.verticalCenter: parent.verticalCenter }
        KText {
            id: text
            width: parent.width - 62
            anchors.verticalCenter: parent.verticalCenter
            color: Theme.textOnWarning
            font.pixelSize: Theme.fontSmall
            text: "<b>" + qsTr("Offline") + "</b> — " + qsTr("Charging and payment by card still work. Paying by phone is not available right now.")
            textFormat: Text.StyledText
        }
    }
}

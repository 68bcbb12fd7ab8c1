import QtQuick

// A passing word about a card on the RFID reader: a bank card (use the terminal), or a
// card that could not be read. Goes by itself after a few seconds.
Rectangle {
    id: hint
    objectName: "hintBanner"
    readonly property string what: bridge.hint
    visible: what !== ""
    implicitHeight: visible ? Math.max(84, text.implicitHeight + 28) : 0
    color: Theme.warning

    Timer {
        running: hint.what !== ""
        interval: 6000
        onTriggered: bridge.clearHint()
    }
    Row {
        anchors { left: parent.left; right: parent.right; leftMargin: 28; rightMargin: 28; verticalCenter: parent.verticalCenter }
        spacing: 18
        Icon { name: hint.what === "bank_card" ? "card" : "rfid"; tone: Theme.iconOnWarning; size: 44; anchors.verticalCenter: parent.verticalCenter }
        KText {
            id: text
            objectName: "hintText"
            width: parent.width - 62
            anchors.verticalCenter: parent.verticalCenter
            color: Theme.textOnWarning
            font.pixelSize: Theme.fontSmall
            text: hint.what === "bank_card"
                  ? qsTr("This is a bank card: please use the card terminal below the screen. Nothing was read from it.")
                  : qsTr("This card could not be read. Please hold it flat on the reader until the screen changes.")
        }
    }
}

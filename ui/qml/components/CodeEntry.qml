import QtQuick
import QtQuick.Layouts

// Six digits and a keypad, with the station's answer to the last code right here: a
// wrong code says so and how many tries are left, too many pause the pad with a
// countdown, another charging point's code asks first (bridge.padAnswer).
ColumnLayout {
    id: entry
    property string code: ""
    property string lastCode: ""
    property string okText: qsTr("Stop")
    property string okKind: "danger"
    readonly property var answer: bridge.padAnswer
    readonly property string outcome: answer.outcome || ""
    property int lockedLeft: 0
    signal submitted(string code)
    signal otherConfirmed(string code)

    spacing: 20

    onAnswerChanged: {
        if (outcome === "locked") {
            lockedLeft = Store.num(answer.lockedS, 0)
            lockTimer.restart()
        }
    }
    Timer {  // the pause runs in the driver's seconds (the core made it so)
        id: lockTimer
        interval: 1000
        repeat: true
        running: entry.lockedLeft > 0
        onTriggered: {
            entry.lockedLeft -= 1
            if (entry.lockedLeft <= 0)
                bridge.clearPad()
        }
    }

    Panel {
        objectName: "padAnswer"
        visible: entry.outcome !== "" && entry.outcome !== "other_connector"
        Layout.fillWidth: true
        implicitHeight: answerText.implicitHeight + 32
        color: Theme.errorSoft
        border.color: Theme.textOnErrorSoft
        KText {
            id: answerText
            objectName: "padAnswerText"
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 20 }
            color: Theme.textOnErrorSoft
            font.bold: true
            text: entry.outcome === "wrong"
                  ? (Store.num(entry.answer.triesLeft, 0) === 1
                     ? qsTr("This code does not match. 1 try left, then the pad pauses.")
                     : qsTr("This code does not match. %1 tries left, then the pad pauses.").arg(Store.num(entry.answer.triesLeft, 0)))
                  : entry.outcome === "locked"
                    ? qsTr("Too many wrong codes. Try again in %1.").arg(Store.clock(entry.lockedLeft))
                    : entry.outcome === "no_card_receipt"
                      ? qsTr("No recent session was paid with this card.")
                      : ""
        }
    }

    Panel {
        objectName: "padOther"
        visible: entry.outcome === "other_connector"
        Layout.fillWidth: true
        implicitHeight: otherCol.implicitHeight + 40
        color: Theme.warningSoft
        border.color: Theme.textOnWarningSoft
        ColumnLayout {
            id: otherCol
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 20 }
            spacing: 16
            KText {
                Layout.fillWidth: true
                text: qsTr("This is the stop code of charging point %1. Stop the session there?").arg(entry.answer.other || "")
                color: Theme.textOnWarningSoft
                font.bold: true
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: 16
                KioskButton {
                    objectName: "otherNo"
                    Layout.fillWidth: true
                    compact: true
                    kind: "secondary"
                    text: qsTr("No")
                    onClicked: { entry.lastCode = ""; bridge.clearPad() }
                }
                KioskButton {
                    objectName: "otherYes"
                    Layout.fillWidth: true
                    compact: true
                    kind: "danger"
                    text: qsTr("Stop point %1").arg(entry.answer.other || "")
                    onClicked: entry.otherConfirmed(entry.lastCode)
                }
            }
        }
    }

    Row {
        Layout.alignment: Qt.AlignHCenter
        spacing: 12
        Repeater {
            model: 6
            Rectangle {
                required property int index
                width: 76; height: 92; radius: 12
                color: Theme.surfaceAlt
                border.width: index === entry.code.length ? 3 : 2
                border.color: index === entry.code.length ? Theme.primary : Theme.border
                KText {
                    anchors.centerIn: parent
                    text: entry.code.charAt(index)
                    font.pixelSize: Theme.fontDisplay - 8
                    font.bold: true
                }
            }
        }
    }
    GridLayout {
        Layout.alignment: Qt.AlignHCenter
        columns: 3
        rowSpacing: 12
        columnSpacing: 12
        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
            KioskButton {
                required property string modelData
                objectName: "key_" + modelData
                Layout.preferredWidth: 184
                Layout.preferredHeight: 88
                text: modelData === "OK" ? entry.okText : modelData
                kind: modelData === "OK" ? entry.okKind : "secondary"
                enabled: entry.lockedLeft <= 0 && (modelData === "OK" ? entry.code.length === 6 : true)
                fontSize: modelData === "OK" ? Theme.fontBody : Theme.fontTitle
                onClicked: {
                    bridge.touch()
                    if (entry.outcome === "wrong" || entry.outcome === "no_card_receipt")
                        bridge.clearPad()  // a new try: the old answer goes
                    if (modelData === "⌫")
                        entry.code = entry.code.slice(0, -1)
                    else if (modelData === "OK") {
                        entry.lastCode = entry.code
                        entry.code = ""
                        entry.submitted(entry.lastCode)
                    } else if (entry.code.length < 6)
                        entry.code += modelData
                }
            }
        }
    }
}

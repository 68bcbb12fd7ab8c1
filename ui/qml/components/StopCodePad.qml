import QtQuick
import QtQuick.Layouts

// Stop a session that is not "yours" on this screen: its stop code, or the same card.
Rectangle {
    id: pad
    objectName: "stopCodePad"
    property string code: ""
    signal closed()

    color: Theme.dim
    MouseArea { anchors.fill: parent; onClicked: {} }  // modal

    Panel {
        id: box
        anchors.centerIn: parent
        width: Math.min(parent.width - 64, 720)
        height: Math.min(parent.height - 48, content.implicitHeight + 72)
        Flickable {
            anchors.fill: parent
            anchors.margins: 36
            contentHeight: content.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            interactive: contentHeight > height
            ColumnLayout {
                id: content
                width: parent.width
                spacing: 20
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Stop this session")
                    font.pixelSize: Theme.fontTitle - 4
                    font.bold: true
                }
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Enter the 6-digit stop code shown when the session started, or tap the same charging card on the reader.")
                    color: Theme.textMuted
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
                            border.width: index === pad.code.length ? 3 : 2
                            border.color: index === pad.code.length ? Theme.primary : Theme.border
                            KText {
                                anchors.centerIn: parent
                                text: pad.code.charAt(index)
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
                            text: modelData === "OK" ? qsTr("Stop") : modelData
                            kind: modelData === "OK" ? "danger" : "secondary"
                            enabled: modelData === "OK" ? pad.code.length === 6 : true
                            fontSize: modelData === "OK" ? Theme.fontBody : Theme.fontTitle
                            onClicked: {
                                bridge.touch()
                                if (modelData === "⌫")
                                    pad.code = pad.code.slice(0, -1)
                                else if (modelData === "OK") {
                                    bridge.stopWithCode(pad.code)
                                    pad.code = ""
                                    pad.closed()
                                } else if (pad.code.length < 6)
                                    pad.code += modelData
                            }
                        }
                    }
                }
                KioskButton {
                    objectName: "closePad"
                    Layout.fillWidth: true
                    kind: "secondary"
                    iconName: "close"
                    text: qsTr("Cancel")
                    onClicked: { pad.code = ""; pad.closed() }
                }
            }
        }
    }
}

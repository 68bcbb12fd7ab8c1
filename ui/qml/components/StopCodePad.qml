import QtQuick
import QtQuick.Layouts

// Stop a session that is not "yours" on this screen: its stop code, or the same card.
// The pad stays open with the station's answer until the session stops or the driver
// cancels (CodeEntry).
Rectangle {
    id: pad
    objectName: "stopCodePad"
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
                CodeEntry {
                    id: entry
                    Layout.fillWidth: true
                    onSubmitted: (code) => bridge.stopWithCode(code)
                    onOtherConfirmed: (code) => bridge.stopOtherWithCode(code)
                }
                KioskButton {
                    objectName: "closePad"
                    Layout.fillWidth: true
                    kind: "secondary"
                    iconName: "close"
                    text: qsTr("Cancel")
                    onClicked: { entry.code = ""; bridge.clearPad(); pad.closed() }
                }
            }
        }
    }
}

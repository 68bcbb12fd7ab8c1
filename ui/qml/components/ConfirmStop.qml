import QtQuick
import QtQuick.Layouts

// "Stop charging" asks once: a stopped session cannot be resumed.
Rectangle {
    id: dialog
    objectName: "confirmStop"
    property string cost: ""
    signal confirmed()
    signal closed()

    color: Theme.dim
    MouseArea { anchors.fill: parent; onClicked: {} }  // modal

    Panel {
        anchors.centerIn: parent
        width: Math.min(parent.width - 64, 760)
        height: content.implicitHeight + 72
        ColumnLayout {
            id: content
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 36 }
            spacing: 24
            KText {
                Layout.fillWidth: true
                text: qsTr("Stop charging now?")
                font.pixelSize: Theme.fontTitle - 4
                font.bold: true
            }
            KText {
                Layout.fillWidth: true
                visible: dialog.cost !== ""
                text: qsTr("Cost so far: %1.").arg(dialog.cost)
                font.bold: true
            }
            KText {
                Layout.fillWidth: true
                text: qsTr("A stopped session cannot be resumed: charging again needs a new payment.")
                color: Theme.textMuted
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap
                KioskButton {
                    objectName: "keepCharging"
                    Layout.fillWidth: true
                    kind: "secondary"
                    text: qsTr("Keep charging")
                    onClicked: dialog.closed()
                }
                KioskButton {
                    objectName: "confirmStopButton"
                    Layout.fillWidth: true
                    kind: "danger"
                    iconName: "stop"
                    text: qsTr("Stop")
                    onClicked: dialog.confirmed()
                }
            }
        }
    }
}

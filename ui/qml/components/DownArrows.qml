import QtQuick

// "Down there": animated chevrons pointing below the screen, with a caption.
Column {
    id: arrows
    property string text: ""
    spacing: 8
    Column {
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: -30
        Repeater {
            model: 3
            Icon {
                required property int index
                name: "chevron"
                size: 72
                rotation: 90
                tone: Theme.iconAccent
                SequentialAnimation on opacity {
                    loops: Animation.Infinite
                    PauseAnimation { duration: index * 250 }
                    NumberAnimation { from: 0.2; to: 1; duration: 400 }
                    NumberAnimation { to: 0.2; duration: 600 }
                    PauseAnimation { duration: (2 - index) * 250 }
                }
            }
        }
    }
    KText {
        anchors.horizontalCenter: parent.horizontalCenter
        text: arrows.text
        color: Theme.textMuted
        font.bold: true
    }
}

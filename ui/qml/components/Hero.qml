import QtQuick

// The big picture of a screen: an icon in a soft circle, with ripples (a card reader)
// or a turning ring (busy) when asked.
Item {
    id: hero
    property string iconName: ""
    property string tone: "normal"  // normal, warning, danger
    property int size: 340
    property bool ripple: false
    property bool busy: false

    implicitWidth: size
    implicitHeight: size
    Accessible.ignored: true

    readonly property color _fill: tone === "warning" ? Theme.warningSoft
                                 : tone === "danger" ? Theme.errorSoft : Theme.successSoft
    readonly property color _line: tone === "warning" ? Theme.textOnWarningSoft
                                 : tone === "danger" ? Theme.textOnErrorSoft : Theme.primary

    Repeater {
        model: hero.ripple ? 3 : 0
        Rectangle {
            required property int index
            anchors.centerIn: parent
            width: hero.size; height: hero.size; radius: hero.size / 2
            color: "transparent"
            border.width: 5
            border.color: hero._line
            opacity: 0
            SequentialAnimation on scale {
                loops: Animation.Infinite
                PauseAnimation { duration: index * 600 }
                NumberAnimation { from: 0.75; to: 1.35; duration: 1800; easing.type: Easing.OutQuad }
            }
            SequentialAnimation on opacity {
                loops: Animation.Infinite
                PauseAnimation { duration: index * 600 }
                NumberAnimation { from: 0.8; to: 0; duration: 1800 }
            }
        }
    }
    Rectangle {
        id: disc
        anchors.centerIn: parent
        width: hero.busy ? hero.size * 0.8 : hero.size
        height: width
        radius: width / 2
        color: hero._fill
        border.width: Theme.high ? 3 : 0
        border.color: hero._line
        Icon {
            anchors.centerIn: parent
            name: hero.iconName
            size: Math.round(disc.width * 0.46)
            tone: Theme.high ? (hero.tone === "normal" ? "yellow" : "light")
                             : (hero.tone === "normal" ? "accent" : "ink")
        }
    }
    Canvas {
        id: ring
        visible: hero.busy
        anchors.fill: parent
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            ctx.lineWidth = 14
            ctx.lineCap = "round"
            ctx.strokeStyle = String(Theme.primary)
            ctx.beginPath()
            ctx.arc(width / 2, height / 2, width / 2 - 10, 0, Math.PI * 0.55)
            ctx.stroke()
            ctx.globalAlpha = 0.35
            ctx.beginPath()
            ctx.arc(width / 2, height / 2, width / 2 - 10, Math.PI, Math.PI * 1.55)
            ctx.stroke()
        }
        Connections {
            target: Theme
            function onHighChanged() { ring.requestPaint() }
        }
        RotationAnimation on rotation {
            running: hero.busy
            from: 0; to: 360; duration: 1400; loops: Animation.Infinite
        }
    }
}

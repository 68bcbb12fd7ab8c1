import QtQuick

// Seconds left as a ring and m:ss; the first value seen is the full ring.
Item {
    id: ring
    property int seconds: 0
    property int total: 0
    property int size: 220
    property string caption: ""
    property color ringColor: Theme.primary

    width: size
    height: size
    onSecondsChanged: {
        if (seconds > total)
            total = seconds
        canvas.requestPaint()
    }
    Component.onCompleted: if (seconds > total) total = seconds
    Connections {
        target: Theme
        function onHighChanged() { canvas.requestPaint() }
    }

    Accessible.role: Accessible.Indicator
    Accessible.name: caption + " " + Store.clock(seconds)

    Canvas {
        id: canvas
        anchors.fill: parent
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const r = width / 2 - 10
            ctx.lineWidth = 14
            ctx.strokeStyle = String(Theme.neutralSoft)
            if (Theme.high)
                ctx.strokeStyle = "#555555"
            ctx.beginPath()
            ctx.arc(width / 2, height / 2, r, 0, 2 * Math.PI)
            ctx.stroke()
            const f = ring.total > 0 ? Math.max(0, Math.min(1, ring.seconds / ring.total)) : 0
            if (f <= 0)
                return
            ctx.strokeStyle = String(ring.ringColor)
            ctx.lineCap = "round"
            ctx.beginPath()
            ctx.arc(width / 2, height / 2, r, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * f)
            ctx.stroke()
        }
    }
    Column {
        anchors.centerIn: parent
        width: ring.size - 48
        KText {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: Store.clock(ring.seconds)
            font.pixelSize: Math.max(Theme.fontLarge, Math.min(Theme.fontDisplay, Math.round(ring.size * 0.21)))
            font.bold: true
        }
        KText {
            width: parent.width
            visible: ring.caption !== ""
            horizontalAlignment: Text.AlignHCenter
            text: ring.caption
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
    }
}

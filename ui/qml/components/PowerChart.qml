import QtQuick

// The session's charging power over time, drawn with a Canvas (no QtCharts in Essentials).
Canvas {
    id: chart
    property var history: []      // [seconds since plug-in, kW], the whole session
    // the time axis' labels, translated here: the Canvas has no qsTr of its own
    readonly property string minutesLabel: qsTr("%1 min")
    readonly property string hoursLabel: qsTr("%1 h")
    onMinutesLabelChanged: requestPaint()
    property real maxPower: 22     // the connector's rating: the top of the scale
    property string unit: "kW"
    readonly property int points: history ? history.length : 0

    onHistoryChanged: requestPaint()
    onWidthChanged: requestPaint()
    onHeightChanged: requestPaint()
    Connections {
        target: Theme
        function onHighChanged() { chart.requestPaint() }
    }

    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Charging power over time")

    // a round time step for at most 4 labels after 0: 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h
    function timeStep(seconds) {
        const steps = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200]
        for (let i = 0; i < steps.length; ++i)
            if (seconds / steps[i] <= 4)
                return steps[i]
        return 86400
    }
    function timeText(seconds) {
        return seconds % 3600 === 0 && seconds > 0
            ? hoursLabel.arg(seconds / 3600)
            : minutesLabel.arg(Math.round(seconds / 60))
    }

    // a round grid step for 3 to 6 lines: 5 kW up to 25 kW, 50 kW up to 300 kW ...
    function gridStep(value) {
        const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500]
        for (let i = 0; i < steps.length; ++i)
            if (value / steps[i] <= 6)
                return steps[i]
        return 1000
    }

    onPaint: {
        const ctx = getContext("2d")
        ctx.reset()
        const left = 84, right = 24, top = 18, bottom = 48
        const w = width - left - right
        const h = height - top - bottom
        if (w <= 0 || h <= 0)
            return
        let peak = 0
        for (let i = 0; i < points; ++i)
            peak = Math.max(peak, history[i][1])
        // the time scale: at least ten minutes wide, and always up to now
        const tMax = Math.max(600, points ? history[points - 1][0] : 0)
        const top_ = Math.max(maxPower, peak, 1)
        const stepKw = gridStep(top_)
        const lines = Math.ceil(top_ / stepKw)
        const yMax = lines * stepKw

        ctx.font = "24px '" + Theme.fontFamily + "'"
        ctx.textAlign = "right"
        ctx.textBaseline = "middle"
        ctx.lineWidth = 1
        for (let g = 0; g <= lines; ++g) {
            const y = top + h - (h * g / lines)
            ctx.strokeStyle = String(Theme.chartGrid)
            ctx.beginPath()
            ctx.moveTo(left, Math.round(y) + 0.5)
            ctx.lineTo(left + w, Math.round(y) + 0.5)
            ctx.stroke()
            ctx.fillStyle = String(Theme.textMuted)
            ctx.fillText(String(stepKw * g), left - 14, y)
        }
        // the time axis: ticks and labels under the plot
        const stepS = timeStep(tMax)
        ctx.textBaseline = "top"
        ctx.fillStyle = String(Theme.textMuted)
        ctx.strokeStyle = String(Theme.chartGrid)
        for (let t = 0; t <= tMax; t += stepS) {
            const x = left + w * t / tMax
            ctx.beginPath()
            ctx.moveTo(Math.round(x) + 0.5, top + h)
            ctx.lineTo(Math.round(x) + 0.5, top + h + 8)
            ctx.stroke()
            ctx.textAlign = t === 0 ? "left" : (x > left + w - 60 ? "right" : "center")
            ctx.fillText(timeText(t), x, top + h + 14)
        }
        if (points < 2)
            return
        const xOf = function(i) { return left + w * history[i][0] / tMax }
        const yOf = function(i) { return top + h - h * Math.min(history[i][1], yMax) / yMax }
        ctx.beginPath()
        ctx.moveTo(xOf(0), top + h)
        for (let i = 0; i < points; ++i)
            ctx.lineTo(xOf(i), yOf(i))
        ctx.lineTo(xOf(points - 1), top + h)
        ctx.closePath()
        ctx.globalAlpha = Theme.high ? 0.3 : 0.16
        ctx.fillStyle = String(Theme.chartLine)
        ctx.fill()
        ctx.globalAlpha = 1
        ctx.beginPath()
        for (let i = 0; i < points; ++i) {
            if (i === 0)
                ctx.moveTo(xOf(i), yOf(i))
            else
                ctx.lineTo(xOf(i), yOf(i))
        }
        ctx.lineWidth = 5
        ctx.lineJoin = "round"
        ctx.strokeStyle = String(Theme.chartLine)
        ctx.stroke()
    }
}

import QtQuick

// The session's charging power over time, drawn with a Canvas (no QtCharts in Essentials).
Canvas {
    id: chart
    property var history: []      // kW, one value per station update
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
        const left = 84, right = 16, top = 18, bottom = 20
        const w = width - left - right
        const h = height - top - bottom
        if (w <= 0 || h <= 0)
            return
        let peak = 0
        for (let i = 0; i < points; ++i)
            peak = Math.max(peak, history[i])
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
        if (points < 2)
            return
        const step = w / Math.max(points - 1, 1)
        ctx.beginPath()
        ctx.moveTo(left, top + h)
        for (let i = 0; i < points; ++i)
            ctx.lineTo(left + i * step, top + h - h * Math.min(history[i], yMax) / yMax)
        ctx.lineTo(left + (points - 1) * step, top + h)
        ctx.closePath()
        ctx.globalAlpha = Theme.high ? 0.3 : 0.16
        ctx.fillStyle = String(Theme.chartLine)
        ctx.fill()
        ctx.globalAlpha = 1
        ctx.beginPath()
        for (let i = 0; i < points; ++i) {
            const x = left + i * step
            const y = top + h - h * Math.min(history[i], yMax) / yMax
            if (i === 0)
                ctx.moveTo(x, y)
            else
                ctx.lineTo(x, y)
        }
        ctx.lineWidth = 5
        ctx.lineJoin = "round"
        ctx.strokeStyle = String(Theme.chartLine)
        ctx.stroke()
    }
}

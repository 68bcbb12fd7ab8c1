pragma Singleton
import QtQuick

// What the screens read, cached once per bridge change (Main.qml binds these), plus the
// texts the QML derives from codes. Reading bridge.session in many bindings would call
// the Python getter once per binding; reading Store.session does not.
QtObject {
    id: store

    property var connectors: []
    property var price: ({})
    property var session: ({})
    property var receipt: ({})
    property var station: ({})
    property string screen: "overview"
    property string language: "en"
    property string activeConnector: ""
    // the session on screen was started by whoever stands here (not opened from the overview)
    property bool ownSession: false

    function sv(key) { const v = session[key]; return v === undefined || v === null ? "" : v }
    function pv(key) { const v = price[key]; return v === undefined || v === null ? "" : v }
    function rv(key) { const v = receipt[key]; return v === undefined || v === null ? "" : v }
    function num(value, fallback) { return typeof value === "number" ? value : fallback }

    function connector(id) {
        for (let i = 0; i < connectors.length; ++i)
            if (connectors[i].id === id)
                return connectors[i]
        return null
    }
    function activeLabel() {
        const c = connector(activeConnector)
        return c ? c.label : ""
    }
    function standardName(code) {
        switch (code) {
        case "IEC_62196_T2": return qsTr("Type 2")
        case "IEC_62196_T2_COMBO": return "CCS"
        case "CHADEMO": return "CHAdeMO"
        default: return code
        }
    }

    // minutes:seconds for countdowns
    function clock(seconds) {
        const s = Math.max(0, Math.floor(seconds))
        const m = Math.floor(s / 60)
        const r = s % 60
        return m + ":" + (r < 10 ? "0" : "") + r
    }

    // a connector's flow state (kiosk.station.FlowState values) as the overview shows it
    function stateText(state) {
        switch (state) {
        case "idle": return qsTr("Available")
        case "charging": return qsTr("Charging")
        case "finishing": return qsTr("Charging finished")
        case "out_of_service": return qsTr("Out of service")
        case "faulted": return qsTr("Fault")
        case "offline": return qsTr("Not responding")
        case "starting": return qsTr("Starting…")
        default: return qsTr("In use")
        }
    }
    function stateTone(state) {
        switch (state) {
        case "idle": return "success"
        case "charging": return "info"
        case "finishing": return "info"
        case "faulted": return "error"
        case "offline": return "error"
        default: return "neutral"
        }
    }

    // a price line's name: energy and time prices have no label of their own
    function lineLabel(line) {
        switch (line.kind) {
        case "ENERGY": return qsTr("Energy")
        case "TIME": return qsTr("Charging time")
        case "PARKING_TIME": return line.label ? capital(line.label) : qsTr("Parking")
        case "FLAT": return line.label ? capital(line.label) : qsTr("Session fee")
        case "IDLE_FEE": return qsTr("Idle fee")
        case "MIN_PRICE": return qsTr("Minimum price")
        case "MAX_PRICE": return qsTr("Maximum price")
        default: return capital(line.label || "")
        }
    }
    // keep "€0.45/kWh" and "4 h" on one line when a price text wraps
    function noBreak(text) {
        return text.replace(/\//g, "/\u2060").replace(/(\d) (?=[^\s·]{1,4}\b)/g, "$1\u00a0")
    }
    function capital(text) { return text ? text.charAt(0).toUpperCase() + text.slice(1) : "" }

    // messages from the station core and the payment providers (English) for the driver
    function message(text) {
        switch (text) {
        case "card declined": return qsTr("The card was declined by the bank.")
        case "insufficient funds": return qsTr("There is not enough money on the card.")
        case "this card is blocked": return qsTr("This charging card is blocked.")
        case "unknown card": return qsTr("This charging card is not known here.")
        case "card refused": return qsTr("This charging card was refused.")
        case "This connector is busy.": return qsTr("This charging point is busy.")
        case "Choose this way to pay first.": return qsTr("Choose this way to pay first.")
        case "This way to pay is not available right now.":
            return qsTr("This way to pay is not available right now.")
        case "No charging session is running on this connector.":
            return qsTr("No charging session is running at this charging point.")
        case "The charger could not start. Your payment is released.":
            return qsTr("The charger could not start. Your payment is released.")
        case "residual current detected": return qsTr("Residual current detected.")
        case "": return ""
        default: return text
        }
    }
}

import QtQuick
import QtQuick.Window
import "components"

// The kiosk window: header (station, languages, contrast, reach) on every screen, the
// offline banner, the current screen (bridge.screen) and, in the demo, the developer panel.
Window {
    id: win
    objectName: "kioskWindow"

    readonly property bool portrait: bridge.orientation !== "landscape"
    // the screen whose first frame is on its way (autoplay and tests wait for it)
    property string shownScreen: ""
    property string previousScreen: ""
    // the overview has its data and is on screen (wait_first_frame measures up to here)
    readonly property bool ready: shownScreen !== "" && Store.connectors.length > 0
    readonly property real reachTop: bridge.reachMode ? Math.round(height * (portrait ? 0.36 : 0.22)) : 0

    width: portrait ? 1080 : 1920
    height: portrait ? 1920 : 1080
    visible: true
    visibility: kioskFullscreen ? Window.FullScreen : Window.Windowed
    flags: kioskFullscreen ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    color: Theme.bg
    title: qsTr("EV charging")

    FontLoader { source: assetsDir + "/fonts/DejaVuSans.ttf" }
    FontLoader { source: assetsDir + "/fonts/DejaVuSans-Bold.ttf" }

    Binding { target: Theme; property: "high"; value: bridge.highContrast }
    Binding { target: Store; property: "connectors"; value: bridge.connectors }
    Binding { target: Store; property: "price"; value: bridge.price }
    Binding { target: Store; property: "session"; value: bridge.session }
    Binding { target: Store; property: "receipt"; value: bridge.receipt }
    Binding { target: Store; property: "station"; value: bridge.station }
    Binding { target: Store; property: "language"; value: bridge.language }
    Binding { target: Store; property: "activeConnector"; value: bridge.activeConnector }
    Binding { target: Store; property: "screen"; value: bridge.screen }

    readonly property var screenFiles: ({
        "overview": "OverviewScreen", "price": "PriceScreen", "payment": "PaymentScreen",
        "waitCard": "WaitCardScreen", "terminal": "TerminalScreen", "qr": "QrScreen",
        "authorizing": "AuthorizingScreen", "declined": "DeclinedScreen", "plugIn": "PlugInScreen",
        "charging": "ChargingScreen", "finishing": "FinishingScreen", "receipt": "ReceiptScreen",
        "outOfService": "OutOfServiceScreen", "faulted": "FaultedScreen", "offline": "OfflineScreen",
        "timeout": "TimeoutScreen", "error": "ErrorScreen", "getReceipt": "GetReceiptScreen"
    })

    Connections {
        target: Store
        function onScreenChanged() {
            const s = Store.screen
            const paying = ["plugIn", "authorizing", "waitCard", "terminal", "qr"]
            if (s === "charging" || s === "finishing") {
                if (paying.indexOf(win.previousScreen) >= 0)
                    Store.ownSession = true
                else if (win.previousScreen !== "charging" && win.previousScreen !== "finishing")
                    Store.ownSession = false
            } else if (s !== "receipt" && s !== "error") {
                Store.ownSession = false
            }
            win.previousScreen = s
            idle.restart()
        }
    }

    // screens without a timeout in the station core go back to the overview by themselves
    Timer {
        id: idle
        readonly property var after: ({ "charging": 90000, "finishing": 90000, "outOfService": 60000,
                                        "faulted": 60000, "offline": 60000, "timeout": 30000, "error": 30000,
                                        "getReceipt": 60000, "receipt": 120000 })
        interval: after[Store.screen] || 60000
        running: after[Store.screen] !== undefined
        onTriggered: bridge.goHome()
    }

    // reach mode: the upper part only shows where the controls went
    Rectangle {
        id: reachArea
        visible: bridge.reachMode
        width: parent.width
        height: win.reachTop
        color: Theme.surfaceAlt
        Column {
            anchors.centerIn: parent
            width: parent.width - 120
            spacing: 20
            Icon { name: "reach"; size: 96; tone: Theme.iconAccent; anchors.horizontalCenter: parent.horizontalCenter }
            KText {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Reach mode is on: every control is in the lower part of the screen.")
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            KText {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Tap the reach button again to use the whole screen.")
                color: Theme.textMuted
            }
        }
    }

    Item {
        id: area
        y: win.reachTop
        width: parent.width
        height: parent.height - win.reachTop
        Behavior on y { NumberAnimation { duration: 200; easing.type: Easing.OutCubic } }

        HeaderBar {
            id: header
            width: parent.width
            height: implicitHeight
        }
        OfflineBanner {
            id: banner
            anchors.top: header.bottom
            width: parent.width
            visible: bridge.offline
        }
        HintBanner {
            id: hintBanner
            anchors.top: banner.bottom
            width: parent.width
        }
        Loader {
            id: screenLoader
            objectName: "screenLoader"
            anchors { top: hintBanner.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
            source: "screens/" + (win.screenFiles[Store.screen] || "OverviewScreen") + ".qml"
            onLoaded: {
                if (win.shownScreen === "") {  // the first screen appears at once
                    win.shownScreen = Store.screen
                    return
                }
                item.opacity = 0
                fade.restart()
            }
        }
        NumberAnimation {
            id: fade
            target: screenLoader.item
            property: "opacity"
            from: 0
            to: 1
            duration: Theme.animMs
            onFinished: win.shownScreen = Store.screen
        }
    }

    DevPanel {
        visible: bridge.demo
        anchors.right: parent.right
        y: area.y + header.height
        height: area.height - header.height
    }

    // every touch restarts the inactivity clocks (the core's and the screen's)
    MouseArea {
        anchors.fill: parent
        z: 1000
        onPressed: (mouse) => {
            bridge.touch()
            idle.restart()
            mouse.accepted = false
        }
    }
}

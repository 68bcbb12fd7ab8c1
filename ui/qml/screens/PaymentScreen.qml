import QtQuick
import QtQuick.Layouts
import "../components"

// Three ways to pay.
ScreenPage {
    id: page
    title: qsTr("How would you like to pay?")
    subtitle: qsTr("Charging point %1").arg(Store.activeLabel())
    iconName: "card"

    // a device's state: "ok", "missing" (not connected) or "none" (not at this station)
    function device(name) { return (bridge.devices || {})[name] || "ok" }

    component Option: Panel {
        id: opt
        property string method: ""
        property string iconName: ""
        property string heading: ""
        property string detail: ""
        property string note: ""
        objectName: "pay_" + method
        Layout.fillWidth: true
        Layout.fillHeight: page.wide
        Layout.preferredWidth: 100
        implicitHeight: Math.max(page.wide ? 0 : 240, optRow.implicitHeight + 64)
        color: optArea.pressed && enabled ? Theme.surfaceAlt : Theme.surface
        border.width: Theme.high ? 3 : 2
        border.color: enabled ? Theme.primary : Theme.border
        // unavailable: faded, but the reason (the chip) stays fully readable
        readonly property real faded: enabled ? 1 : 0.55
        Accessible.role: Accessible.Button
        Accessible.name: heading
        Accessible.onPressAction: if (enabled) bridge.choosePayment(method)

        GridLayout {
            id: optRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 32 }
            columns: page.wide ? 1 : 3
            columnSpacing: 28
            rowSpacing: 20
            Rectangle {
                Layout.preferredWidth: 136
                Layout.preferredHeight: 136
                Layout.alignment: page.wide ? Qt.AlignHCenter : Qt.AlignVCenter
                radius: 68
                opacity: opt.faded
                color: Theme.primary
                Icon { anchors.centerIn: parent; name: opt.iconName; size: 80; tone: Theme.iconOnPrimary }
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 6
                KText {
                    Layout.fillWidth: true
                    opacity: opt.faded
                    text: opt.heading
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    horizontalAlignment: page.wide ? Text.AlignHCenter : Text.AlignLeft
                }
                KText {
                    Layout.fillWidth: true
                    opacity: opt.faded
                    text: opt.detail
                    color: Theme.textMuted
                    horizontalAlignment: page.wide ? Text.AlignHCenter : Text.AlignLeft
                }
                StatusChip {
                    visible: opt.note !== ""
                    Layout.alignment: page.wide ? Qt.AlignHCenter : Qt.AlignLeft
                    Layout.topMargin: 6
                    text: opt.note
                    wrap: true
                    tone: opt.enabled ? "neutral" : "warning"
                    maxWidth: optRow.width - (page.wide ? 0 : 200)
                }
            }
            Icon {
                visible: !page.wide
                opacity: opt.faded
                name: "chevron"
                size: 44
                tone: Theme.iconAccent
            }
        }
        MouseArea {
            id: optArea
            anchors.fill: parent
            enabled: opt.enabled
            onClicked: bridge.choosePayment(opt.method)
        }
    }

    GridLayout {
        Layout.fillWidth: true
        Layout.fillHeight: page.wide
        columns: page.wide ? 3 : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        Option {
            method: "rfid"
            iconName: "rfid"
            heading: qsTr("Charging card or key fob")
            detail: qsTr("For members and fleets. Billed to your account.")
            visible: page.device("accounts") !== "none" && page.device("reader") !== "none"
            enabled: page.device("reader") !== "missing" && page.device("accounts") !== "missing"
            note: page.device("reader") === "missing" ? qsTr("The card reader is not connected")
                                                      : ""
        }
        Option {
            method: "card"
            iconName: "card"
            heading: qsTr("Bank card")
            detail: qsTr("Debit or credit card, contactless or chip, or your phone's wallet.")
            visible: page.device("terminal") !== "none"
            enabled: page.device("terminal") !== "missing"
            note: enabled ? qsTr("Reserved: %1").arg((Store.price.holds || {}).card || "")
                          : qsTr("The card terminal is not available right now")
        }
        Option {
            method: "qr"
            iconName: "qr"
            heading: qsTr("Phone")
            detail: qsTr("Scan a QR code and pay on your phone.")
            visible: page.device("qr") !== "none"
            enabled: !bridge.offline
            note: bridge.offline ? qsTr("Not available while offline")
                                 : qsTr("Reserved: %1").arg((Store.price.holds || {}).qr || "")
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 16
        Icon { name: "info"; size: 40; Layout.alignment: Qt.AlignTop }
        KText {
            Layout.fillWidth: true
            text: qsTr("A reserved amount is only held, not charged: you pay what you use, the rest is released when you unplug.")
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
    }
    Item { Layout.fillHeight: !page.wide; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            iconName: "back"
            text: qsTr("Back")
            onClicked: bridge.back()
        },
        Item { Layout.fillWidth: true },
        KioskButton {
            objectName: "cancelButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Cancel")
            onClicked: bridge.goHome()
        }
    ]
}

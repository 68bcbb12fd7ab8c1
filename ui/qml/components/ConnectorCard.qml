import QtQuick
import QtQuick.Layouts

// One charging point on the overview: state, price before start, a running session.
Panel {
    id: card

    property var c: ({})
    property bool tall: false  // landscape: the cards stand side by side
    property bool dense: false  // reach mode in portrait: three cards in the lower part
    readonly property int pad: dense ? 20 : 28
    signal activated()

    readonly property bool busy: c.charging === true
    readonly property bool suspended: c.suspended === true  // the car takes no energy
    readonly property string chipText: suspended ? qsTr("Not charging") : Store.stateText(c.state || "")
    readonly property string chipTone: suspended ? "warning" : Store.stateTone(c.state || "")
    readonly property bool open: c.available === true
    readonly property bool usable: open || busy || c.state === "out_of_service" || c.state === "faulted" || c.state === "offline"

    implicitHeight: column.implicitHeight + 2 * pad
    border.width: open ? (Theme.high ? 3 : 2) : (Theme.high ? 2 : 1)
    border.color: open ? Theme.primary : Theme.border
    color: area.pressed && usable ? Theme.surfaceAlt : Theme.surface

    Accessible.role: Accessible.Button
    Accessible.name: qsTr("Charging point %1").arg(c.label || "") + ", " + Store.stateText(c.state || "")
    Accessible.onPressAction: if (usable) card.activated()

    ColumnLayout {
        id: column
        z: 1  // the receipt button above the card's tap area; texts let taps through
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: card.pad }
        height: card.tall ? card.height - 2 * card.pad : implicitHeight
        spacing: card.dense ? 12 : 16

        RowLayout {
            Layout.fillWidth: true
            spacing: 24
            Rectangle {
                Layout.preferredWidth: card.dense ? 88 : 112
                Layout.preferredHeight: card.dense ? 88 : 112
                Layout.alignment: Qt.AlignTop
                radius: 22
                color: card.open ? Theme.primary : (card.busy ? Theme.infoSoft : Theme.neutralSoft)
                border.width: Theme.high ? 2 : 0
                border.color: Theme.border
                Column {
                    anchors.centerIn: parent
                    KText {
                        anchors.horizontalCenter: parent.horizontalCenter
                        text: card.c.label || ""
                        font.pixelSize: ((card.c.label || "").length > 1 ? 44 : 56) - (card.dense ? 8 : 0)
                        font.bold: true
                        color: card.open ? Theme.textOnPrimary : (card.busy ? Theme.textOnInfoSoft : Theme.textOnNeutralSoft)
                    }
                    KText {
                        anchors.horizontalCenter: parent.horizontalCenter
                        visible: card.c.powerType !== card.c.label
                        text: card.c.powerType || ""
                        font.pixelSize: Theme.fontSmall
                        font.bold: true
                        color: card.open ? Theme.textOnPrimary : (card.busy ? Theme.textOnInfoSoft : Theme.textOnNeutralSoft)
                    }
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                spacing: 8
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Charging point %1").arg(card.c.label || "")
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                }
                KText {
                    Layout.fillWidth: true
                    text: [card.c.powerType || "", card.c.maxPower || "", Store.standardName(card.c.standard || "")].join(" · ")
                    color: Theme.textMuted
                }
                StatusChip {
                    visible: card.tall
                    text: card.chipText
                    tone: card.chipTone
                    maxWidth: parent.width
                }
            }
            StatusChip {
                visible: !card.tall
                Layout.alignment: Qt.AlignTop
                text: card.chipText
                tone: card.chipTone
                maxWidth: 320
            }
            Icon {  // dense: the chevron says "tap me" instead of the line below
                visible: card.dense && card.usable
                Layout.alignment: Qt.AlignVCenter
                name: "chevron"
                size: 40
                tone: Theme.iconAccent
            }
        }

        // the price before start (EU AFIR): always shown
        RowLayout {
            Layout.fillWidth: true
            spacing: 14
            visible: !card.busy
            Icon { name: "bolt"; tone: Theme.iconAccent; size: 36; Layout.alignment: Qt.AlignTop }
            KText {
                Layout.fillWidth: true
                text: Store.noBreak(card.c.priceText || "")
                font.pixelSize: card.dense ? Theme.fontSmall : Theme.fontBody
                lineHeight: 1.1
            }
        }

        // a running session: energy, power, cost so far
        GridLayout {
            Layout.fillWidth: true
            visible: card.busy
            columns: card.tall ? 1 : 3
            columnSpacing: 24
            rowSpacing: 8
            Repeater {
                model: [
                    { "label": qsTr("Energy"), "value": card.c.energy || "" },
                    { "label": qsTr("Power"), "value": card.c.power || "" },
                    { "label": qsTr("Cost so far"), "value": card.c.cost || "—" }
                ]
                Rectangle {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.preferredHeight: card.dense || card.tall ? 84 : 104
                    radius: 14
                    color: Theme.surfaceAlt
                    border.width: Theme.high ? 1 : 0
                    border.color: Theme.border
                    Column {
                        anchors { left: parent.left; leftMargin: 20; verticalCenter: parent.verticalCenter }
                        KText { text: modelData.label; color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                        KText { text: modelData.value; font.pixelSize: Theme.fontLarge; font.bold: true }
                    }
                }
            }
        }

        // the idle fee is coming: the car stopped taking energy, or the session stopped
        RowLayout {
            objectName: "idleWarning_" + (card.c.id || "")
            Layout.fillWidth: true
            visible: card.busy && (card.c.idleFrom || "") !== ""
            spacing: 14
            Icon { name: "warning"; size: 36; tone: Theme.high ? "yellow" : "ink"; Layout.alignment: Qt.AlignTop }
            KText {
                Layout.fillWidth: true
                text: qsTr("Idle fee from %1 unless the car is unplugged").arg(card.c.idleFrom || "")
                font.bold: true
                color: Theme.textOnWarningSoft
            }
        }

        Item { Layout.fillHeight: true; visible: card.tall }

        // a finished session's receipt stays one tap away for a while
        KioskButton {
            objectName: "receipt_" + (card.c.id || "")
            visible: card.c.receipt === true
            Layout.fillWidth: true
            compact: true
            kind: "secondary"
            iconName: "receipt"
            text: qsTr("Last receipt")
            onClicked: bridge.showReceipt(card.c.id)
        }

        // what a tap does (side by side, the receipt button says enough)
        RowLayout {
            Layout.fillWidth: true
            visible: card.usable && !card.dense && !(card.tall && card.c.receipt === true)
            spacing: 12
            KText {
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignRight
                text: card.open ? qsTr("Start charging here")
                    : card.busy ? qsTr("View or stop this session")
                    : qsTr("Details")
                color: Theme.accentText
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
            Icon { name: "chevron"; tone: Theme.iconAccent; size: 36 }
        }
    }

    MouseArea {
        id: area
        anchors.fill: parent
        enabled: card.usable
        onClicked: card.activated()
    }
}

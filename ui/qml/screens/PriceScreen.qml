import QtQuick
import QtQuick.Layouts
import "../components"

// The full price of one charging point, before the driver pays (EU AFIR).
ScreenPage {
    id: page
    title: qsTr("Price at charging point %1").arg(Store.activeLabel())
    subtitle: qsTr("This is what you pay. Nothing is charged before you start.")
    iconName: "bolt"

    readonly property var connector: Store.connector(Store.activeConnector) || ({})

    Flow {
        visible: !(page.wide && page.compact && bridge.reachMode)
        Layout.fillWidth: true
        spacing: 12
        StatusChip { text: [page.connector.powerType || "", page.connector.maxPower || ""].join(" · "); tone: "info" }
        StatusChip { text: Store.standardName(page.connector.standard || ""); tone: "neutral" }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: page.wide ? 2 : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        Panel {
            objectName: "priceTable"
            Layout.fillWidth: true
            Layout.preferredWidth: 3
            Layout.alignment: Qt.AlignTop
            implicitHeight: table.implicitHeight + 24
            ColumnLayout {
                id: table
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 12 }
                spacing: 0
                Repeater {
                    model: Store.price.lines || []
                    Rectangle {
                        required property var modelData
                        required property int index
                        Layout.fillWidth: true
                        implicitHeight: lineRow.implicitHeight + (page.compact ? 24 : 44)
                        color: index % 2 ? Theme.surface : Theme.surfaceAlt
                        radius: 12
                        RowLayout {
                            id: lineRow
                            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; leftMargin: 20; rightMargin: 20 }
                            spacing: 20
                            ColumnLayout {
                                Layout.fillWidth: true
                                spacing: 2
                                KText {
                                    Layout.fillWidth: true
                                    text: Store.lineLabel(modelData)
                                    font.bold: true
                                    font.pixelSize: Theme.fontBody
                                }
                                KText {
                                    Layout.fillWidth: true
                                    visible: text !== ""
                                    text: modelData.condition || ""
                                    color: Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                            KText {
                                text: modelData.amount
                                color: Theme.accentText
                                font.pixelSize: page.compact ? Theme.fontLarge : Theme.fontTitle - 4
                                font.bold: true
                                wrapMode: Text.NoWrap
                                horizontalAlignment: Text.AlignRight
                            }
                        }
                    }
                }
                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: 16
                    spacing: 14
                    Icon { name: "info"; size: 36 }
                    KText {
                        Layout.fillWidth: true
                        text: Store.pv("vatNote")
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: 2
            Layout.alignment: Qt.AlignTop
            spacing: Theme.gap

            Panel {
                visible: Store.pv("memberSummary") !== ""
                Layout.fillWidth: true
                implicitHeight: member.implicitHeight + 48
                color: Theme.successSoft
                border.color: Theme.textOnSuccessSoft
                ColumnLayout {
                    id: member
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    spacing: 10
                    RowLayout {
                        spacing: 14
                        Icon { name: "rfid"; size: 44 }
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Member price")
                            color: Theme.textOnSuccessSoft
                            font.bold: true
                            font.pixelSize: Theme.fontBody
                        }
                    }
                    KText {
                        Layout.fillWidth: true
                        text: Store.pv("memberSummary")
                        color: Theme.textOnSuccessSoft
                    }
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Pay with your charging card to get it.")
                        color: Theme.textOnSuccessSoft
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }

            Panel {
                Layout.fillWidth: true
                implicitHeight: holds.implicitHeight + 48
                ColumnLayout {
                    id: holds
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    spacing: 14
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("How paying works")
                        font.bold: true
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 14
                        Icon { name: "card"; size: 40; Layout.alignment: Qt.AlignTop }
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Bank card: we reserve %1 and charge only what you use.").arg((Store.price.holds || {}).card || "")
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 14
                        Icon { name: "phone"; size: 40; Layout.alignment: Qt.AlignTop }
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Phone: we reserve %1 and charge only what you use.").arg((Store.price.holds || {}).qr || "")
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 14
                        Icon { name: "rfid"; size: 40; Layout.alignment: Qt.AlignTop }
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Charging card: billed to your account.")
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                }
            }
        }
    }

    // a worked example in money: what drivers actually want to know (portrait: room for it)
    Panel {
        id: examplePanel
        objectName: "priceExample"
        readonly property var example: Store.price.example || ({})
        readonly property int minutes: Store.num(example.minutes, 0)
        visible: !page.compact && example.cost !== undefined
        Layout.fillWidth: true
        implicitHeight: exampleColumn.implicitHeight + 48
        ColumnLayout {
            id: exampleColumn
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
            spacing: 10
            RowLayout {
                Layout.fillWidth: true
                spacing: 20
                Icon { name: "car"; size: 56; Layout.alignment: Qt.AlignTop }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 4
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Example: a charge starting now")
                        font.bold: true
                    }
                    KText {
                        objectName: "exampleText"
                        Layout.fillWidth: true
                        readonly property int hours: Math.floor(examplePanel.minutes / 60)
                        readonly property string duration: hours > 0
                            ? qsTr("%1 h %2 min").arg(hours).arg(examplePanel.minutes % 60)
                            : qsTr("%1 min").arg(examplePanel.minutes)
                        text: qsTr("%1 kWh at %2 kW, about %3")
                            .arg(examplePanel.example.energy || "")
                            .arg(examplePanel.example.power || "")
                            .arg(duration)
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                }
                KText {
                    objectName: "exampleCost"
                    text: "≈ " + (examplePanel.example.cost || "")
                    color: Theme.accentText
                    font.pixelSize: Theme.fontTitle - 4
                    font.bold: true
                    wrapMode: Text.NoWrap
                    Layout.alignment: Qt.AlignVCenter
                }
            }
            KText {
                Layout.fillWidth: true
                text: qsTr("An estimate: your car decides how fast it charges. You pay what the meter measures.")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
            }
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            iconName: "back"
            text: qsTr("Back")
            onClicked: bridge.back()
        },
        KioskButton {
            objectName: "toPayment"
            Layout.fillWidth: true
            iconName: "chevron"
            iconRight: true
            text: qsTr("Continue to payment")
            onClicked: bridge.toPayment()
        }
    ]
}

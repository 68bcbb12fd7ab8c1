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
    readonly property bool memberShown: Store.pv("memberSummary") !== ""

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
                        objectName: "priceLine" + index
                        readonly property bool current: modelData.current === true
                        implicitHeight: lineRow.implicitHeight + (page.compact ? 24 : 44)
                        // the rate a charge starting now pays (time of day, power tier)
                        color: current ? Theme.successSoft : index % 2 ? Theme.surface : Theme.surfaceAlt
                        border.width: current ? 3 : 0
                        border.color: Theme.textOnSuccessSoft
                        radius: 12
                        RowLayout {
                            id: lineRow
                            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; leftMargin: 20; rightMargin: 20 }
                            spacing: 20
                            ColumnLayout {
                                Layout.fillWidth: true
                                spacing: 2
                                RowLayout {
                                    Layout.fillWidth: true
                                    spacing: 14
                                    KText {
                                        Layout.fillWidth: true
                                        text: Store.lineLabel(modelData)
                                        font.bold: true
                                        font.pixelSize: Theme.fontBody
                                    }
                                    StatusChip {
                                        objectName: "nowChip"
                                        visible: modelData.current === true
                                        text: qsTr("Now")
                                        tone: "success"
                                        // a white pill: the row itself is already success-soft
                                        color: Theme.surface
                                        border.width: 2
                                    }
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
            Layout.rowSpan: 2
            spacing: Theme.gap

            Panel {
                visible: page.memberShown
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

            PriceExample {
                visible: priced && !bridge.reachMode && page.wide && !page.memberShown
                Layout.fillWidth: true
            }
        }

        // the example: under the table in portrait, and in landscape when the member price
        // fills the right column (else it sits there, under the payment notes)
        PriceExample {
            visible: priced && !bridge.reachMode && (!page.wide || page.memberShown)
            Layout.fillWidth: true
            Layout.preferredWidth: 3
            Layout.alignment: Qt.AlignTop
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

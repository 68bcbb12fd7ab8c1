import QtQuick
import QtQuick.Layouts
import "../components"

// The idle screen: every charging point with its state and its price before start.
ScreenPage {
    id: page
    title: qsTr("Choose a charging point")
    subtitle: qsTr("You see the full price before you start. All prices include VAT.")
    iconName: "plug"
    titleObjectName: "overviewTitle"
    readonly property bool dense: bridge.reachMode  // the cards share the lower part
    hasActions: !wide || dense  // landscape: "Get a receipt" sits in the payment row, no extra row

    GridLayout {
        Layout.fillWidth: true
        columns: page.wide ? Math.max(1, Store.connectors.length) : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap
        Repeater {
            model: Store.connectors
            ConnectorCard {
                required property var modelData
                objectName: "connector_" + modelData.id
                c: modelData
                tall: page.wide
                dense: page.dense
                Layout.fillWidth: true
                Layout.fillHeight: page.wide
                Layout.preferredWidth: 100  // equal columns in landscape
                Layout.alignment: Qt.AlignTop
                onActivated: {
                    if (c.charging)
                        bridge.openSession(c.id)
                    else
                        bridge.selectConnector(c.id)
                }
            }
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    Panel {
        visible: !page.dense
        Layout.fillWidth: true
        Layout.preferredHeight: payRow.implicitHeight + (page.wide ? 24 : 48)
        color: Theme.surfaceAlt
        RowLayout {
            id: payRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 28
            KText {
                text: qsTr("Pay with")
                font.bold: true
                wrapMode: Text.NoWrap
            }
            Repeater {
                model: [
                    { "icon": "rfid", "text": qsTr("Charging card") },
                    { "icon": "card", "text": qsTr("Bank card") },
                    { "icon": "qr", "text": qsTr("Phone") }
                ]
                RowLayout {
                    required property var modelData
                    Layout.fillWidth: true
                    spacing: 12
                    Icon { name: modelData.icon; size: 44; tone: Theme.iconAccent }
                    KText { Layout.fillWidth: true; text: modelData.text; font.pixelSize: Theme.fontSmall }
                }
            }
            KioskButton {
                objectName: "getReceiptButton"
                visible: page.wide
                compact: true
                kind: "secondary"
                iconName: "receipt"
                text: qsTr("Get a receipt")
                onClicked: bridge.openReceiptLookup()
            }
        }
    }

    actions: [
        KioskButton {
            objectName: "getReceiptButton"
            visible: !page.wide || page.dense
            Layout.fillWidth: true
            kind: "secondary"
            iconName: "receipt"
            text: qsTr("Get a receipt")
            onClicked: bridge.openReceiptLookup()
        }
    ]
}

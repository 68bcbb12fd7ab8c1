import QtQuick
import QtQuick.Layouts
import "../components"

// The receipt: every item, VAT, the payment, and a QR code to the e-receipt.
ScreenPage {
    id: page
    title: qsTr("Thank you for charging")
    subtitle: qsTr("Here is your receipt. Your payment has been settled.")
    iconName: "check"

    GridLayout {
        Layout.fillWidth: true
        columns: 3
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            emphasis: true
            label: qsTr("Total")
            value: Store.rv("total")
            valueObjectName: "receiptTotal"
        }
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            label: qsTr("Energy")
            value: Store.rv("energy")
            unit: "kWh"
        }
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            label: qsTr("Plugged in")
            value: Store.rv("duration")
        }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: page.wide ? 2 : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        Panel {
            Layout.fillWidth: true
            Layout.preferredWidth: 3
            Layout.alignment: Qt.AlignTop
            implicitHeight: lines.implicitHeight + 48
            ColumnLayout {
                id: lines
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 28 }
                spacing: 14
                RowLayout {
                    Layout.fillWidth: true
                    Icon { name: "receipt"; size: 40 }
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Receipt %1").arg(Store.rv("id"))
                        font.bold: true
                        wrapMode: Text.WrapAnywhere
                    }
                }
                Rectangle { Layout.fillWidth: true; Layout.preferredHeight: 2; color: Theme.border }
                Repeater {
                    model: Store.receipt.lines || []
                    RowLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 20
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            KText { Layout.fillWidth: true; text: modelData.label; font.bold: true }
                            KText {
                                Layout.fillWidth: true
                                visible: text !== ""
                                text: modelData.detail
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                            KText {
                                objectName: "receiptStepNote"
                                Layout.fillWidth: true
                                visible: text !== ""
                                text: modelData.step || ""
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                        }
                        KText {
                            Layout.alignment: Qt.AlignTop
                            text: modelData.amount
                            wrapMode: Text.NoWrap
                            font.bold: true
                        }
                    }
                }
                Rectangle { Layout.fillWidth: true; Layout.preferredHeight: 2; color: Theme.text }
                RowLayout {
                    Layout.fillWidth: true
                    KText { Layout.fillWidth: true; text: qsTr("Total"); font.pixelSize: Theme.fontTitle; font.bold: true }
                    KText {
                        text: Store.rv("total")
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                        color: Theme.accentText
                        wrapMode: Text.NoWrap
                    }
                }
                KText {
                    objectName: "receiptVat"
                    Layout.fillWidth: true
                    readonly property var vat: Store.receipt.vat || []
                    visible: vat.length > 0
                    // "19 %: €0.39", punctuated for the language ("19 % : 0,39 €" in French)
                    text: qsTr("incl. VAT %1").arg(vat.map(v => qsTr("%1: %2").arg(v.rate).arg(v.amount)).join(" · "))
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                }
                KText {
                    objectName: "receiptStopReason"
                    Layout.fillWidth: true
                    visible: Store.rv("stopReason") !== ""
                    text: qsTr("Stopped: %1").arg(Store.rv("stopReason"))
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                }
                KText {
                    Layout.fillWidth: true
                    visible: Store.rv("payment") !== ""
                    text: qsTr("Paid with %1").arg(Store.rv("payment"))
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                }
            }
        }

        Panel {
            visible: Store.rv("url") !== ""
            Layout.fillWidth: true
            Layout.preferredWidth: 2
            Layout.alignment: Qt.AlignTop
            implicitHeight: qrBox.implicitHeight + 48
            GridLayout {
                id: qrBox
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                columns: 2
                columnSpacing: 28
                rowSpacing: 16
                Rectangle {
                    Layout.alignment: Qt.AlignHCenter
                    Layout.preferredWidth: page.wide ? 252 : 292
                    Layout.preferredHeight: page.wide ? 252 : 292
                    color: "#FFFFFF"
                    radius: 12
                    Image {
                        objectName: "receiptQr"
                        anchors.centerIn: parent
                        width: parent.width - 24; height: width
                        sourceSize: Qt.size(width, width)
                        smooth: false
                        source: Store.rv("url") !== "" ? "image://qr/" + encodeURIComponent(Store.rv("url")) : ""
                        Accessible.role: Accessible.Graphic
                        Accessible.name: qsTr("QR code for the e-receipt")
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 10
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Your e-receipt")
                        font.bold: true
                        font.pixelSize: Theme.fontLarge
                    }
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Scan the code to download the receipt as a PDF.")
                        color: Theme.textMuted
                    }
                }
            }
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    KText {
        Layout.fillWidth: true
        visible: Store.receipt.again !== true  // asked for again: it stays until Done
        text: qsTr("This screen closes in %1.").arg(Store.clock(Store.num(Store.session.secondsLeft, 0)))
        color: Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }

    actions: [
        KioskButton {
            objectName: "receiptDone"
            Layout.fillWidth: true
            iconName: "check"
            text: qsTr("Done")
            onClicked: bridge.receiptDone()
        }
    ]
}

import QtQuick
import QtQuick.Layouts

// A worked example in money on the price screen, what drivers actually want to know:
// the bridge prices a typical charge starting now with the billing engine.
Panel {
    id: examplePanel
    objectName: "priceExample"
    readonly property var example: Store.price.example || ({})
    readonly property int minutes: Store.num(example.minutes, 0)
    readonly property bool priced: example.cost !== undefined
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
                    // "1 h 50 min" and "20 kWh" never split over two lines
                    text: Store.noBreak(qsTr("%1 kWh at %2 kW, about %3")
                        .arg(examplePanel.example.energy || "")
                        .arg(examplePanel.example.power || "")
                        .arg(duration))
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
        // when a rate changes during this charge ("From 22:00: €0.29/kWh"), in station time
        Repeater {
            model: examplePanel.example.changes || []
            RowLayout {
                required property var modelData
                Layout.fillWidth: true
                spacing: 14
                Icon { name: "clock"; size: 36; Layout.alignment: Qt.AlignTop }
                KText {
                    objectName: "rateChange"
                    Layout.fillWidth: true
                    text: modelData.label
                          ? qsTr("From %1 during this charge: %2 %3").arg(modelData.at).arg(modelData.label).arg(modelData.amount)
                          : qsTr("From %1 during this charge: %2").arg(modelData.at).arg(modelData.amount)
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
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

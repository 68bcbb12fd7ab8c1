import QtQuick

// A figure with its name: "Energy 12.34 kWh".
Rectangle {
    id: tile
    property string label: ""
    property string value: ""
    property string unit: ""
    property string iconName: ""
    property bool emphasis: false
    property alias valueObjectName: valueText.objectName
    property int valueSize: emphasis ? Theme.fontDisplay : Theme.fontTitle

    implicitHeight: col.implicitHeight + 40
    implicitWidth: 240
    radius: Theme.radius
    color: emphasis ? Theme.primary : Theme.surface
    border.width: Theme.high ? 2 : (emphasis ? 0 : 1)
    border.color: Theme.border

    Column {
        id: col
        anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; leftMargin: 24; rightMargin: 16 }
        spacing: 4
        Row {
            spacing: 10
            width: parent.width
            Icon {
                visible: tile.iconName !== ""
                name: tile.iconName
                size: 32
                tone: tile.emphasis ? Theme.iconOnPrimary : Theme.iconAccent
                anchors.verticalCenter: parent.verticalCenter
            }
            KText {
                text: tile.label
                width: parent.width - (tile.iconName !== "" ? 42 : 0)
                color: tile.emphasis ? Theme.textOnPrimary : Theme.textMuted
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.NoWrap
                elide: Text.ElideRight
                anchors.verticalCenter: parent.verticalCenter
            }
        }
        Row {
            spacing: 10
            KText {
                id: valueText
                text: tile.value
                color: tile.emphasis ? Theme.textOnPrimary : Theme.text
                font.pixelSize: tile.valueSize
                font.bold: true
                wrapMode: Text.NoWrap
            }
            KText {
                visible: tile.unit !== ""
                text: tile.unit
                color: tile.emphasis ? Theme.textOnPrimary : Theme.textMuted
                font.pixelSize: Theme.fontBody
                anchors.baseline: valueText.baseline
                wrapMode: Text.NoWrap
            }
        }
    }
}

import QtQuick

// A square toggle or text button in the header bar (language, contrast, reach).
Rectangle {
    id: hb
    property string iconName: ""
    property string label: ""
    property bool checked: false
    property string accessibleName: label
    signal clicked()

    width: 76
    height: 80
    radius: 14
    color: checked ? Theme.headerSelected : (area.pressed ? Qt.lighter(Theme.header, 1.6) : Theme.header)
    border.width: 2
    border.color: checked ? Theme.headerSelected : Theme.textOnHeaderMuted

    Accessible.role: Accessible.Button
    Accessible.name: accessibleName
    Accessible.checkable: true
    Accessible.checked: checked
    Accessible.onPressAction: hb.clicked()

    Icon {
        visible: hb.iconName !== ""
        anchors.centerIn: parent
        name: hb.iconName
        tone: hb.checked ? Theme.iconOnHeaderSelected : Theme.iconOnHeader
        size: 44
    }
    KText {
        visible: hb.label !== ""
        anchors.centerIn: parent
        text: hb.label
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: hb.checked ? Theme.textOnHeaderSelected : Theme.textOnHeader
    }
    MouseArea {
        id: area
        anchors.fill: parent
        onClicked: hb.clicked()
    }
}

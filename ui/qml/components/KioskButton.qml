import QtQuick

// A large touch button: primary, secondary, danger or quiet.
Rectangle {
    id: button

    property string text: ""
    property string iconName: ""
    property string kind: "primary"  // primary, secondary, danger
    property int fontSize: Theme.fontLarge
    property bool compact: false
    property bool iconRight: false  // "continue" arrows go after the text
    signal clicked()

    readonly property bool _down: area.pressed
    readonly property color _fg: kind === "primary" ? Theme.textOnPrimary
                                : kind === "danger" ? Theme.textOnDanger : Theme.textOnSecondary
    readonly property string _tone: kind === "primary" ? Theme.iconOnPrimary
                                   : kind === "danger" ? Theme.iconOnDanger : Theme.iconOnSurface

    implicitHeight: compact ? Theme.touch + 16 : Theme.buttonHeight
    implicitWidth: Math.max(compact ? 160 : 220, row.implicitWidth + 64)
    radius: Theme.radius
    color: kind === "primary" ? (_down ? Theme.primaryPressed : Theme.primary)
         : kind === "danger" ? (_down ? Theme.dangerPressed : Theme.danger)
         : (_down ? Theme.secondaryPressed : Theme.secondary)
    border.width: kind === "secondary" || Theme.high ? Math.max(2, Theme.borderWidth) : 0
    border.color: kind === "secondary" ? Theme.textOnSecondary : Theme.border
    opacity: enabled ? 1 : 0.45
    scale: _down ? 0.98 : 1
    Behavior on scale { NumberAnimation { duration: 80 } }

    Accessible.role: Accessible.Button
    Accessible.name: text
    Accessible.onPressAction: if (enabled) button.clicked()

    Row {
        id: row
        anchors.centerIn: parent
        width: Math.min(implicitWidth, button.width - 32)
        spacing: 16
        layoutDirection: button.iconRight ? Qt.RightToLeft : Qt.LeftToRight
        Icon {
            visible: button.iconName !== ""
            name: button.iconName
            tone: button._tone
            size: button.compact ? 36 : 44
            anchors.verticalCenter: parent.verticalCenter
        }
        KText {
            id: label
            text: button.text
            color: button._fg
            font.pixelSize: button.fontSize
            font.bold: true
            wrapMode: Text.NoWrap
            elide: Text.ElideRight
            width: Math.min(implicitWidth, button.width - 32 - (button.iconName !== "" ? 60 : 0))
            anchors.verticalCenter: parent.verticalCenter
        }
    }

    MouseArea {
        id: area
        anchors.fill: parent
        enabled: button.enabled
        onClicked: button.clicked()
    }
}

import QtQuick

// A small coloured label: a connector's state, "member price", ...
Rectangle {
    id: chip
    property string text: ""
    property string tone: "neutral"  // success, info, neutral, error, warning
    readonly property color _fg: tone === "success" ? Theme.textOnSuccessSoft
                               : tone === "info" ? Theme.textOnInfoSoft
                               : tone === "error" ? Theme.textOnErrorSoft
                               : tone === "warning" ? Theme.textOnWarningSoft : Theme.textOnNeutralSoft
    implicitWidth: Math.min(label.implicitWidth + 36, maxWidth)
    implicitHeight: wrap ? Math.max(52, label.implicitHeight + 16) : 52
    property real maxWidth: 600
    property bool wrap: false  // a reason that must be read whole: on two lines if need be
    radius: wrap && label.lineCount > 1 ? 16 : 26
    color: tone === "success" ? Theme.successSoft
         : tone === "info" ? Theme.infoSoft
         : tone === "error" ? Theme.errorSoft
         : tone === "warning" ? Theme.warningSoft : Theme.neutralSoft
    border.width: Theme.high ? 2 : 0
    border.color: _fg
    KText {
        id: label
        anchors.centerIn: parent
        width: Math.min(implicitWidth, chip.width - 36)
        text: chip.text
        color: chip._fg
        font.pixelSize: Theme.fontSmall
        font.bold: true
        wrapMode: chip.wrap ? Text.WordWrap : Text.NoWrap
        elide: chip.wrap ? Text.ElideNone : Text.ElideRight
        horizontalAlignment: Text.AlignHCenter
    }
}

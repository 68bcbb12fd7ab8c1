pragma Singleton
import QtQuick

// The kiosk's look in one place. Every colour has a normal and a high-contrast value
// ("high ? HIGH : NORMAL"); `contrastPairs` lists each foreground/background pair the
// screens draw together. tests/ui/test_theme.py parses this file and checks every pair
// against WCAG AA (4.5:1) in both themes: keep the declarations on one line each.
QtObject {
    id: theme

    property bool high: false  // bound to bridge.highContrast by Main.qml

    // ---------------------------------------------------------------- colours
    readonly property color bg: high ? "#000000" : "#EEF2F5"
    readonly property color surface: high ? "#000000" : "#FFFFFF"
    readonly property color surfaceAlt: high ? "#1A1A1A" : "#F4F7F9"
    readonly property color border: high ? "#FFFFFF" : "#D3DBE2"
    readonly property color text: high ? "#FFFFFF" : "#13202D"
    readonly property color textMuted: high ? "#E6E6E6" : "#4B5A69"
    readonly property color accentText: high ? "#FFE500" : "#0B6B50"
    readonly property color primary: high ? "#FFE500" : "#0B6B50"
    readonly property color primaryPressed: high ? "#D9C300" : "#08533E"
    readonly property color textOnPrimary: high ? "#000000" : "#FFFFFF"
    readonly property color secondary: high ? "#000000" : "#FFFFFF"
    readonly property color secondaryPressed: high ? "#333333" : "#E3E9EE"
    readonly property color textOnSecondary: high ? "#FFFFFF" : "#13202D"
    readonly property color header: high ? "#000000" : "#13202D"
    readonly property color textOnHeader: high ? "#FFFFFF" : "#FFFFFF"
    readonly property color textOnHeaderMuted: high ? "#E6E6E6" : "#C5D0DA"
    readonly property color headerSelected: high ? "#FFE500" : "#FFFFFF"
    readonly property color textOnHeaderSelected: high ? "#000000" : "#13202D"
    readonly property color danger: high ? "#FF8A80" : "#B3261E"
    readonly property color dangerPressed: high ? "#E07065" : "#8C1D17"
    readonly property color textOnDanger: high ? "#000000" : "#FFFFFF"
    readonly property color dangerText: high ? "#FF8A80" : "#B3261E"
    readonly property color warning: high ? "#FFE500" : "#FFC93C"
    readonly property color textOnWarning: high ? "#000000" : "#13202D"
    readonly property color warningSoft: high ? "#000000" : "#FFF4D6"
    readonly property color textOnWarningSoft: high ? "#FFE500" : "#5C4400"
    readonly property color successSoft: high ? "#000000" : "#DDF3EA"
    readonly property color textOnSuccessSoft: high ? "#7CFC9A" : "#0A5A43"
    readonly property color infoSoft: high ? "#000000" : "#DCEBFF"
    readonly property color textOnInfoSoft: high ? "#8CC8FF" : "#0B4A9E"
    readonly property color neutralSoft: high ? "#000000" : "#E4E8EC"
    readonly property color textOnNeutralSoft: high ? "#FFFFFF" : "#3D4A57"
    readonly property color errorSoft: high ? "#000000" : "#FDE3E1"
    readonly property color textOnErrorSoft: high ? "#FF8A80" : "#A0221B"
    readonly property color chartLine: high ? "#FFE500" : "#0B6B50"
    readonly property color chartFill: high ? "#40FFE500" : "#260B6B50"
    readonly property color chartGrid: high ? "#808080" : "#D3DBE2"
    readonly property color dim: "#99000000"  // behind overlays

    // foreground, background: what is drawn on what (checked by tests/ui/test_theme.py)
    readonly property var contrastPairs: [
        ["text", "bg"],
        ["text", "surface"],
        ["text", "surfaceAlt"],
        ["textMuted", "bg"],
        ["textMuted", "surface"],
        ["textMuted", "surfaceAlt"],
        ["accentText", "surface"],
        ["accentText", "bg"],
        ["textOnPrimary", "primary"],
        ["textOnPrimary", "primaryPressed"],
        ["textOnSecondary", "secondary"],
        ["textOnSecondary", "secondaryPressed"],
        ["textOnHeader", "header"],
        ["textOnHeaderMuted", "header"],
        ["textOnHeaderSelected", "headerSelected"],
        ["textOnDanger", "danger"],
        ["textOnDanger", "dangerPressed"],
        ["dangerText", "surface"],
        ["textOnWarning", "warning"],
        ["textOnWarningSoft", "warningSoft"],
        ["textOnSuccessSoft", "successSoft"],
        ["textOnInfoSoft", "infoSoft"],
        ["textOnNeutralSoft", "neutralSoft"],
        ["textOnErrorSoft", "errorSoft"],
        ["chartLine", "surface"]
    ]

    // icon files come in tones (assets/icons/NAME[-light|-accent|-yellow].svg)
    readonly property string iconOnSurface: high ? "light" : "ink"
    readonly property string iconAccent: high ? "yellow" : "accent"
    readonly property string iconOnPrimary: high ? "ink" : "light"
    readonly property string iconOnHeader: "light"
    readonly property string iconOnHeaderSelected: "ink"
    readonly property string iconOnDanger: high ? "ink" : "light"
    readonly property string iconOnWarning: "ink"

    // ---------------------------------------------------------------- type and size
    readonly property string fontFamily: "DejaVu Sans"
    readonly property int fontSmall: 24   // the smallest text anywhere
    readonly property int fontBody: 28
    readonly property int fontLarge: 34
    readonly property int fontTitle: 44
    readonly property int fontDisplay: 60
    readonly property int fontHuge: 84
    readonly property int touch: 64      // the smallest touch target
    readonly property int buttonHeight: 96
    readonly property int radius: 18
    readonly property int gap: 24
    readonly property int borderWidth: high ? 3 : 1
    readonly property int animMs: 160
}

import QtQuick

// One of assets/icons/*.svg in a tone that suits its background (see Theme.icon*).
Image {
    property string name: ""
    property string tone: Theme.iconOnSurface  // ink, light, accent, yellow
    property int size: 48

    readonly property var _suffix: ({ "ink": "", "light": "-light", "accent": "-accent", "yellow": "-yellow" })

    width: size
    height: size
    sourceSize: Qt.size(size, size)
    fillMode: Image.PreserveAspectFit
    smooth: true
    source: name ? assetsDir + "/icons/" + name + (_suffix[tone] || "") + ".svg" : ""
    Accessible.ignored: true
}

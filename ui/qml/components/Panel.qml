import QtQuick

// A white card on the grey background (a black, white-bordered one in high contrast).
Rectangle {
    color: Theme.surface
    radius: Theme.radius
    border.width: Theme.high ? 2 : 1
    border.color: Theme.border
}

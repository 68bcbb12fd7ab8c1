import QtQuick
import QtQuick.Layouts

// The frame of every screen: a title with its icon, the content (scrolls when the
// screen is short, e.g. in reach mode) and a row of large actions at the bottom.
Item {
    id: page

    property string title: ""
    property string subtitle: ""
    property string iconName: ""
    property string tone: "normal"  // normal, warning, danger
    property alias titleObjectName: titleText.objectName
    readonly property bool wide: width > height * 1.25
    readonly property bool compact: wide || height < 1200  // landscape or reach mode: tighter
    readonly property int margin: wide ? 48 : 40
    default property alias content: body.data
    property alias actions: actionRow.data
    property alias overlay: overlayHost.data  // above everything on the page (a keypad)
    property bool hasActions: true

    Row {
        id: head
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: page.margin; topMargin: page.wide ? 28 : 36 }
        spacing: 28
        Rectangle {
            id: badge
            visible: page.iconName !== ""
            width: page.wide ? 84 : 96
            height: width
            radius: width / 2
            color: page.tone === "warning" ? Theme.warning : page.tone === "danger" ? Theme.danger : Theme.primary
            anchors.verticalCenter: titles.verticalCenter
            Icon {
                anchors.centerIn: parent
                name: page.iconName
                size: badge.width * 0.56
                tone: page.tone === "warning" ? Theme.iconOnWarning
                    : page.tone === "danger" ? Theme.iconOnDanger : Theme.iconOnPrimary
            }
        }
        Column {
            id: titles
            width: head.width - (badge.visible ? badge.width + head.spacing : 0)
            spacing: 6
            KText {
                id: titleText
                objectName: "screenTitle"
                width: parent.width
                text: page.title
                font.pixelSize: page.wide ? Theme.fontTitle - 4 : Theme.fontTitle
                font.bold: true
                Accessible.role: Accessible.Heading
            }
            KText {
                objectName: "screenSubtitle"
                width: parent.width
                visible: text !== ""
                text: page.subtitle
                color: Theme.textMuted
                font.pixelSize: Theme.fontBody
            }
        }
    }

    Flickable {
        id: flick
        anchors {
            left: parent.left; right: parent.right; top: head.bottom; bottom: actionArea.top
            leftMargin: page.margin; rightMargin: page.margin; topMargin: page.wide ? 24 : 32; bottomMargin: Theme.gap
        }
        clip: true
        contentWidth: width
        contentHeight: Math.max(height, body.implicitHeight)
        boundsBehavior: Flickable.StopAtBounds
        interactive: contentHeight > height + 1

        ColumnLayout {
            id: body
            width: flick.width
            height: flick.contentHeight
            spacing: Theme.gap
        }
    }
    Rectangle {  // scroll position, only when the content is longer than the screen
        visible: flick.interactive
        anchors.right: parent.right
        anchors.rightMargin: 12
        y: flick.y + flick.visibleArea.yPosition * flick.height
        width: 8
        height: flick.visibleArea.heightRatio * flick.height
        radius: 4
        color: Theme.textMuted
    }

    Item {
        id: actionArea
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: page.margin; bottomMargin: page.wide ? 32 : 40 }
        height: page.hasActions ? Theme.buttonHeight : 0
        RowLayout {
            id: actionRow
            anchors.fill: parent
            spacing: Theme.gap
        }
    }

    Item {
        id: overlayHost
        anchors.fill: parent
        z: 10
    }
}

import QtQuick
import QtQuick.Layouts
import "../components"

// An attendant took this charging point out of service, or the whole station is out of
// service because its ledger cannot be used (bridge.stationFault says why: a full disk,
// a read-only medium, damaged records); the station then tries again by itself.
ScreenPage {
    id: page
    readonly property string fault: bridge.stationFault
    readonly property bool station: fault !== ""
    title: station ? qsTr("This charging station is out of service")
                   : qsTr("Charging point %1 is out of service").arg(Store.activeLabel())
    subtitle: station ? page.reason(fault)
                      : qsTr("Please use another charging point. We are sorry for the inconvenience.")
    iconName: "tools"
    tone: "warning"
    hasActions: !station

    function reason(kind) {
        switch (kind) {
        case "disk_full": return qsTr("Its storage is full, so it cannot record charging sessions and payments.")
        case "read_only": return qsTr("Its storage cannot be written, so it cannot record charging sessions and payments.")
        case "damaged": return qsTr("Its records are damaged, so it cannot record charging sessions and payments.")
        case "in_use": return qsTr("Another program is using its records.")
        default: return qsTr("It cannot record charging sessions and payments right now.")
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Hero {
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: 16
        size: Math.min(320, page.height * 0.28)
        iconName: "tools"
        tone: "warning"
    }
    Panel {
        visible: page.station
        Layout.fillWidth: true
        implicitHeight: retry.implicitHeight + 48
        RowLayout {
            id: retry
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 16
            Icon { name: "info"; size: 44; Layout.alignment: Qt.AlignTop }
            KText {
                objectName: "outOfServiceRetry"
                Layout.fillWidth: true
                text: qsTr("The station tries again by itself. No payment is taken meanwhile; a session that was running has been stopped, and you only pay for the energy recorded.")
            }
        }
    }
    Panel {
        Layout.fillWidth: true
        implicitHeight: op.implicitHeight + 48
        ColumnLayout {
            id: op
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 8
            KText { Layout.fillWidth: true; text: qsTr("Operator"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
            KText { Layout.fillWidth: true; text: Store.station.operator || ""; font.bold: true }
            KText { Layout.fillWidth: true; text: Store.station.address || ""; color: Theme.textMuted }
        }
    }
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            visible: !page.station
            Layout.fillWidth: true
            iconName: "home"
            text: qsTr("Back to all charging points")
            onClicked: bridge.goHome()
        }
    ]
}

import QtQuick
import QtQuick.Layouts
import "../components"

// Stopped: unplug before the idle fee starts; the receipt follows the unplug.
ScreenPage {
    id: page
    readonly property int idleLeft: Store.num(Store.session.idleSecondsLeft, -1)
    readonly property string reason: Store.message(Store.sv("message"))
    // how the driver's own stop was made, with the cost at that moment (bridge answer)
    readonly property var confirmation: Store.session.confirmation || ({})
    readonly property bool waived: Store.session.idleWaived === true

    title: qsTr("Charging stopped")
    subtitle: qsTr("Please unplug your car and hang the cable back. Your receipt follows.")
    iconName: "check"

    Panel {
        objectName: "stopConfirmation"
        visible: page.confirmation.how !== undefined
        Layout.fillWidth: true
        implicitHeight: confirmRow.implicitHeight + 40
        color: Theme.successSoft
        border.color: Theme.textOnSuccessSoft
        RowLayout {
            id: confirmRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 24 }
            spacing: 16
            Icon { name: "check"; size: 44; tone: Theme.high ? "light" : "ink" }
            KText {
                objectName: "stopConfirmationText"
                Layout.fillWidth: true
                color: Theme.textOnSuccessSoft
                font.bold: true
                text: (page.confirmation.how === "card" ? qsTr("Stopped with your charging card.")
                       : page.confirmation.how === "code" ? qsTr("Stopped with your stop code.")
                       : qsTr("Stopped as you asked."))
                      + (page.confirmation.cost ? " " + qsTr("Cost: %1.").arg(page.confirmation.cost) : "")
            }
        }
    }

    // the cable leaves the car
    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
    Item {
        id: scene
        visible: !(page.wide && page.confirmation.how !== undefined)  // room for the answer
        Layout.fillWidth: true
        Layout.preferredHeight: page.compact ? Math.min(150, page.height * 0.15) : Math.min(320, page.height * 0.24)
        Row {
            anchors.centerIn: parent
            spacing: 24
            Icon { name: "car"; size: scene.height * 0.92; tone: Theme.iconOnSurface; anchors.verticalCenter: parent.verticalCenter }
            Item {
                width: scene.height * 0.8
                height: scene.height * 0.6
                anchors.verticalCenter: parent.verticalCenter
                Icon {
                    name: "plug"
                    size: scene.height * 0.55
                    rotation: -90
                    tone: Theme.iconAccent
                    anchors.verticalCenter: parent.verticalCenter
                    SequentialAnimation on x {
                        loops: Animation.Infinite
                        NumberAnimation { from: -10; to: scene.height * 0.25; duration: 1200; easing.type: Easing.InOutSine }
                        PauseAnimation { duration: 400 }
                        NumberAnimation { to: -10; duration: 500 }
                    }
                }
            }
        }
    }

    Panel {
        visible: page.idleLeft >= 0
        Layout.fillWidth: true
        implicitHeight: idleRow.implicitHeight + 48
        color: Theme.warningSoft
        border.width: Theme.high ? 3 : 2
        border.color: Theme.textOnWarningSoft
        RowLayout {
            id: idleRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 32
            CountdownRing {
                objectName: "idleCountdown"
                visible: page.idleLeft > 0
                seconds: page.idleLeft
                size: 200
                ringColor: Theme.high ? Theme.warning : Theme.textOnWarningSoft
            }
            Icon {
                visible: page.idleLeft === 0
                name: "warning"
                size: 96
                tone: Theme.high ? "yellow" : "ink"
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 12
                KText {
                    Layout.fillWidth: true
                    text: page.idleLeft > 0 ? qsTr("Unplug within %1 to avoid the idle fee.").arg(Store.clock(page.idleLeft))
                                            : qsTr("The idle fee is running.")
                    color: Theme.textOnWarningSoft
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                }
                KText {
                    Layout.fillWidth: true
                    text: Store.sv("idleCap") !== ""
                          ? qsTr("Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.").arg(Store.sv("idleFee")).arg(Store.sv("idleCap"))
                          : qsTr("Idle fee: %1 per minute for blocking the charging point after charging.").arg(Store.sv("idleFee"))
                    color: Theme.textOnWarningSoft
                }
            }
        }
    }

    Panel {
        visible: page.idleLeft < 0
        Layout.fillWidth: true
        implicitHeight: noFee.implicitHeight + 48
        RowLayout {
            id: noFee
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
            spacing: 16
            Icon { name: "check"; size: 44; tone: Theme.iconAccent }
            KText {
                objectName: "noIdleFeeText"
                Layout.fillWidth: true
                text: page.waived ? qsTr("No idle fee: the station stopped this session. Please unplug when you can.")
                                  : qsTr("No idle fee here, but others may be waiting to charge.")
            }
        }
    }

    Panel {
        visible: page.reason !== ""
        Layout.fillWidth: true
        implicitHeight: reasonRow.implicitHeight + 40
        color: Theme.errorSoft
        RowLayout {
            id: reasonRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 24 }
            spacing: 16
            Icon { name: "info"; size: 40; tone: Theme.high ? "light" : "ink" }
            KText { Layout.fillWidth: true; text: qsTr("Stopped by the charger: %1").arg(page.reason); color: Theme.textOnErrorSoft }
        }
    }

    GridLayout {
        Layout.fillWidth: true
        columns: 3
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            emphasis: true
            label: qsTr("Cost so far")
            value: Store.sv("cost")
            valueObjectName: "costText"
        }
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            label: qsTr("Energy")
            value: Store.sv("energy")
            unit: "kWh"
        }
        StatTile {
            Layout.fillWidth: true
            Layout.preferredWidth: 100
            label: qsTr("Time")
            value: Store.sv("elapsed")
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Overview")
            onClicked: bridge.goHome()
        }
    ]
}

import QtQuick
import QtQuick.Layouts
import "../components"

// A running session: live figures, the power chart, the stop button and the stop code.
ScreenPage {
    id: page
    readonly property bool own: Store.ownSession
    readonly property real soc: Store.num(Store.session.socValue, -1)
    property bool padOpen: false
    property bool confirmOpen: false
    // the car takes no energy (full, or paused by the car): the idle fee's grace runs
    readonly property bool suspended: Store.session.suspended === true
    readonly property int idleLeft: Store.num(Store.session.idleSecondsLeft, -1)

    title: suspended ? qsTr("Your car has stopped charging") : qsTr("Charging at point %1").arg(Store.activeLabel())
    subtitle: suspended
              ? (Store.sv("carDetail") === "full"
                 ? qsTr("Your car is full at point %1.").arg(Store.activeLabel())
                 : qsTr("Your car paused charging at point %1; it may go on by itself.").arg(Store.activeLabel()))
              : own ? qsTr("You can leave your car and stop here at any time.")
                    : qsTr("To stop, use the stop code of this session or tap the same charging card.")
    iconName: suspended ? "warning" : "bolt"
    tone: suspended ? "warning" : "normal"

    // the idle fee's countdown from the moment the car stopped taking energy
    Panel {
        objectName: "suspendedPanel"
        visible: page.suspended
        Layout.fillWidth: true
        implicitHeight: idleRow.implicitHeight + 40
        color: Theme.warningSoft
        border.width: Theme.high ? 3 : 2
        border.color: Theme.textOnWarningSoft
        RowLayout {
            id: idleRow
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 24 }
            spacing: 28
            CountdownRing {
                objectName: "suspendedCountdown"
                visible: page.idleLeft > 0
                seconds: page.idleLeft
                size: page.wide ? 150 : 170
                ringColor: Theme.high ? Theme.warning : Theme.textOnWarningSoft
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 10
                KText {
                    objectName: "suspendedText"
                    Layout.fillWidth: true
                    text: Store.sv("idleFee") === ""
                          ? qsTr("No idle fee here, but please unplug so others can charge.")
                          : page.idleLeft > 0
                            ? qsTr("Idle fee from %1 unless you unplug.").arg(Store.sv("idleFrom"))
                            : qsTr("The idle fee is running since %1.").arg(Store.sv("idleFrom"))
                    color: Theme.textOnWarningSoft
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                }
                KText {
                    Layout.fillWidth: true
                    visible: Store.sv("idleFee") !== ""
                    text: Store.sv("idleCap") !== ""
                          ? qsTr("Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.").arg(Store.sv("idleFee")).arg(Store.sv("idleCap"))
                          : qsTr("Idle fee: %1 per minute for blocking the charging point after charging.").arg(Store.sv("idleFee"))
                    color: Theme.textOnWarningSoft
                    font.pixelSize: Theme.fontSmall
                }
            }
        }
    }

    GridLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        columns: page.wide ? 2 : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: 5
            Layout.alignment: Qt.AlignTop
            spacing: Theme.gap

            GridLayout {
                Layout.fillWidth: true
                columns: page.soc >= 0 ? 2 : 3
                columnSpacing: Theme.gap
                rowSpacing: Theme.gap
                StatTile {
                    Layout.fillWidth: true
                    Layout.columnSpan: page.soc >= 0 ? 2 : 3
                    emphasis: true
                    iconName: "card"
                    label: qsTr("Cost so far")
                    value: Store.sv("cost")
                    valueObjectName: "costText"
                    valueSize: page.wide ? Theme.fontDisplay : Theme.fontHuge
                }
                StatTile {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100
                    iconName: "bolt"
                    label: qsTr("Energy")
                    value: Store.sv("energy")
                    unit: "kWh"
                    valueObjectName: "energyText"
                }
                StatTile {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100
                    iconName: "plug"
                    label: qsTr("Power")
                    value: Store.sv("power")
                    unit: "kW"
                }
                StatTile {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100
                    iconName: "clock"
                    label: qsTr("Time")
                    value: Store.sv("elapsed")
                }
                StatTile {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100
                    visible: page.soc >= 0
                    iconName: "battery"
                    label: qsTr("Battery")
                    value: Store.sv("soc")
                }
            }

            Panel {
                visible: Store.sv("hold") !== "" && Store.sv("remaining") !== ""
                Layout.fillWidth: true
                implicitHeight: holdCol.implicitHeight + 40
                ColumnLayout {
                    id: holdCol
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 24 }
                    spacing: 12
                    KText {
                        Layout.fillWidth: true
                        objectName: "holdText"
                        // an account is billed, not reserved on: its limit is the session's cap
                        text: (Store.sv("method") === "account_token"
                               ? qsTr("%1 left of this session's %2 limit on your account")
                               : Store.sv("method") === "qr_web"
                                 ? qsTr("%1 left of the %2 reserved for your phone payment")
                                 : qsTr("%1 left of the %2 reserved on your card"))
                              .arg(Store.sv("remaining")).arg(Store.sv("hold"))
                        font.pixelSize: Theme.fontSmall
                    }
                    Rectangle {
                        Layout.fillWidth: true
                        Layout.preferredHeight: 16
                        radius: 8
                        color: Theme.high ? "#555555" : Theme.neutralSoft
                        Rectangle {
                            width: parent.width * Math.max(0, Math.min(1, Store.num(Store.session.holdFraction, 0)))
                            height: parent.height
                            radius: 8
                            color: Theme.primary
                        }
                    }
                }
            }

            Panel {
                visible: page.own && Store.sv("stopCode") !== ""
                objectName: "stopCodePanel"
                Layout.fillWidth: true
                implicitHeight: codeRow.implicitHeight + 40
                color: Theme.warningSoft
                border.color: Theme.textOnWarningSoft
                RowLayout {
                    id: codeRow
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 24 }
                    spacing: 24
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 4
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Your stop code")
                            color: Theme.textOnWarningSoft
                            font.bold: true
                        }
                        KText {
                            Layout.fillWidth: true
                            text: qsTr("Note it down: it stops this session here later.")
                            color: Theme.textOnWarningSoft
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    KText {
                        objectName: "stopCodeText"
                        text: Store.sv("stopCode").replace(/(\d{3})(\d{3})/, "$1 $2")
                        color: Theme.textOnWarningSoft
                        font.pixelSize: Theme.fontDisplay
                        font.bold: true
                        font.letterSpacing: 4
                        wrapMode: Text.NoWrap
                    }
                }
            }
        }

        Panel {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 4
            Layout.minimumHeight: 320
            ColumnLayout {
                anchors.fill: parent
                anchors.margins: 24
                spacing: 8
                RowLayout {
                    Layout.fillWidth: true
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("Charging power")
                        font.bold: true
                    }
                    KText {
                        text: "kW"
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                }
                PowerChart {
                    objectName: "powerChart"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    history: Store.session.history || []
                    maxPower: Store.num(Store.session.maxPower, 22)
                }
            }
        }
    }

    actions: [
        KioskButton {
            objectName: "homeButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Overview")
            onClicked: bridge.goHome()
        },
        KioskButton {
            objectName: "stopButton"
            Layout.fillWidth: true
            kind: "danger"
            iconName: "stop"
            text: qsTr("Stop charging")
            onClicked: {
                if (page.own)
                    page.confirmOpen = true
                else
                    page.padOpen = true
            }
        }
    ]

    overlay: [
        StopCodePad {
            visible: page.padOpen
            anchors.fill: parent
            onClosed: page.padOpen = false
        },
        ConfirmStop {
            visible: page.confirmOpen
            anchors.fill: parent
            cost: Store.sv("cost")
            onClosed: page.confirmOpen = false
            onConfirmed: { page.confirmOpen = false; bridge.stopCharging() }
        }
    ]
}

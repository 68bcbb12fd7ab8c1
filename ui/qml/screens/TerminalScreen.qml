import QtQuick
import QtQuick.Layouts
import "../components"

// Bank card: the payment terminal below the screen does the rest.
ScreenPage {
    id: page
    title: qsTr("Pay by bank card")
    // what the terminal asks now (its intermediate status), in the screen's language
    readonly property string prompt: Store.sv("terminalPrompt")
    readonly property string terminalText: Store.sv("terminalText")
    readonly property bool cancelling: Store.session.cancelling === true
    subtitle: cancelling ? qsTr("Cancelling the payment at the terminal…") : promptText(prompt)
    iconName: "card"
    objectName: "terminalPage"

    function promptText(what) {
        switch (what) {
        case "enter_pin": return qsTr("Enter your PIN on the terminal.")
        case "pin_wrong": return qsTr("Wrong PIN. Please enter it again on the terminal.")
        case "processing": return qsTr("The terminal is checking your card with your bank…")
        case "remove_card": return qsTr("Please take your card from the terminal.")
        case "wait": case "other": return qsTr("Please follow the instructions on the terminal.")
        default: return qsTr("Insert or tap your card on the terminal below.")
        }
    }

    // landscape: the terminal's picture beside the hold and the countdown, so that a long
    // German or French text never pushes the page into scrolling
    GridLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        columns: page.wide ? 2 : 1
        columnSpacing: Theme.gap * 2
        rowSpacing: Theme.gap

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: page.wide ? 2 : page.width  // landscape: 2 : 3
            spacing: Theme.gap
            Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
            Hero {
                Layout.alignment: Qt.AlignHCenter
                size: Math.min(page.wide ? 300 : 380, page.height * (page.wide ? 0.36 : 0.3))
                iconName: "card"
            }
            DownArrows {
                Layout.alignment: Qt.AlignHCenter
                text: qsTr("The terminal is below the screen")
            }
            KText {
                objectName: "terminalSays"
                Layout.fillWidth: true
                visible: page.terminalText !== "" && !page.cancelling
                horizontalAlignment: Text.AlignHCenter
                // the terminal's own words, as it shows them (never translated: not ours)
                text: qsTr("The terminal shows: %1").arg(page.terminalText)
                color: Theme.textMuted
            }
            Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: page.wide ? 3 : page.width
            Layout.alignment: page.wide ? Qt.AlignVCenter : Qt.AlignBottom
            spacing: Theme.gap
            Panel {
                objectName: "terminalHold"
                Layout.fillWidth: true
                implicitHeight: hold.implicitHeight + 48
                RowLayout {
                    id: hold
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
                    spacing: 20
                    Icon { name: "info"; size: 44; Layout.alignment: Qt.AlignTop }
                    KText {
                        Layout.fillWidth: true
                        text: qsTr("We reserve %1 on your card. When you unplug, we charge only what you used and release the rest.").arg((Store.price.holds || {}).card || "")
                    }
                }
            }

            KText {
                Layout.fillWidth: true
                // while the terminal waits for the card, its own timeout runs, not the screen's
                visible: page.prompt === ""
                text: qsTr("This screen closes in %1 if nothing happens.").arg(Store.clock(Store.num(Store.session.secondsLeft, 0)))
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
            }
        }
    }

    actions: [
        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            iconName: "back"
            text: qsTr("Other payment")
            enabled: !page.cancelling
            onClicked: bridge.back()
        },
        Item { Layout.fillWidth: true },
        KioskButton {
            objectName: "cancelButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Cancel")
            enabled: !page.cancelling
            onClicked: bridge.cancelPayment()
        }
    ]
}

import QtQuick
import QtQuick.Layouts
import "../components"

// "Get a receipt" from the overview: a recent session's receipt by its stop code, or by
// tapping the charging card that paid for it (bridge.tapCard while this screen is up).
ScreenPage {
    id: page
    title: qsTr("Get a receipt")
    subtitle: qsTr("Type the stop code of your session, or tap the charging card you paid with. Receipts of the last 24 hours.")
    iconName: "receipt"

    GridLayout {
        Layout.fillWidth: true
        columns: page.wide ? 2 : 1
        columnSpacing: Theme.gap
        rowSpacing: Theme.gap

        Panel {
            Layout.fillWidth: true
            Layout.preferredWidth: 3
            Layout.alignment: Qt.AlignTop
            implicitHeight: entry.implicitHeight + 56
            CodeEntry {
                id: entry
                objectName: "receiptCodeEntry"
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 28 }
                okText: qsTr("Show")
                okKind: "primary"
                onSubmitted: (code) => bridge.stopWithCode(code)
            }
        }
        Panel {
            Layout.fillWidth: true
            Layout.preferredWidth: 2
            Layout.alignment: Qt.AlignTop
            implicitHeight: cardRow.implicitHeight + 56
            RowLayout {
                id: cardRow
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 28 }
                spacing: 24
                Icon { name: "rfid"; size: page.wide ? 96 : 72; tone: Theme.iconAccent }
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Paid with a charging card? Hold it to the reader.")
                    font.bold: true
                }
            }
        }
    }

    Item { Layout.fillHeight: true; Layout.minimumHeight: 0 }

    actions: [
        KioskButton {
            objectName: "homeButton"
            Layout.fillWidth: true
            kind: "secondary"
            iconName: "home"
            text: qsTr("Overview")
            onClicked: bridge.goHome()
        }
    ]
}

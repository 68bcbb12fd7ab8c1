import QtQuick
import QtQuick.Layouts

// Demo only: the simulated reader, terminal, phone, car and charger. Collapsed to a tab.
Item {
    id: dev
    objectName: "devPanel"
    property bool open: false
    width: open ? Math.min(560, (parent ? parent.width : 600) - 40) : tab.width

    component DevButton: Rectangle {
        id: db
        property string text: ""
        signal clicked()
        Layout.fillWidth: true
        Layout.preferredHeight: 64
        radius: 10
        color: ma.pressed ? "#2C3E50" : "#1E2B38"
        border.width: 1
        border.color: "#5C6F82"
        Accessible.role: Accessible.Button
        Accessible.name: text
        KText {
            objectName: "devButtonText"
            anchors.centerIn: parent
            width: parent.width - 12
            horizontalAlignment: Text.AlignHCenter
            text: db.text
            color: "#FFFFFF"
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.NoWrap
            elide: Text.ElideRight  // a test checks that no label is cut in any language
        }
        MouseArea { id: ma; anchors.fill: parent; onClicked: db.clicked() }
    }
    component Heading: KText {
        Layout.fillWidth: true
        Layout.topMargin: 10
        color: "#C5D0DA"
        font.pixelSize: Theme.fontSmall
        font.bold: true
    }

    Rectangle {
        id: tab
        objectName: "devTab"
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        anchors.verticalCenterOffset: dev.height * 0.12
        width: 44
        height: 132
        radius: 10
        color: "#1E2B38"
        opacity: dev.open ? 0 : 0.7
        Accessible.role: Accessible.Button
        Accessible.name: qsTr("Developer panel")
        Column {
            anchors.centerIn: parent
            spacing: 10
            Icon { name: "tools"; tone: "light"; size: 28; anchors.horizontalCenter: parent.horizontalCenter }
            KText {
                text: "DEV"
                color: "#FFFFFF"
                font.pixelSize: Theme.fontSmall
                font.bold: true
                rotation: -90
                anchors.horizontalCenter: parent.horizontalCenter
            }
        }
        MouseArea {  // wider than the tab: a 64 px target that covers little of the screen
            anchors { fill: parent; leftMargin: -20 }
            enabled: !dev.open
            onClicked: dev.open = true
        }
    }

    Rectangle {
        visible: dev.open
        anchors.fill: parent
        color: "#F2121B24"
        MouseArea { anchors.fill: parent }  // keep taps off the screen below

        ColumnLayout {
            id: top
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 20 }
            RowLayout {
                Layout.fillWidth: true
                Icon { name: "tools"; tone: "light"; size: 36 }
                KText {
                    Layout.fillWidth: true
                    text: qsTr("Developer panel (demo)")
                    color: "#FFFFFF"
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                }
                Rectangle {
                    objectName: "devClose"
                    width: 64; height: 64; radius: 10
                    color: "#1E2B38"
                    Icon { anchors.centerIn: parent; name: "close"; tone: "light"; size: 36 }
                    MouseArea { anchors.fill: parent; onClicked: dev.open = false }
                }
            }
        }
        Flickable {
            anchors { left: parent.left; right: parent.right; top: top.bottom; bottom: parent.bottom; margins: 20 }
            contentHeight: panel.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            ColumnLayout {
                id: panel
                width: parent.width
                spacing: 8

                Heading { text: qsTr("RFID reader: tap a card") }
                GridLayout {
                    Layout.fillWidth: true
                    columns: 2
                    DevButton { text: qsTr("Member"); onClicked: bridge.tapCard("04A1B2C3D4") }
                    DevButton { text: qsTr("Fleet"); onClicked: bridge.tapCard("04F1EE7A01") }
                    DevButton { text: qsTr("Staff"); onClicked: bridge.tapCard("0455AFF001") }
                    DevButton { text: qsTr("Blocked"); onClicked: bridge.tapCard("04B10C4ED0") }
                    DevButton { text: qsTr("A bank card"); onClicked: bridge.devReaderEvent("bank_card") }
                    DevButton { text: qsTr("Unreadable"); onClicked: bridge.devReaderEvent("unreadable") }
                }
                Heading { text: qsTr("Terminal: present a bank card") }
                GridLayout {
                    Layout.fillWidth: true
                    columns: 2
                    DevButton { text: "Visa ✓"; onClicked: bridge.payByCard("visa-ok") }
                    DevButton { text: "Mastercard ✓"; onClicked: bridge.payByCard("mc-ok") }
                    DevButton { text: qsTr("Visa declined"); onClicked: bridge.payByCard("visa-declined") }
                    DevButton { text: qsTr("MC no funds"); onClicked: bridge.payByCard("mc-funds") }
                    DevButton { text: qsTr("girocard, PIN"); onClicked: bridge.payByCard("girocard-ok") }
                    DevButton { text: qsTr("PIN wrong"); onClicked: bridge.payByCard("girocard-pin-wrong") }
                    DevButton { text: qsTr("Expired"); onClicked: bridge.payByCard("visa-expired") }
                    DevButton { text: qsTr("Not accepted"); onClicked: bridge.payByCard("amex-unsupported") }
                }
                Heading { text: qsTr("Phone") }
                DevButton { text: qsTr("QR checkout paid"); onClicked: bridge.qrPaid() }
                Heading { text: qsTr("Car and charger") }
                Repeater {
                    model: Store.connectors
                    // the point's label above its buttons, two a row: "Débrancher",
                    // "Einstecken" fit whole in every language
                    GridLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        columns: 3
                        KText {
                            Layout.rowSpan: 2
                            Layout.preferredWidth: 56
                            text: modelData.label
                            color: "#FFFFFF"
                            font.bold: true
                        }
                        DevButton { text: qsTr("Plug in"); onClicked: bridge.devPlugIn(modelData.id) }
                        DevButton { text: qsTr("Unplug"); onClicked: bridge.devUnplug(modelData.id) }
                        DevButton { text: qsTr("Fault"); onClicked: bridge.devFault(modelData.id) }
                        DevButton { text: qsTr("Clear"); onClicked: bridge.devClearFault(modelData.id) }
                    }
                }
                Heading { text: qsTr("Backend") }
                DevButton {
                    text: bridge.offline ? qsTr("Go online") : qsTr("Go offline")
                    onClicked: bridge.setOffline(!bridge.offline)
                }
            }
        }
    }
}

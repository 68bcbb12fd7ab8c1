import QtQuick
import QtQuick.Layouts
import "../components"

// Pay on the phone: a QR code for this session's checkout page, with a countdown.
ScreenPage {
    id: page
    title: qsTr("Pay with your phone")
    subtitle: qsTr("Scan the code with your phone's camera and pay on the page that opens.")
    iconName: "phone"

    GridLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        columns: page.wide ? 2 : 1
        columnSpacing: 48
        rowSpacing: Theme.gap

        Rectangle {  // a QR code is dark on white in every theme
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: qrSide + 48
            Layout.preferredHeight: qrSide + 48
            readonly property int qrSide: page.wide ? Math.min(520, Math.max(300, page.height - 380)) : 520
            radius: Theme.radius
            color: "#FFFFFF"
            border.width: Theme.high ? 3 : 1
            border.color: Theme.border
            Image {
                objectName: "qrImage"
                anchors.centerIn: parent
                width: parent.qrSide
                height: parent.qrSide
                sourceSize: Qt.size(parent.qrSide, parent.qrSide)
                smooth: false
                fillMode: Image.PreserveAspectFit
                source: Store.sv("checkoutUrl") !== "" ? "image://qr/" + encodeURIComponent(Store.sv("checkoutUrl")) : ""
                Accessible.role: Accessible.Graphic
                Accessible.name: qsTr("QR code for the payment page")
            }
            Rectangle {  // the backend is making the page, or the cancel is on its way
                objectName: "qrWaiting"
                anchors.centerIn: parent
                width: 96; height: 96; radius: 48
                color: "transparent"
                border.width: 10
                border.color: Theme.primary
                visible: Store.sv("checkoutUrl") === "" || Store.session.cancelling === true
                Rectangle { width: 28; height: 28; radius: 14; color: Theme.primary; x: 34; y: -9 }
                RotationAnimation on rotation {
                    running: parent.visible
                    from: 0; to: 360; duration: 1200; loops: Animation.Infinite
                }
            }
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignVCenter
            columns: page.wide ? 1 : 2
            columnSpacing: Theme.gap
            rowSpacing: Theme.gap
            CountdownRing {
                Layout.alignment: Qt.AlignHCenter
                seconds: Store.num(Store.session.secondsLeft, 0)
                size: 220
                caption: qsTr("code valid")
            }
            KText {  // the demo: the same page in a browser on this machine
                objectName: "checkoutUrlText"
                Layout.fillWidth: true
                Layout.columnSpan: page.wide ? 1 : 2
                visible: bridge.demo && Store.sv("checkoutUrl") !== ""
                text: Store.sv("checkoutUrl")
                font.pixelSize: Theme.fontSmall
                color: Theme.textMuted
                wrapMode: Text.WrapAnywhere
            }
            Panel {
                Layout.fillWidth: true
                implicitHeight: steps.implicitHeight + 48
                ColumnLayout {
                    id: steps
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
                    spacing: 12
                    Repeater {
                        model: [
                            qsTr("Open the camera and point it at the code."),
                            qsTr("Pay on the page that opens. We reserve %1.").arg((Store.price.holds || {}).qr || ""),
                            qsTr("Charging starts when you plug in.")
                        ]
                        RowLayout {
                            required property string modelData
                            required property int index
                            Layout.fillWidth: true
                            spacing: 16
                            Rectangle {
                                Layout.preferredWidth: 48; Layout.preferredHeight: 48; radius: 24
                                Layout.alignment: Qt.AlignTop
                                color: Theme.primary
                                KText { anchors.centerIn: parent; text: index + 1; color: Theme.textOnPrimary; font.bold: true }
                            }
                            KText { Layout.fillWidth: true; text: modelData }
                        }
                    }
                }
            }
        }
    }

    actions: [
        KioskButton {
            objectName: "backButton"
            kind: "secondary"
            iconName: "back"
            text: qsTr("Other payment")
            onClicked: bridge.back()
        },
        Item { Layout.fillWidth: true },
        KioskButton {
            objectName: "cancelButton"
            kind: "secondary"
            iconName: "home"
            text: qsTr("Cancel")
            onClicked: bridge.cancelPayment()  // the checkout page is cancelled at the backend
        }
    ]
}

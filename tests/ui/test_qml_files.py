"""Every QML file of the UI compiles and builds without a warning, on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtQml import QQmlComponent, qmlEngine
from PySide6.QtQuick import QQuickItem

from tests.ui.conftest import KioskUi
from ui.autoplay import SCREENS

QML = Path(__file__).resolve().parents[2] / "ui" / "qml"
SINGLETONS = {"Theme.qml", "Store.qml"}
FILES = sorted(p for p in QML.rglob("*.qml") if p.name not in SINGLETONS and p.name != "Main.qml")


def test_one_file_per_screen() -> None:
    names = {p.stem for p in (QML / "screens").glob("*.qml")}
    for screen in SCREENS:
        assert f"{screen[0].upper()}{screen[1:]}Screen" in names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_builds_without_warnings(kiosk_ui: KioskUi, path: Path) -> None:
    qml = qmlEngine(kiosk_ui.window)
    assert qml is not None
    component = QQmlComponent(qml, QUrl.fromLocalFile(str(path)))
    assert component.errors() == [], [e.toString() for e in component.errors()]
    item = component.beginCreate(qml.rootContext())
    assert isinstance(item, QQuickItem), path.name
    holder = kiosk_ui.window.contentItem()
    item.setParentItem(holder)
    item.setSize(holder.size())
    component.completeCreate()
    kiosk_ui.qtbot.wait(50)
    item.setVisible(False)
    item.deleteLater()
    kiosk_ui.qtbot.wait(10)

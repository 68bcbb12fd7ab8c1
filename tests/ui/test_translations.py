"""Every qsTr() text of the screens is translated in German, French and Dutch.

Runs Qt's own pyside6-lupdate over ui/qml into a copy of each .ts file: a text new in
the QML (or reworded) shows up there as an unfinished message, which a driver would
see in English.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "assets" / "translations"
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"


@pytest.mark.parametrize("code", ["de", "fr", "nl"])
def test_every_screen_text_is_translated(code: str, tmp_path: Path) -> None:
    copy = tmp_path / f"kiosk_{code}.ts"
    shutil.copy(TRANSLATIONS / f"kiosk_{code}.ts", copy)
    qml = sorted(str(p) for p in (ROOT / "ui" / "qml").rglob("*.qml"))
    done = subprocess.run(
        [str(LUPDATE), "-locations", "none", *qml, "-ts", str(copy)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    missing = []
    for context in ET.parse(copy).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = "" if translation is None else translation.get("type", "")
            if kind in ("vanished", "obsolete"):
                continue  # no longer in the QML
            if kind == "unfinished" or translation is None or not (translation.text or ""):
                missing.append(f"{name}: {message.findtext('source')!r}")
    assert missing == [], (
        f"translate these in assets/translations/kiosk_{code}.ts "
        f"(pyside6-lupdate -locations none ui/qml/**/*.qml -ts ...): {missing}"
    )


@pytest.mark.parametrize("code", ["de", "fr", "nl"])
def test_the_committed_qm_is_built_from_its_ts(code: str, tmp_path: Path) -> None:
    """The wheel ships the committed .qm files: each must be what lrelease makes of the .ts."""
    built = tmp_path / f"kiosk_{code}.qm"
    done = subprocess.run(
        [
            str(LUPDATE.with_name("pyside6-lrelease")),
            "-silent",
            str(TRANSLATIONS / f"kiosk_{code}.ts"),
            "-qm",
            str(built),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert built.read_bytes() == (TRANSLATIONS / f"kiosk_{code}.qm").read_bytes(), (
        f"rebuild it: pyside6-lrelease assets/translations/kiosk_{code}.ts"
    )

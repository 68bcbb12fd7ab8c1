"""Every message the core shows a driver has a translation in the screens.

The core speaks English (its messages are also its log lines); `Store.message()` in
ui/qml/components/Store.qml maps each one to a qsTr() text, like a gettext catalogue
keyed by the English. A message reworded in the core without its case here would
silently reach German, French and Dutch drivers in English: this test catches it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.sim.psp import TEST_CARDS, TEST_TOKENS

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "ui" / "qml" / "components" / "Store.qml"
# set as the connector's message for the screen (c.message = ... / _decline(c, ...))
_SCREEN_MESSAGES = {"card refused", "The charger could not start. Your payment is released."}


def _translated() -> set[str]:
    source = STORE.read_text(encoding="utf-8")
    body = source[source.index("function message(text)") :]
    return set(re.findall(r'case "([^"]*)":', body))


def _user_facing_errors() -> set[str]:
    """The literal texts of every `UserFacingError("...")` in kiosk/ and ui/."""
    found: set[str] = set()
    for folder in ("kiosk", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "UserFacingError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value)
    return found


def test_the_screen_messages_are_in_the_source() -> None:
    services = "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "kiosk" / "services").glob("*.py")
    )
    assert all(f'"{m}"' in services for m in _SCREEN_MESSAGES)


def test_every_core_message_has_a_translation() -> None:
    core = _user_facing_errors() | _SCREEN_MESSAGES
    assert len(core) >= 5
    declines = {c.reason for c in TEST_CARDS.values() if c.reason}
    declines |= {t.reason for t in TEST_TOKENS.values() if t.reason}
    declines.add("unknown card")  # SimulatedAccounts: a card it does not know
    missing = sorted((core | declines) - _translated())
    assert missing == [], f"add a case to Store.message() in {STORE.name}: {missing}"

"""The folders are the architecture: forbidden import edges fail here.

Static `import` statements and string arguments to importlib.import_module /
__import__ are both checked, with relative imports resolved to absolute names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

QT = ("PySide6", "shiboken6")
# package -> top-level names it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "kiosk": (*QT, "ui", "payment_drivers", "backend", "smartcard"),
    "payment_drivers": (*QT, "ui", "backend"),
    "backend": (*QT, "ui", "payment_drivers", "smartcard"),
}
# backend may reuse only the pure domain of the core
BACKEND_MAY_USE_FROM_KIOSK = ("kiosk.domain",)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base)
                name = f"{prefix}.{node.module}" if node.module else prefix
            else:
                name = node.module or ""
            yield node.lineno, name
            for alias in node.names:  # `from kiosk import cli` imports kiosk.cli
                yield node.lineno, f"{name}.{alias.name}"
        elif isinstance(node, ast.Call):
            func = node.func
            called = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if called in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield node.lineno, first.value


def violations(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else ():
            rel = path.relative_to(root)
            for line, name in imports_of(path, root):
                top = name.split(".")[0]
                if top in banned:
                    found.append(f"{rel}:{line} imports {name} ({package} must not import {top})")
                if (
                    package == "backend"
                    and top == "kiosk"
                    and name != "kiosk"
                    and not name.startswith(BACKEND_MAY_USE_FROM_KIOSK)
                ):
                    found.append(f"{rel}:{line} imports {name} (backend may use only kiosk.domain)")
    return found


def test_no_forbidden_imports() -> None:
    assert violations() == []


# the simulators of devices and the far side of payments
SIMULATORS = ("kiosk.sim", "kiosk.charger.simulator", "kiosk.charger.vehicles")
# the only modules of ui that may build them: the demo's wiring, and its autoplay
SIMULATORS_ALLOWED_IN = {Path("ui/demo_wiring.py"), Path("ui/autoplay.py")}


def simulator_imports(root: Path = ROOT) -> list[str]:
    """Imports of a simulator from ui, outside the demo wiring."""
    found = []
    for path in sorted((root / "ui").rglob("*.py")):
        rel = path.relative_to(root)
        if rel in SIMULATORS_ALLOWED_IN:
            continue
        for line, name in imports_of(path, root):
            if name.startswith(SIMULATORS):
                found.append(f"{rel}:{line} imports {name} (only the demo wiring may)")
    return found


def test_ui_builds_simulators_only_in_the_demo_wiring() -> None:
    assert simulator_imports() == []


def test_the_simulator_rule_catches_a_stray_import(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "__init__.py").write_text("")
    (tmp_path / "ui" / "app.py").write_text("from kiosk.sim.psp import SimulatedPsp\n")
    (tmp_path / "ui" / "demo_wiring.py").write_text("from kiosk.sim import zvt_terminal\n")
    assert simulator_imports(tmp_path) == [
        "ui/app.py:1 imports kiosk.sim.psp (only the demo wiring may)",
        "ui/app.py:1 imports kiosk.sim.psp.SimulatedPsp (only the demo wiring may)",
    ]


# the kiosk speaks to a backend over HTTP only; the demo runs one in-process, and the
# `kiosk backend` command dispatches to it: no other module of ui imports it
BACKEND_ALLOWED_IN = {Path("ui/demo_backend.py"), Path("ui/main.py")}


def test_ui_imports_the_backend_only_for_the_demo_and_its_command() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "ui").rglob("*.py"))
        if path.relative_to(ROOT) not in BACKEND_ALLOWED_IN
        for line, name in imports_of(path)
        if name.split(".")[0] == "backend"
    ]
    assert found == []


def test_pyside6_only_in_ui() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("ui", "tests", "benchmarks", ".venv", "build", "dist"):
            continue
        for line, name in imports_of(path):
            if name.split(".")[0] in QT:
                offenders.append(f"{rel}:{line} {name}")
    assert offenders == []


@pytest.mark.parametrize(
    ("package", "source", "bad"),
    [
        ("kiosk", "import PySide6.QtCore\n", True),
        ("kiosk", "from ui import bridge\n", True),
        ("kiosk", "from ..payment_drivers import pcsc\n", False),  # resolves to kiosk.payment_...
        ("kiosk", "import importlib\nimportlib.import_module('smartcard.System')\n", True),
        ("kiosk", "from kiosk.domain import money\n", False),
        ("payment_drivers", "from PySide6 import QtCore\n", True),
        ("payment_drivers", "from kiosk.ports import TokenReader\n", False),
        ("backend", "from kiosk.station import Station\n", True),
        ("backend", "from kiosk.domain.pricing import price_session\n", False),
    ],
)
def test_walker_catches_violations(tmp_path: Path, package: str, source: str, bad: bool) -> None:
    (tmp_path / package / "sub").mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "sub" / "__init__.py").write_text("")
    (tmp_path / package / "sub" / "mod.py").write_text(source)
    assert bool(violations(tmp_path)) is bad

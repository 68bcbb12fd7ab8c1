"""Which implementation of the compiled pricing modules the suite runs (tests/conftest.py).

kiosk/domain/pricing.py and periods.py are compiled (mypyc, setup.py) in a normal run
where the install built them, and always in CI; they run from source under
KIOSK_PURE_PYTHON=1 (the pure-Python fallback, run by .ci/test too).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

from kiosk.domain import cdr_structs
from kiosk.domain.cdr_structs import PERIOD_FIELDS, ChargingPeriod
from tests.conftest import COMPILED_MODULES, FROM_SOURCE, PURE_PYTHON

ROOT = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "") not in ("", "0", "false")


def _source(name: str) -> Path:
    return ROOT.joinpath(*name.split(".")).with_suffix(".py")


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def _compiled(module: ModuleType) -> bool:
    return str(module.__file__).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _built(name: str) -> list[Path]:
    source = _source(name)
    return [
        source.with_name(source.stem + suffix)
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if source.with_name(source.stem + suffix).is_file()
    ]


def test_both_hot_modules_are_compiled_by_setup_py() -> None:
    assert COMPILED_MODULES == ("kiosk.domain.pricing", "kiosk.domain.periods")
    setup_py = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert 'COMPILED = ["kiosk/domain/pricing.py", "kiosk/domain/periods.py"]' in setup_py


@pytest.mark.parametrize("name", COMPILED_MODULES)
def test_pure_python_switch_loads_the_source(name: str) -> None:
    if not PURE_PYTHON:
        pytest.skip("KIOSK_PURE_PYTHON is not set")
    module = _module(name)
    assert not _compiled(module)
    assert Path(str(module.__file__)) == _source(name)
    assert module.__spec__ is not None
    assert isinstance(module.__spec__.loader, importlib.machinery.SourceFileLoader)


@pytest.mark.parametrize("name", COMPILED_MODULES)
def test_compiled_module_is_loaded_where_built(name: str) -> None:
    if PURE_PYTHON:
        pytest.skip("KIOSK_PURE_PYTHON=1: the source is tested")
    if IN_CI:
        # CI installs with mypy and gcc: a build that fell back to pure Python is a failure
        assert _built(name), f"CI: {_source(name)} was not compiled (see the install's log)"
        assert name not in FROM_SOURCE, f"CI: tested from source: {FROM_SOURCE}"
    if not _built(name):
        pytest.skip(f"{name} is not compiled here (pure Python install)")
    if name in FROM_SOURCE:
        pytest.skip(f"tested from source: {FROM_SOURCE[name]}")
    module = _module(name)
    assert _compiled(module), module.__file__
    assert Path(str(module.__file__)) in _built(name)


def test_period_fields_are_in_the_order_pricing_unpacks_them() -> None:
    assert ChargingPeriod.__struct_fields__ == PERIOD_FIELDS
    period = ChargingPeriod(*range(len(PERIOD_FIELDS)))
    assert msgspec.structs.astuple(period) == tuple(range(len(PERIOD_FIELDS)))
    assert [getattr(period, f) for f in PERIOD_FIELDS] == list(range(len(PERIOD_FIELDS)))


def test_decoded_structs_live_in_an_uncompiled_module() -> None:
    # msgspec cannot decode into Structs of a mypyc-compiled module (cdr_structs.py)
    assert str(cdr_structs.__file__).endswith(".py")

"""Which implementation of kiosk/domain/pricing.py the suite runs (tests/conftest.py).

Compiled (mypyc, setup.py) in a normal run where the install built it, and always in CI;
the source under KIOSK_PURE_PYTHON=1 (the pure-Python fallback, run by .ci/test too).
"""

from __future__ import annotations

import importlib.machinery
import os
from pathlib import Path

import pytest

from kiosk.domain import pricing
from tests.conftest import FROM_SOURCE, PURE_PYTHON

SOURCE = Path(__file__).resolve().parents[3] / "kiosk" / "domain" / "pricing.py"
IN_CI = os.environ.get("CI", "") not in ("", "0", "false")


def _compiled() -> bool:
    return pricing.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _built() -> list[Path]:
    return [
        SOURCE.with_name("pricing" + suffix)
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if SOURCE.with_name("pricing" + suffix).is_file()
    ]


def test_pure_python_switch_loads_the_source() -> None:
    if not PURE_PYTHON:
        pytest.skip("KIOSK_PURE_PYTHON is not set")
    assert not _compiled()
    assert Path(pricing.__file__) == SOURCE
    assert pricing.__spec__ is not None
    assert isinstance(pricing.__spec__.loader, importlib.machinery.SourceFileLoader)


def test_compiled_module_is_loaded_where_built() -> None:
    if PURE_PYTHON:
        pytest.skip("KIOSK_PURE_PYTHON=1: the source is tested")
    if IN_CI:
        # CI installs with mypy and gcc: a build that fell back to pure Python is a failure
        assert _built(), "CI: kiosk/domain/pricing.py was not compiled (see the install's log)"
        assert "kiosk.domain.pricing" not in FROM_SOURCE, f"CI: tested from source: {FROM_SOURCE}"
    if not _built():
        pytest.skip("kiosk/domain/pricing.py is not compiled here (pure Python install)")
    if "kiosk.domain.pricing" in FROM_SOURCE:
        pytest.skip(f"tested from source: {FROM_SOURCE['kiosk.domain.pricing']}")
    assert _compiled(), pricing.__file__
    assert Path(pricing.__file__) in _built()

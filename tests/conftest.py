"""Suite-wide rules: an unexpected warning log fails the test that caused it.

kiosk/domain/pricing.py and periods.py are compiled with mypyc when installed (setup.py).
The suite tests the compiled modules, except: with KIOSK_PURE_PYTHON=1 it loads them from
source (the pure-Python fallback; .ci/test runs the pricing tests that way too), and a
compiled module older than its .py (edited since the last `pip install -e .`) is tested
from source rather than as stale code. The header of the run says which it is;
tests/kiosk/domain/test_compiled.py checks it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports PySide6

ROOT = Path(__file__).resolve().parents[1]
COMPILED_MODULES = ("kiosk.domain.pricing", "kiosk.domain.periods")  # setup.py COMPILED
PURE_PYTHON = os.environ.get("KIOSK_PURE_PYTHON", "") not in ("", "0")


def _source(name: str) -> Path:
    return ROOT.joinpath(*name.split(".")).with_suffix(".py")


def _built(name: str) -> list[Path]:
    """The compiled module(s) an editable install left beside the source."""
    source = _source(name)
    return [
        source.with_name(source.stem + suffix)
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
        if source.with_name(source.stem + suffix).is_file()
    ]


def _stale(name: str) -> bool:
    mtime = _source(name).stat().st_mtime
    return any(so.stat().st_mtime < mtime for so in _built(name))


class _SourceFinder:
    """A sys.meta_path finder that loads the named modules from their .py file."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        leaf = fullname.rpartition(".")[2] + ".py"
        for entry in path if path is not None else sys.path:
            source = Path(entry, leaf)
            if source.is_file():
                return importlib.util.spec_from_file_location(fullname, source)
        return None


FROM_SOURCE = {
    name: "KIOSK_PURE_PYTHON=1" if PURE_PYTHON else "the compiled module is older than the .py"
    for name in COMPILED_MODULES
    if PURE_PYTHON or _stale(name)
}
if FROM_SOURCE:
    loaded = sorted(set(FROM_SOURCE) & set(sys.modules))
    if loaded:  # too late: something imported it before this conftest
        raise RuntimeError(f"{', '.join(loaded)} imported before tests/conftest.py")
    sys.meta_path.insert(0, _SourceFinder(tuple(FROM_SOURCE)))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `first` run first: with `-n 2` one worker starts on the longest
    test while the other takes the rest, so that both finish at about the same time."""
    items.sort(key=lambda item: item.get_closest_marker("first") is None)


def pytest_report_header() -> list[str]:
    lines = []
    for name in COMPILED_MODULES:
        if name in FROM_SOURCE:
            lines.append(f"{name}: from source ({FROM_SOURCE[name]})")
        elif _built(name):
            lines.append(f"{name}: compiled (mypyc)")
        else:
            lines.append(f"{name}: from source (not compiled)")
    return lines


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class ExpectedWarnings:
    """Declare the warning logs a test provokes on purpose: `expect_warnings("reader")`."""

    def __init__(self) -> None:
        self.patterns: list[str] = []

    def __call__(self, *patterns: str) -> None:
        self.patterns.extend(patterns)

    def allows(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return any(p in text for p in self.patterns)


@pytest.fixture
def expect_warnings() -> ExpectedWarnings:
    return ExpectedWarnings()


@pytest.fixture(autouse=True)
def _fail_on_unexpected_warning_logs(expect_warnings: ExpectedWarnings) -> Iterator[None]:
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    unexpected = [r for r in collector.records if not expect_warnings.allows(r)]
    if unexpected:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected warning log(s):\n{lines}", pytrace=False)


# one headless Chromium for the whole run, shared by the backend's page tests and the
# kiosk's end-to-end test (two sync playwright instances cannot run at once)
from tests.backend.chromium import chromium, phone  # noqa: E402, F401

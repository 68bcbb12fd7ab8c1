"""Suite-wide rules: an unexpected warning log fails the test that caused it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports PySide6


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

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
def _fail_on_unexpected_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    expected: ExpectedWarnings | None = (
        request.getfixturevalue("expect_warnings")
        if "expect_warnings" in request.fixturenames
        else None
    )
    unexpected = [r for r in collector.records if expected is None or not expected.allows(r)]
    if unexpected:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected warning log(s):\n{lines}", pytrace=False)

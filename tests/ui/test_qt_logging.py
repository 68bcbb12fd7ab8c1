"""Qt's own messages reach the log (and its redaction) through the `qt` logger."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning

from tests.conftest import ExpectedWarnings
from ui.app import route_qt_messages


def test_qt_warnings_go_to_the_qt_logger(
    caplog: pytest.LogCaptureFixture, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("a QML binding loop")
    route_qt_messages()
    try:
        with caplog.at_level(logging.INFO, logger="qt"):
            qWarning("a QML binding loop on card 4111 1111 1111 1111")
    finally:
        qInstallMessageHandler(None)
    records = [r for r in caplog.records if r.name == "qt"]
    assert [r.levelno for r in records] == [logging.WARNING]
    assert "a QML binding loop" in records[0].getMessage()
    assert "4111" not in records[0].getMessage()  # redacted like every other line

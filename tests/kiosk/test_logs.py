"""The log: a rotating file beside the ledger, warnings on the console, card data in
neither, whatever handler writes it."""

from __future__ import annotations

import io
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.logs import LOG_FILE, configure_logging
from tests.conftest import ExpectedWarnings

PAN = "4111 1111 1111 1111"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def _file_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]


def test_the_file_and_the_console(
    tmp_path: Path, restore_root: None, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("the terminal said")
    console = io.StringIO()
    path = configure_logging(tmp_path, console=console)
    assert path == tmp_path / LOG_FILE
    log = logging.getLogger("kiosk.test")
    log.info("connector %s: idle -> connector_chosen", "1")
    log.warning("the terminal said %s", f"card {PAN} declined")
    for handler in _file_handlers():
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "INFO kiosk.test [MainThread] connector 1: idle -> connector_chosen" in text
    assert PAN not in text
    assert PAN.replace(" ", "") not in text
    assert "declined" in text
    assert "connector_chosen" not in console.getvalue()  # the console: warnings only
    assert PAN not in console.getvalue()
    assert "declined" in console.getvalue()


def test_a_second_call_replaces_the_first(tmp_path: Path, restore_root: None) -> None:
    configure_logging(tmp_path, console=io.StringIO())
    configure_logging(tmp_path, console=io.StringIO())
    assert len(_file_handlers()) == 1


def test_it_rotates(tmp_path: Path, restore_root: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kiosk.logs._MAX_BYTES", 2_000)
    configure_logging(tmp_path, console=io.StringIO())
    log = logging.getLogger("kiosk.test")
    for n in range(200):
        log.info("line %d of a busy station", n)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[:2] == [LOG_FILE, f"{LOG_FILE}.1"]
    assert len(names) <= 6  # five old files kept


def test_a_read_only_data_directory_logs_to_the_console(
    tmp_path: Path,
    restore_root: None,
    monkeypatch: pytest.MonkeyPatch,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("no log file")

    def refuse(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(logging.handlers.RotatingFileHandler, "__init__", refuse)
    console = io.StringIO()
    assert configure_logging(tmp_path, console=console) is None
    assert "no log file" in console.getvalue()
    assert "Permission denied" in console.getvalue()

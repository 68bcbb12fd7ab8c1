"""Where the kiosk's log goes: a rotating file in the data directory, and the console.

Every logger is named after its module (`logging.getLogger(__name__)`); this sets up
the root once per process. The file keeps INFO and up (each state transition, each
device event, each payment step) in `kiosk.log` beside the ledger, 5 MiB a file, five
old files kept: about a month of a busy station. The console gets warnings and errors,
the message alone, as Python prints them when nothing is configured (the one-line
storage-fault messages stay one line). Card data never reaches either: the redaction
runs where every record is made (`install_log_redaction`) and again as a filter on
each handler here, so a handler added later by a library cannot bypass it.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import Final, TextIO

from kiosk.domain.redaction import RedactingFilter, install_log_redaction

__all__ = ["LOG_FILE", "configure_logging"]

LOG_FILE: Final = "kiosk.log"
_MAX_BYTES: Final = 5 * 1024 * 1024
_BACKUPS: Final = 5
_FORMAT: Final = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s [%(threadName)s] %(message)s"


class _Utc(logging.Formatter):
    """Times in UTC, as everything the kiosk stores."""

    def converter(self, seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)


def configure_logging(
    data_dir: Path | None, *, console: TextIO | None = None, level: int = logging.INFO
) -> Path | None:
    """Set up the root logger (idempotent: a second call replaces what the first added).

    Returns the log file, or None when it cannot be written (a read-only data
    directory): the kiosk then logs to the console only and says so there once.
    """
    install_log_redaction()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    # urllib3 logs each retry of a backend call as a warning; the sync logs the outcome
    # itself (offline, back online), so only urllib3's errors are kept
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    redact = RedactingFilter()
    stream = logging.StreamHandler(console or sys.stderr)
    stream.setLevel(logging.WARNING)
    stream.setFormatter(logging.Formatter("%(message)s"))
    stream.addFilter(redact)
    stream._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(stream)
    if data_dir is None:
        return None
    path = data_dir / LOG_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning(
            "kiosk: no log file (%s: %s); logging to the console only", path, exc.strerror
        )
        return None
    handler.setLevel(level)
    handler.setFormatter(_Utc(_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(redact)
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path

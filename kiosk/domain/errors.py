"""Three kinds of failure, handled three ways (as qutebrowser splits them).

- KnownError: the environment failed (reader unplugged, network down, disk full).
  Show a clear screen, offer a retry, never crash.
- UserFacingError: the driver or attendant must be told something; `message` is
  the text for the screen.
- BugError: our own code is wrong. Log everything, restart cleanly.
"""

from __future__ import annotations

__all__ = ["BugError", "KnownError", "UserFacingError"]


class KnownError(Exception):
    """An environment fault: expected to happen in the field, recoverable by retrying."""


class UserFacingError(Exception):
    """Something to tell the person at the screen, in words they understand."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class BugError(Exception):
    """An invariant of our own code broke; never caught to carry on."""

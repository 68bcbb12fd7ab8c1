"""A few tries at a secret code, then a pause that grows: brute force takes forever.

A stop code has six digits. Anyone at the screen may type codes, to stop a session
or to see a receipt, so the tries are counted for the whole station, not per
connector or per screen: three wrong codes, then a pause of one minute, doubling with
each pause up to fifteen minutes. A success does not reset the count (a driver's own
code, typed again and again, must not buy more guesses); an hour without a wrong code
does. At most about 300 guesses a day against a million codes.

The pauses are the driver's time (`kiosk.charger.clock.driver_wait`): the demo's
speed-up makes them no shorter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from kiosk.charger.clock import driver_seconds, driver_wait

__all__ = ["AttemptLimiter"]

log = logging.getLogger(__name__)


@dataclass
class AttemptLimiter:
    clock: object = None  # the station's clock: its speed-up is undone for the pauses
    tries: int = 3
    pause_s: int = 60
    max_pause_s: int = 15 * 60
    forget_s: int = 3600  # quiet for this long: the count and the escalation start over
    _failures: int = 0
    _pauses: int = 0
    _last_failure: datetime | None = None
    _locked_until: datetime | None = None

    def locked_for(self, now: datetime) -> int:
        """Seconds the pause still lasts (0: codes may be tried)."""
        if self._locked_until is None or now >= self._locked_until:
            return 0
        return max(1, int(driver_seconds(self.clock, self._locked_until - now) + 0.999))

    def failed(self, now: datetime) -> int:
        """A wrong code: returns the tries left before the pause (0: the pause began)."""
        if self._last_failure is not None and now - self._last_failure >= driver_wait(
            self.clock, self.forget_s
        ):
            self._failures = self._pauses = 0
        self._last_failure = now
        self._failures += 1
        if self._failures < self.tries:
            return self.tries - self._failures
        pause = min(self.max_pause_s, self.pause_s * 2**self._pauses)
        self._pauses += 1
        self._failures = 0
        self._locked_until = now + driver_wait(self.clock, pause)
        log.warning("%d wrong codes in a row: codes refused for %d s", self.tries, pause)
        return 0

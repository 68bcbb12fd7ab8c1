"""Which devices answer, and the terminal's upkeep.

A way to pay is offered only while its device answers. A terminal that stopped
answering is probed on its own thread every TERMINAL_PROBE_S until it answers; the
reader's state comes from its events. Once a day, at `devices.terminal.end_of_day`
in the station's local time, the terminal closes the day (ZVT 06 50): its totals are
audited and sent through the outbox; a failed one is tried again every 30 minutes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.charger.clock import driver_wait
from kiosk.domain.payment import (
    DeclineCode,
    PaymentMethod,
)
from kiosk.ports import (
    CardTerminal,
    EndOfDay,
    ProviderResult,
    StatusSink,
    TokenEvent,
    TokenEventKind,
)
from kiosk.services.station_base import (
    _DEVICE_OF,
    TERMINAL_PROBE_S,
    StationBase,
)

__all__ = ["DeviceStates"]

log = logging.getLogger(__name__)


class DeviceStates(StationBase):
    def method_available(self, method: PaymentMethod) -> bool:
        """Whether this way to pay is configured and its device answers."""
        if method not in self._guarded:
            return False
        if method is PaymentMethod.ACCOUNT_TOKEN and self.devices.get("reader") == "missing":
            return False
        return self.devices.get(_DEVICE_OF[method]) != "missing"

    def _terminal_answered(self, result: ProviderResult) -> None:
        """A terminal that cannot be reached makes bank cards unavailable until it answers."""
        if self.closed or self.devices.get("terminal") == "none":
            return
        missing = not result.ok and result.code is DeclineCode.UNAVAILABLE
        state = "missing" if missing else "ok"
        if self.devices["terminal"] != state:
            log.log(
                logging.WARNING if missing else logging.INFO,
                "card terminal %s",
                "does not answer: bank cards are unavailable" if missing else "answers again",
            )
        self.devices["terminal"] = state
        if missing:
            self._next_probe = self.now() + driver_wait(self.clock, TERMINAL_PROBE_S)

    def _probe_terminal(self) -> None:
        terminal = self.providers.get(PaymentMethod.BANK_CARD)
        if not isinstance(terminal, CardTerminal):
            return
        self._next_probe = None  # the next one is set by the answer

        def probe(_status: StatusSink) -> ProviderResult:  # on the terminal's thread
            try:
                found = terminal.diagnose()
            except Exception as exc:  # a probe never takes the station down
                log.info("card terminal probe failed: %s", exc)
                return ProviderResult(False, code=DeclineCode.UNAVAILABLE)
            return ProviderResult(
                found.reachable, code=None if found.reachable else DeclineCode.UNAVAILABLE
            )

        self.runner.run(PaymentMethod.BANK_CARD, probe, self._terminal_answered, lambda _s: None)

    def _maybe_end_of_day(self, now: datetime) -> None:
        devices = self.settings.devices
        at = None if devices is None else devices.terminal.end_of_day
        terminal = self.providers.get(PaymentMethod.BANK_CARD)
        if at is None or not isinstance(terminal, CardTerminal) or self._eod_running:
            return
        if self.devices.get("terminal") == "missing":
            return  # closed once it answers again
        if self._eod_retry_at is not None and now < self._eod_retry_at:
            return
        local = now.astimezone(ZoneInfo(self.settings.station.time_zone))
        hh, _, mm = at.partition(":")
        if local < local.replace(hour=int(hh), minute=int(mm), second=0, microsecond=0):
            return
        day = local.date().isoformat()
        if self._eod_day == day:
            return
        with self.db.unit_of_work(write=False) as uow:
            done = uow.station_state.get("terminal:end_of_day")
        if done == day:  # closed before a restart
            self._eod_day = day
            return
        self._eod_running = True
        log.info("card terminal: closing the day %s (end-of-day)", day)
        self.runner.run(
            PaymentMethod.BANK_CARD,
            lambda _status: terminal.end_of_day(),
            lambda result: self._end_of_day_done(day, result),
            lambda _s: None,
        )

    def _end_of_day_done(self, day: str, result: EndOfDay) -> None:
        self._eod_running = False
        if self.closed:
            return
        now = self.now()
        detail = {
            "day": day,
            "ok": "true" if result.ok else "false",
            "total": "" if result.total is None else str(result.total),
            "count": "" if result.count is None else str(result.count),
            "code": "" if result.code is None else result.code.value,
        }
        with self.db.unit_of_work() as uow:
            uow.audit.append("station", "terminal.end_of_day", day, detail, at=now)
            uow.outbox.add(
                "terminal.end_of_day", day, detail, f"end_of_day:{day}:{now.isoformat()}", now=now
            )
            if result.ok:
                uow.station_state.set("terminal:end_of_day", day, at=now)
            uow.commit()
        if result.ok:
            self._eod_day, self._eod_retry_at = day, None
            log.info(
                "card terminal: day %s closed: %s booking(s), %s",
                day,
                detail["count"] or "?",
                detail["total"] or "?",
            )
        else:
            self._eod_retry_at = now + timedelta(minutes=30)
            log.warning(
                "card terminal: the end-of-day of %s failed (%s: %s); trying again at %s",
                day,
                detail["code"] or "-",
                result.text or "no text",
                self._eod_retry_at.isoformat(),
            )

    def reader_event(self, event: TokenEvent) -> None:
        """The RFID reader attached, detached or faulted: RFID is offered while it is there.

        Cards on it take the driver's path (`present_token`); the driver logs them."""
        kind = event.kind
        if kind not in (
            TokenEventKind.READER_ATTACHED,
            TokenEventKind.READER_DETACHED,
            TokenEventKind.READER_FAULT,
        ):
            return
        state = "ok" if kind is TokenEventKind.READER_ATTACHED else "missing"
        if self.devices.get("reader") != state:
            log.log(
                logging.INFO if state == "ok" else logging.WARNING,
                "card reader %s: %s%s",
                event.reader,
                kind.value,
                f" ({event.detail})" if event.detail else "",
            )
        self.devices["reader"] = state

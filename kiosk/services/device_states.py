"""Which devices answer: a way to pay is offered only while its device does.

A terminal that stopped answering is probed on its own thread every
TERMINAL_PROBE_S until it answers; the reader's state comes from its events.
"""

from __future__ import annotations

import logging

from kiosk.charger.clock import driver_wait
from kiosk.domain.payment import (
    DeclineCode,
    PaymentMethod,
)
from kiosk.ports import (
    CardTerminal,
    ProviderResult,
    StatusSink,
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

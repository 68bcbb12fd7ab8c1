"""The one-second tick: the charger's events, the screens' timeouts, the probes."""

from __future__ import annotations

import logging

from kiosk.charger.clock import driver_wait
from kiosk.domain.session import (
    StopReason,
)
from kiosk.services.metering import Metering
from kiosk.services.station_base import (
    _Connector,
)
from kiosk.station import FlowEvent, FlowState

__all__ = ["Timeouts"]

log = logging.getLogger(__name__)


class Timeouts(Metering):
    def tick(self) -> None:
        """Take in the charger's events, run out the timeouts, persist checkpoints."""
        now = self.now()
        for event in self.charger.poll(now):
            self._on_charger(event)
        for c in self.connectors.values():
            if c.deadline is not None and now >= c.deadline:
                self._timeout(c)
        if self._next_probe is not None and now >= self._next_probe:
            self._probe_terminal()  # at the first tick, then while it does not answer
        self._maybe_end_of_day(now)
        self._retry_settlements()

    def _timeout(self, c: _Connector) -> None:
        state = c.flow.state
        c.deadline = None
        if state is FlowState.AUTHORIZING:
            self._authorizing_too_long(c)
        elif state is FlowState.WAITING_FOR_PLUG:
            self._cancel_before_plug(c, StopReason.PLUG_TIMEOUT)
        elif state is FlowState.RECEIPT:
            self._leave_receipt(c, FlowEvent.INACTIVITY, "receipt shown long enough")
        elif c.flow.can(FlowEvent.INACTIVITY):
            c.method = None
            self._event(c, FlowEvent.INACTIVITY, "nobody touched the screen")

    def _leave_receipt(self, c: _Connector, event: FlowEvent, reason: str) -> None:
        if c.flow.state is not FlowState.RECEIPT:
            return
        if c.faulted:
            self._event(c, FlowEvent.FAULT, "the fault is still active")
        else:
            self._event(c, event, reason)
        c.session = None
        c.payment = None
        c.method = None

    def _authorizing_too_long(self, c: _Connector) -> None:
        """No answer within `authorizing_s`: cancel; no answer to that either: go back.

        The payment's operation stays pending in the ledger; an answer that still comes
        finds the connector gone (`_authorized` voids a hold it brings), and one that
        never comes is resolved by the next start's recovery.
        """
        cid = c.config.id
        if not c.cancel_requested:
            log.warning("connector %s: no payment answer in time; cancelling it", cid)
            self.cancel_payment(cid)
            c.deadline = self.now() + driver_wait(self.clock, self.settings.timeouts.cancel_s)
            return
        log.warning(
            "connector %s: the payment device answered neither the payment nor the cancel;"
            " back to the price (a late answer is voided)",
            cid,
        )
        c.pending = None
        self._cancelled(c, "the payment device did not answer")

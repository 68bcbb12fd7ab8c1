"""The per-connector flow: a plain enum state machine with a transition table.

What the driver sees at one connector, from choosing it to the receipt, plus the
states that take it out of use. Every transition is logged with its reason; an
event the table does not know in the current state is a bug: logged at ERROR and
raised, never silently ignored. A few harmless repeats are listed explicitly as
`_IGNORED`, with the reason they are harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Final

from kiosk.domain.errors import BugError

__all__ = [
    "TRANSITIONS",
    "ConnectorFlow",
    "FlowEvent",
    "FlowState",
    "InvalidTransition",
]

log = logging.getLogger(__name__)


class FlowState(Enum):
    IDLE = "idle"
    CONNECTOR_CHOSEN = "connector_chosen"  # the price is on screen
    PAYMENT_CHOSEN = "payment_chosen"  # waiting for a card tap, a card, or a QR payment
    AUTHORIZING = "authorizing"
    DECLINED = "declined"  # shown with a way back
    WAITING_FOR_PLUG = "waiting_for_plug"
    CHARGING = "charging"  # includes the car pausing (suspended by the EV)
    FINISHING = "finishing"  # stopped; waiting for the unplug, idle fee clock running
    RECEIPT = "receipt"
    OUT_OF_SERVICE = "out_of_service"
    FAULTED = "faulted"
    OFFLINE = "offline"  # the charger does not answer for this connector

    @property
    def has_session(self) -> bool:
        return self in (
            FlowState.WAITING_FOR_PLUG,
            FlowState.CHARGING,
            FlowState.FINISHING,
        )

    @property
    def is_available(self) -> bool:
        return self is FlowState.IDLE


class FlowEvent(Enum):
    SELECT = "select"  # the driver taps the connector
    CHOOSE_PAYMENT = "choose_payment"
    CREDENTIAL = "credential"  # card tapped, card inserted, or QR checkout opened
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    PLUGGED_IN = "plugged_in"
    PLUG_TIMEOUT = "plug_timeout"
    STOP = "stop"
    UNPLUGGED = "unplugged"
    RECEIPT_DONE = "receipt_done"
    BACK = "back"  # the driver goes back one screen or cancels
    INACTIVITY = "inactivity"  # nobody touched the screen for a while
    FAULT = "fault"
    FAULT_CLEARED = "fault_cleared"
    OUT_OF_SERVICE = "out_of_service"
    IN_SERVICE = "in_service"
    CONNECTION_LOST = "connection_lost"
    CONNECTION_RESTORED = "connection_restored"


S, E = FlowState, FlowEvent

TRANSITIONS: Final[dict[tuple[FlowState, FlowEvent], FlowState]] = {
    (S.IDLE, E.SELECT): S.CONNECTOR_CHOSEN,
    (S.CONNECTOR_CHOSEN, E.CHOOSE_PAYMENT): S.PAYMENT_CHOSEN,
    (S.CONNECTOR_CHOSEN, E.BACK): S.IDLE,
    (S.CONNECTOR_CHOSEN, E.INACTIVITY): S.IDLE,
    (S.PAYMENT_CHOSEN, E.CHOOSE_PAYMENT): S.PAYMENT_CHOSEN,  # switched method
    (S.PAYMENT_CHOSEN, E.CREDENTIAL): S.AUTHORIZING,
    (S.PAYMENT_CHOSEN, E.BACK): S.CONNECTOR_CHOSEN,
    (S.PAYMENT_CHOSEN, E.INACTIVITY): S.IDLE,
    (S.AUTHORIZING, E.AUTHORIZED): S.WAITING_FOR_PLUG,
    (S.AUTHORIZING, E.DECLINED): S.DECLINED,
    (S.AUTHORIZING, E.BACK): S.CONNECTOR_CHOSEN,  # cancelled: the terminal's abort answered
    (S.AUTHORIZING, E.FAULT): S.FAULTED,  # the answer is voided if it still comes
    (S.DECLINED, E.BACK): S.CONNECTOR_CHOSEN,
    (S.DECLINED, E.INACTIVITY): S.IDLE,
    (S.DECLINED, E.CHOOSE_PAYMENT): S.PAYMENT_CHOSEN,  # try another way to pay
    (S.WAITING_FOR_PLUG, E.PLUGGED_IN): S.CHARGING,
    (S.WAITING_FOR_PLUG, E.PLUG_TIMEOUT): S.IDLE,
    (S.WAITING_FOR_PLUG, E.BACK): S.IDLE,  # cancelled before plugging in: the hold is voided
    (S.CHARGING, E.STOP): S.FINISHING,
    (S.CHARGING, E.UNPLUGGED): S.RECEIPT,
    (S.CHARGING, E.FAULT): S.FINISHING,  # the session is stopped, the car still plugged
    (S.FINISHING, E.UNPLUGGED): S.RECEIPT,
    (S.FINISHING, E.FAULT): S.FINISHING,
    (S.RECEIPT, E.RECEIPT_DONE): S.IDLE,
    (S.RECEIPT, E.INACTIVITY): S.IDLE,
    (S.RECEIPT, E.FAULT): S.FAULTED,
    # out of use
    (S.IDLE, E.OUT_OF_SERVICE): S.OUT_OF_SERVICE,
    (S.FAULTED, E.OUT_OF_SERVICE): S.OUT_OF_SERVICE,
    (S.OFFLINE, E.OUT_OF_SERVICE): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, E.IN_SERVICE): S.IDLE,
    (S.IDLE, E.FAULT): S.FAULTED,
    (S.CONNECTOR_CHOSEN, E.FAULT): S.FAULTED,
    (S.PAYMENT_CHOSEN, E.FAULT): S.FAULTED,
    (S.DECLINED, E.FAULT): S.FAULTED,
    (S.FAULTED, E.FAULT_CLEARED): S.IDLE,
    (S.IDLE, E.CONNECTION_LOST): S.OFFLINE,
    (S.CONNECTOR_CHOSEN, E.CONNECTION_LOST): S.OFFLINE,
    (S.PAYMENT_CHOSEN, E.CONNECTION_LOST): S.OFFLINE,
    (S.OFFLINE, E.CONNECTION_RESTORED): S.IDLE,
}

# Harmless repeats: recorded at DEBUG, never acted on.
_IGNORED: Final[dict[tuple[FlowState, FlowEvent], str]] = {
    (S.IDLE, E.PLUGGED_IN): "a car plugged in before paying: the flow starts on screen",
    (S.IDLE, E.UNPLUGGED): "a car left without starting a session",
    (S.CONNECTOR_CHOSEN, E.PLUGGED_IN): "plugged in while reading the price",
    (S.CONNECTOR_CHOSEN, E.UNPLUGGED): "unplugged while reading the price",
    (S.PAYMENT_CHOSEN, E.PLUGGED_IN): "plugged in while paying",
    (S.PAYMENT_CHOSEN, E.UNPLUGGED): "unplugged while paying",
    (S.AUTHORIZING, E.PLUGGED_IN): "plugged in during the authorization",
    (S.AUTHORIZING, E.UNPLUGGED): "unplugged during the authorization",
    (S.DECLINED, E.UNPLUGGED): "the declined driver unplugged",
    (S.DECLINED, E.PLUGGED_IN): "plugged in while the decline is shown",
    (S.RECEIPT, E.UNPLUGGED): "a second unplug report",
    (S.IDLE, E.INACTIVITY): "nothing to time out",
    (S.FAULTED, E.FAULT): "the fault is still active",
    (S.FAULTED, E.UNPLUGGED): "a car left a faulted connector",
    (S.FAULTED, E.PLUGGED_IN): "a car plugged into a faulted connector",
    (S.OUT_OF_SERVICE, E.UNPLUGGED): "a car left a connector out of service",
    (S.OUT_OF_SERVICE, E.PLUGGED_IN): "a car plugged into a connector out of service",
    (S.OUT_OF_SERVICE, E.FAULT): "already out of service",
    (S.OUT_OF_SERVICE, E.FAULT_CLEARED): "stays out of service until an attendant says so",
    (S.IDLE, E.FAULT_CLEARED): "no fault was shown",
    (S.FINISHING, E.FAULT_CLEARED): "the session ends anyway",
    (S.CHARGING, E.FAULT_CLEARED): "the session ends anyway",
    (S.CHARGING, E.PLUGGED_IN): "a second plug-in report",
    (S.OFFLINE, E.CONNECTION_LOST): "still offline",
}


class InvalidTransition(BugError):
    """An event the flow cannot take in its state."""


@dataclass(frozen=True, slots=True)
class Transition:
    connector_id: str
    source: FlowState
    event: FlowEvent
    target: FlowState
    reason: str
    at: datetime


@dataclass
class ConnectorFlow:
    """One connector's screen flow. Pure: the station performs the side effects."""

    connector_id: str
    state: FlowState = FlowState.IDLE
    since: datetime | None = None
    history: list[Transition] = field(default_factory=list)
    history_limit: int = 200

    def can(self, event: FlowEvent) -> bool:
        return (self.state, event) in TRANSITIONS

    def handle(self, event: FlowEvent, reason: str, now: datetime) -> Transition | None:
        """Apply an event; returns the transition, or None for a listed harmless repeat."""
        key = (self.state, event)
        target = TRANSITIONS.get(key)
        if target is None:
            why = _IGNORED.get(key)
            if why is not None:
                log.debug(
                    "connector %s: %s in %s ignored: %s",
                    self.connector_id,
                    event.value,
                    self.state.value,
                    why,
                )
                return None
            log.error(
                "connector %s: no transition for %s in state %s (%s)",
                self.connector_id,
                event.value,
                self.state.value,
                reason,
            )
            raise InvalidTransition(
                f"connector {self.connector_id}: {event.value} in state {self.state.value}"
            )
        transition = Transition(self.connector_id, self.state, event, target, reason, now)
        log.info(
            "connector %s: %s -> %s on %s (%s)",
            self.connector_id,
            self.state.value,
            target.value,
            event.value,
            reason,
        )
        self.state = target
        self.since = now
        self.history.append(transition)
        if len(self.history) > self.history_limit:
            del self.history[: len(self.history) - self.history_limit]
        return transition

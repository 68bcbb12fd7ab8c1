"""The ChargingSession aggregate: from authorization to a priced, sealed CDR.

The tariff in force at the start is frozen into the session (as its JSON text), so
a session is always priced by what the driver was shown. Meter samples feed a
LiveCost, whose periods split wherever a tariff condition changes; the periods are
what the store keeps and what the CDR carries, so a CDR reprices to exactly the
recorded totals.

Tokens and stop codes are kept as keyed hashes (`StationKeys.token_hash`, computed
by the service, which holds the key): `token_hash` for an RFID card's UID (the same
card tapped again stops its session by comparing hashes) and `stop_code_hash` for the
stop code. The plain stop code lives only in memory (`stop_code`), for the screen of
the process that started the session; the store never writes it, and a session read
back has `stop_code == ""` (running sessions are closed at start-up anyway).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Final

import msgspec

from kiosk.domain import jsonio
from kiosk.domain.errors import BugError
from kiosk.domain.periods import ChargingPeriod, period_to_json
from kiosk.domain.pricing import Amount, CostBreakdown, LiveCost, TariffPricer, price_session
from kiosk.domain.tariff import Tariff, parse_tariff
from kiosk.domain.tariff_json import tariff_to_json

__all__ = [
    "IDLE_FEE_WAIVED",
    "ChargingSession",
    "InvalidSessionTransition",
    "MeterSample",
    "SessionState",
    "SessionTotals",
    "StopReason",
    "TokenType",
]

log = logging.getLogger(__name__)


class SessionState(Enum):
    PENDING = "pending"  # the payment is being authorized
    AUTHORIZED = "authorized"  # paid for, waiting for the plug
    CHARGING = "charging"
    SUSPENDED_EV = "suspended_ev"  # plugged in, the car takes no energy (full, or paused)
    FINISHING = "finishing"  # stopped, waiting for the driver to unplug (idle fee clock)
    COMPLETED = "completed"
    FAILED = "failed"  # the charger never delivered (fault before the start)
    ABORTED = "aborted"  # never plugged in, or cancelled before the start

    @property
    def is_final(self) -> bool:
        return self in (SessionState.COMPLETED, SessionState.FAILED, SessionState.ABORTED)

    @property
    def is_running(self) -> bool:
        return self in (SessionState.CHARGING, SessionState.SUSPENDED_EV)


class StopReason(Enum):
    DRIVER_SCREEN = "driver_screen"
    CARD_TAP = "card_tap"
    STOP_CODE = "stop_code"
    UNPLUGGED = "unplugged"
    SPEND_CAP = "spend_cap"
    HOLD_EXHAUSTED = "hold_exhausted"
    FAULT = "fault"
    ATTENDANT = "attendant"
    RECOVERED = "recovered"  # closed at start-up after a crash or power cut
    PLUG_TIMEOUT = "plug_timeout"
    CANCELLED = "cancelled"
    DECLINED = "declined"  # the payment was not authorized
    REMOTE = "remote"  # the driver stopped it in the web app, on their phone


# Stops that are the station's doing, not the driver's: no idle fee for the session
# (docs/tariffs.md, "Idle fee"). A fault or an attendant ends the charge; a restart
# after a crash or power cut closes it. Spend caps and the hold running out are the
# driver's own limits: the idle fee applies after them as after any other stop.
IDLE_FEE_WAIVED: Final[frozenset[StopReason]] = frozenset(
    {StopReason.FAULT, StopReason.ATTENDANT, StopReason.RECOVERED}
)


_RAMP_UP: Final = timedelta(seconds=60)


class TokenType(Enum):
    """OCPI TokenType of what started the session."""

    RFID = "RFID"
    AD_HOC_USER = "AD_HOC_USER"  # bank card on the terminal
    APP_USER = "APP_USER"  # QR / phone checkout


class InvalidSessionTransition(BugError):
    pass


@dataclass(frozen=True, slots=True)
class MeterSample:
    at: datetime
    energy_wh: Decimal  # the meter's register, monotonic
    power_kw: Decimal
    current_a: Decimal | None = None
    soc_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SessionTotals:
    """The sealed price of a finished session (what is captured and reported)."""

    cost_excl_vat: Decimal
    cost_incl_vat: Decimal
    energy_kwh: Decimal
    charging_s: int
    parking_s: int
    idle_s: int

    @classmethod
    def of(cls, b: CostBreakdown) -> SessionTotals:
        return cls(
            cost_excl_vat=b.total_cost.excl_vat,
            cost_incl_vat=b.total_cost.incl_vat,
            energy_kwh=b.total_energy_kwh,
            charging_s=b.total_charging_s,
            parking_s=b.total_parking_s,
            idle_s=b.idle_s,
        )


_TRANSITIONS: Final[dict[SessionState, frozenset[SessionState]]] = {
    SessionState.PENDING: frozenset({SessionState.AUTHORIZED, SessionState.ABORTED}),
    SessionState.AUTHORIZED: frozenset(
        {SessionState.CHARGING, SessionState.ABORTED, SessionState.FAILED}
    ),
    SessionState.CHARGING: frozenset(
        {SessionState.SUSPENDED_EV, SessionState.FINISHING, SessionState.COMPLETED}
    ),
    SessionState.SUSPENDED_EV: frozenset(
        {SessionState.CHARGING, SessionState.FINISHING, SessionState.COMPLETED}
    ),
    SessionState.FINISHING: frozenset({SessionState.COMPLETED}),
}


@dataclass
class ChargingSession:
    id: str
    station_id: str
    connector_id: str
    evse_id: str
    currency: str
    tz: str
    tariff_json: str  # the tariff in force at the start, frozen
    tariff_id: str
    token_type: TokenType
    token_uid: str | None  # the QR checkout id (never an RFID UID, never a card number)
    payment_id: str | None
    created_at: datetime
    customer_group: str | None = None
    # in memory only: the store keeps stop_code_hash
    stop_code: str = field(default_factory=lambda: f"{secrets.randbelow(10**6):06d}", compare=False)
    token_hash: str | None = None  # RFID: keyed hash of the card's UID (64 hex)
    stop_code_hash: str | None = None  # keyed hash of the stop code (64 hex)
    contract_id: str | None = None  # the account's contract id, from the token check
    state: SessionState = SessionState.PENDING
    stop_reason: StopReason | None = None
    plugged_at: datetime | None = None  # the session's start for pricing
    stopped_at: datetime | None = None  # energy transfer ended
    ended_at: datetime | None = None  # unplugged or closed: the session's end
    meter_start_wh: Decimal | None = None
    meter_last_wh: Decimal | None = None
    last_sample_at: datetime | None = None
    # the last meter sample that took energy: the idle fee's clock runs from here, as the
    # pricing engine counts the trailing parking time (in memory, like the live cost)
    last_flow_at: datetime | None = field(default=None, compare=False)
    soc_percent: Decimal | None = None
    power_kw: Decimal = Decimal(0)
    periods: list[ChargingPeriod] = field(default_factory=list)
    totals: SessionTotals | None = None
    version: int = 0
    _live: LiveCost | None = field(default=None, repr=False, compare=False)
    _tariff: Tariff | None = field(default=None, repr=False, compare=False)

    @classmethod
    def begin(
        cls,
        *,
        station_id: str,
        connector_id: str,
        evse_id: str,
        tariff: Tariff,
        tariff_json: str,
        tz: str,
        token_type: TokenType,
        token_uid: str | None,
        payment_id: str | None,
        customer_group: str | None,
        now: datetime,
        token_hash: str | None = None,
        contract_id: str | None = None,
    ) -> ChargingSession:
        session = cls(
            id=str(uuid.uuid4()),
            station_id=station_id,
            connector_id=connector_id,
            evse_id=evse_id,
            currency=tariff.currency,
            tz=tz,
            tariff_json=tariff_json,
            tariff_id=tariff.id,
            token_type=token_type,
            token_uid=token_uid,
            payment_id=payment_id,
            customer_group=customer_group,
            created_at=now,
            token_hash=token_hash,
            contract_id=contract_id,
        )
        session._tariff = tariff
        return session

    # ------------------------------------------------------------------ helpers

    @property
    def frozen_tariff(self) -> Tariff:
        """The tariff in force at the start, as the driver was shown it."""
        if self._tariff is None:
            self._tariff = parse_tariff(jsonio.loads(self.tariff_json))
        return self._tariff

    @property
    def tariff(self) -> Tariff:
        """The tariff this session is priced by: the frozen one, its idle fee dropped when
        the station stopped the session (`IDLE_FEE_WAIVED`)."""
        tariff = self.frozen_tariff
        if self.idle_fee_waived:
            ext = dataclasses.replace(tariff.extensions, idle_fee=None)
            return dataclasses.replace(tariff, extensions=ext)
        return tariff

    @property
    def idle_fee_waived(self) -> bool:
        """The tariff has an idle fee, and the stop was the station's (no fee is due)."""
        return (
            self.stop_reason in IDLE_FEE_WAIVED
            and self.frozen_tariff.extensions.idle_fee is not None
        )

    @property
    def idle_since(self) -> datetime | None:
        """Since when the car takes no energy (suspended, full or stopped); None while it
        charges. The idle fee's grace period runs from here."""
        if self.state is SessionState.SUSPENDED_EV or self.state is SessionState.FINISHING:
            return self.last_flow_at or self.stopped_at or self.plugged_at
        return None

    def pricer(self) -> TariffPricer:
        return TariffPricer(self.tariff, self.customer_group)

    def _move(self, target: SessionState, reason: str) -> None:
        if target not in _TRANSITIONS.get(self.state, frozenset()):
            raise InvalidSessionTransition(
                f"session {self.id}: {self.state.value} -> {target.value} ({reason})"
            )
        log.info("session %s: %s -> %s (%s)", self.id, self.state.value, target.value, reason)
        self.state = target

    def _live_cost(self) -> LiveCost:
        if self._live is None:
            raise BugError(f"session {self.id} has no meter feed in state {self.state.value}")
        return self._live

    # -------------------------------------------------------------- lifecycle

    def authorized(self, customer_group: str | None, now: datetime) -> None:
        self._move(SessionState.AUTHORIZED, "payment authorized")
        if customer_group is not None:
            self.customer_group = customer_group

    def plugged_in(self, now: datetime, meter_wh: Decimal) -> None:
        self._move(SessionState.CHARGING, "plugged in")
        self.plugged_at = now
        self.meter_start_wh = self.meter_last_wh = meter_wh
        self.last_sample_at = self.last_flow_at = now
        self._live = LiveCost(self.pricer(), tz=self.tz, start=now, start_energy_wh=meter_wh)

    def record(self, sample: MeterSample) -> None:
        """A meter sample; energy and time are priced into the open period."""
        if not self.state.is_running and self.state is not SessionState.FINISHING:
            raise InvalidSessionTransition(
                f"session {self.id}: meter sample in state {self.state.value}"
            )
        live = self._live_cost()
        previous = self.meter_last_wh if self.meter_last_wh is not None else sample.energy_wh
        live.add_sample(
            sample.at, sample.energy_wh, sample.power_kw, sample.current_a, sample.soc_percent
        )
        self.meter_last_wh = sample.energy_wh
        self.last_sample_at = sample.at
        self.power_kw = sample.power_kw
        if sample.soc_percent is not None:
            self.soc_percent = sample.soc_percent
        flowing = sample.energy_wh > previous
        if flowing:
            self.last_flow_at = sample.at
        if (
            self.state is SessionState.CHARGING
            and not flowing
            and sample.power_kw == 0
            and not self._ramping_up(sample.at)
        ):
            self._move(SessionState.SUSPENDED_EV, "the car takes no energy")
        elif self.state is SessionState.SUSPENDED_EV and flowing:
            self._move(SessionState.CHARGING, "the car takes energy again")
        self.periods = live.periods()

    def _ramping_up(self, at: datetime) -> bool:
        """Just plugged in, nothing taken yet: a DC charger needs a few seconds to ramp
        up, which is not the car stopping (the screen would flash its warning)."""
        started = self.plugged_at or at
        return self.meter_last_wh == self.meter_start_wh and (at - started) < _RAMP_UP

    def running_cost(self) -> Amount:
        if self.idle_fee_waived:
            return self.running_breakdown().total_cost
        return self._live_cost().cost()

    def running_breakdown(self) -> CostBreakdown:
        live = self._live_cost()
        if self.idle_fee_waived and self.plugged_at is not None:
            # the live feed was priced with the idle fee: price its periods without it
            return price_session(
                live.periods(),
                start=self.plugged_at,
                end=live.last_sample_at,
                tz=self.tz,
                pricer=self.pricer(),
            )
        return live.breakdown()

    def stop(self, now: datetime, reason: StopReason) -> None:
        """Energy transfer ends; the driver still has to unplug (idle fee may run)."""
        self._move(SessionState.FINISHING, f"stopped: {reason.value}")
        self.stop_reason = reason
        self.stopped_at = now

    def unplugged(self, now: datetime, meter_wh: Decimal | None = None) -> CostBreakdown:
        """The session ends and is priced; returns the final breakdown."""
        if self.state.is_running:
            self.stop_reason = self.stop_reason or StopReason.UNPLUGGED
            self.stopped_at = now
        self._move(SessionState.COMPLETED, "unplugged")
        return self._close(now, meter_wh)

    def abort(self, now: datetime, reason: StopReason) -> None:
        self._move(SessionState.ABORTED, reason.value)
        self.stop_reason = reason
        self.ended_at = now

    def fail(self, now: datetime, reason: StopReason) -> None:
        self._move(SessionState.FAILED, reason.value)
        self.stop_reason = reason
        self.ended_at = now

    def _close(self, now: datetime, meter_wh: Decimal | None) -> CostBreakdown:
        live = self._live_cost()
        energy = meter_wh if meter_wh is not None else (self.meter_last_wh or Decimal(0))
        live.add_sample(max(now, live.last_sample_at), energy, Decimal(0))
        self.meter_last_wh = energy
        self.last_sample_at = live.last_sample_at
        self.ended_at = live.last_sample_at
        self.periods = live.periods()
        breakdown = self.final_breakdown()
        self.totals = SessionTotals.of(breakdown)
        return breakdown

    def recover(self, now: datetime) -> CostBreakdown | None:
        """Close a session left open by a crash, with its last recorded meter value.

        Time after the last recorded sample is not billed: the kiosk cannot know it.
        Returns the final breakdown, or None when nothing is to be billed (the session
        never started, or no meter sample was recorded: it ends aborted or failed).
        """
        if self.state in (SessionState.PENDING, SessionState.AUTHORIZED):
            self.abort(now, StopReason.RECOVERED)
            return None
        if self.state.is_final:
            raise InvalidSessionTransition(f"session {self.id} is already {self.state.value}")
        if self.plugged_at is None or self.last_sample_at is None:
            raise BugError(f"session {self.id}: running without a start")
        if not self.periods:
            # Killed between the start and the first recorded sample: nothing was
            # delivered that the kiosk knows of, so nothing is billed.
            log.warning("session %s: recovered before its first meter sample", self.id)
            self.state = SessionState.FAILED
            self.stop_reason = self.stop_reason or StopReason.RECOVERED
            self.stopped_at = self.ended_at = self.plugged_at
            return None
        if self.stop_reason is None:
            self.stop_reason = StopReason.RECOVERED
            self.stopped_at = self.last_sample_at
        log.warning("session %s: recovered after a restart, closing at its last sample", self.id)
        self.state = SessionState.COMPLETED
        self.ended_at = self.last_sample_at
        breakdown = self.final_breakdown()
        self.totals = SessionTotals.of(breakdown)
        return breakdown

    # --------------------------------------------------------------- pricing

    def final_breakdown(self) -> CostBreakdown:
        """The batch price of the recorded periods (what a CDR reprices to)."""
        if self.plugged_at is None or self.ended_at is None or not self.periods:
            raise BugError(f"session {self.id} has nothing to price")
        return price_session(
            self.periods,
            start=self.plugged_at,
            end=self.ended_at,
            tz=self.tz,
            pricer=self.pricer(),
        )

    def cdr_token(self) -> dict[str, str]:
        """The CDR's `cdr_token` (OCPI 2.2.1 CdrToken: uid and contract_id, 36 chars each).

        An RFID card's UID is not kept, only its keyed hash: `uid` is the hash's first
        32 hex characters (a pseudonym, the same for the same card at this station)
        and `contract_id` the account's contract id from the token check, which is
        what the account is billed by. The backend authorized the token and saw its
        UID then: it maps the contract back to the eMSP's token where one needs it.
        A QR payment's uid is its checkout id; a bank card's the session's id.
        """
        if self.token_hash is not None:
            uid = self.token_hash[:32]
        else:
            uid = (self.token_uid or self.id)[:36]
        contract = self.contract_id or self.token_uid or self.payment_id or self.id
        return {"uid": uid, "type": self.token_type.value, "contract_id": contract[:36]}

    def _remark(self) -> str | None:
        """The CDR's remark: why it stopped, and why no idle fee is billed when waived."""
        return _remark_for(self.stop_reason, self.idle_fee_waived)

    def cdr(self, *, country_code: str, party_id: str, location: dict[str, Any]) -> dict[str, Any]:
        """The OCPI 2.2.1 CDR of a completed session, its tariff embedded."""
        if self.state is not SessionState.COMPLETED or self.totals is None:
            raise BugError(f"session {self.id} is not completed")
        b = self.final_breakdown()
        assert self.plugged_at is not None
        assert self.ended_at is not None

        def price(amount: Amount) -> dict[str, Decimal]:
            return {"excl_vat": amount.excl_vat, "incl_vat": amount.incl_vat}

        return {
            "country_code": country_code,
            "party_id": party_id,
            "id": self.id.replace("-", "")[:36],
            "start_date_time": _iso(self.plugged_at),
            "end_date_time": _iso(self.ended_at),
            "session_id": self.id,
            "cdr_token": self.cdr_token(),
            "auth_method": "WHITELIST" if self.token_type is TokenType.RFID else "COMMAND",
            "cdr_location": {
                **location,
                "evse_id": self.evse_id,
                "connector_id": self.connector_id,
            },
            "currency": self.currency,
            # What was charged: the group's discount applied, the group rules left out.
            "tariffs": [tariff_to_json(self.pricer().tariff, customer_groups=False)],
            "charging_periods": [
                period_to_json(_with_tariff(p, self.tariff_id)) for p in self.periods
            ],
            "total_cost": price(b.total_cost),
            "total_fixed_cost": price(b.total_fixed_cost),
            "total_energy": b.total_energy_kwh,
            "total_energy_cost": price(b.total_energy_cost),
            "total_time": (b.total_time_s / Decimal(3600)).quantize(Decimal("1E-9")),
            "total_time_cost": price(b.total_time_cost),
            "total_parking_time": (Decimal(b.total_parking_s) / Decimal(3600)).quantize(
                Decimal("1E-9")
            ),
            "total_parking_cost": price(b.total_parking_cost),
            "remark": self._remark(),
            "last_updated": _iso(self.ended_at),
        }


def _remark_for(stop: StopReason | None, waived: bool) -> str | None:
    if stop is None:
        return None
    if waived:
        return f"stop: {stop.value}; idle fee waived: stopped by the station"
    return f"stop: {stop.value}"


def _with_tariff(period: ChargingPeriod, tariff_id: str) -> ChargingPeriod:
    return msgspec.structs.replace(period, tariff_id=tariff_id)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

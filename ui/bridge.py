"""The one object the screens see: properties to show, slots to act.

It lives in the GUI thread and never calls the core directly: actions become jobs for
the station thread (`StationWorker.submit`), and what comes back is a `Snapshot`,
delivered through a queued signal. From a snapshot and the UI's own state (which
connector the driver looks at, the price or the payment step, language, contrast,
reach mode) the bridge derives the screen name and every text the QML shows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal, format_percent
from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.charger.clock import driver_seconds
from kiosk.config import Settings
from kiosk.domain.payment import DeclineCode, PaymentMethod
from kiosk.domain.tariff import NoActiveTariff, Tariff
from kiosk.domain.tariff_text import TariffDescription, describe
from kiosk.ports import TokenEvent, TokenEventKind
from kiosk.station import FlowState
from ui.worker import Snapshot, StationWorker

if TYPE_CHECKING:  # loaded on the station thread, after the first frame
    from kiosk.services.station_service import ConnectorView, StationService

__all__ = ["LANGUAGES", "Bridge"]

log = logging.getLogger(__name__)

LANGUAGES = ("en", "de", "fr", "nl")
_LOCALES = {"en": "en_IE", "de": "de_DE", "fr": "fr_FR", "nl": "nl_NL"}
_METHODS = {
    "card": PaymentMethod.BANK_CARD,
    "rfid": PaymentMethod.ACCOUNT_TOKEN,
    "qr": PaymentMethod.QR_WEB,
}
_SCREENS = {
    FlowState.IDLE: "overview",
    FlowState.CONNECTOR_CHOSEN: "price",
    FlowState.AUTHORIZING: "authorizing",
    FlowState.DECLINED: "declined",
    FlowState.WAITING_FOR_PLUG: "plugIn",
    FlowState.CHARGING: "charging",
    FlowState.FINISHING: "finishing",
    FlowState.RECEIPT: "receipt",
    FlowState.OUT_OF_SERVICE: "outOfService",
    FlowState.FAULTED: "faulted",
    FlowState.OFFLINE: "offline",
}
# A driver is in the middle of something on these: a receipt elsewhere waits on its card.
_BUSY_FLOW = (
    FlowState.CONNECTOR_CHOSEN,
    FlowState.PAYMENT_CHOSEN,
    FlowState.AUTHORIZING,
    FlowState.DECLINED,
    FlowState.WAITING_FOR_PLUG,
)
# Where the phone pays for a QR session; the backend's payment intent gives the real page.
_CHECKOUT_BASE = "https://pay.example.org/checkout/"


class Bridge(QObject):
    changed = Signal()  # anything the screens show
    screenChanged = Signal()
    languageChanged = Signal(str)
    themeChanged = Signal()
    stationFaulted = Signal(str, str)  # the station went out of service: kind, line
    # a job's answer (emitted on the station thread, delivered queued to the GUI thread)
    answered = Signal(object)

    def __init__(
        self,
        worker: StationWorker,
        settings: Settings,
        *,
        retranslate: Callable[[str], None] | None = None,
        demo: bool = False,
        orientation: str = "portrait",
    ) -> None:
        super().__init__()
        self._worker = worker
        self._settings = settings
        self._unavailable = ""  # the station is out of service: the fault's kind
        self._unavailable_line = ""  # ... and its line for the operator (English)
        self._examples: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        self._texts: dict[tuple[str, str, str, str | None], TariffDescription] = {}
        self._retranslate = retranslate
        self._demo = demo
        self._orientation = orientation
        self._snapshot: Snapshot | None = None
        # the demo's terminal simulator (ui.wiring.Kiosk.present_card), once the station is open
        self._hint = ""
        self._cancel_home = ""  # the connector whose Cancel leads back to the start
        self.present_card: Callable[[str], None] | None = None
        # the e-receipt's name at the backend (the station key's; set when the station opens)
        self.receipt_token: Callable[[str], str] | None = None
        # the demo's "pay the QR" shortcut: pays the checkout page as a phone would
        self.pay_qr: Callable[[str], None] | None = None
        # the demo's "Go offline": its backend goes away (True) and comes back (False)
        self.backend_outage: Callable[[bool], None] | None = None
        self._active = ""  # the connector the driver looks at; "" = overview
        self._paying = False  # on the payment-choice step of the price screen
        self._language = "en"
        self._high_contrast = False
        self._reach = False
        self._offline = False
        self._notice = ""  # a transient screen: "timeout" or "error"
        self._notice_text = ""
        self._last_states: dict[str, FlowState] = {}
        self._checkout = ""  # the QR session's checkout id, fresh for each QR payment
        self._lookup = False  # the "Get a receipt" screen is up
        self._shown_receipt: tuple[Any, Any, Any] | None = None  # a receipt asked for again
        self._pad: dict[str, Any] = {}  # the stop-code pad's last answer
        self._confirmation: dict[str, str] = {}  # "stopped by card: €4.20" on its screen
        self._zone = ZoneInfo(settings.station.time_zone)
        self.answered.connect(self._on_answer)
        worker.snapshot.connect(self._on_snapshot)  # queued: emitted on the station thread
        worker.failed.connect(self._on_failed)
        worker.bug.connect(self._on_bug)
        worker.unavailable.connect(self._on_unavailable)

    # ------------------------------------------------------------ snapshots

    def _on_snapshot(self, snap: Snapshot) -> None:
        if self._unavailable:  # the station was opened again: back in service
            self._unavailable = self._unavailable_line = ""
            self._notice = ""
        previous, self._snapshot = self._snapshot, snap
        if snap.settings is not None and snap.settings is not self._settings:
            # a new tariff version from the backend: the price texts are made again
            self._settings = snap.settings
            self._texts.clear()
            self._examples.clear()
        for cid, view in snap.views.items():
            before = self._last_states.get(cid)
            self._last_states[cid] = view.state
            if (
                cid == self._active
                and before in (FlowState.WAITING_FOR_PLUG, FlowState.PAYMENT_CHOSEN)
                and view.state is FlowState.IDLE
            ):
                # worded per method and step on its screen: "bank_card/waiting_for_plug"
                old = None if previous is None else previous.views.get(cid)
                how = "" if old is None or old.method is None else old.method.value
                step = "" if before is None else before.value
                self._notice, self._notice_text = "timeout", f"{how}/{step}"
            if (
                cid == self._active
                and view.state is FlowState.IDLE
                and before
                in (
                    FlowState.RECEIPT,
                    FlowState.CONNECTOR_CHOSEN,
                    FlowState.DECLINED,
                )
            ):
                self._active, self._paying = "", False
            if (
                cid == self._cancel_home
                and before is FlowState.AUTHORIZING
                and view.state is FlowState.CONNECTOR_CHOSEN
            ):
                # "Cancel" (not "Other payment") while the terminal waited: once it has
                # answered the abort, the driver is back at the start
                self._cancel_home = ""
                self._submit(cid, partial(_back_to_idle, cid=cid))
                if cid == self._active:
                    self._active, self._paying = "", False
            if view.state is FlowState.RECEIPT and before not in (None, FlowState.RECEIPT):
                self._receipt_arrived(cid)
        self.changed.emit()
        self.screenChanged.emit()

    def _receipt_arrived(self, cid: str) -> None:
        """A car was unplugged: its receipt comes up, whatever screen is up, unless another
        driver is in the middle of paying (then it waits one tap away on its card)."""
        active = self._view() if self._active and self._active != cid else None
        if active is not None and active.state in _BUSY_FLOW:
            log.info(
                "receipt of connector %s kept on its card: connector %s is in use",
                cid,
                self._active,
            )
            return
        if self._lookup and self._pad:
            log.info("receipt of connector %s kept on its card: a code is being typed", cid)
            return
        self._active, self._paying, self._notice = cid, False, ""
        self._lookup, self._shown_receipt, self._pad = False, None, {}

    def _on_answer(self, answer: Any) -> None:
        """What a driver's action did, from the station thread: the screen answers it."""
        kind = answer.get("kind", "")
        if kind == "stopped":
            self._active, self._paying, self._notice = answer["connector"], False, ""
            self._lookup, self._pad = False, {}
            cost = answer.get("cost")  # an Amount, formatted here in the screen's language
            money = (
                ""
                if cost is None
                else self.money(cost.incl_vat, self._currency(answer["connector"]))
            )
            self._confirmation = {"how": answer["how"], "cost": money}
        elif kind == "finishing":
            self._active, self._paying, self._notice = answer["connector"], False, ""
            self._lookup, self._pad = False, {}
        elif kind == "receipt":
            self._shown_receipt = answer["parts"]
            self._lookup, self._pad, self._notice, self._paying = False, {}, "", False
            self._active = ""
        elif kind == "pad":
            self._pad = answer
        elif kind == "hint":
            self._hint = answer.get("what", "")
            self.changed.emit()
            return
        self.changed.emit()
        self.screenChanged.emit()

    def _on_failed(self, connector_id: str, message: str) -> None:
        self._notice, self._notice_text = "error", message
        self.changed.emit()
        self.screenChanged.emit()

    def _on_unavailable(self, kind: str, line: str) -> None:
        """The whole station is out of service (kind: kiosk.faults.FaultKind)."""
        self._unavailable, self._unavailable_line = kind or "other", line
        self._snapshot = None  # what it showed is no longer what the ledger holds
        self._active, self._paying, self._notice = "", False, ""
        self.stationFaulted.emit(self._unavailable, line)
        self.changed.emit()
        self.screenChanged.emit()

    def _on_bug(self, message: str) -> None:
        log.error("station bug shown to the driver as a generic error: %s", message)
        self._on_failed("", "")

    def _view(self, cid: str | None = None) -> ConnectorView | None:
        if self._snapshot is None:
            return None
        return self._snapshot.views.get(cid if cid is not None else self._active)

    # ------------------------------------------------------------ formatting

    def _locale(self) -> str:
        return _LOCALES[self._language]

    def money(self, amount: Decimal | None, currency: str = "EUR") -> str:
        if amount is None:
            return "—"
        return str(format_currency(amount, currency, locale=self._locale()))

    def number(self, value: Decimal, places: int = 2) -> str:
        q = Decimal(1).scaleb(-places)
        pattern = f"#,##0.{'0' * places}" if places else "#,##0"
        return str(format_decimal(value.quantize(q), format=pattern, locale=self._locale()))

    @staticmethod
    def duration(seconds: int) -> str:
        h, rest = divmod(max(0, seconds), 3600)
        m, s = divmod(rest, 60)
        return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"

    def _currency(self, cid: str) -> str:
        tariffs = self._settings.tariffs.get(cid)
        return tariffs[0].currency if tariffs else "EUR"

    def _now(self) -> datetime:
        return self._snapshot.at if self._snapshot is not None else datetime.now(UTC)

    def _tariff(self, cid: str, method: PaymentMethod) -> Tariff:
        return self._settings.tariff_for(cid, method, self._now())

    def _describe(self, cid: str, tariff: Tariff, group: str | None = None) -> TariffDescription:
        """The tariff's price texts, made once per language: the screens re-read them on
        every snapshot, and the settings (so the tariffs) never change while running."""
        key = (cid, tariff.id, self._language, group)
        found = self._texts.get(key)
        if found is None:
            tariffs = self._settings.tariffs[cid] if group else ()
            found = describe(tariff, self._language, group=group, tariffs=tariffs)
            self._texts[key] = found
        return found

    def _example(self, cid: str, tariff: Tariff) -> dict[str, Any]:
        """A worked example for the price screen, priced from this minute on (cached)."""
        start = self._now().replace(second=0, microsecond=0)
        key = (cid, self._language, start)
        found = self._examples.get(key)
        if found is None:
            # the pricing engine loads with the first price screen, not before the first frame
            from kiosk.domain.estimate import (  # noqa: PLC0415
                current_lines,
                estimate_example,
                example_charge,
                rate_changes,
            )

            config = self._settings.connector(cid)
            charge = example_charge(config.power_type, config.max_power_kw)
            try:
                estimate = estimate_example(
                    tariff, charge, start=start, tz=self._settings.station.time_zone
                )
            except NoActiveTariff:  # the tariff starts within this minute: no example yet
                return {}
            gross = estimate.cost.incl_vat
            d = self._describe(cid, tariff)
            found = {
                "energy": self.number(charge.energy_kwh, 0),
                "power": self.number(charge.power_kw, 0 if charge.power_kw % 1 == 0 else 1),
                "minutes": charge.minutes,
                "cost": self.money(gross, tariff.currency),
                # the rates this charge pays now, and when one changes (station time)
                "current": sorted(current_lines(d, estimate)),
                "changes": [
                    {
                        "at": at.astimezone(self._zone).strftime("%H:%M"),
                        "amount": line.amount,
                        "label": line.label,
                    }
                    for at, line in rate_changes(d, estimate)
                ],
            }
            self._examples = {key: found}  # only the current minute is ever asked for
        return found

    # ------------------------------------------------------------ properties

    def _get_screen(self) -> str:
        if self._unavailable:
            return "outOfService"
        if self._notice:
            return self._notice
        if self._shown_receipt is not None:
            return "receipt"
        if self._lookup:
            return "getReceipt"
        view = self._view()
        if view is None or not self._active:
            return "overview"
        if view.state is FlowState.CONNECTOR_CHOSEN:
            return "payment" if self._paying else "price"
        if view.state is FlowState.PAYMENT_CHOSEN:
            return {
                PaymentMethod.ACCOUNT_TOKEN: "waitCard",
                PaymentMethod.BANK_CARD: "terminal",
                PaymentMethod.QR_WEB: "qr",
            }.get(view.method or PaymentMethod.BANK_CARD, "terminal")
        # the phone's checkout stays on the QR screen from the moment its page is being
        # made (the provider's first SCAN_QR, without a URL yet) until the backend answers
        if (
            view.state is FlowState.AUTHORIZING
            and view.method is PaymentMethod.QR_WEB
            and (view.terminal_prompt is not None or view.checkout_url or view.cancelling)
        ):
            return "qr"
        # the terminal's own prompts stay on the card screen until it has answered
        if (
            view.state is FlowState.AUTHORIZING
            and view.method is PaymentMethod.BANK_CARD
            and (view.terminal_prompt is not None or view.cancelling)
        ):
            return "terminal"
        return _SCREENS.get(view.state, "overview")

    screen = Property(str, _get_screen, notify=screenChanged)

    def _get_active(self) -> str:
        return self._active

    activeConnector = Property(str, _get_active, notify=changed)

    def _get_connectors(self) -> list[dict[str, Any]]:
        out = []
        for config in self._settings.connectors:
            cid = config.id
            tariff = self._tariff(cid, PaymentMethod.BANK_CARD)
            card: dict[str, Any] = {
                "id": cid,
                "label": config.label,
                "powerType": "DC" if config.power_type == "DC" else "AC",
                "maxPower": f"{config.max_power_kw} kW",
                "standard": config.standard,
                # until the station thread's first snapshot: the price, not yet the state
                "state": "out_of_service" if self._unavailable else "starting",
                "available": False,
                "charging": False,
                "priceText": self._describe(cid, tariff).summary,
                "energy": "",
                "power": "",
                "cost": "",
                "suspended": False,
                "idleFrom": "",
                "receipt": False,
            }
            view = self._view(cid)
            if view is not None:
                card.update(
                    label=view.label,
                    state=view.state.value,
                    available=view.state is FlowState.IDLE and not view.faulted,
                    charging=view.state in (FlowState.CHARGING, FlowState.FINISHING),
                    energy=f"{self.number(view.energy_kwh, 2)} kWh",
                    power=f"{self.number(view.power_kw, 1)} kW",
                    cost=""
                    if view.cost is None
                    else self.money(view.cost.incl_vat, self._currency(cid)),
                    suspended=view.state is FlowState.CHARGING and view.idle_since is not None,
                    idleFrom=self._idle_fee(view, self._currency(cid))["idleFrom"],
                    receipt=view.state is FlowState.RECEIPT or view.last_receipt_id is not None,
                )
            out.append(card)
        return out

    connectors = Property(list, _get_connectors, notify=changed)

    def _get_price(self) -> dict[str, Any]:
        settings = self._settings
        cid = self._active  # only the price, payment, terminal and QR screens show it
        if not cid:
            return {}
        tariff = self._tariff(cid, PaymentMethod.BANK_CARD)
        d = self._describe(cid, tariff)
        member = self._describe(cid, tariff, group="member")
        example = self._example(cid, tariff)
        return {
            "connector": cid,
            "summary": d.summary,
            "vatNote": d.vat_note,
            "lines": [
                {
                    "kind": line.kind.value,
                    "label": line.label,
                    "amount": line.amount,
                    "condition": line.condition,
                    "current": i in example.get("current", ()),
                }
                for i, line in enumerate(d.lines)
            ],
            "example": example,
            "memberSummary": member.summary if member.summary != d.summary else "",
            "memberNote": member.group_note,
            "holds": {
                "card": self.money(settings.holds.bank_card, tariff.currency),
                "qr": self.money(settings.holds.qr_web, tariff.currency),
            },
        }

    price = Property(dict, _get_price, notify=changed)

    def _get_session(self) -> dict[str, Any]:
        view = self._view()
        if view is None:
            return {}
        currency = self._currency(view.connector_id)
        cost = view.cost
        shown = None if cost is None else cost.incl_vat
        remaining = None if view.authorized is None or shown is None else view.authorized - shown
        elapsed = 0
        if view.started_at is not None and self._snapshot is not None:
            elapsed = int((self._snapshot.at - view.started_at).total_seconds())
        history = (
            []
            if self._snapshot is None
            else self._snapshot.power_history.get(view.connector_id, [])
        )
        idle = self._idle_fee(view, currency)
        return {
            "connector": view.connector_id,
            "label": view.label,
            "energy": self.number(view.energy_kwh, 2),
            "power": self.number(view.power_kw, 1),
            "cost": self.money(shown, currency),
            "hold": self.money(view.authorized, currency),
            "holdFraction": 0.0
            if not view.authorized or shown is None
            else float(min(Decimal(1), max(Decimal(0), shown / view.authorized))),
            "remaining": self.money(remaining, currency) if remaining is not None else "",
            "soc": "" if view.soc_percent is None else f"{int(view.soc_percent)} %",
            "socValue": -1 if view.soc_percent is None else float(view.soc_percent),
            "elapsed": self.duration(elapsed),
            "stopCode": view.stop_code or "",
            "history": history,
            "maxPower": float(self._settings.connector(view.connector_id).max_power_kw),
            "secondsLeft": self._checkout_seconds(view.checkout_expires)
            if view.checkout_expires is not None
            else self._seconds_left(view.deadline),
            "message": view.message or "",
            "declineCode": (view.decline or DeclineCode.DECLINED).value
            if view.state is FlowState.DECLINED
            else "",
            "method": "" if view.method is None else view.method.value,
            "terminalPrompt": "" if view.terminal_prompt is None else view.terminal_prompt.value,
            "terminalText": view.terminal_text,
            "cancelling": view.cancelling,
            "checkoutUrl": view.checkout_url
            or (  # the simulated QR's page, which waits for the driver in PAYMENT_CHOSEN
                f"{_CHECKOUT_BASE}{self._checkout}"
                if self._checkout and view.state is FlowState.PAYMENT_CHOSEN
                else ""
            ),
            "suspended": view.state is FlowState.CHARGING and view.idle_since is not None,
            "carDetail": view.car_detail,
            "stopReason": "" if view.stop_reason is None else view.stop_reason.value,
            "confirmation": dict(self._confirmation) if view.state is FlowState.FINISHING else {},
            **idle,
        }

    session = Property(dict, _get_session, notify=changed)

    def _idle_fee(self, view: ConnectorView, currency: str) -> dict[str, Any]:
        """The idle fee after a stop: price per minute, cap, seconds of grace left (-1: none)."""
        method = view.method or PaymentMethod.BANK_CARD
        fee = self._tariff(view.connector_id, method).extensions.idle_fee
        waived = view.idle_fee_waived
        if fee is None or waived:
            return {
                "idleFee": "",
                "idleCap": "",
                "idleSecondsLeft": -1,
                "idleFrom": "",
                "idleWaived": waived,
            }
        gross = fee.price_per_minute * (100 + (fee.vat or 0)) / 100
        cap = None if fee.max_fee is None else fee.max_fee * (100 + (fee.vat or 0)) / 100
        # the core's clock: since the car stopped taking energy, as the receipt bills it
        since = view.idle_since
        left = fee.grace_minutes * 60
        starts = ""
        if since is not None and self._snapshot is not None:
            left = max(0, left - int((self._snapshot.at - since).total_seconds()))
            at = (since + timedelta(minutes=fee.grace_minutes)).astimezone(self._zone)
            starts = at.strftime("%H:%M")
        return {
            "idleFee": self.money(gross, currency),
            "idleCap": "" if cap is None else self.money(cap, currency),
            "idleSecondsLeft": left,
            "idleFrom": starts,
            "idleWaived": False,
        }

    def _checkout_seconds(self, expires: datetime) -> int:
        """Until the checkout page stops taking the payment: the backend's wall clock,
        whatever the demo's speed (its offset from ours as the sync measured it)."""
        backend = {} if self._snapshot is None else self._snapshot.backend
        offset = float(backend.get("offset_s") or 0.0)
        return max(0, int((expires - datetime.now(UTC)).total_seconds() - offset))

    def _seconds_left(self, deadline: datetime | None) -> int:
        if deadline is None or self._snapshot is None:
            return 0
        # the service set it in real seconds for the driver (kiosk.charger.clock.driver_wait)
        clock = self._worker.service.clock  # there is a snapshot: the service is open
        return max(0, int(driver_seconds(clock, deadline - self._snapshot.at)))

    def _get_receipt(self) -> dict[str, Any]:
        loaded = self._shown_receipt
        if loaded is None:
            view = self._view()
            if view is None or view.receipt_session_id is None or self._snapshot is None:
                return {}
            loaded = self._snapshot.receipts.get(view.connector_id)
        if loaded is None:
            return {}
        s, p, breakdown = loaded  # read by the station thread; building it is pure CPU
        if s.totals is None:
            return {}
        from kiosk.receipts import StationInfo, build_receipt  # noqa: PLC0415 - after first frame

        settings = self._settings
        r = build_receipt(
            s,
            p,
            breakdown,
            StationInfo.from_config(settings.station, settings.connectors),
            language=self._language,
            e_receipt_base_url=settings.e_receipt_base_url,
            e_receipt_token=None if self.receipt_token is None else self.receipt_token(s.id),
        )
        return {
            "id": r.receipt_id,
            "lines": [
                {
                    "label": line.label,
                    "detail": " · ".join(
                        x for x in (line.quantity, line.unit_price_text, line.note) if x
                    ),
                    "amount": self.money(line.amount, r.currency),
                    "step": line.step_note,
                }
                for line in r.shown_lines()
            ],
            "total": self.money(r.total, r.currency),
            "vat": [
                {
                    "rate": "—"
                    if v.rate is None
                    else str(
                        format_percent(
                            v.rate / 100, locale=self._locale(), decimal_quantization=False
                        )
                    ),
                    "amount": self.money(v.vat, r.currency),
                }
                for v in r.vat_breakdown
            ],
            "energy": self.number(r.energy_kwh, 2),
            "duration": self.duration(r.charging_s + r.parking_s),
            "payment": ""
            if r.payment is None
            else (r.payment.masked_ref or r.payment.method_label),
            "url": r.e_receipt_url or "",
            "stopReason": r.stop_reason_text,
            "again": self._shown_receipt is not None,  # asked for again: no countdown
        }

    receipt = Property(dict, _get_receipt, notify=changed)

    def _get_live(self) -> bool:
        """The station thread has opened the ledger and sent its first snapshot."""
        return self._snapshot is not None

    live = Property(bool, _get_live, notify=changed)

    def _get_station_fault(self) -> str:
        """Why the whole station is out of service ("" while it is in service): a
        kiosk.faults kind, which the out-of-service screen says in the driver's language."""
        return self._unavailable

    stationFault = Property(str, _get_station_fault, notify=changed)

    def _get_station_fault_line(self) -> str:
        """The same fault as one line for the operator (English, as in the log)."""
        return self._unavailable_line

    stationFaultLine = Property(str, _get_station_fault_line, notify=changed)

    def _get_pad(self) -> dict[str, Any]:
        """The stop-code pad's last answer: outcome wrong/locked/other_connector, tries."""
        return dict(self._pad)

    padAnswer = Property(dict, _get_pad, notify=changed)

    def _get_notice(self) -> str:
        return self._notice_text

    noticeText = Property(str, _get_notice, notify=changed)

    def _get_language(self) -> str:
        return self._language

    language = Property(str, _get_language, notify=languageChanged)

    def _get_languages(self) -> list[str]:
        return list(LANGUAGES)

    languages = Property(list, _get_languages, constant=True)

    def _get_high_contrast(self) -> bool:
        return self._high_contrast

    highContrast = Property(bool, _get_high_contrast, notify=themeChanged)

    def _get_reach(self) -> bool:
        return self._reach

    reachMode = Property(bool, _get_reach, notify=themeChanged)

    def _get_orientation(self) -> str:
        return self._orientation

    orientation = Property(str, _get_orientation, notify=themeChanged)

    def _get_offline(self) -> bool:
        backend = {} if self._snapshot is None else self._snapshot.backend
        return self._offline or backend.get("online") is False

    offline = Property(bool, _get_offline, notify=changed)

    def _get_demo(self) -> bool:
        return self._demo

    demo = Property(bool, _get_demo, constant=True)

    def _get_station(self) -> dict[str, str]:
        st = self._settings.station
        return {"name": st.name, "operator": st.operator, "address": f"{st.address}, {st.city}"}

    station = Property(dict, _get_station, constant=True)

    # ---------------------------------------------------------------- slots

    def _submit(self, cid: str, job: Callable[[StationService], Any]) -> None:
        self._worker.submit(cid, job)

    @Slot(str)
    def selectConnector(self, cid: str) -> None:
        view = self._view(cid)
        self._notice = ""
        self._confirmation, self._pad = {}, {}
        self._active = cid
        self._paying = False
        if view is not None and view.state is FlowState.IDLE:
            self._submit(cid, lambda s: s.select(cid))
        self.changed.emit()
        self.screenChanged.emit()

    @Slot()
    def goHome(self) -> None:
        view = self._view()
        cid = self._active
        self._notice = ""
        self._lookup, self._shown_receipt, self._pad, self._confirmation = False, None, {}, {}
        if view is not None and view.state in (
            FlowState.CONNECTOR_CHOSEN,
            FlowState.PAYMENT_CHOSEN,
            FlowState.DECLINED,
        ):
            self._submit(cid, lambda s: _back_to_idle(s, cid))
        elif view is not None and view.state is FlowState.RECEIPT:
            self._submit(cid, lambda s: s.receipt_done(cid))
        self._active, self._paying = "", False
        self.changed.emit()
        self.screenChanged.emit()

    @Slot()
    def back(self) -> None:
        cid = self._active
        view = self._view()
        self._notice = ""
        if view is None:
            return
        if view.state is FlowState.CONNECTOR_CHOSEN and self._paying:
            self._paying = False
        elif view.state in (FlowState.CONNECTOR_CHOSEN,):
            self.goHome()
            return
        elif view.state is FlowState.AUTHORIZING:
            self._submit(cid, lambda s: s.cancel_payment(cid))  # the terminal aborts
        elif view.state is FlowState.WAITING_FOR_PLUG:
            # cancelled before plugging in: the hold is voided, the driver is back at
            # the start (not on the timeout notice, which is for a plug-in that never came)
            self._submit(cid, lambda s: s.back(cid))
            self._active, self._paying = "", False
        else:
            self._submit(cid, lambda s: s.back(cid))
        self.changed.emit()
        self.screenChanged.emit()

    @Slot()
    def cancelPayment(self) -> None:
        """Cancel while the terminal waits for the card: it is asked to abort, and the
        screen goes to the start once it has answered ("Other payment": `back`)."""
        cid = self._active
        view = self._view()
        if view is not None and view.state is FlowState.AUTHORIZING:
            self._cancel_home = cid
            self._submit(cid, lambda s: s.cancel_payment(cid))
        else:
            self.goHome()

    @Slot()
    def toPayment(self) -> None:
        self._paying = True
        self.screenChanged.emit()

    @Slot(str)
    def choosePayment(self, method: str) -> None:
        cid = self._active
        chosen = _METHODS[method]
        if chosen is PaymentMethod.QR_WEB:  # the simulated QR's; the backend's has its own
            self._checkout = f"checkout-{cid}-{time.time_ns()}"
        self._submit(cid, lambda s: s.choose_payment(cid, chosen))

    @Slot()
    def touch(self) -> None:
        cid = self._active
        if cid:
            self._submit(cid, lambda s: s.touch(cid))

    @Slot(str)
    def payByCard(self, test_card: str) -> None:
        """The terminal read a card (the demo's developer panel picks the test card)."""
        cid = self._active
        if not self._fits("terminal", "a card at the terminal"):
            return
        if self.present_card is not None:  # the ZVT simulator: a card held to it
            self.present_card(test_card)
            return
        self._submit(cid, lambda s: _pay_card(s, cid, test_card))

    def _fits(self, screen: str, what: str) -> bool:
        """Whether an event fits the screen that is up; one that does not is logged only."""
        shown = self._get_screen()
        if shown == screen and self._active:
            return True
        log.info("%s ignored: the screen shows %s", what, shown)
        return False

    @Slot()
    def qrPaid(self) -> None:
        cid = self._active
        if not self._fits("qr", "a phone payment"):
            return
        view = self._view()
        if view is not None and view.checkout_url and self.pay_qr is not None:
            self.pay_qr(view.checkout_url)  # as the phone would: the backend tells the station
            return
        checkout = self._checkout or f"checkout-{cid}-{time.time_ns()}"
        self._checkout = ""
        self._submit(cid, lambda s: s.pay_by_qr(cid, checkout))

    @Slot(str)
    def tapCard(self, uid: str) -> None:
        """A card on the RFID reader: pays, stops its session, or shows its receipt again.

        Called from the reader's thread too: it only reads plain attributes and queues."""
        cid = self._active
        answer = self.answered.emit
        if self._lookup:
            self._submit("", lambda s: _receipt_by_card(s, uid, answer))
        else:
            self._submit(cid, lambda s: _tap(s, uid, cid or None, answer))

    def reader_event(self, event: TokenEvent) -> None:
        """The RFID reader's events, from its thread: a card pays or stops as a tap does;
        a bank card or an unreadable card gets a hint; the reader's state reaches the loop."""
        if event.kind is TokenEventKind.PRESENTED and event.uid:
            self.tapCard(event.uid)
            return
        if event.kind in (TokenEventKind.BANK_CARD, TokenEventKind.UNREADABLE):
            self.answered.emit({"kind": "hint", "what": event.kind.value})
        elif event.kind is not TokenEventKind.REMOVED:  # attached, detached, faulted
            self._submit("", lambda s: s.reader_event(event))

    @Slot(str)
    def devReaderEvent(self, kind: str) -> None:
        """The developer panel: a bank card, or a card that cannot be read, on the reader."""
        now = datetime.now(UTC)
        self.reader_event(TokenEvent(TokenEventKind(kind), "developer panel", now))

    @Slot()
    def clearHint(self) -> None:
        self._hint = ""
        self.changed.emit()

    def _get_hint(self) -> str:
        return self._hint

    # a passing word about the RFID reader: "bank_card" (use the terminal), "unreadable"
    hint = Property(str, _get_hint, notify=changed)

    def _get_devices(self) -> dict[str, str]:
        return {} if self._snapshot is None else dict(self._snapshot.devices)

    # "reader", "terminal", "accounts", "qr" -> "ok", "missing" or "none"
    devices = Property(dict, _get_devices, notify=changed)

    @Slot()
    def stopCharging(self) -> None:
        """The driver confirmed "Stop charging" on their own session's screen."""
        cid = self._active
        answer = self.answered.emit
        self._submit(cid, lambda s: _stop(s, cid, answer))

    @Slot(str)
    def stopWithCode(self, code: str) -> None:
        self._stop_code(code, other_ok=False)

    @Slot(str)
    def stopOtherWithCode(self, code: str) -> None:
        """The code was another connector's: the driver said yes, stop that one."""
        self._stop_code(code, other_ok=True)

    def _stop_code(self, code: str, *, other_ok: bool) -> None:
        cid = self._active
        answer = self.answered.emit
        if self._lookup:
            self._submit("", lambda s: _receipt_by_code(s, code, answer))
            return
        self._submit(cid, lambda s: _stop_code(s, code, cid or None, other_ok, answer))

    @Slot()
    def openReceiptLookup(self) -> None:
        """ "Get a receipt" on the overview: by stop code or by card."""
        self._active, self._paying, self._notice = "", False, ""
        self._lookup, self._pad, self._shown_receipt = True, {}, None
        self.changed.emit()
        self.screenChanged.emit()

    @Slot(str)
    def showReceipt(self, cid: str) -> None:
        """The receipt button on a connector's card: its last session's receipt."""
        view = self._view(cid)
        if view is None:
            return
        if view.state is FlowState.RECEIPT:
            self.openSession(cid)
            return
        sid = view.last_receipt_id
        if sid is None:
            log.info("receipt of connector %s: no longer offered", cid)
            return
        answer = self.answered.emit
        self._submit(cid, lambda s: _receipt(s, sid, answer))

    @Slot()
    def clearPad(self) -> None:
        self._pad = {}
        self.changed.emit()

    @Slot()
    def receiptDone(self) -> None:
        if self._shown_receipt is not None:  # asked for again: the connector is elsewhere
            self._shown_receipt = None
            self._active, self._paying = "", False
            self.changed.emit()
            self.screenChanged.emit()
            return
        self.goHome()

    @Slot(str)
    def setLanguage(self, code: str) -> None:
        if code not in LANGUAGES or code == self._language:
            return
        self._language = code
        if self._retranslate is not None:
            self._retranslate(code)
        self.languageChanged.emit(code)
        self.changed.emit()

    @Slot()
    def toggleHighContrast(self) -> None:
        self._high_contrast = not self._high_contrast
        self.themeChanged.emit()

    @Slot()
    def toggleReachMode(self) -> None:
        self._reach = not self._reach
        self.themeChanged.emit()

    @Slot(bool)
    def setOffline(self, offline: bool) -> None:
        """The developer panel: with the demo's backend, a real outage (the sync finds
        out by itself and the banner follows); without one, only the banner."""
        if self.backend_outage is not None:
            threading.Thread(
                target=self.backend_outage, args=(offline,), name="demo-outage", daemon=True
            ).start()
            return
        self._offline = offline
        self.changed.emit()

    @Slot(str)
    def openSession(self, cid: str) -> None:
        """A driver opens their running session from the overview."""
        self._notice = ""
        self._confirmation, self._pad = {}, {}
        self._active = cid
        self.changed.emit()
        self.screenChanged.emit()

    # developer panel (demo only): the simulated car and charger
    @Slot(str)
    def devPlugIn(self, cid: str) -> None:
        self._worker.submit(cid, lambda s: _dev(s, cid, "plug"))

    @Slot(str)
    def devUnplug(self, cid: str) -> None:
        self._worker.submit(cid, lambda s: _dev(s, cid, "unplug"))

    @Slot(str)
    def devFault(self, cid: str) -> None:
        self._worker.submit(cid, lambda s: _dev(s, cid, "fault"))

    @Slot(str)
    def devClearFault(self, cid: str) -> None:
        self._worker.submit(cid, lambda s: _dev(s, cid, "clear"))


def _back_to_idle(s: StationService, cid: str) -> None:
    for _ in range(3):
        if s.connectors[cid].flow.state is FlowState.IDLE:
            return
        s.back(cid)


Answer = Callable[[dict[str, Any]], None]


def _stop(s: StationService, cid: str, answer: Answer) -> None:
    from kiosk.domain.session import StopReason  # noqa: PLC0415 - loaded with the station

    c = s.connectors.get(cid)
    if c is None or c.session is None or not c.session.state.is_running:
        log.info("stop on connector %r ignored: nothing is charging there (a late tap)", cid)
        return
    s.stop(cid, StopReason.DRIVER_SCREEN)
    answer({"kind": "stopped", "connector": cid, "how": "screen", "cost": s.view(cid).cost})


def _tap(s: StationService, uid: str, cid: str | None, answer: Answer) -> None:
    outcome = s.present_token(uid, cid)
    kind, _, what = outcome.partition(":")
    if kind == "stopped":
        answer({"kind": "stopped", "connector": what, "how": "card", "cost": s.view(what).cost})
    elif kind == "finishing":
        answer({"kind": "finishing", "connector": what})
    elif kind == "receipt":
        _receipt(s, what, answer)


def _receipt(s: StationService, sid: str, answer: Answer) -> None:
    parts = s.receipt_parts(sid)
    if parts is None:
        log.info("receipt of session %s cannot be shown: not completed", sid)
        return
    answer({"kind": "receipt", "parts": parts})


def _receipt_by_card(s: StationService, uid: str, answer: Answer) -> None:
    sid = s.receipt_by_token(uid)
    if sid is None:
        answer({"kind": "pad", "outcome": "no_card_receipt"})
        return
    _receipt(s, sid, answer)


def _receipt_by_code(s: StationService, code: str, answer: Answer) -> None:
    from kiosk.services.station_service import CodeOutcome  # noqa: PLC0415

    found = s.receipt_by_code(code)
    if found.outcome is CodeOutcome.RECEIPT and found.session_id is not None:
        _receipt(s, found.session_id, answer)
        return
    answer(_pad_answer(s, found))


def _pay_card(s: StationService, cid: str, test_card: str) -> None:
    provider = s.providers[PaymentMethod.BANK_CARD]
    if hasattr(provider, "next_card"):
        provider.next_card = test_card
    s.pay_by_card(cid)


def _stop_code(
    s: StationService, code: str, cid: str | None, other_ok: bool, answer: Answer
) -> None:
    from kiosk.services.station_service import CodeOutcome  # noqa: PLC0415

    found = s.stop_by_code(code, cid, other_ok=other_ok)
    if found.outcome is CodeOutcome.STOPPED and found.connector_id is not None:
        answer(
            {
                "kind": "stopped",
                "connector": found.connector_id,
                "how": "code",
                "cost": found.cost,
            }
        )
        return
    answer(_pad_answer(s, found))


def _pad_answer(s: StationService, found: Any) -> dict[str, Any]:
    other = "" if found.connector_id is None else s.connectors[found.connector_id].config.label
    return {
        "kind": "pad",
        "outcome": found.outcome.value,
        "triesLeft": found.tries_left,
        "lockedS": found.locked_s,
        "until": (s.now() + timedelta(seconds=found.locked_s)).timestamp(),
        "other": other,
    }


def _dev(s: StationService, cid: str, what: str) -> None:
    from ui.demo_wiring import developer_action  # noqa: PLC0415 - the demo's panel only

    developer_action(s.charger, s.settings, cid, what)
    s.tick()

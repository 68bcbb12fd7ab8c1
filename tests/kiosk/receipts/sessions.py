"""Real sessions for the receipt tests, built through the domain aggregates."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kiosk.domain import jsonio
from kiosk.domain.payment import Payment, PaymentMethod
from kiosk.domain.pricing import CostBreakdown
from kiosk.domain.session import ChargingSession, MeterSample, TokenType
from kiosk.domain.tariff import Tariff, parse_tariff
from kiosk.paths import assets_dir
from kiosk.receipts import Receipt, StationInfo, build_receipt

STATION = StationInfo(
    name="Marktplatz Charging Hub",
    address_lines=("Marktplatz 1", "12345 Musterstadt"),
    operator="Stadtwerke Musterstadt",
    vat_id="DE123456789",
    connector_labels={"1": "Left · Type 2", "2": "Right · Type 2", "3": "DC · CCS"},
)


def tariff_object(file: str, tariff_id: str | None = None) -> dict[str, Any]:
    """One tariff of a sample file as a JSON object (numbers as Decimals)."""
    data = jsonio.loads((assets_dir() / "tariffs" / file).read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else [data]
    for item in items:
        if tariff_id is None or item["id"] == tariff_id:
            return dict(item)
    raise KeyError(tariff_id)


def load_tariff(file: str, tariff_id: str | None = None) -> tuple[Tariff, str]:
    """One tariff of a sample file, with its own JSON text (what a session freezes)."""
    item = tariff_object(file, tariff_id)
    return parse_tariff(item), jsonio.dumps_numbers(item)


@dataclass
class Finished:
    session: ChargingSession
    payment: Payment
    breakdown: CostBreakdown


def charge(
    file: str | dict[str, Any],
    *,
    start: datetime = datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
    legs: Sequence[tuple[int, Decimal]] = ((3600, Decimal(11)),),
    idle_s: int = 0,
    group: str | None = None,
    method: PaymentMethod = PaymentMethod.BANK_CARD,
    hold: Decimal = Decimal("100.00"),
    masked_ref: str = "VISA •••• 4242",
    connector: str = "1",
    tz: str = "Europe/Berlin",
    step_s: int = 60,
    session_id: str | None = None,
) -> Finished:
    """A session: `legs` of (seconds, kW) charging, then `idle_s` plugged in, unplugged.

    `file` is a sample tariff file, or a tariff as a JSON object. Payment: authorized
    `hold`, captured the session's gross cost.
    """
    if isinstance(file, str):
        tariff, text = load_tariff(file)
    else:
        tariff, text = parse_tariff(file), jsonio.dumps_numbers(file)
    session = ChargingSession.begin(
        station_id="DE-KIO-S1",
        connector_id=connector,
        evse_id=f"DE*KIO*E{connector}",
        tariff=tariff,
        tariff_json=text,
        tz=tz,
        token_type=TokenType.AD_HOC_USER,
        token_uid=None,
        payment_id=None,
        customer_group=None,
        now=start - timedelta(seconds=30),
    )
    if session_id is not None:
        session.id = session_id  # a fixed id: reproducible examples
    payment = Payment.create(
        session_id=session.id, method=method, currency=tariff.currency, now=start
    )
    op = payment.begin_authorize(hold, start - timedelta(seconds=20))
    payment.complete(
        op, ok=True, now=start - timedelta(seconds=19), provider_ref="auth-1", masked_ref=masked_ref
    )
    session.payment_id = payment.id
    session.authorized(group, start - timedelta(seconds=19))
    meter = Decimal(1_000_000)
    at = start
    session.plugged_in(at, meter)
    for seconds, kw in legs:
        end = at + timedelta(seconds=seconds)
        while at < end:
            step = min(step_s, int((end - at).total_seconds()))
            at += timedelta(seconds=step)
            meter += kw * 1000 * step / 3600
            meter = meter.quantize(Decimal("0.001"))
            session.record(MeterSample(at=at, energy_wh=meter, power_kw=kw))
    end = at + timedelta(seconds=idle_s)
    while at < end:
        step = min(step_s * 5, int((end - at).total_seconds()))
        at += timedelta(seconds=step)
        session.record(MeterSample(at=at, energy_wh=meter, power_kw=Decimal(0)))
    breakdown = session.unplugged(at + timedelta(seconds=1), meter)
    assert session.totals is not None
    settle = payment.begin_settle(session.totals.cost_incl_vat, at + timedelta(seconds=2))
    payment.complete(settle, ok=True, now=at + timedelta(seconds=3), provider_ref="cap-1")
    return Finished(session, payment, breakdown)


URL = "https://receipts.example.org/r/"
TOKEN = "Qm9uX3Rva2VuXzEyOA"  # an e-receipt's name (StationKeys.receipt_token)
NIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 21:00 in Berlin: day, then night price


def _two_rates() -> dict[str, Any]:
    """DC tiers with the start fee at 7 % VAT: a session with two VAT rates, capped."""
    tariff = copy.deepcopy(tariff_object("dc_power_tiers.json"))
    tariff["id"] = "DC-TWO-RATES"
    tariff["elements"][0]["price_components"][0]["vat"] = Decimal(7)
    tariff["elements"][0]["price_components"][0]["price"] = Decimal("7.4766")
    return tariff


def _no_vat() -> dict[str, Any]:
    tariff = copy.deepcopy(tariff_object("ac_simple.json"))
    tariff["id"] = "AC-NET"
    for element in tariff["elements"]:
        for component in element["price_components"]:
            component.pop("vat", None)
    return tariff


SCENARIOS: dict[str, Callable[[], Finished]] = {
    # two energy prices (day, night), idle fee, a rounding line
    "time_of_use": lambda: charge(
        "ac_time_of_use.json", start=NIGHT, legs=((74 * 60, Decimal("10.3")),), idle_s=25 * 60
    ),
    # charging time after 4 h, idle fee capped
    "long_idle": lambda: charge(
        "ac_time_of_use.json", legs=((5 * 3600, Decimal(11)),), idle_s=60 * 60
    ),
    "member": lambda: charge("ac_member_groups.json", group="member"),
    "staff": lambda: charge("ac_member_groups.json", group="staff", legs=((95 * 60, Decimal(11)),)),
    # the group's own tariff, as the station service picks it for the fleet group
    "fleet": lambda: charge(tariff_object("ac_member_groups.json", "AC-FLEET"), group="fleet"),
    "dc_max_price": lambda: charge(
        "dc_power_tiers.json", legs=((3600, Decimal(160)),), connector="3", hold=Decimal(150)
    ),
    "nl_parking": lambda: charge(
        "nl_parking.json",
        tz="Europe/Amsterdam",
        start=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        legs=((40 * 60, Decimal(11)),),
        idle_s=50 * 60,
        method=PaymentMethod.QR_WEB,
        masked_ref="iDEAL ••••7731",
    ),
    "chf_min_price": lambda: charge(
        "ch_chf.json",
        tz="Europe/Zurich",
        legs=((5 * 60, Decimal(11)),),
        method=PaymentMethod.ACCOUNT_TOKEN,
        masked_ref="RFID ••••89AB",
    ),
    "two_rates": lambda: charge(
        _two_rates(), legs=((3600, Decimal(160)),), connector="3", hold=Decimal(150)
    ),
    "no_vat": lambda: charge(_no_vat(), legs=((3600, Decimal("7.4")),)),
}


def receipt_of(f: Finished, language: str = "en", url: str | None = URL) -> Receipt:
    return build_receipt(
        f.session,
        f.payment,
        f.breakdown,
        STATION,
        language=language,
        e_receipt_base_url=url,
        e_receipt_token=TOKEN,
    )

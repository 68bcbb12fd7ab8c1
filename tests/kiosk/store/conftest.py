"""Fixtures for the ledger tests: a real SQLite file in tmp_path, and real aggregates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.domain import jsonio
from kiosk.domain.payment import Payment, PaymentMethod
from kiosk.domain.periods import ChargingPeriod
from kiosk.domain.session import ChargingSession, SessionState, SessionTotals, TokenType
from kiosk.domain.tariff import Tariff, parse_tariff
from kiosk.store import Database, open_database

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe/Berlin springs forward

TARIFF_JSON = jsonio.dumps_numbers(
    {
        "country_code": "DE",
        "party_id": "EVK",
        "id": "AC-SIMPLE",
        "currency": "EUR",
        "elements": [
            {
                "price_components": [
                    {"type": "ENERGY", "price": Decimal("0.3277"), "vat": 19, "step_size": 1}
                ]
            }
        ],
        "last_updated": "2025-01-15T08:00:00Z",
    }
)


def tariff() -> Tariff:
    return parse_tariff(jsonio.loads(TARIFF_JSON))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data" / "kiosk.db", clock=lambda: T0)
    try:
        yield database
    finally:
        database.close()


def new_session(*, connector: str = "1", at: datetime = T0) -> ChargingSession:
    return ChargingSession.begin(
        station_id="DE-KIO-S1",
        connector_id=connector,
        evse_id=f"DE*KIO*E{connector}",
        tariff=tariff(),
        tariff_json=TARIFF_JSON,
        tz="Europe/Berlin",
        token_type=TokenType.AD_HOC_USER,
        token_uid=None,
        payment_id=None,
        customer_group=None,
        now=at,
    )


def rich_session() -> ChargingSession:
    """A finished session with awkward Decimals and times in several zones."""
    cet = timezone(timedelta(hours=1))
    return ChargingSession(
        id=str(uuid.uuid4()),
        station_id="DE-KIO-S1",
        connector_id="2",
        evse_id="DE*KIO*E2",
        currency="EUR",
        tz="Europe/Berlin",
        tariff_json=TARIFF_JSON,
        tariff_id="AC-SIMPLE",
        token_type=TokenType.RFID,
        token_uid="04A1B2C3D4E5F6",
        payment_id=str(uuid.uuid4()),
        created_at=T0,
        customer_group="member",
        stop_code="004217",
        state=SessionState.COMPLETED,
        stop_reason=None,
        plugged_at=datetime(2026, 3, 29, 1, 31, 2, 123456, tzinfo=cet),  # 00:31:02.123456Z
        stopped_at=T0 + timedelta(hours=2),
        ended_at=T0 + timedelta(hours=2, seconds=1),
        meter_start_wh=Decimal("123456789.000000000001"),
        meter_last_wh=Decimal("123456789.1") + Decimal("0.2"),
        last_sample_at=T0 + timedelta(hours=2),
        soc_percent=Decimal("80.50"),
        power_kw=Decimal("0E-3"),
        periods=[
            ChargingPeriod(
                start=T0 + timedelta(minutes=1),
                energy_kwh=Decimal("0.1") + Decimal("0.2"),
                time_s=3600,
                parking_s=None,
                min_power_kw=Decimal("11.000"),
                max_power_kw=Decimal("11.123456789012"),
                state_of_charge=Decimal("42"),
                tariff_id="AC-SIMPLE",
            ),
            ChargingPeriod(
                start=T0 + timedelta(hours=1, minutes=1),
                energy_kwh=Decimal("1E-12"),
                time_s=0,
                parking_s=59,
                reservation_s=1,
                min_current_a=Decimal("0.000000000001"),
                max_current_a=Decimal("32"),
            ),
        ],
        totals=SessionTotals(
            cost_excl_vat=Decimal("0.10"),
            cost_incl_vat=Decimal("0.12"),
            energy_kwh=Decimal("0.300000000001"),
            charging_s=3600,
            parking_s=59,
            idle_s=0,
        ),
    )


def new_payment(session: ChargingSession, *, at: datetime = T0) -> Payment:
    return Payment.create(
        session_id=session.id, method=PaymentMethod.BANK_CARD, currency="EUR", now=at
    )

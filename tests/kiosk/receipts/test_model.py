"""The receipt model: real sessions priced by the domain, and receipts that add up."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.config import demo_settings
from kiosk.domain.payment import Payment, PaymentMethod
from kiosk.domain.session import StopReason
from kiosk.receipts import (
    SUPPORTED_LANGUAGES,
    Receipt,
    ReceiptLineKind,
    StationInfo,
    build_receipt,
    mask_reference,
    receipt_id_for,
)
from kiosk.receipts.model import TEXTS
from tests.kiosk.receipts.sessions import (
    NIGHT,
    SCENARIOS,
    STATION,
    TOKEN,
    URL,
    Finished,
    charge,
    receipt_of,
)


@pytest.fixture(scope="module")
def finished() -> dict[str, Finished]:
    return {name: make() for name, make in SCENARIOS.items()}


def kinds(receipt: Receipt) -> list[ReceiptLineKind]:
    return [line.kind for line in receipt.lines]


# ---------------------------------------------------------------- adding up


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_lines_add_up_to_the_total_to_the_cent(
    finished: dict[str, Finished], name: str, language: str
) -> None:
    f = finished[name]
    r = receipt_of(f, language)
    assert sum(line.amount_excl_vat for line in r.lines) == r.total_net
    assert sum(line.amount_incl_vat for line in r.lines) == r.total_gross
    assert sum(line.amount for line in r.shown_lines()) == r.total
    # gross is the engine's and what was captured; net is gross minus the VAT in it,
    # a cent per rate at most from the engine's separately rounded net
    if f.breakdown.cap is None:
        gap = abs(r.total_net - f.breakdown.total_cost.excl_vat)
        assert gap <= Decimal("0.01") * len(r.vat_breakdown)
    else:  # the bounds of the min./max. price, net and gross
        assert r.total_net == f.breakdown.total_cost.excl_vat
    assert f.session.totals is not None
    assert r.total_gross == f.session.totals.cost_incl_vat == f.payment.captured
    assert r.total_vat == r.total_gross - r.total_net


@pytest.mark.parametrize("name", SCENARIOS)
def test_vat_breakdown_adds_up(finished: dict[str, Finished], name: str) -> None:
    r = receipt_of(finished[name])
    assert r.vat_breakdown
    for row in r.vat_breakdown:
        assert row.net + row.vat == row.gross
    assert sum(row.net for row in r.vat_breakdown) == r.total_net
    assert sum(row.vat for row in r.vat_breakdown) == r.total_vat
    assert sum(row.gross for row in r.vat_breakdown) == r.total_gross
    # each rate's row is its lines' gross, the VAT taken out of it to the cent
    for row in r.vat_breakdown:
        mine = [line for line in r.lines if line.vat_rate == row.rate]
        assert sum(line.amount_incl_vat for line in mine) == row.gross
        if row.rate is not None and finished[name].breakdown.cap is None:
            exact = row.gross * row.rate / (100 + row.rate)
            assert abs(row.vat - exact) <= Decimal("0.005")


def test_a_tiny_session_shows_the_vat_in_its_gross(finished: dict[str, Finished]) -> None:
    """€0.05 gross at 19 %: net and gross both round to €0.05 in the engine; the
    receipt takes the VAT out of the gross (€0.01), so net + VAT = gross."""
    from kiosk.receipts.model import _vat_breakdown

    line = replace(
        receipt_of(finished["time_of_use"]).lines[0],
        amount_excl_vat=Decimal("0.05"),
        amount_incl_vat=Decimal("0.05"),
        amount=Decimal("0.05"),
        vat_rate=Decimal(19),
    )
    (row,) = _vat_breakdown([line], Decimal("0.05"), Decimal("0.05"), "EUR", from_gross=True)
    assert (row.net, row.vat, row.gross) == (Decimal("0.04"), Decimal("0.01"), Decimal("0.05"))


def test_many_sessions_add_up() -> None:
    """A grid of durations and powers over the day/night boundary, with idle fees."""
    roundings = 0
    for minutes in range(55, 200, 13):
        for kw in ("7.4", "10.3", "22"):
            f = charge(
                "ac_time_of_use.json",
                start=NIGHT,
                legs=((minutes * 60, Decimal(kw)),),
                idle_s=20 * 60,
                step_s=300,
            )
            r = receipt_of(f)
            assert sum(line.amount_excl_vat for line in r.lines) == r.total_net
            assert sum(line.amount_incl_vat for line in r.lines) == r.total_gross
            assert sum(row.vat for row in r.vat_breakdown) == r.total_vat
            roundings += ReceiptLineKind.ROUNDING in kinds(r)
    assert roundings > 0  # the grid does exercise the rounding line


def test_rounding_line_is_explicit(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    r = receipt_of(f)
    items = [line for line in r.lines if line.kind is not ReceiptLineKind.ROUNDING]
    (rounding,) = [line for line in r.lines if line.kind is ReceiptLineKind.ROUNDING]
    assert rounding.amount_incl_vat == r.total_gross - sum(i.amount_incl_vat for i in items)
    assert rounding.amount_excl_vat == r.total_net - sum(i.amount_excl_vat for i in items)
    assert abs(rounding.amount_incl_vat) <= Decimal("0.02")
    assert rounding.label == "Rounding"
    assert receipt_of(f, "de").lines[-1].label == "Rundung"
    # the lines are exactly the engine's, each rounded once
    costs = [(c.cost.excl_vat, c.cost.incl_vat) for c in f.breakdown.lines]
    assert [(i.amount_excl_vat, i.amount_incl_vat) for i in items] == costs


def test_time_of_use_lines(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["time_of_use"])
    energy = [line for line in r.lines if line.kind is ReceiptLineKind.ENERGY]
    assert [line.unit_price_text for line in energy] == ["€0.45/kWh", "€0.29/kWh"]
    assert [line.unit_price for line in energy] == [Decimal("0.45"), Decimal("0.29")]
    assert energy[1].note == "22:00–06:00"
    assert energy[0].quantity == "10.300 kWh"
    (idle,) = [line for line in r.lines if line.kind is ReceiptLineKind.IDLE_FEE]
    assert idle.unit_price_text == "€0.40/min"
    assert idle.quantity == "0:11:00"  # 10 min 1 s after the grace period, per started min
    assert r.idle_s == 601
    assert r.vat_included
    assert all(line.vat_rate == Decimal(19) for line in r.lines)


def test_charging_time_and_capped_idle_fee(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["long_idle"])
    (time,) = [line for line in r.lines if line.kind is ReceiptLineKind.TIME]
    assert time.quantity == "1:00:00"
    assert time.unit_price_text == "€0.10/min"
    assert time.amount_incl_vat == Decimal("6.00")
    (idle,) = [line for line in r.lines if line.kind is ReceiptLineKind.IDLE_FEE]
    assert idle.amount_incl_vat == Decimal("12.00")
    assert "capped" in idle.note


def test_member_discount_is_list_minus_charged(finished: dict[str, Finished]) -> None:
    f = finished["member"]
    r = receipt_of(f)
    (energy,) = [line for line in r.lines if line.kind is ReceiptLineKind.ENERGY]
    assert energy.unit_price_text == "€0.49/kWh"  # the list price
    (discount,) = [line for line in r.lines if line.kind is ReceiptLineKind.DISCOUNT]
    assert discount.label == "Member discount"
    assert discount.note == "10% off"
    # 11 kWh: list €5.39 (net 4.53), charged €4.85 (net 4.08)
    assert energy.amount_incl_vat == Decimal("5.39")
    assert discount.amount_incl_vat == Decimal("-0.54")
    assert discount.amount_excl_vat == Decimal("-0.45")
    assert r.total_gross == Decimal("4.85")
    assert receipt_of(f, "de").lines[1].label == "Rabatt Mitglieder"
    assert receipt_of(f, "nl").lines[1].label == "Korting leden"


def test_staff_discount_per_kwh(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["staff"])
    (discount,) = [line for line in r.lines if line.kind is ReceiptLineKind.DISCOUNT]
    assert discount.note == "€0.238/kWh off"  # 0.20 net + 19 % VAT
    assert discount.amount < 0


def test_group_with_its_own_tariff_has_no_discount_line(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["fleet"])
    assert ReceiptLineKind.DISCOUNT not in kinds(r)
    assert r.tariff_id == "AC-FLEET"
    assert r.lines[0].unit_price_text == "€0.35/kWh"
    # the public tariff with the fleet group: no discount rule there either
    public = charge("ac_member_groups.json", group="fleet")
    assert ReceiptLineKind.DISCOUNT not in kinds(receipt_of(public))


def test_max_price_adjustment(finished: dict[str, Finished]) -> None:
    f = finished["dc_max_price"]
    assert f.breakdown.cap == "max_price"
    r = receipt_of(f)
    (cap,) = [line for line in r.lines if line.kind is ReceiptLineKind.MAX_PRICE]
    assert cap.note == "max. €75.00"
    assert cap.amount_incl_vat == Decimal("75.00") - f.breakdown.uncapped_cost.incl_vat
    assert cap.amount_excl_vat == Decimal("63.03") - f.breakdown.uncapped_cost.excl_vat
    assert r.total_gross == Decimal("75.00")
    assert [line.kind for line in r.lines][:2] == [ReceiptLineKind.FLAT, ReceiptLineKind.ENERGY]
    assert r.lines[0].unit_price is None


def test_min_price_adjustment_in_chf(finished: dict[str, Finished]) -> None:
    f = finished["chf_min_price"]
    assert f.breakdown.cap == "min_price"
    r = receipt_of(f, "fr")
    (cap,) = [line for line in r.lines if line.kind is ReceiptLineKind.MIN_PRICE]
    assert cap.amount > 0
    assert r.total_gross == Decimal("2.00")
    assert cap.note == "min. 2,00\u00a0CHF"
    assert r.payment is not None
    assert not r.payment.shows_hold  # an account token: no card hold to report


def test_cap_split_over_two_vat_rates(finished: dict[str, Finished]) -> None:
    f = finished["two_rates"]
    assert f.breakdown.cap == "max_price"
    r = receipt_of(f)
    caps = [line for line in r.lines if line.kind is ReceiptLineKind.MAX_PRICE]
    assert {line.vat_rate for line in caps} == {Decimal(7), Decimal(19)}
    assert [row.rate for row in r.vat_breakdown] == [Decimal(7), Decimal(19)]
    assert all(row.net > 0 for row in r.vat_breakdown)


def test_tariff_without_vat_is_net(finished: dict[str, Finished]) -> None:
    r = receipt_of(finished["no_vat"])
    assert not r.vat_included
    assert r.total_vat == 0
    assert r.total == r.total_net == r.total_gross
    assert [row.rate for row in r.vat_breakdown] == [None]


# ----------------------------------------------------------------- the rest


def test_receipt_header_and_payment(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    r = receipt_of(f)
    assert r.station_name == STATION.name
    assert r.connector_label == "Left · Type 2"
    assert r.evse_id == "DE*KIO*E1"
    assert r.started_at == NIGHT
    assert r.started_at.tzinfo is UTC
    assert r.tz == "Europe/Berlin"
    assert r.stop_reason is StopReason.UNPLUGGED
    assert r.stop_reason_text == "cable unplugged"
    assert r.e_receipt_url == URL + TOKEN  # never the guessable session id
    assert r.payment is not None
    assert r.payment.masked_ref == "VISA •••• 4242"
    assert r.payment.captured == r.total_gross
    assert r.payment.authorized == Decimal("100.00")
    assert r.payment.released == Decimal("100.00") - r.total_gross
    assert r.payment.shows_hold
    assert r.payment.status == ""
    assert receipt_of(f, url=None).e_receipt_url is None


def test_receipt_id_scheme(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    r = receipt_of(f)
    assert re.fullmatch(r"R-\d{8}-[0-9A-HJKMNP-TV-Z]{8}", r.receipt_id)
    assert r.receipt_id.startswith("R-20261124-")
    assert receipt_of(f, "de").receipt_id == r.receipt_id  # a reprint has the same id
    ids = {receipt_of(other).receipt_id for other in finished.values()}
    assert len(ids) == len(finished)
    # the station's local date: 23:30 UTC on the 24th is the 25th in Berlin
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert receipt_id_for("abc", late, "Europe/Berlin").startswith("R-20261125-")
    assert receipt_id_for("abc", late, "UTC").startswith("R-20261124-")
    assert receipt_id_for("abc", late, "UTC") != receipt_id_for("abd", late, "UTC")


@pytest.mark.parametrize(
    ("ref", "masked"),
    [
        ("VISA •••• 4242", "VISA •••• 4242"),
        ("RFID ••••89AB", "RFID ••••89AB"),
        ("4111111111111111", "•••• 1111"),
        ("VISA 4111 1111 1111 1111", "VISA •••• 1111"),
        ("MC 5555-5555-5555-4444", "MC •••• 4444"),
        (None, None),
    ],
)
def test_mask_reference(ref: str | None, masked: str | None) -> None:
    assert mask_reference(ref) == masked


def test_a_full_card_number_from_a_provider_is_masked(finished: dict[str, Finished]) -> None:
    f = charge("ac_simple.json", masked_ref="VISA 4111 1111 1111 1111")
    assert f.payment.masked_ref == "VISA 4111 1111 1111 1111"  # the provider's bug
    r = receipt_of(f)
    assert r.payment is not None
    assert r.payment.masked_ref == "VISA •••• 1111"


def test_voided_payment(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    payment = Payment.create(
        session_id=f.session.id, method=PaymentMethod.BANK_CARD, currency="EUR", now=now
    )
    payment.complete(payment.begin_authorize(Decimal(50), now), ok=True, now=now)
    payment.complete(payment.begin_void(now, "test"), ok=True, now=now)
    r = build_receipt(f.session, payment, f.breakdown, STATION)
    assert r.payment is not None
    assert r.payment.status == "Nothing charged, hold released"
    assert r.payment.released == Decimal(50)
    assert build_receipt(f.session, None, f.breakdown, STATION).payment is None


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_has_every_text(language: str) -> None:
    assert TEXTS[language].keys() == TEXTS["en"].keys()
    for reason in StopReason:
        assert f"stop.{reason.value}" in TEXTS[language]
    for method in PaymentMethod:
        assert f"method.{method.value}" in TEXTS[language]


def test_languages_and_regions(finished: dict[str, Finished]) -> None:
    f = finished["time_of_use"]
    assert receipt_of(f, "en").locale == "en_IE"
    assert receipt_of(f, "de-CH").locale == "de_CH"
    assert receipt_of(f, "de-CH").language == "de"
    assert receipt_of(f, "fr").lines[0].label == "Énergie"
    with pytest.raises(ValueError, match="unsupported language"):
        receipt_of(f, "es")


def test_refuses_what_does_not_belong_together(finished: dict[str, Finished]) -> None:
    f, other = finished["time_of_use"], finished["member"]
    with pytest.raises(ValueError, match="final price"):
        build_receipt(f.session, f.payment, other.breakdown, STATION)
    with pytest.raises(ValueError, match="does not belong"):
        build_receipt(f.session, other.payment, f.breakdown, STATION)
    chf = finished["chf_min_price"]
    with pytest.raises(ValueError, match="CHF"):
        build_receipt(f.session, f.payment, chf.breakdown, STATION)


def test_station_info_from_the_station_config(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    info = StationInfo.from_config(settings.station, settings.connectors)
    assert info.name == settings.station.name
    assert info.address_lines == ("Marktplatz 1", "12345 Musterstadt")
    assert info.vat_id == settings.station.vat_id
    assert set(info.connector_labels) == {c.id for c in settings.connectors}


def test_step_rounding_has_its_own_line_and_the_energy_adds_up(
    finished: dict[str, Finished],
) -> None:
    """A billed volume that step_size rounded up says so, with the measured figure the
    header shows; the energy lines add up to the billed total to the Wh."""
    noted = 0
    for f in finished.values():
        r = receipt_of(f)
        fmt = r.format()
        stepped = [x for x in f.breakdown.lines if x.step_volume > 0 and x.unit_price != 0]
        notes = [line.step_note for line in r.lines if line.step_note]
        # a step extra under half the shown unit (a Wh, a second) changes no shown figure
        assert len(notes) <= len(stepped), f.session.id
        assert all("(+0.000 kWh)" not in n and "(+0:00:00)" not in n for n in notes)
        for line in r.lines:
            if line.step_note:
                assert "billed in" in line.step_note
                if line.kind.value == "ENERGY":
                    assert line.step_note.startswith(f"measured {fmt.kwh(r.energy_kwh)}, billed in")
        noted += len(notes)
        billed = sum(
            (x.volume for x in f.breakdown.lines if x.kind.value == "ENERGY" and x.unit_price),
            Decimal(0),
        )
        shown = [
            Decimal(line.quantity.split()[0].replace(",", ""))
            for line in r.lines
            if line.kind.value == "ENERGY"
        ]
        assert sum(shown, Decimal(0)) == billed.quantize(Decimal("0.001"))
    assert noted > 0  # some scenario is step-rounded

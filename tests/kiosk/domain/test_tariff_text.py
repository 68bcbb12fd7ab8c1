"""The price screen's text: every language, every feature, every sample tariff."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.jsonio import loads
from kiosk.domain.tariff import Tariff, parse_tariff, parse_tariffs
from kiosk.domain.tariff_text import (
    SUPPORTED_LANGUAGES,
    TEXTS,
    LineKind,
    PriceUnit,
    describe,
)

ASSETS = Path(__file__).resolve().parents[3] / "assets" / "tariffs"
LANGS = ("en", "de", "fr", "nl")


def plain(text: str) -> str:
    """Babel's no-break and thin spaces as plain ones, so expected texts stay readable."""
    return re.sub("[\u00a0\u202f\u2009]", " ", text)


def load(name: str) -> tuple[Tariff, ...]:
    return parse_tariffs(loads((ASSETS / name).read_bytes()))


def tariff(*elements: dict[str, Any], currency: str = "EUR", **extra: Any) -> Tariff:
    data: dict[str, Any] = {
        "country_code": "DE",
        "party_id": "EVK",
        "id": "T1",
        "currency": currency,
        "elements": list(elements),
        "last_updated": "2025-01-15T08:00:00Z",
    }
    data.update(extra)
    return parse_tariff(data)


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"price_components": list(components)}
    if restrictions:
        result["restrictions"] = restrictions
    return result


def pc(kind: str, price: str, vat: str | None = "19", step: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = {"type": kind, "price": D(price), "step_size": step}
    if vat is not None:
        result["vat"] = D(vat)
    return result


def summary(t: Tariff, lang: str = "en", **kw: Any) -> str:
    return plain(describe(t, lang, **kw).summary)


# ------------------------------------------------------------------ the sample files

SAMPLE_SUMMARIES = [
    ("ac_simple.json", 0, "en", "€0.39/kWh · incl. 19% VAT"),
    ("ac_simple.json", 0, "de", "0,39 €/kWh · inkl. 19 % MwSt."),
    ("ac_simple.json", 0, "fr", "0,39 €/kWh · TVA 19 % incluse"),
    ("ac_simple.json", 0, "nl", "€ 0,39/kWh · incl. 19% btw"),
    (
        "ac_time_of_use.json",
        0,
        "en",
        "€0.29/kWh 22:00–06:00 · €0.45/kWh otherwise · €0.10/min after 4 h"
        " · idle €0.40/min after 15 min, max. €12.00 · incl. 19% VAT",
    ),
    (
        "ac_time_of_use.json",
        0,
        "de",
        "0,29 €/kWh 22:00–06:00 · 0,45 €/kWh sonst · 0,10 €/Min. nach 4 Std."
        " · Blockiergebühr 0,40 €/Min. nach 15 Min., max. 12,00 € · inkl. 19 % MwSt.",
    ),
    (
        "ac_time_of_use.json",
        0,
        "fr",
        "0,29 €/kWh 22:00–06:00 · 0,45 €/kWh sinon · 0,10 €/min après 4 h"
        " · frais d’occupation 0,40 €/min après 15 min, max. 12,00 € · TVA 19 % incluse",
    ),
    (
        "ac_time_of_use.json",
        0,
        "nl",
        "€ 0,29/kWh 22:00–06:00 · € 0,45/kWh anders · € 0,10/min na 4 uur"
        " · blokkeertarief € 0,40/min na 15 min, max. € 12,00 · incl. 19% btw",
    ),
    (
        "dc_power_tiers.json",
        0,
        "en",
        "€0.49/kWh below 50 kW · €0.59/kWh 50–150 kW · €0.69/kWh from 150 kW"
        " · start fee €0.50 · max. €75.00 · incl. 19% VAT",
    ),
    (
        "dc_power_tiers.json",
        0,
        "de",
        "0,49 €/kWh unter 50 kW · 0,59 €/kWh 50–150 kW · 0,69 €/kWh ab 150 kW"
        " · Startgebühr 0,50 € · max. 75,00 € · inkl. 19 % MwSt.",
    ),
    (
        "dc_power_tiers.json",
        0,
        "fr",
        "0,49 €/kWh moins de 50 kW · 0,59 €/kWh 50–150 kW · 0,69 €/kWh à partir de 150 kW"
        " · frais de session 0,50 € · max. 75,00 € · TVA 19 % incluse",
    ),
    (
        "dc_power_tiers.json",
        0,
        "nl",
        "€ 0,49/kWh onder 50 kW · € 0,59/kWh 50–150 kW · € 0,69/kWh vanaf 150 kW"
        " · starttarief € 0,50 · max. € 75,00 · incl. 19% btw",
    ),
    ("ac_member_groups.json", 0, "en", "€0.49/kWh · incl. 19% VAT"),
    ("ac_member_groups.json", 1, "de", "0,35 €/kWh · inkl. 19 % MwSt."),
    (
        "nl_parking.json",
        0,
        "en",
        "€0.35/kWh · parking €2.00/h Mon–Fri 09:00–18:00, per started 15 min · incl. 21% VAT",
    ),
    (
        "nl_parking.json",
        0,
        "de",
        "0,35 €/kWh · Parken 2,00 €/Std. Mo.–Fr. 09:00–18:00, je angefangene 15 Min."
        " · inkl. 21 % MwSt.",
    ),
    (
        "nl_parking.json",
        0,
        "fr",
        "0,35 €/kWh · stationnement 2,00 €/h lun.–ven. 09:00–18:00,"
        " par tranche de 15 min entamée · TVA 21 % incluse",
    ),
    (
        "nl_parking.json",
        0,
        "nl",
        "€ 0,35/kWh · parkeren € 2,00/uur ma–vr 09:00–18:00, per begonnen 15 min · incl. 21% btw",
    ),
    (
        "ch_chf.json",
        0,
        "en",
        "CHF 0.55/kWh · idle CHF 0.10/min after 30 min · min. CHF 2.00 · incl. 8.1% VAT",
    ),
    (
        "ch_chf.json",
        0,
        "de",
        "0,55 CHF/kWh · Blockiergebühr 0,10 CHF/Min. nach 30 Min. · mind. 2,00 CHF"
        " · inkl. 8,1 % MwSt.",
    ),
    (
        "ch_chf.json",
        0,
        "fr",
        "0,55 CHF/kWh · frais d’occupation 0,10 CHF/min après 30 min · min. 2,00 CHF"
        " · TVA 8,1 % incluse",
    ),
    (
        "ch_chf.json",
        0,
        "nl",
        "CHF 0,55/kWh · blokkeertarief CHF 0,10/min na 30 min · min. CHF 2,00 · incl. 8,1% btw",
    ),
]


@pytest.mark.parametrize(("name", "index", "lang", "expected"), SAMPLE_SUMMARIES)
def test_sample_summary(name: str, index: int, lang: str, expected: str) -> None:
    assert summary(load(name)[index], lang) == expected


GROUP_SUMMARIES = [
    ("member", "en", "member price: 10% off · €0.441/kWh · incl. 19% VAT"),
    ("member", "de", "Preis für Mitglieder: 10 % Rabatt · 0,441 €/kWh · inkl. 19 % MwSt."),
    ("member", "fr", "tarif membres : remise de 10 % · 0,441 €/kWh · TVA 19 % incluse"),
    ("member", "nl", "tarief voor leden: 10% korting · € 0,441/kWh · incl. 19% btw"),
    # the staff discount is net (0.20/kWh), like every amount in a tariff: 0.238 gross
    ("staff", "en", "staff price: €0.238/kWh off · €0.252/kWh · incl. 19% VAT"),
    ("staff", "de", "Preis für Mitarbeitende: 0,238 €/kWh Rabatt · 0,252 €/kWh · inkl. 19 % MwSt."),
    ("staff", "fr", "tarif personnel : remise de 0,238 €/kWh · 0,252 €/kWh · TVA 19 % incluse"),
    ("staff", "nl", "tarief voor personeel: € 0,238/kWh korting · € 0,252/kWh · incl. 19% btw"),
    ("fleet", "en", "fleet price · €0.35/kWh · incl. 19% VAT"),
    ("fleet", "de", "Preis für Flottenkunden · 0,35 €/kWh · inkl. 19 % MwSt."),
    ("fleet", "fr", "tarif flotte · 0,35 €/kWh · TVA 19 % incluse"),
    ("fleet", "nl", "tarief voor wagenparkklanten · € 0,35/kWh · incl. 19% btw"),
]


@pytest.mark.parametrize(("group", "lang", "expected"), GROUP_SUMMARIES)
def test_customer_group_view(group: str, lang: str, expected: str) -> None:
    public, fleet = load("ac_member_groups.json")
    assert summary(public, lang, group=group, tariffs=(public, fleet)) == expected


def test_group_with_own_tariff_describes_that_tariff() -> None:
    public, fleet = load("ac_member_groups.json")
    d = describe(public, "en", "fleet", tariffs={fleet.id: fleet})
    assert d.tariff_id == "AC-FLEET"
    assert d.group == "fleet"
    assert d.alt_text == "Fleet tariff: €0.35/kWh incl. 19% VAT"  # the fleet tariff's own


def test_group_tariff_missing_from_catalog_is_an_error() -> None:
    public, _ = load("ac_member_groups.json")
    with pytest.raises(ValueError, match="AC-FLEET"):
        describe(public, "en", "fleet")


def test_group_without_a_rule_pays_the_public_price() -> None:
    public, _ = load("ac_member_groups.json")
    d = describe(public, "en", "visitor")
    assert d.group is None
    assert d.group_note == ""
    assert plain(d.summary) == "€0.49/kWh · incl. 19% VAT"


def test_discounted_view_drops_the_operators_public_alt_text() -> None:
    public, _ = load("ac_member_groups.json")
    assert describe(public, "en").alt_text == "€0.49/kWh incl. 19% VAT"
    assert describe(public, "en", "member").alt_text is None
    assert describe(public, "fr").alt_text is None  # no French text in the file


def test_percent_discount_applies_to_components_not_idle_fee_or_bounds() -> None:
    t = tariff(
        element(pc("FLAT", "1.00", vat=None)),
        element(pc("ENERGY", "0.40", vat=None), pc("TIME", "6.00", vat=None)),
        max_price={"excl_vat": D("50.00")},
        x_kiosk={
            "idle_fee": {"price_per_minute": D("0.50"), "grace_minutes": 10, "max_fee": D(20)},
            "customer_groups": {"vip": {"discount_percent": D(50)}},
        },
    )
    assert summary(t, group="vip") == (
        "vip price: 50% off · €0.20/kWh · €0.05/min · start fee €0.50"
        " · idle €0.50/min after 10 min, max. €20.00 · max. €50.00 · excl. VAT"
    )


def test_energy_discount_never_goes_below_zero_and_leaves_time_alone() -> None:
    t = tariff(
        element(pc("ENERGY", "0.10", vat=None), pc("TIME", "1.20", vat=None)),
        x_kiosk={"customer_groups": {"staff": {"energy_discount_per_kwh": D("0.25")}}},
    )
    d = describe(t, "en", "staff")
    assert plain(d.summary) == ("staff price: €0.25/kWh off · energy free · €0.02/min · excl. VAT")
    assert d.lines[0].price == 0


# ------------------------------------------------------------------ conditions

CONDITIONS: list[tuple[dict[str, Any], dict[str, str]]] = [
    (
        {"start_time": "22:00", "end_time": "06:00"},
        {"en": "22:00–06:00", "de": "22:00–06:00", "fr": "22:00–06:00", "nl": "22:00–06:00"},
    ),
    (
        {"start_time": "18:00"},
        {"en": "from 18:00", "de": "ab 18:00", "fr": "à partir de 18:00", "nl": "vanaf 18:00"},
    ),
    (
        {"end_time": "07:30"},
        {"en": "until 07:30", "de": "bis 07:30", "fr": "jusqu’à 07:30", "nl": "tot 07:30"},
    ),
    (
        {"day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]},
        {"en": "Mon–Fri", "de": "Mo.–Fr.", "fr": "lun.–ven.", "nl": "ma–vr"},
    ),
    (
        {"day_of_week": ["SATURDAY", "SUNDAY"]},
        {"en": "Sat, Sun", "de": "Sa., So.", "fr": "sam., dim.", "nl": "za, zo"},
    ),
    (
        {"day_of_week": ["FRIDAY", "MONDAY", "WEDNESDAY"]},
        {
            "en": "Mon, Wed, Fri",
            "de": "Mo., Mi., Fr.",
            "fr": "lun., mer., ven.",
            "nl": "ma, wo, vr",
        },
    ),
    (
        {"day_of_week": ["SATURDAY", "SUNDAY"], "start_time": "08:00", "end_time": "20:00"},
        {
            "en": "Sat, Sun 08:00–20:00",
            "de": "Sa., So. 08:00–20:00",
            "fr": "sam., dim. 08:00–20:00",
            "nl": "za, zo 08:00–20:00",
        },
    ),
    (
        {"max_power": 50},
        {"en": "below 50 kW", "de": "unter 50 kW", "fr": "moins de 50 kW", "nl": "onder 50 kW"},
    ),
    (
        {"min_power": D("22.5")},
        {
            "en": "from 22.5 kW",
            "de": "ab 22,5 kW",
            "fr": "à partir de 22,5 kW",
            "nl": "vanaf 22,5 kW",
        },
    ),
    (
        {"min_power": 50, "max_power": 150},
        {"en": "50–150 kW", "de": "50–150 kW", "fr": "50–150 kW", "nl": "50–150 kW"},
    ),
    (
        {"min_current": 16, "max_current": 32},
        {"en": "16–32 A", "de": "16–32 A", "fr": "16–32 A", "nl": "16–32 A"},
    ),
    (
        {"max_current": 16},
        {"en": "below 16 A", "de": "unter 16 A", "fr": "moins de 16 A", "nl": "onder 16 A"},
    ),
    (
        {"min_kwh": 20},
        {"en": "after 20 kWh", "de": "ab 20 kWh", "fr": "au-delà de 20 kWh", "nl": "vanaf 20 kWh"},
    ),
    (
        {"max_kwh": 20},
        {
            "en": "first 20 kWh",
            "de": "für die ersten 20 kWh",
            "fr": "pour les 20 premiers kWh",
            "nl": "voor de eerste 20 kWh",
        },
    ),
    (
        {"min_kwh": 20, "max_kwh": 40},
        {
            "en": "from 20 to 40 kWh",
            "de": "von 20 bis 40 kWh",
            "fr": "de 20 à 40 kWh",
            "nl": "van 20 tot 40 kWh",
        },
    ),
    (
        {"min_duration": 3600},
        {"en": "after 60 min", "de": "nach 60 Min.", "fr": "après 60 min", "nl": "na 60 min"},
    ),
    (
        {"max_duration": 1800},
        {
            "en": "first 30 min",
            "de": "in den ersten 30 Min.",
            "fr": "pendant les 30 premières min",
            "nl": "de eerste 30 min",
        },
    ),
    (
        {"min_duration": 7200, "max_duration": 14400},
        {
            "en": "from 2 to 4 h",
            "de": "von 2 bis 4 Std.",
            "fr": "de 2 à 4 h",
            "nl": "van 2 tot 4 uur",
        },
    ),
    (
        {"min_duration": 90},
        {"en": "after 90 s", "de": "nach 90 Sek.", "fr": "après 90 s", "nl": "na 90 s"},
    ),
    (
        {"start_date": "2025-06-01"},
        {
            "en": "from 1 Jun 2025",
            "de": "ab 1. Juni 2025",
            "fr": "à partir du 1 juin 2025",
            "nl": "vanaf 1 jun 2025",
        },
    ),
    (
        {"end_date": "2026-01-01"},  # exclusive: the last day shown is 31 Dec
        {
            "en": "until 31 Dec 2025",
            "de": "bis 31. Dez. 2025",
            "fr": "jusqu’au 31 déc. 2025",
            "nl": "t/m 31 dec 2025",
        },
    ),
    (
        {"start_date": "2025-06-01", "end_date": "2025-09-01"},
        {
            "en": "1 Jun – 31 Aug 2025",
            "de": "1. Juni – 31. Aug. 2025",
            "fr": "1 juin – 31 août 2025",
            "nl": "1 jun – 31 aug 2025",
        },
    ),
    (
        {"max_power": 50, "start_time": "22:00", "end_time": "06:00", "min_duration": 600},
        {
            "en": "22:00–06:00, below 50 kW, after 10 min",
            "de": "22:00–06:00, unter 50 kW, nach 10 Min.",
            "fr": "22:00–06:00, moins de 50 kW, après 10 min",
            "nl": "22:00–06:00, onder 50 kW, na 10 min",
        },
    ),
]


@pytest.mark.parametrize(("restrictions", "expected"), CONDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_condition_text(restrictions: dict[str, Any], expected: dict[str, str], lang: str) -> None:
    t = tariff(element(pc("ENERGY", "0.30", vat=None), **restrictions))
    (line,) = describe(t, lang).lines
    assert plain(line.condition) == expected[lang]


@pytest.mark.parametrize(
    ("reservation", "lang", "expected"),
    [
        ("RESERVATION", "en", "start fee €5.00 for reservations"),
        ("RESERVATION", "de", "Startgebühr 5,00 € bei Reservierung"),
        ("RESERVATION_EXPIRES", "fr", "frais de session 5,00 € pour une réservation expirée"),
        ("RESERVATION_EXPIRES", "nl", "starttarief € 5,00 bij verlopen reservering"),
    ],
)
def test_reservation_elements(reservation: str, lang: str, expected: str) -> None:
    t = tariff(
        element(pc("FLAT", "5.00", vat=None), reservation=reservation),
        element(pc("ENERGY", "0.30", vat=None)),
    )
    flat = next(line for line in describe(t, lang).lines if line.kind is LineKind.FLAT)
    assert plain(flat.text) == expected


def test_all_seven_days_is_no_condition() -> None:
    days = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    t = tariff(element(pc("ENERGY", "0.30", vat=None), day_of_week=days))
    assert summary(t) == "€0.30/kWh · excl. VAT"


# ------------------------------------------------------------------ prices, units, VAT


@pytest.mark.parametrize(
    ("price", "vat", "expected"),
    [
        ("0.3925", None, "€0.3925/kWh"),  # net, 4 decimals kept
        ("0.39", None, "€0.39/kWh"),
        ("0.4", None, "€0.40/kWh"),  # at least the minor unit
        ("0.123456", None, "€0.1235/kWh"),  # at most 4 decimals, half-up
        ("0.3277", "19", "€0.39/kWh"),  # a round gross price stored as a 4-decimal net
        ("0.3782", "19", "€0.45/kWh"),  # exact gross 0.450058: still the operator's 0.45
        ("0.378151", "19", "€0.45/kWh"),  # more net decimals, same rule
        ("0.39", "19", "€0.4641/kWh"),  # a round net: the gross is shown exactly
        ("0.378", "19", "€0.4498/kWh"),  # not a converted 0.45: shown as it is charged
        ("0.3299", "21", "€0.3992/kWh"),
        ("0", "19", None),  # an unrestricted zero price is no charge: no line
    ],
)
def test_energy_unit_price_rounding(price: str, vat: str | None, expected: str | None) -> None:
    t = tariff(element(pc("ENERGY", price, vat)), element(pc("FLAT", "1", vat)))
    energy = [line for line in describe(t, "en").lines if line.kind is LineKind.ENERGY]
    assert [plain(line.amount) for line in energy] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("per_hour", "step", "amount", "unit", "condition"),
    [
        ("6.00", 60, "€0.10/min", PriceUnit.MINUTE, ""),  # exact per minute
        ("3.00", 60, "€0.05/min", PriceUnit.MINUTE, ""),
        ("2.00", 60, "€2.00/h", PriceUnit.HOUR, ""),  # 0.0333…/min: stays per hour
        ("1.50", 900, "€1.50/h", PriceUnit.HOUR, "per started 15 min"),
        ("6.00", 300, "€0.10/min", PriceUnit.MINUTE, "per started 5 min"),
        ("6.00", 1, "€0.10/min", PriceUnit.MINUTE, ""),  # steps up to a minute go unnamed
        ("4.5678", 60, "€4.5678/h", PriceUnit.HOUR, ""),
    ],
)
def test_time_price_per_minute_or_per_hour(
    per_hour: str, step: int, amount: str, unit: PriceUnit, condition: str
) -> None:
    t = tariff(element(pc("PARKING_TIME", per_hour, vat=None, step=step)))
    (line,) = describe(t, "en").lines
    assert (line.label, plain(line.amount), line.unit, line.condition) == (
        "parking",
        amount,
        unit,
        condition,
    )


def test_gross_time_price_snaps_per_hour_then_shows_per_minute() -> None:
    # 6.00/h gross is 5.0420 net; the exact gross 5.99998/h is the operator's 6.00 → 0.10/min
    t = tariff(element(pc("TIME", "5.0420", "19")))
    (line,) = describe(t, "en").lines
    assert (plain(line.amount), line.price, line.unit) == ("€0.10/min", D("0.10"), PriceUnit.MINUTE)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "€0.36/kWh · €0.10/min · parking €2.20/h · incl. VAT"),
        ("de", "0,36 €/kWh · 0,10 €/Min. · Parken 2,20 €/Std. · inkl. MwSt."),
        ("fr", "0,36 €/kWh · 0,10 €/min · stationnement 2,20 €/h · TVA incluse"),
        ("nl", "€ 0,36/kWh · € 0,10/min · parkeren € 2,20/uur · incl. btw"),
    ],
)
def test_differing_vat_rates_say_incl_vat_without_a_rate(lang: str, expected: str) -> None:
    t = tariff(
        element(pc("ENERGY", "0.30", "20"), pc("TIME", "5.00", "20")),
        element(pc("PARKING_TIME", "2.00", "10")),
    )
    d = describe(t, lang)
    assert (d.vat_included, d.vat_rate) == (True, None)
    assert plain(d.summary) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "€0.30/kWh · start fee €1.00 · excl. VAT"),
        ("de", "0,30 €/kWh · Startgebühr 1,00 € · zzgl. MwSt."),
        ("fr", "0,30 €/kWh · frais de session 1,00 € · hors TVA"),
        ("nl", "€ 0,30/kWh · starttarief € 1,00 · excl. btw"),
    ],
)
def test_missing_vat_shows_net_prices(lang: str, expected: str) -> None:
    t = tariff(element(pc("ENERGY", "0.30", "19"), pc("FLAT", "1.00", vat=None)))
    d = describe(t, lang)
    assert not d.vat_included
    assert d.vat_rate is None
    assert plain(d.summary) == expected


def test_zero_vat_is_a_rate() -> None:
    t = tariff(element(pc("ENERGY", "0.30", "0")))
    assert summary(t) == "€0.30/kWh · incl. 0% VAT"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"min_price": {"excl_vat": D("0.50")}}, "€0.30/kWh · min. €0.50 · excl. VAT"),
        ({"max_price": {"excl_vat": D("10.00")}}, "€0.30/kWh · max. €10.00 · excl. VAT"),
        (
            {"min_price": {"excl_vat": D("0.50")}, "max_price": {"excl_vat": D("10")}},
            "€0.30/kWh · min. €0.50 · max. €10.00 · excl. VAT",
        ),
    ],
)
def test_min_and_max_price_net(extra: dict[str, Any], expected: str) -> None:
    assert summary(tariff(element(pc("ENERGY", "0.30", vat=None)), **extra)) == expected


@pytest.mark.parametrize(
    ("bound", "vats", "expected"),
    [
        ({"excl_vat": D("8.40"), "incl_vat": D("10.00")}, ("19", "19"), "max. €10.00"),
        ({"excl_vat": D("8.4034")}, ("19", "19"), "max. €10.00"),  # one rate: gross computed
        ({"excl_vat": D("8.40")}, ("19", "19"), "max. €10.00"),  # 8.40 is 10.00 at 2 decimals
        ({"excl_vat": D("8.40")}, ("19", "7"), "max. €8.40 excl. VAT"),  # no single rate
        ({"excl_vat": D("8.40"), "incl_vat": D("9.80")}, ("19", "7"), "max. €9.80"),
    ],
)
def test_max_price_incl_vat(bound: dict[str, D], vats: tuple[str, str], expected: str) -> None:
    t = tariff(element(pc("ENERGY", "0.30", vats[0]), pc("FLAT", "1.00", vats[1])), max_price=bound)
    (line,) = [x for x in describe(t, "en").lines if x.kind is LineKind.MAX_PRICE]
    assert plain(line.text) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "min. €0.50 · max. €10.00"),
        ("de", "mind. 0,50 € · max. 10,00 €"),
        ("fr", "min. 0,50 € · max. 10,00 €"),
        ("nl", "min. € 0,50 · max. € 10,00"),
    ],
)
def test_min_max_labels(lang: str, expected: str) -> None:
    t = tariff(
        element(pc("ENERGY", "0.30", vat=None)),
        min_price={"excl_vat": D("0.50")},
        max_price={"excl_vat": D("10")},
    )
    d = describe(t, lang)
    assert " · ".join(plain(x.text) for x in d.lines[1:]) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "€0.30/kWh · start fee €0.50 · excl. VAT"),
        ("de", "0,30 €/kWh · Startgebühr 0,50 € · zzgl. MwSt."),
        ("fr", "0,30 €/kWh · frais de session 0,50 € · hors TVA"),
        ("nl", "€ 0,30/kWh · starttarief € 0,50 · excl. btw"),
    ],
)
def test_session_fee(lang: str, expected: str) -> None:
    t = tariff(element(pc("FLAT", "0.50", vat=None), pc("ENERGY", "0.30", vat=None)))
    assert summary(t, lang) == expected


def test_energy_step_named_from_a_whole_kwh() -> None:
    fine = tariff(element(pc("ENERGY", "0.30", vat=None, step=100)))
    coarse = tariff(element(pc("ENERGY", "0.30", vat=None, step=1000)))
    assert describe(fine, "en").lines[0].condition == ""
    assert describe(coarse, "en").lines[0].condition == "per started 1 kWh"
    assert describe(coarse, "de").lines[0].condition == "je angefangene 1 kWh"


# ------------------------------------------------------------------ which lines


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "charging time free first 60 min · €0.10/min otherwise · excl. VAT"),
        ("de", "Ladezeit kostenlos in den ersten 60 Min. · 0,10 €/Min. sonst · zzgl. MwSt."),
        (
            "fr",
            "temps de charge gratuit pendant les 60 premières min · 0,10 €/min sinon · hors TVA",
        ),
        ("nl", "laadtijd gratis de eerste 60 min · € 0,10/min anders · excl. btw"),
    ],
)
def test_free_first_hour_then_otherwise(lang: str, expected: str) -> None:
    t = tariff(
        element(pc("TIME", "0", vat=None), max_duration=3600),
        element(pc("TIME", "6.00", vat=None)),
    )
    assert summary(t, lang) == expected


def test_unreachable_elements_are_not_shown() -> None:
    t = tariff(
        element(pc("ENERGY", "0.30", vat=None)),
        element(pc("ENERGY", "0.20", vat=None), start_time="22:00", end_time="06:00"),
    )
    d = describe(t, "en")
    assert [line.element_index for line in d.lines] == [0]
    assert summary(t) == "€0.30/kWh · excl. VAT"


def test_zero_price_without_restriction_is_no_line() -> None:
    t = tariff(element(pc("FLAT", "0", vat=None), pc("ENERGY", "0.30", vat=None)))
    assert summary(t) == "€0.30/kWh · excl. VAT"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "free charging"),
        ("de", "kostenloses Laden"),
        ("fr", "recharge gratuite"),
        ("nl", "gratis laden"),
    ],
)
def test_everything_free(lang: str, expected: str) -> None:
    d = describe(tariff(element(pc("ENERGY", "0"))), lang)
    assert (d.summary, d.lines, d.vat_note) == (expected, (), "")


def test_lines_are_ordered_energy_time_parking_fee_idle_bounds() -> None:
    t = tariff(
        element(pc("FLAT", "1", vat=None), pc("PARKING_TIME", "2", vat=None)),
        element(pc("TIME", "6", vat=None), pc("ENERGY", "0.3", vat=None)),
        min_price={"excl_vat": D(1)},
        max_price={"excl_vat": D(50)},
        x_kiosk={"idle_fee": {"price_per_minute": D("0.1"), "grace_minutes": 0}},
    )
    d = describe(t, "en")
    assert [line.kind for line in d.lines] == [
        LineKind.ENERGY,
        LineKind.TIME,
        LineKind.PARKING_TIME,
        LineKind.FLAT,
        LineKind.IDLE_FEE,
        LineKind.MIN_PRICE,
        LineKind.MAX_PRICE,
    ]
    assert [line.element_index for line in d.lines] == [1, 1, 0, 0, None, None, None]
    idle = d.lines[4]
    assert (idle.condition, plain(idle.amount), idle.price) == ("", "€0.10/min", D("0.10"))


def test_idle_fee_step_and_cap() -> None:
    t = tariff(
        element(pc("ENERGY", "0.3", vat=None)),
        x_kiosk={
            "idle_fee": {
                "price_per_minute": D("0.25"),
                "grace_minutes": 120,
                "step_size": 300,
                "max_fee": D(15),
            }
        },
    )
    assert describe(t, "nl").lines[1].condition.replace("\u00a0", " ") == (
        "na 2 uur, per begonnen 5 min, max. € 15,00"
    )


# ------------------------------------------------------------------ structure, locale


def test_structured_result() -> None:
    (t,) = load("ac_time_of_use.json")
    d = describe(t, "en")
    assert d.tariff_id == "AC-TOU"
    assert (d.language, d.currency, d.vat_included, d.vat_rate) == ("en", "EUR", True, D(19))
    assert d.vat_note == "incl. 19% VAT"
    assert [(x.kind, x.price, x.unit) for x in d.lines] == [
        (LineKind.ENERGY, D("0.29"), PriceUnit.KWH),
        (LineKind.ENERGY, D("0.45"), PriceUnit.KWH),
        (LineKind.TIME, D("0.10"), PriceUnit.MINUTE),
        (LineKind.IDLE_FEE, D("0.40"), PriceUnit.MINUTE),
    ]
    first = d.lines[0]
    assert (first.label, first.amount, first.condition) == ("", "€0.29/kWh", "22:00–06:00")
    assert first.text == "€0.29/kWh 22:00–06:00"
    assert d.summary == " · ".join([*(x.text for x in d.lines), d.vat_note])
    assert all(isinstance(x.price, D) for x in d.lines)


def test_amounts_keep_number_and_currency_together() -> None:
    (t,) = load("ac_simple.json")
    assert describe(t, "de").lines[0].amount == "0,39\u00a0€/kWh"
    assert describe(t, "nl").lines[0].amount == "€\u00a00,39/kWh"
    (ch,) = load("ch_chf.json")
    assert describe(ch, "en").lines[0].amount == "CHF\u00a00.55/kWh"


@pytest.mark.parametrize("language", ["es", "english", "", "d", "xx-YY", "en_US_POSIX"])
def test_unknown_language_lists_the_supported_ones(language: str) -> None:
    (t,) = load("ac_simple.json")
    with pytest.raises(ValueError, match="supported: de, en, fr, nl"):
        describe(t, language)


@pytest.mark.parametrize(
    ("language", "region", "expected"),
    [
        ("DE", None, "0,39 €/kWh"),
        ("de-DE", None, "0,39 €/kWh"),
        ("de_at", None, "€ 0,39/kWh"),
        ("de", "CH", "EUR 0.39/kWh"),
        ("de-CH", "DE", "0,39 €/kWh"),  # the explicit region wins
        ("fr", "ZZ", "0,39 €/kWh"),  # no such variant: the language's own format
    ],
)
def test_language_tags_and_regions(language: str, region: str | None, expected: str) -> None:
    (t,) = load("ac_simple.json")
    d = describe(t, language, region=region)
    assert plain(d.lines[0].amount) == expected
    assert d.language == language[:2].lower()


def test_swiss_formats_with_region() -> None:
    (t,) = load("ch_chf.json")
    assert summary(t, "de", region="CH") == (
        "CHF 0.55/kWh · Blockiergebühr CHF 0.10/Min. nach 30 Min. · mind. CHF 2.00"
        " · inkl. 8.1% MwSt."
    )


def test_alt_text_is_the_operators_text_in_that_language() -> None:
    (t,) = load("nl_parking.json")
    alt = describe(t, "nl").alt_text
    assert alt is not None
    assert alt.startswith("€ 0,35 per kWh")
    assert describe(t, "de").alt_text is None


# ------------------------------------------------------------------ the tables


def test_supported_languages() -> None:
    assert SUPPORTED_LANGUAGES == ("de", "en", "fr", "nl")


def test_every_table_has_the_same_keys_and_placeholders() -> None:
    placeholders = re.compile(r"\{(\w+)\}")
    for lang, table in TEXTS.items():
        assert table.keys() == TEXTS["en"].keys(), lang
        for key, text in table.items():
            assert text, (lang, key)
            assert sorted(placeholders.findall(text)) == sorted(
                placeholders.findall(TEXTS["en"][key])
            ), (lang, key)


WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(re.sub(r"\{\w+\}", " ", text))}


def english_only_words(lang: str) -> set[str]:
    english = set().union(*(words(v) for v in TEXTS["en"].values()))
    own = set().union(*(words(v) for v in TEXTS[lang].values()))
    return english - own


def sample_descriptions() -> list[tuple[str, str, str | None, Any]]:
    cases: list[tuple[str, str, str | None, Any]] = []
    for path in sorted(ASSETS.glob("*.json")):
        tariffs = load(path.name)
        for t in tariffs:
            for group in [None, *t.extensions.customer_groups]:
                for lang in LANGS:
                    d = describe(t, lang, group, tariffs=tariffs)
                    cases.append((f"{path.name}:{t.id}", lang, group, d))
    return cases


def test_sample_files_exist_and_are_clean() -> None:
    names = sorted(p.name for p in ASSETS.glob("*.json"))
    assert names == [
        "ac_member_groups.json",
        "ac_simple.json",
        "ac_time_of_use.json",
        "ch_chf.json",
        "dc_power_tiers.json",
        "nl_parking.json",
    ]
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    for name in names:
        tariffs = load(name)
        assert all(t.warnings == () for t in tariffs), name
        assert f"`{name}`" in readme
    assert len(load("ac_member_groups.json")) == 2


def test_every_sample_text_is_complete_and_translated() -> None:
    cases = sample_descriptions()
    assert len(cases) == 40  # 7 tariffs and 3 group views, 4 languages each
    for where, lang, group, d in cases:
        texts = [d.summary, d.vat_note, d.group_note]
        texts += [x for line in d.lines for x in (line.label, line.amount, line.condition)]
        assert d.summary.strip(), (where, lang, group)
        assert all(line.text.strip() and line.amount.strip() for line in d.lines)
        assert not re.search(r"[{}]", d.summary)
        if lang != "en":
            leaked = set().union(*(words(t) for t in texts)) & english_only_words(lang)
            assert not leaked, (where, lang, group, leaked)


def test_english_only_words_check_would_catch_a_leak() -> None:
    assert {"after", "below", "otherwise", "idle", "vat"} <= english_only_words("de")
    assert "per" not in english_only_words("nl")  # Dutch says "per" too

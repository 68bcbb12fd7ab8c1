"""The receipt of one finished charging session, built from the session, its payment
and its final price; rendered by `render_text`, `render_html` and `render_pdf`.

`build_receipt(session, payment, breakdown, station)` makes a `Receipt`: every figure
the renderers print, already decided, with its labels in the receipt's language
(en, de, fr, nl: the small tables below; numbers, amounts and dates from Babel for
the locale, `en` formatted as `en_IE`, as `kiosk.domain.tariff_text` does).

How the figures are made, so that the receipt adds up to the cent:

* **Totals** are the pricing engine's: net and gross each rounded once from the exact
  session cost (`CostBreakdown.total_cost`), gross being what is captured. The VAT
  total is gross minus net.
* **Item lines** are the engine's `CostLine`s (energy, charging time, parking, start
  fee, idle fee, reservation), each rounded once from its exact cost. Lines with a
  zero unit price are left out. Unit prices are shown as the price screen shows them
  (gross, snapped to the operator's round price: see `kiosk.domain.tariff_text`).
* **Group discount.** For a customer group whose rule discounts this tariff, the
  item lines are the *list* prices (the same periods priced with
  `TariffPricer(tariff)` instead of `TariffPricer(tariff, group)`), followed by one
  negative line per VAT rate: charged price minus list price, both before any
  min./max. price.
* **Min./max. price.** When `CostBreakdown.cap` is set, one adjustment line per VAT
  rate carries the capped total minus the uncapped total. With several rates, each
  takes a share of the net adjustment in proportion to its net amount, grossed up at
  its own rate; the rate with the largest amount takes the rest. (The engine's
  `vat_lines` are before the cap, so they are not the capped session's VAT.)
* **Rounding.** Rounded lines need not add up to the once-rounded total. When they
  differ, an explicit "rounding" line carries the difference (a cent or two, net and
  gross separately) under the VAT rate with the largest amount. Nothing is adjusted
  silently: the lines, discounts, adjustments and the rounding line add up exactly to
  the totals, net and gross. A rendering prints the rounding line when it is not zero
  in the column it shows (`Receipt.shown_lines`), so what is printed adds up too.
* **VAT breakdown** is the receipt's lines summed per rate (gross), the VAT taken out
  of that gross (gross x rate / (100 + rate), half-up to the cent) and net as gross
  minus VAT: net + VAT = gross to the cent, and a tiny session at 19 % never shows
  VAT €0.00. The receipt's net total is the sum of these nets; it may differ by a cent
  per rate from the engine's separately rounded net (the CDR's `excl_vat`), and the
  rounding line's net part carries that difference. A session capped by a min./max.
  price keeps the tariff's net and gross bounds, VAT being their difference. A component
  without VAT has none (OCPI: "If omitted, no VAT is applicable"): its line is listed
  under "no VAT". A tariff with no VAT on any component gives a receipt of net amounts
  only (`vat_included` is False): gross equals net and no VAT table is printed.

The receipt id is `R-<local end date YYYYMMDD>-<8 Crockford base-32 characters>`, the
characters taken from SHA-256 of the session id: a reprint has the same id, and two
sessions of a day share one with a chance of about n²/2⁴¹ for n sessions (the store
should still keep it unique). The e-receipt URL is the base URL followed by the session
id (a random UUID), so an e-receipt cannot be found by trying receipt ids.

No card number is ever on a receipt: only the payment's masked reference
("VISA •••• 4242"), itself re-masked should a provider ever hand over more digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from kiosk.domain import redaction
from kiosk.domain.money import minor_unit, round_to_minor
from kiosk.domain.payment import Payment, PaymentMethod, PaymentState
from kiosk.domain.pricing import CostBreakdown, CostLine, LineKind, TariffPricer, price_session
from kiosk.domain.receipt_number import receipt_id_for
from kiosk.domain.session import ChargingSession, StopReason
from kiosk.domain.tariff import Dimension, Tariff
from kiosk.domain.tariff_text import TEXTS as TARIFF_TEXTS
from kiosk.domain.tariff_text import describe

__all__ = [
    "SUPPORTED_LANGUAGES",
    "TEXTS",
    "Receipt",
    "ReceiptFormat",
    "ReceiptLine",
    "ReceiptLineKind",
    "ReceiptPayment",
    "StationInfo",
    "VatBreakdownLine",
    "build_receipt",
    "mask_reference",
    "receipt_id_for",
]

# ------------------------------------------------------------------------ the tables

_EN: Final[Mapping[str, str]] = {
    "title": "Receipt",
    "receipt_id": "Receipt no.",
    "vat_id": "VAT ID",
    "operator": "Operator",
    "connector": "Connector",
    "evse_id": "EVSE ID",
    "started": "Start",
    "ended": "End",
    "times_in": "Times in {tz}",
    "energy": "Energy",
    "charging_time": "Charging time",
    "parking_time": "Parking time",
    "idle_time": "Idle time billed",
    "tariff": "Tariff",
    "items": "Item",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "amount": "Amount",
    "line.flat": "Start fee",
    "line.energy": "Energy",
    "line.time": "Charging time",
    "line.parking": "Parking",
    "line.idle": "Idle fee",
    "line.reservation_flat": "Reservation fee",
    "line.reservation_time": "Reservation time",
    "line.discount": "{group} discount",
    "line.min_price": "Minimum price adjustment",
    "line.max_price": "Maximum price cap",
    "line.rounding": "Rounding",
    "note.capped": "capped",
    "step": "measured {measured}, billed in {step} steps (+{extra})",
    "note.min_price": "min. {amount}",
    "note.max_price": "max. {amount}",
    "vat": "VAT",
    "vat.rate": "Rate",
    "vat.net": "Net",
    "vat.gross": "Gross",
    "vat.none": "no VAT",
    "total": "Total",
    "total_net": "Total excl. VAT",
    "total_vat": "VAT",
    "total_gross": "Total incl. VAT",
    "prices_incl": "Amounts incl. VAT",
    "prices_excl": "Amounts excl. VAT",
    "payment": "Payment",
    "paid_with": "Paid with",
    "method.bank_card": "Bank card",
    "method.account_token": "Charging card",
    "method.qr_web": "Mobile payment",
    "captured": "Charged",
    "hold": "Pre-authorized",
    "released": "Released",
    "status.pending": "Payment pending",
    "status.voided": "Nothing charged, hold released",
    "status.failed": "Payment not completed",
    "status.differs": "The amount charged differs from this receipt: under review",
    "stop": "Stopped",
    "stop.driver_screen": "on the screen",
    "stop.remote": "in the app",
    "stop.card_tap": "by card",
    "stop.stop_code": "with the stop code",
    "stop.unplugged": "cable unplugged",
    "stop.spend_cap": "spending limit reached",
    "stop.hold_exhausted": "pre-authorized amount reached",
    "stop.fault": "charger fault",
    "stop.attendant": "by staff",
    "stop.recovered": "closed after a restart",
    "stop.plug_timeout": "not plugged in in time",
    "stop.cancelled": "cancelled",
    "stop.declined": "payment declined",
    "idle_waived": "no idle fee: the station stopped the session",
    "e_receipt": "E-receipt",
    "scan": "Scan for your e-receipt",
    "thanks": "Thank you for charging with us.",
}

_DE: Final[Mapping[str, str]] = {
    "title": "Quittung",
    "receipt_id": "Beleg-Nr.",
    "vat_id": "USt-IdNr.",
    "operator": "Betreiber",
    "connector": "Ladepunkt",
    "evse_id": "EVSE-ID",
    "started": "Beginn",
    "ended": "Ende",
    "times_in": "Zeiten in {tz}",
    "energy": "Energie",
    "charging_time": "Ladedauer",
    "parking_time": "Standzeit",
    "idle_time": "Berechnete Blockierzeit",
    "tariff": "Tarif",
    "items": "Position",
    "quantity": "Menge",
    "unit_price": "Einzelpreis",
    "amount": "Betrag",
    "line.flat": "Startgebühr",
    "line.energy": "Energie",
    "line.time": "Ladezeit",
    "line.parking": "Parken",
    "line.idle": "Blockiergebühr",
    "line.reservation_flat": "Reservierungsgebühr",
    "line.reservation_time": "Reservierungszeit",
    "line.discount": "Rabatt {group}",
    "line.min_price": "Anpassung Mindestpreis",
    "line.max_price": "Deckelung Höchstpreis",
    "line.rounding": "Rundung",
    "note.capped": "gedeckelt",
    "step": "gemessen {measured}, abgerechnet in {step}-Schritten (+{extra})",
    "note.min_price": "mind. {amount}",
    "note.max_price": "max. {amount}",
    "vat": "MwSt.",
    "vat.rate": "Satz",
    "vat.net": "Netto",
    "vat.gross": "Brutto",
    "vat.none": "ohne MwSt.",
    "total": "Gesamt",
    "total_net": "Gesamt netto",
    "total_vat": "MwSt.",
    "total_gross": "Gesamt brutto",
    "prices_incl": "Beträge inkl. MwSt.",
    "prices_excl": "Beträge zzgl. MwSt.",
    "payment": "Zahlung",
    "paid_with": "Bezahlt mit",
    "method.bank_card": "Bankkarte",
    "method.account_token": "Ladekarte",
    "method.qr_web": "Mobile Zahlung",
    "captured": "Belastet",
    "hold": "Reserviert",
    "released": "Freigegeben",
    "status.pending": "Zahlung ausstehend",
    "status.voided": "Nichts belastet, Reservierung freigegeben",
    "status.failed": "Zahlung nicht abgeschlossen",
    "status.differs": "Der belastete Betrag weicht von diesem Beleg ab: wird geprüft",
    "stop": "Beendet",
    "stop.driver_screen": "am Bildschirm",
    "stop.remote": "in der App",
    "stop.card_tap": "mit der Karte",
    "stop.stop_code": "mit dem Stopp-Code",
    "stop.unplugged": "Kabel abgezogen",
    "stop.spend_cap": "Ausgabelimit erreicht",
    "stop.hold_exhausted": "reservierter Betrag erreicht",
    "stop.fault": "Störung der Ladestation",
    "stop.attendant": "durch Personal",
    "stop.recovered": "nach Neustart abgeschlossen",
    "stop.plug_timeout": "nicht rechtzeitig eingesteckt",
    "stop.cancelled": "abgebrochen",
    "stop.declined": "Zahlung abgelehnt",
    "idle_waived": "keine Blockiergebühr: die Station hat den Ladevorgang beendet",
    "e_receipt": "E-Beleg",
    "scan": "Scannen für Ihren E-Beleg",
    "thanks": "Vielen Dank für Ihren Ladevorgang.",
}

_FR: Final[Mapping[str, str]] = {
    "title": "Reçu",
    "receipt_id": "N° de reçu",
    "vat_id": "N° TVA",
    "operator": "Opérateur",
    "connector": "Point de charge",
    "evse_id": "ID EVSE",
    "started": "Début",
    "ended": "Fin",
    "times_in": "Heures : {tz}",
    "energy": "Énergie",
    "charging_time": "Durée de charge",
    "parking_time": "Stationnement",
    "idle_time": "Occupation facturée",
    "tariff": "Tarif",
    "items": "Article",
    "quantity": "Quantité",
    "unit_price": "Prix unitaire",
    "amount": "Montant",
    "line.flat": "Frais de session",
    "line.energy": "Énergie",
    "line.time": "Temps de charge",
    "line.parking": "Stationnement",
    "line.idle": "Frais d’occupation",
    "line.reservation_flat": "Frais de réservation",
    "line.reservation_time": "Temps de réservation",
    "line.discount": "Remise {group}",
    "line.min_price": "Ajustement au prix minimum",
    "line.max_price": "Plafond du prix maximum",
    "line.rounding": "Arrondi",
    "note.capped": "plafonné",
    "step": "mesuré {measured}, facturé par pas de {step} (+{extra})",
    "note.min_price": "min. {amount}",
    "note.max_price": "max. {amount}",
    "vat": "TVA",
    "vat.rate": "Taux",
    "vat.net": "HT",
    "vat.gross": "TTC",
    "vat.none": "sans TVA",
    "total": "Total",
    "total_net": "Total HT",
    "total_vat": "TVA",
    "total_gross": "Total TTC",
    "prices_incl": "Montants TTC",
    "prices_excl": "Montants HT",
    "payment": "Paiement",
    "paid_with": "Payé par",
    "method.bank_card": "Carte bancaire",
    "method.account_token": "Badge de recharge",
    "method.qr_web": "Paiement mobile",
    "captured": "Débité",
    "hold": "Pré-autorisé",
    "released": "Libéré",
    "status.pending": "Paiement en attente",
    "status.voided": "Rien n’a été débité, pré-autorisation libérée",
    "status.failed": "Paiement non abouti",
    "status.differs": "Le montant débité diffère de ce reçu : vérification en cours",
    "stop": "Arrêt",
    "stop.driver_screen": "à l’écran",
    "stop.remote": "dans l’application",
    "stop.card_tap": "par badge",
    "stop.stop_code": "par code d’arrêt",
    "stop.unplugged": "câble débranché",
    "stop.spend_cap": "plafond de dépense atteint",
    "stop.hold_exhausted": "montant pré-autorisé atteint",
    "stop.fault": "défaut de la borne",
    "stop.attendant": "par le personnel",
    "stop.recovered": "clôturée après un redémarrage",
    "stop.plug_timeout": "branchement non effectué à temps",
    "stop.cancelled": "annulée",
    "stop.declined": "paiement refusé",
    "idle_waived": "pas de frais d’occupation : la borne a arrêté la recharge",
    "e_receipt": "Reçu électronique",
    "scan": "Scannez pour votre reçu électronique",
    "thanks": "Merci d’avoir rechargé chez nous.",
}

_NL: Final[Mapping[str, str]] = {
    "title": "Bon",
    "receipt_id": "Bonnummer",
    "vat_id": "Btw-nummer",
    "operator": "Exploitant",
    "connector": "Laadpunt",
    "evse_id": "EVSE-ID",
    "started": "Start",
    "ended": "Einde",
    "times_in": "Tijden in {tz}",
    "energy": "Energie",
    "charging_time": "Laadduur",
    "parking_time": "Parkeerduur",
    "idle_time": "Berekende blokkeertijd",
    "tariff": "Tarief",
    "items": "Omschrijving",
    "quantity": "Hoeveelheid",
    "unit_price": "Prijs per eenheid",
    "amount": "Bedrag",
    "line.flat": "Starttarief",
    "line.energy": "Energie",
    "line.time": "Laadtijd",
    "line.parking": "Parkeren",
    "line.idle": "Blokkeertarief",
    "line.reservation_flat": "Reserveringskosten",
    "line.reservation_time": "Reserveringstijd",
    "line.discount": "Korting {group}",
    "line.min_price": "Aanpassing minimumprijs",
    "line.max_price": "Maximumprijs",
    "line.rounding": "Afronding",
    "note.capped": "gemaximeerd",
    "step": "gemeten {measured}, gefactureerd in stappen van {step} (+{extra})",
    "note.min_price": "min. {amount}",
    "note.max_price": "max. {amount}",
    "vat": "Btw",
    "vat.rate": "Tarief",
    "vat.net": "Netto",
    "vat.gross": "Bruto",
    "vat.none": "zonder btw",
    "total": "Totaal",
    "total_net": "Totaal excl. btw",
    "total_vat": "Btw",
    "total_gross": "Totaal incl. btw",
    "prices_incl": "Bedragen incl. btw",
    "prices_excl": "Bedragen excl. btw",
    "payment": "Betaling",
    "paid_with": "Betaald met",
    "method.bank_card": "Bankkaart",
    "method.account_token": "Laadpas",
    "method.qr_web": "Mobiele betaling",
    "captured": "Afgeschreven",
    "hold": "Gereserveerd",
    "released": "Vrijgegeven",
    "status.pending": "Betaling in behandeling",
    "status.voided": "Niets afgeschreven, reservering vrijgegeven",
    "status.failed": "Betaling niet voltooid",
    "status.differs": "Het afgeschreven bedrag wijkt af van deze bon: wordt onderzocht",
    "stop": "Gestopt",
    "stop.driver_screen": "via het scherm",
    "stop.remote": "via de app",
    "stop.card_tap": "met de pas",
    "stop.stop_code": "met de stopcode",
    "stop.unplugged": "kabel losgekoppeld",
    "stop.spend_cap": "bestedingslimiet bereikt",
    "stop.hold_exhausted": "gereserveerd bedrag bereikt",
    "stop.fault": "storing laadpaal",
    "stop.attendant": "door personeel",
    "stop.recovered": "afgesloten na herstart",
    "stop.plug_timeout": "niet op tijd aangesloten",
    "stop.cancelled": "geannuleerd",
    "stop.declined": "betaling geweigerd",
    "idle_waived": "geen blokkeertarief: het laadpunt heeft de sessie beëindigd",
    "e_receipt": "E-bon",
    "scan": "Scan voor uw e-bon",
    "thanks": "Bedankt voor het laden bij ons.",
}

TEXTS: Final[Mapping[str, Mapping[str, str]]] = {"en": _EN, "de": _DE, "fr": _FR, "nl": _NL}
SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = tuple(sorted(TEXTS))

_BASE_LOCALE: Final[Mapping[str, str]] = {"en": "en_IE", "de": "de", "fr": "fr", "nl": "nl"}
_TAG: Final = re.compile(r"([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?")
# A currency code glued to its number ("CHF0.55", "EUR-1.00"): CLDR wants a space there.
_CODE_NUMBER: Final = re.compile(r"(?<=[A-Za-z])(?=[-\d])")
_OCPI_DIGITS: Final = 4
_HUNDRED: Final = Decimal(100)
_MILLI: Final = Decimal("0.001")
_H_S: Final = Decimal(3600)


# ------------------------------------------------------------------------ the model


class ReceiptLineKind(Enum):
    FLAT = "FLAT"
    ENERGY = "ENERGY"
    TIME = "TIME"
    PARKING_TIME = "PARKING_TIME"
    IDLE_FEE = "IDLE_FEE"
    RESERVATION_FLAT = "RESERVATION_FLAT"
    RESERVATION_TIME = "RESERVATION_TIME"
    DISCOUNT = "DISCOUNT"
    MIN_PRICE = "MIN_PRICE"
    MAX_PRICE = "MAX_PRICE"
    ROUNDING = "ROUNDING"


_STEP_DIMENSION: Final[Mapping[LineKind, Dimension]] = {
    LineKind.ENERGY: Dimension.ENERGY,
    LineKind.TIME: Dimension.TIME,
    LineKind.PARKING_TIME: Dimension.PARKING_TIME,
}
_LINE_KIND: Final[Mapping[LineKind, ReceiptLineKind]] = {
    LineKind.FLAT: ReceiptLineKind.FLAT,
    LineKind.ENERGY: ReceiptLineKind.ENERGY,
    LineKind.TIME: ReceiptLineKind.TIME,
    LineKind.PARKING_TIME: ReceiptLineKind.PARKING_TIME,
    LineKind.IDLE_FEE: ReceiptLineKind.IDLE_FEE,
    LineKind.RESERVATION_FLAT: ReceiptLineKind.RESERVATION_FLAT,
    LineKind.RESERVATION_TIME: ReceiptLineKind.RESERVATION_TIME,
}

_LINE_LABEL: Final[Mapping[ReceiptLineKind, str]] = {
    ReceiptLineKind.FLAT: "line.flat",
    ReceiptLineKind.ENERGY: "line.energy",
    ReceiptLineKind.TIME: "line.time",
    ReceiptLineKind.PARKING_TIME: "line.parking",
    ReceiptLineKind.IDLE_FEE: "line.idle",
    ReceiptLineKind.RESERVATION_FLAT: "line.reservation_flat",
    ReceiptLineKind.RESERVATION_TIME: "line.reservation_time",
    ReceiptLineKind.MIN_PRICE: "line.min_price",
    ReceiptLineKind.MAX_PRICE: "line.max_price",
    ReceiptLineKind.ROUNDING: "line.rounding",
}


@dataclass(frozen=True, slots=True)
class StationInfo:
    """What the receipt says about the station; `connector_labels` by connector id."""

    name: str
    address_lines: tuple[str, ...] = ()
    operator: str = ""
    vat_id: str = ""
    connector_labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls, station: _StationConfig, connectors: Sequence[_ConnectorConfig] = ()
    ) -> StationInfo:
        """From `kiosk.config`'s StationInfo and ConnectorConfigs."""
        city = " ".join(p for p in (station.postal_code, station.city) if p)
        return cls(
            name=station.name,
            address_lines=tuple(p for p in (station.address, city) if p),
            operator=station.operator,
            vat_id=station.vat_id,
            connector_labels={c.id: c.label for c in connectors},
        )


class _StationConfig(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def operator(self) -> str: ...
    @property
    def vat_id(self) -> str: ...


class _ConnectorConfig(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line of the receipt; `amount` is gross when the receipt's VAT is included."""

    kind: ReceiptLineKind
    label: str
    quantity: str  # "12.345 kWh", "1:05:00"; "" when not a volume
    unit_price: Decimal | None  # as shown (gross when VAT is included)
    unit_price_text: str  # "€0.45/kWh"; "" when no unit price
    note: str  # "capped", "10% off", "max. €75.00"; "" if none
    # the billed volume differs from the measured one by step_size rounding: its own line,
    # "measured 47.593 kWh, billed in 100 Wh steps (+0.007 kWh)"; "" if not
    step_note: str
    amount_excl_vat: Decimal
    amount_incl_vat: Decimal
    amount: Decimal
    vat_rate: Decimal | None  # percent; None: no VAT given


@dataclass(frozen=True, slots=True)
class VatBreakdownLine:
    rate: Decimal | None  # percent; None: no VAT given
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class ReceiptPayment:
    method: PaymentMethod
    method_label: str
    masked_ref: str | None  # never a card number
    state: PaymentState
    status: str  # "" when captured; else "Payment pending", "Nothing charged, ..."
    authorized: Decimal
    captured: Decimal
    released: Decimal  # the part of the hold given back (final states only)
    shows_hold: bool  # a bank card or mobile payment hold, worth printing


@dataclass(frozen=True, slots=True)
class Receipt:
    receipt_id: str
    session_id: str
    language: str  # "en", "de", "fr", "nl"
    locale: str  # Babel locale the figures are formatted in ("en_IE")
    currency: str
    tz: str  # station's zone: times are stored in UTC and shown in this zone
    station_name: str
    station_address: tuple[str, ...]
    operator: str
    operator_vat_id: str
    connector_id: str
    connector_label: str
    evse_id: str
    tariff_id: str
    customer_group: str | None
    started_at: datetime  # UTC: plugged in (the priced session's start)
    ended_at: datetime  # UTC: unplugged or closed
    energy_kwh: Decimal
    charging_s: int
    parking_s: int  # all time plugged in without charging
    idle_s: int  # of which billed as idle (after the grace period)
    lines: tuple[ReceiptLine, ...]
    vat_included: bool
    vat_breakdown: tuple[VatBreakdownLine, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    payment: ReceiptPayment | None
    stop_reason: StopReason | None
    stop_reason_text: str
    e_receipt_url: str | None

    @property
    def total(self) -> Decimal:
        """What the driver pays: gross, or net when the tariff gave no VAT."""
        return self.total_gross if self.vat_included else self.total_net

    def shown_lines(self) -> tuple[ReceiptLine, ...]:
        """The lines a rendering prints: all but a rounding line that is zero in the
        shown column (it then only reconciles the other, net, column)."""
        return tuple(
            line
            for line in self.lines
            if line.kind is not ReceiptLineKind.ROUNDING or line.amount != 0
        )

    def text(self, key: str) -> str:
        return TEXTS[self.language][key]

    def format(self) -> ReceiptFormat:
        return ReceiptFormat(self.language, Locale.parse(self.locale), self.currency, self.tz)


# ----------------------------------------------------------------------- formatting


class ReceiptFormat:
    """Numbers, amounts, times and durations of one receipt, in its locale."""

    def __init__(self, language: str, locale: Locale, currency: str, tz: str) -> None:
        self.language = language
        self.locale = locale
        self.currency = currency
        self.zone = ZoneInfo(tz)
        self.minor = minor_unit(currency)

    def t(self, key: str) -> str:
        return TEXTS[self.language][key]

    def money(self, value: Decimal) -> str:
        """An amount in the currency's minor unit: "€12.34", "12,34 €"."""
        text = format_currency(value, self.currency, locale=self.locale)
        return _CODE_NUMBER.sub("\u00a0", text)

    def price(self, value: Decimal) -> str:
        """A unit price, with more decimals when it has them: "€0.4501"."""
        text = format_currency(value, self.currency, locale=self.locale, decimal_quantization=False)
        return _CODE_NUMBER.sub("\u00a0", text)

    def number(self, value: Decimal) -> str:
        """An amount without its currency, in the minor unit (VAT tables)."""
        places = "0" * self.minor
        pattern = f"#,##0.{places}" if places else "#,##0"
        return format_decimal(round_to_minor(value, self.currency), pattern, locale=self.locale)

    def kwh(self, value: Decimal) -> str:
        shown = value.quantize(_MILLI, rounding=ROUND_HALF_UP)
        return f"{format_decimal(shown, '#,##0.000', locale=self.locale)} kWh"

    def percent(self, rate: Decimal | None) -> str:
        if rate is None:
            return self.t("vat.none")
        fraction = (rate / _HUNDRED).normalize()
        return format_percent(fraction, locale=self.locale, decimal_quantization=False)

    def moment(self, at: datetime) -> str:
        """A date and time in the station's zone: "24 Nov 2026, 14:03:12"."""
        return format_datetime(at, "medium", tzinfo=self.zone, locale=self.locale)

    @staticmethod
    def duration(seconds: int | Decimal) -> str:
        """H:MM:SS, the same in every language."""
        total = int(Decimal(seconds).to_integral_value(rounding=ROUND_HALF_UP))
        hours, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}"


# ------------------------------------------------------------------------ the API


def mask_reference(ref: str | None) -> str | None:
    """The payment's masked reference as a receipt prints it (`redaction.mask_reference`).

    The reference was rebuilt at the provider boundary already; the receipt applies the
    same rule once more (it is idempotent) rather than trusting a stored value, so a
    ledger written before the boundary existed never prints more than four digits.
    """
    return redaction.mask_reference(ref)


def build_receipt(
    session: ChargingSession,
    payment: Payment | None,
    breakdown: CostBreakdown,
    station: StationInfo,
    *,
    language: str = "en",
    e_receipt_base_url: str | None = None,
    e_receipt_token: str | None = None,
) -> Receipt:
    """The receipt of a finished session priced by `breakdown` (its final breakdown).

    `language` is "en", "de", "fr" or "nl", optionally with a region ("de-CH").
    Raises ValueError for an unsupported language, a session that has not ended, or a
    breakdown, payment or currency that does not belong to the session.
    """
    lang, locale = _resolve_locale(language)
    if session.plugged_at is None or session.ended_at is None:
        raise ValueError(f"session {session.id} has not ended: no receipt yet")
    if breakdown.currency != session.currency:
        raise ValueError(
            f"breakdown in {breakdown.currency}, session {session.id} in {session.currency}"
        )
    if session.totals is not None and breakdown.total_cost.excl_vat != (
        session.totals.cost_excl_vat
    ):
        raise ValueError(f"the breakdown is not session {session.id}'s final price")
    if payment is not None and (
        payment.session_id != session.id or payment.currency != session.currency
    ):
        raise ValueError(f"payment {payment.id} does not belong to session {session.id}")

    texts = TEXTS[lang]
    fmt = ReceiptFormat(lang, locale, session.currency, session.tz)
    vat_included = any(v.rate is not None for v in breakdown.vat_lines)
    total_net = breakdown.total_cost.excl_vat
    total_gross = breakdown.total_cost.incl_vat

    listed = _list_breakdown(session, breakdown)
    shown = listed if listed is not None else breakdown
    conditions = _conditions(session.tariff, language, lang)
    lines: list[ReceiptLine] = []
    energy_shown = _energy_quantities(shown.lines)
    billed_kwh = sum(energy_shown.values(), Decimal(0))
    for i, cost_line in enumerate(shown.lines):
        condition = ""
        if cost_line.tariff_id == session.tariff.id:
            condition = conditions.get((cost_line.kind.value, cost_line.element), "")
        step = _step_note(cost_line, session.tariff, fmt, breakdown.total_energy_kwh, billed_kwh)
        line = _item_line(cost_line, fmt, vat_included, condition, energy_shown.get(i), step)
        if line is not None:
            lines.append(line)
    if listed is not None:
        lines += _discount_lines(session, listed, breakdown, fmt, vat_included)
    if breakdown.cap is not None:
        lines += _cap_lines(session, breakdown, fmt, vat_included)
    # a min./max. price bounds net and gross each (the tariff gives both): VAT stays
    # their difference; otherwise it is taken out of the gross paid
    from_gross = vat_included and breakdown.cap is None
    vat_breakdown = _vat_breakdown(lines, total_net, total_gross, session.currency, from_gross)
    total_net = sum((v.net for v in vat_breakdown), Decimal(0))
    rounding = _rounding_line(lines, total_net, total_gross, fmt, vat_included)
    if rounding is not None:
        lines.append(rounding)

    receipt_id = receipt_id_for(session.id, session.ended_at, session.tz)
    url = None
    if e_receipt_base_url and e_receipt_token:  # never a guessable session id
        url = f"{e_receipt_base_url.rstrip('/')}/{e_receipt_token}"
    stop_text = ""
    if session.stop_reason is not None:
        reason = session.stop_reason.value
        stop_text = texts.get(f"stop.{reason}", reason.replace("_", " "))
        if session.idle_fee_waived:  # why no idle fee is billed (docs/tariffs.md)
            stop_text = f"{stop_text}; {texts['idle_waived']}"

    return Receipt(
        receipt_id=receipt_id,
        session_id=session.id,
        language=lang,
        locale=str(locale),
        currency=session.currency,
        tz=session.tz,
        station_name=station.name,
        station_address=station.address_lines,
        operator=station.operator,
        operator_vat_id=station.vat_id,
        connector_id=session.connector_id,
        connector_label=station.connector_labels.get(session.connector_id, session.connector_id),
        evse_id=session.evse_id,
        tariff_id=breakdown.tariff_id,
        customer_group=session.customer_group,
        started_at=session.plugged_at.astimezone(UTC),
        ended_at=session.ended_at.astimezone(UTC),
        energy_kwh=breakdown.total_energy_kwh,
        charging_s=breakdown.total_charging_s,
        parking_s=breakdown.total_parking_s,
        idle_s=breakdown.idle_s,
        lines=tuple(lines),
        vat_included=vat_included,
        vat_breakdown=vat_breakdown,
        total_net=total_net,
        total_vat=total_gross - total_net,
        total_gross=total_gross,
        payment=None if payment is None else _payment(payment, texts, total_gross),
        stop_reason=session.stop_reason,
        stop_reason_text=stop_text,
        e_receipt_url=url,
    )


# ------------------------------------------------------------------------ the parts


def _resolve_locale(language: str) -> tuple[str, Locale]:
    m = _TAG.fullmatch(language.strip()) if isinstance(language, str) else None
    lang = m.group(1).lower() if m else ""
    if m is None or lang not in TEXTS:
        raise ValueError(
            f"unsupported language {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    region = m.group(2)
    if region:
        try:
            return lang, Locale.parse(f"{lang}_{region.upper()}")
        except (UnknownLocaleError, ValueError):
            pass  # no such regional variant in CLDR: the language's own formats
    return lang, Locale.parse(_BASE_LOCALE[lang])


def _tidy(value: Decimal, currency: str) -> Decimal:
    """Half-up to 4 decimals (or the minor unit if longer), no trailing zeros beyond it."""
    digits = max(_OCPI_DIGITS, minor_unit(currency))
    value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    minor = round_to_minor(value, currency)
    return minor if minor == value else value.normalize()


def _shown_price(net: Decimal, vat: Decimal | None, currency: str, gross: bool) -> Decimal:
    """A unit price as the price screen shows it (`kiosk.domain.tariff_text`'s rule)."""
    if not gross or vat is None:
        return _tidy(net, currency)
    factor = 1 + vat / _HUNDRED
    exact = net * factor
    snapped = round_to_minor(exact, currency)
    exponent = net.as_tuple().exponent
    digits = max(_OCPI_DIGITS, minor_unit(currency), -exponent if isinstance(exponent, int) else 0)
    back = (snapped / factor).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return snapped if back == net else _tidy(exact, currency)


def _conditions(tariff: Tariff, language: str, lang: str) -> dict[tuple[str, int | None], str]:
    """What the price screen says about when each price applies ("22:00–06:00",
    "after 15 min, max. €12.00"), by (kind, element index); "otherwise" left out."""
    try:
        description = describe(tariff, language)
    except ValueError:
        return {}
    otherwise = TARIFF_TEXTS[lang]["cond.otherwise"]
    out: dict[tuple[str, int | None], str] = {}
    for price_line in description.lines:
        parts = [p for p in price_line.condition.split(", ") if p and p != otherwise]
        if parts:
            out[(price_line.kind.value, price_line.element_index)] = ", ".join(parts)
    return out


def _energy_quantities(lines: Sequence[CostLine]) -> dict[int, Decimal]:
    """The kWh each energy line shows, rounded so that they add up to the rounded total
    (each the rounded running sum minus the one before): one rounding rule, to the Wh,
    for the header and the lines."""
    out: dict[int, Decimal] = {}
    running = shown = Decimal(0)
    for i, line in enumerate(lines):
        if line.kind is LineKind.ENERGY and line.unit_price != 0:
            running += line.volume
            now = running.quantize(_MILLI, rounding=ROUND_HALF_UP)
            out[i], shown = now - shown, now
    return out


def _step_note(
    line: CostLine,
    tariff: Tariff,
    fmt: ReceiptFormat,
    measured_kwh: Decimal,
    billed_kwh: Decimal,
) -> str:
    """ "measured 47.593 kWh, billed in 100 Wh steps (+0.007 kWh)" for the line that
    carries the session's step_size rounding (pricing: once per session and dimension)."""
    if line.step_volume <= 0 or line.unit_price == 0:
        return ""
    step = _step_size(line, tariff)
    if step is None:
        return ""
    if line.kind is LineKind.ENERGY:
        shown_measured = measured_kwh.quantize(_MILLI, rounding=ROUND_HALF_UP)
        if billed_kwh == shown_measured:
            return ""  # under half a Wh: the shown figures already agree
        measured, extra = fmt.kwh(measured_kwh), fmt.kwh(billed_kwh - shown_measured)
        size = (
            f"{step // 1000}\u00a0kWh" if step >= 1000 and step % 1000 == 0 else f"{step}\u00a0Wh"
        )
    else:
        seconds = _H_S if line.kind is not LineKind.IDLE_FEE else Decimal(60)
        billed_s = int((line.volume * seconds).to_integral_value(rounding=ROUND_HALF_UP))
        measured_s = int(
            ((line.volume - line.step_volume) * seconds).to_integral_value(rounding=ROUND_HALF_UP)
        )
        if billed_s == measured_s:
            return ""  # under half a second: the shown figures already agree
        measured, extra = fmt.duration(measured_s), fmt.duration(billed_s - measured_s)
        size = f"{step // 60}\u00a0min" if step % 60 == 0 else f"{step}\u00a0s"
    return fmt.t("step").format(measured=measured, step=size, extra=extra)


def _step_size(line: CostLine, tariff: Tariff) -> int | None:
    """The step_size that rounded this line (Wh or seconds), from the session's tariff."""
    if line.kind is LineKind.IDLE_FEE:
        fee = tariff.extensions.idle_fee
        return None if fee is None else fee.step_size
    if line.tariff_id != tariff.id or line.element is None:
        return None  # another tariff (a group's): not at hand here
    dimension = _STEP_DIMENSION.get(line.kind)
    if dimension is None or line.element >= len(tariff.elements):
        return None
    pc = tariff.elements[line.element].component(dimension)
    return None if pc is None or pc.step_size <= 0 else pc.step_size


def _item_line(
    line: CostLine,
    fmt: ReceiptFormat,
    vat_included: bool,
    condition: str,
    shown_kwh: Decimal | None = None,
    step_note: str = "",
) -> ReceiptLine | None:
    if line.unit_price == 0:
        return None  # "no charge for this": nothing to show
    kind = _LINE_KIND[line.kind]
    per = TARIFF_TEXTS[fmt.language]
    currency = fmt.currency
    excl = line.cost.excl_vat
    incl = line.cost.incl_vat
    rate = line.vat if vat_included else None
    price = _shown_price(line.unit_price, rate, currency, vat_included)
    once = False
    notes = [condition] if condition else []
    if kind is ReceiptLineKind.ENERGY:
        quantity = fmt.kwh(line.volume if shown_kwh is None else shown_kwh)
        price_text = fmt.price(price) + per["per.kwh"]
    elif kind in (
        ReceiptLineKind.TIME,
        ReceiptLineKind.PARKING_TIME,
        ReceiptLineKind.RESERVATION_TIME,
    ):
        quantity = fmt.duration(line.volume * 3600)
        per_minute = price / 60
        if per_minute != 0 and per_minute == round_to_minor(per_minute, currency):
            price = round_to_minor(per_minute, currency)
            price_text = fmt.price(price) + per["per.min"]
        else:
            price_text = fmt.price(price) + per["per.h"]
    elif kind is ReceiptLineKind.IDLE_FEE:
        quantity = fmt.duration(line.volume * 60)
        price_text = fmt.price(price) + per["per.min"]
        if excl < round_to_minor(line.unit_price * line.volume, currency):
            notes.append(fmt.t("note.capped"))
    else:  # FLAT, RESERVATION_FLAT: once
        quantity = ""
        price_text = ""
        once = True
    return ReceiptLine(
        kind=kind,
        label=fmt.t(_LINE_LABEL[kind]),
        quantity=quantity,
        unit_price=None if once else price,
        unit_price_text=price_text,
        note=", ".join(notes),
        step_note=step_note,
        amount_excl_vat=excl,
        amount_incl_vat=incl,
        amount=incl if vat_included else excl,
        vat_rate=rate,
    )


def _list_breakdown(session: ChargingSession, charged: CostBreakdown) -> CostBreakdown | None:
    """The same periods at list prices, when the session's group is discounted."""
    group = session.customer_group
    if group is None or session.plugged_at is None or session.ended_at is None:
        return None
    rule = session.tariff.extensions.customer_groups.get(group)
    if rule is None or rule.tariff_id is not None:
        return None  # no discount rule (a group tariff is its own list price)
    listed = price_session(
        session.periods,
        start=session.plugged_at,
        end=session.ended_at,
        tz=session.tz,
        pricer=TariffPricer(session.tariff),
    )
    if listed.uncapped_cost == charged.uncapped_cost and listed.vat_lines == charged.vat_lines:
        return None  # nothing this session paid was discounted
    return listed


def _per_rate(
    b: CostBreakdown, vat_included: bool
) -> dict[Decimal | None, tuple[Decimal, Decimal]]:
    """(net, gross) per VAT rate before min./max. price, adding up to the uncapped total.

    Each rate's figures are the engine's, rounded once; the cent by which they may miss
    the (once-rounded) uncapped total goes to the rate with the largest amount.
    """
    out: dict[Decimal | None, tuple[Decimal, Decimal]] = {}
    for v in b.vat_lines:
        rate = v.rate if vat_included else None
        gross = v.net + v.vat
        net0, gross0 = out.get(rate, (Decimal(0), Decimal(0)))
        out[rate] = (net0 + v.net, gross0 + gross)
    total_net = b.uncapped_cost.excl_vat
    total_gross = b.uncapped_cost.incl_vat
    net_gap = total_net - sum((n for n, _ in out.values()), Decimal(0))
    gross_gap = total_gross - sum((g for _, g in out.values()), Decimal(0))
    if net_gap or gross_gap:
        rate = _largest(out)
        net0, gross0 = out.get(rate, (Decimal(0), Decimal(0)))
        out[rate] = (net0 + net_gap, gross0 + gross_gap)
    return out


def _largest(amounts: Mapping[Decimal | None, tuple[Decimal, Decimal]]) -> Decimal | None:
    """The rate with the largest net amount (ties: the higher rate); None if none."""
    if not amounts:
        return None
    return max(amounts, key=lambda r: (abs(amounts[r][0]), r is not None, r or Decimal(0)))


def _discount_lines(
    session: ChargingSession,
    listed: CostBreakdown,
    charged: CostBreakdown,
    fmt: ReceiptFormat,
    vat_included: bool,
) -> list[ReceiptLine]:
    group = session.customer_group
    assert group is not None
    tt = TARIFF_TEXTS[fmt.language]
    name = tt.get(f"groupname.{group}", group)
    label = fmt.t("line.discount").format(group=name)
    label = label[:1].upper() + label[1:]
    rule = session.tariff.extensions.customer_groups[group]
    note = ""
    if rule.discount_percent is not None:
        note = tt["group.percent"].format(p=fmt.percent(rule.discount_percent))
    elif rule.energy_discount_per_kwh is not None:
        energy_vat = next(
            (c.vat for c in listed.lines if c.kind is LineKind.ENERGY and vat_included), None
        )
        off = _shown_price(rule.energy_discount_per_kwh, energy_vat, fmt.currency, vat_included)
        note = tt["group.energy"].format(amount=fmt.price(off))
    before = _per_rate(listed, vat_included)
    after = _per_rate(charged, vat_included)
    lines: list[ReceiptLine] = []
    for rate in _ordered(set(before) | set(after)):
        net_l, gross_l = before.get(rate, (Decimal(0), Decimal(0)))
        net_c, gross_c = after.get(rate, (Decimal(0), Decimal(0)))
        excl, incl = net_c - net_l, gross_c - gross_l
        if excl or incl:
            lines.append(
                _plain_line(ReceiptLineKind.DISCOUNT, label, note, excl, incl, rate, vat_included)
            )
    return lines


def _cap_lines(
    session: ChargingSession, b: CostBreakdown, fmt: ReceiptFormat, vat_included: bool
) -> list[ReceiptLine]:
    """The min./max. price adjustment, one line per VAT rate.

    Each rate takes its share of the net adjustment by its net amount, with its gross at
    its own rate; the rate with the largest amount takes what is left, so the lines add
    up to the capped total exactly (the engine caps net and gross separately).
    """
    kind = ReceiptLineKind.MIN_PRICE if b.cap == "min_price" else ReceiptLineKind.MAX_PRICE
    bound = session.tariff.min_price if b.cap == "min_price" else session.tariff.max_price
    note = ""
    if bound is not None:
        value = bound.incl_vat if vat_included and bound.incl_vat is not None else None
        if value is None:
            value = bound.excl_vat
            if vat_included:  # no gross bound given: the session's own VAT ratio
                value = b.total_cost.incl_vat or value
        key = "note.min_price" if kind is ReceiptLineKind.MIN_PRICE else "note.max_price"
        note = fmt.t(key).format(amount=fmt.money(value))
    adj_excl = b.total_cost.excl_vat - b.uncapped_cost.excl_vat
    total_incl = b.total_cost.incl_vat
    uncapped_incl = b.uncapped_cost.incl_vat
    adj_incl = total_incl - uncapped_incl
    weights = _per_rate(b, vat_included)
    rates = _ordered(weights) or [None]
    remainder_rate = _largest(weights)
    net_sum = sum((n for n, _ in weights.values()), Decimal(0))
    shares: dict[Decimal | None, tuple[Decimal, Decimal]] = {}
    for rate in rates:
        if rate == remainder_rate or not net_sum:
            continue
        # This rate's part of the net adjustment, and its gross at its own VAT rate.
        excl = round_to_minor(adj_excl * weights[rate][0] / net_sum, fmt.currency)
        incl = excl
        if vat_included and rate is not None:
            incl = round_to_minor(excl * (1 + rate / _HUNDRED), fmt.currency)
        shares[rate] = (excl, incl)
    shares[remainder_rate] = (
        adj_excl - sum((e for e, _ in shares.values()), Decimal(0)),
        adj_incl - sum((i for _, i in shares.values()), Decimal(0)),
    )
    label = fmt.t(_LINE_LABEL[kind])
    return [
        _plain_line(kind, label, note, *shares[rate], rate, vat_included)
        for rate in rates
        if rate in shares and any(shares[rate])
    ]


def _by_rate(lines: Sequence[ReceiptLine]) -> dict[Decimal | None, tuple[Decimal, Decimal]]:
    """(net, gross) of the lines, per VAT rate."""
    sums: dict[Decimal | None, tuple[Decimal, Decimal]] = {}
    for line in lines:
        net, gross = sums.get(line.vat_rate, (Decimal(0), Decimal(0)))
        sums[line.vat_rate] = (net + line.amount_excl_vat, gross + line.amount_incl_vat)
    return sums


def _rounding_line(
    lines: Sequence[ReceiptLine],
    total_net: Decimal,
    total_gross: Decimal,
    fmt: ReceiptFormat,
    vat_included: bool,
) -> ReceiptLine | None:
    excl = total_net - sum((line.amount_excl_vat for line in lines), Decimal(0))
    incl = total_gross - sum((line.amount_incl_vat for line in lines), Decimal(0))
    if not excl and not incl:
        return None
    rate = _largest(_by_rate(lines))
    label = fmt.t("line.rounding")
    return _plain_line(ReceiptLineKind.ROUNDING, label, "", excl, incl, rate, vat_included)


def _plain_line(
    kind: ReceiptLineKind,
    label: str,
    note: str,
    excl: Decimal,
    incl: Decimal,
    rate: Decimal | None,
    vat_included: bool,
) -> ReceiptLine:
    return ReceiptLine(
        kind=kind,
        label=label,
        quantity="",
        unit_price=None,
        unit_price_text="",
        note=note,
        step_note="",
        amount_excl_vat=excl,
        amount_incl_vat=incl,
        amount=incl if vat_included else excl,
        vat_rate=rate,
    )


def _ordered(rates: set[Decimal | None] | Mapping[Decimal | None, object]) -> list[Decimal | None]:
    return sorted(rates, key=lambda r: (r is None, r or Decimal(0)))


def _vat_breakdown(
    lines: Sequence[ReceiptLine],
    total_net: Decimal,
    total_gross: Decimal,
    currency: str,
    from_gross: bool,
) -> tuple[VatBreakdownLine, ...]:
    """Per rate: the gross of its lines (the cent of rounding with the largest rate), the
    VAT in it, gross x rate / (100 + rate) rounded half-up, and net as gross minus VAT.

    The VAT is taken out of the gross that is paid, as a gross-priced sale states it:
    net + VAT = gross to the cent, and a €0.05 session at 19 % shows €0.01 VAT, not the
    €0.00 that separately rounded net and gross (both €0.05) would leave.
    """
    sums = _by_rate(lines)
    gap_net = total_net - sum((n for n, _ in sums.values()), Decimal(0))
    gap_gross = total_gross - sum((g for _, g in sums.values()), Decimal(0))
    if gap_net or gap_gross:
        rate = _largest(sums)
        net, gross = sums.get(rate, (Decimal(0), Decimal(0)))
        sums[rate] = (net + gap_net, gross + gap_gross)
    out = []
    for rate in _ordered(sums):
        net, gross = sums[rate]
        if from_gross and rate is not None:
            vat = round_to_minor(gross * rate / (_HUNDRED + rate), currency)
            net = gross - vat
        out.append(VatBreakdownLine(rate, net, gross - net, gross))
    return tuple(out)


def _payment(payment: Payment, texts: Mapping[str, str], total: Decimal) -> ReceiptPayment:
    """The payment as the provider settled it; a status line when that is not the total.

    The receipt's lines and total are the priced session (what the kiosk recorded);
    the payment shows what the provider actually did. Where the provider captured
    another amount than the total (capped at the hold): a discrepancy the ledger has
    recorded, the status line says so rather than hiding either figure. A voided hold
    says "Nothing charged", which is then true whatever the total.
    """
    state = payment.state
    due = min(total, payment.authorized)
    if state is PaymentState.CAPTURED:
        status = "" if payment.captured == due else texts["status.differs"]
    elif state is PaymentState.VOIDED:
        status = texts["status.voided"]  # true as it stands, whatever the total
    elif state in (PaymentState.DECLINED, PaymentState.FAILED, PaymentState.EXPIRED):
        status = texts["status.failed"]
    else:
        status = texts["status.pending"]
    final = state in (PaymentState.CAPTURED, PaymentState.VOIDED)
    released = payment.authorized - payment.captured if final else Decimal(0)
    return ReceiptPayment(
        method=payment.method,
        method_label=texts[f"method.{payment.method.value}"],
        masked_ref=mask_reference(payment.masked_ref),
        state=state,
        status=status,
        authorized=payment.authorized,
        captured=payment.captured,
        released=released,
        shows_hold=payment.method is not PaymentMethod.ACCOUNT_TOKEN and payment.authorized > 0,
    )

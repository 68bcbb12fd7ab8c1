"""The web pages' texts in English and German, and how a request picks its language.

The price words come from `kiosk.domain.tariff_text` (the kiosk's price screen), so the
phone says what the station says; these tables hold only the pages' own sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["LANGUAGES", "Texts", "pick_language", "texts"]

LANGUAGES: Final = ("en", "de")
_LOCALE: Final[Mapping[str, str]] = {"en": "en_IE", "de": "de_DE"}

_EN: Final[Mapping[str, str]] = {
    "lang.name": "English",
    "test_mode": "Test mode: this is a simulated payment provider. No real money moves.",
    "checkout.title": "Pay to charge",
    "checkout.station": "Station {station}",
    "checkout.connector": "Connector {connector}",
    "checkout.price": "Price",
    "checkout.price_missing": "The price is shown on the station's screen.",
    "checkout.hold_title": "Reserved on your card",
    "checkout.hold": (
        "{amount} is reserved on your card. You pay only what you charge; "
        "the rest is released when the session ends."
    ),
    "checkout.partial": (
        "Your bank approved {authorized} of the {amount} asked for; "
        "the session stops before it costs more."
    ),
    "checkout.expires": "This offer ends in",
    "checkout.card": "Test card",
    "checkout.pay": "Pay and reserve {amount}",
    "checkout.declined": "Payment declined: {reason}. Please try another card.",
    "checkout.in_progress": "A payment is already being processed. Please wait a moment.",
    "checkout.paid_title": "Paid — plug in",
    "checkout.paid": "Charging starts at the station. Keep this page open to follow the cost.",
    "checkout.card_used": "Paid with {card}",
    "checkout.live_title": "Charging",
    "checkout.live_wait": "Waiting for the station to start charging …",
    "checkout.energy": "Energy",
    "checkout.cost": "Cost so far",
    "checkout.updated": "Updated {time}",
    "checkout.done_title": "Charging finished",
    "checkout.final": "Total",
    "checkout.captured": "Charged to your card",
    "checkout.released": "Released",
    "checkout.receipt": "View receipt",
    "checkout.receipt_pdf": "Download PDF",
    "checkout.expired_title": "This payment link has expired",
    "checkout.expired": "Nothing was charged. Scan the new QR code on the station's screen.",
    "checkout.canceled_title": "Payment canceled",
    "checkout.canceled": "The payment was canceled at the station. Any reservation was released.",
    "decline.declined": "the card was declined",
    "decline.insufficient_funds": "insufficient funds",
    "decline.expired": "the card has expired",
    "decline.blocked": "the card is blocked",
    "receipt.title": "Receipt",
    "receipt.station": "Station",
    "receipt.vat_id": "VAT ID {id}",
    "receipt.number": "Receipt no.",
    "receipt.connector": "Connector",
    "receipt.session": "Session",
    "receipt.start": "Start",
    "receipt.end": "End",
    "receipt.duration": "Duration",
    "receipt.energy": "Energy",
    "receipt.item": "Item",
    "receipt.total": "Total",
    "receipt.net": "Net",
    "receipt.vat": "VAT {rate}",
    "receipt.no_vat": "no VAT",
    "receipt.payment": "Payment",
    "receipt.authorized": "Reserved",
    "receipt.captured": "Charged",
    "receipt.refunded": "Refunded",
    "receipt.method.qr_web": "Card on the phone",
    "receipt.method.bank_card": "Bank card at the terminal",
    "receipt.method.account_token": "Charging card (account)",
    "receipt.pdf": "Download PDF",
    "receipt.not_found_title": "Receipt not found",
    "receipt.not_found": "This receipt link is not valid. Check the code on the station's receipt.",
    "line.ENERGY": "Energy",
    "line.TIME": "Charging time",
    "line.PARKING_TIME": "Parking",
    "line.FLAT": "Start fee",
    "line.IDLE_FEE": "Idle fee",
    "line.RESERVATION_FLAT": "Reservation fee",
    "line.RESERVATION_TIME": "Reservation time",
    "unit.kwh": "kWh",
    "unit.h": "h",
    "unit.min": "min",
    "app.title": "My charging",
    "app.login_title": "Sign in",
    "app.email": "E-mail",
    "app.password": "Password",
    "app.sign_in": "Sign in",
    "app.sign_out": "Sign out",
    "app.bad_login": "E-mail or password is wrong.",
    "app.locked": "Too many attempts. Please try again in {minutes} min.",
    "app.blocked": "This account is blocked. Please contact the operator.",
    "app.bad_form": "The form has expired. Please try again.",
    "app.hello": "Signed in as {name}",
    "app.connector_title": "Connector {connector}",
    "app.connector_at": "Station {station}",
    "app.power": "up to {power} kW",
    "app.refunded": "{amount} refunded",
    "app.unknown_connector": "No connector has the code {evse}.",
    "app.start": "Start charging",
    "app.stop": "Stop charging",
    "app.cmd.pending": "Sent to the station, waiting for its answer …",
    "app.cmd.accepted": "The station accepted: {what}.",
    "app.cmd.rejected": "The station refused: {reason}",
    "app.cmd.expired": "The station did not answer in time. Please try again.",
    "app.what.start": "start",
    "app.what.stop": "stop",
    "app.running": "Your session on this connector",
    "app.none_running": "No session of yours is running here.",
    "app.plug_in": (
        "Paid by your account. Plug in your car at connector {connector}:"
        " charging starts by itself."
    ),
    "app.cancel_start": "Cancel and release the reservation",
    "app.history": "Your sessions",
    "app.no_history": "No sessions yet.",
    "app.charges": "Charges to your account",
    "app.scan": "Scan the QR code on a connector, or enter its code:",
    "app.evse": "Connector code (EVSE ID)",
    "app.open": "Open",
}

_DE: Final[Mapping[str, str]] = {
    "lang.name": "Deutsch",
    "test_mode": "Testmodus: ein simulierter Zahlungsdienst. Es fließt kein echtes Geld.",
    "checkout.title": "Bezahlen und laden",
    "checkout.station": "Station {station}",
    "checkout.connector": "Ladepunkt {connector}",
    "checkout.price": "Preis",
    "checkout.price_missing": "Der Preis steht auf dem Bildschirm der Station.",
    "checkout.hold_title": "Auf Ihrer Karte reserviert",
    "checkout.hold": (
        "{amount} werden auf Ihrer Karte reserviert. Sie zahlen nur, was Sie laden; "
        "der Rest wird am Ende des Ladevorgangs freigegeben."
    ),
    "checkout.partial": (
        "Ihre Bank hat {authorized} der angefragten {amount} freigegeben; "
        "der Ladevorgang endet, bevor er mehr kostet."
    ),
    "checkout.expires": "Dieses Angebot endet in",
    "checkout.card": "Testkarte",
    "checkout.pay": "Bezahlen und {amount} reservieren",
    "checkout.declined": "Zahlung abgelehnt: {reason}. Bitte versuchen Sie eine andere Karte.",
    "checkout.in_progress": "Eine Zahlung wird gerade bearbeitet. Bitte einen Moment warten.",
    "checkout.paid_title": "Bezahlt – bitte einstecken",
    "checkout.paid": "Der Ladevorgang startet an der Station. Lassen Sie diese Seite offen.",
    "checkout.card_used": "Bezahlt mit {card}",
    "checkout.live_title": "Ladevorgang läuft",
    "checkout.live_wait": "Warten, bis die Station den Ladevorgang startet …",
    "checkout.energy": "Energie",
    "checkout.cost": "Bisherige Kosten",
    "checkout.updated": "Stand {time}",
    "checkout.done_title": "Ladevorgang beendet",
    "checkout.final": "Gesamt",
    "checkout.captured": "Von Ihrer Karte abgebucht",
    "checkout.released": "Freigegeben",
    "checkout.receipt": "Beleg ansehen",
    "checkout.receipt_pdf": "PDF herunterladen",
    "checkout.expired_title": "Dieser Zahlungslink ist abgelaufen",
    "checkout.expired": "Es wurde nichts berechnet. Scannen Sie den neuen QR-Code an der Station.",
    "checkout.canceled_title": "Zahlung abgebrochen",
    "checkout.canceled": (
        "Die Zahlung wurde an der Station abgebrochen. Eine Reservierung wurde freigegeben."
    ),
    "decline.declined": "die Karte wurde abgelehnt",
    "decline.insufficient_funds": "nicht genügend Guthaben",
    "decline.expired": "die Karte ist abgelaufen",
    "decline.blocked": "die Karte ist gesperrt",
    "receipt.title": "Beleg",
    "receipt.station": "Station",
    "receipt.vat_id": "USt-IdNr. {id}",
    "receipt.number": "Beleg-Nr.",
    "receipt.connector": "Ladepunkt",
    "receipt.session": "Ladevorgang",
    "receipt.start": "Beginn",
    "receipt.end": "Ende",
    "receipt.duration": "Dauer",
    "receipt.energy": "Energie",
    "receipt.item": "Posten",
    "receipt.total": "Gesamt",
    "receipt.net": "Netto",
    "receipt.vat": "MwSt. {rate}",
    "receipt.no_vat": "ohne MwSt.",
    "receipt.payment": "Zahlung",
    "receipt.authorized": "Reserviert",
    "receipt.captured": "Abgebucht",
    "receipt.refunded": "Erstattet",
    "receipt.method.qr_web": "Karte auf dem Smartphone",
    "receipt.method.bank_card": "Bankkarte am Terminal",
    "receipt.method.account_token": "Ladekarte (Kundenkonto)",
    "receipt.pdf": "PDF herunterladen",
    "receipt.not_found_title": "Beleg nicht gefunden",
    "receipt.not_found": "Dieser Beleg-Link ist ungültig. Prüfen Sie den Code auf dem Beleg.",
    "line.ENERGY": "Energie",
    "line.TIME": "Ladezeit",
    "line.PARKING_TIME": "Parken",
    "line.FLAT": "Startgebühr",
    "line.IDLE_FEE": "Blockiergebühr",
    "line.RESERVATION_FLAT": "Reservierungsgebühr",
    "line.RESERVATION_TIME": "Reservierungszeit",
    "unit.kwh": "kWh",
    "unit.h": "Std.",
    "unit.min": "Min.",
    "app.title": "Mein Laden",
    "app.login_title": "Anmelden",
    "app.email": "E-Mail",
    "app.password": "Passwort",
    "app.sign_in": "Anmelden",
    "app.sign_out": "Abmelden",
    "app.bad_login": "E-Mail oder Passwort ist falsch.",
    "app.locked": "Zu viele Versuche. Bitte in {minutes} Min. erneut versuchen.",
    "app.blocked": "Dieses Konto ist gesperrt. Bitte wenden Sie sich an den Betreiber.",
    "app.bad_form": "Das Formular ist abgelaufen. Bitte erneut versuchen.",
    "app.hello": "Angemeldet als {name}",
    "app.connector_title": "Ladepunkt {connector}",
    "app.connector_at": "Station {station}",
    "app.power": "bis {power} kW",
    "app.refunded": "{amount} erstattet",
    "app.unknown_connector": "Kein Ladepunkt hat den Code {evse}.",
    "app.start": "Laden starten",
    "app.stop": "Laden beenden",
    "app.cmd.pending": "An die Station gesendet, warte auf Antwort …",
    "app.cmd.accepted": "Die Station hat angenommen: {what}.",
    "app.cmd.rejected": "Die Station hat abgelehnt: {reason}",
    "app.cmd.expired": "Die Station hat nicht rechtzeitig geantwortet. Bitte erneut versuchen.",
    "app.what.start": "Start",
    "app.what.stop": "Stopp",
    "app.running": "Ihr Ladevorgang an diesem Ladepunkt",
    "app.none_running": "Hier läuft kein Ladevorgang von Ihnen.",
    "app.plug_in": (
        "Über Ihr Konto bezahlt. Stecken Sie Ihr Auto an Ladepunkt {connector} an:"
        " das Laden startet von selbst."
    ),
    "app.cancel_start": "Abbrechen und Reservierung freigeben",
    "app.history": "Ihre Ladevorgänge",
    "app.no_history": "Noch keine Ladevorgänge.",
    "app.charges": "Belastungen Ihres Kontos",
    "app.scan": "Scannen Sie den QR-Code am Ladepunkt oder geben Sie seinen Code ein:",
    "app.evse": "Ladepunkt-Code (EVSE-ID)",
    "app.open": "Öffnen",
}

_TABLES: Final[Mapping[str, Mapping[str, str]]] = {"en": _EN, "de": _DE}


class Texts:
    """One language's texts and formats, handed to the templates as `t`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in _TABLES else "en"
        self.locale = _LOCALE[self.language]
        self._table = _TABLES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        text = self._table.get(key) or _EN.get(key) or key
        return text.format(**values) if values else text

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "–"
        return str(format_currency(amount, currency, locale=self.locale))

    def number(self, value: Decimal, places: int = 2) -> str:
        pattern = "#,##0." + "0" * places if places else "#,##0"
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, rate: Decimal) -> str:
        """A VAT rate given in percent (19 → "19%" / "19 %")."""
        return str(format_percent(rate / 100, format="#,##0.##%", locale=self.locale))

    def when(self, moment: datetime | None, tz: str = "Europe/Berlin") -> str:
        if moment is None:
            return "–"
        return str(format_datetime(moment.astimezone(ZoneInfo(tz)), "medium", locale=self.locale))

    def decline(self, code: str | None, reason: str | None) -> str:
        key = f"decline.{code}"
        return self(key) if code and key in self._table else (reason or self("decline.declined"))


def texts(language: str) -> Texts:
    return Texts(language)


def pick_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """`?lang=` first, then the cookie the switch set, then Accept-Language, else en."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, i, base))
    return sorted(ranked)[0][2] if ranked else "en"

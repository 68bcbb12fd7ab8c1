"""Station settings from a TOML file (plus KIOSK_* environment overrides), validated once.

Every problem is reported with its key; a bad file never half-configures a kiosk.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from kiosk.domain import jsonio
from kiosk.domain.errors import UserFacingError
from kiosk.domain.payment import PaymentMethod
from kiosk.domain.tariff import Tariff, TariffError, TariffType, parse_tariffs, select_tariff
from kiosk.paths import assets_dir

__all__ = [
    "BackendConfig",
    "ConfigError",
    "ConnectorConfig",
    "DevicesConfig",
    "ReaderConfig",
    "Settings",
    "StationInfo",
    "TerminalConfig",
    "demo_config_text",
    "load_settings",
]


class ConfigError(UserFacingError):
    """The configuration cannot be used; the message names the key and the reason."""


class StationInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    operator: str
    address: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-3, as OCPI's CdrLocation wants it
    country_code: str  # ISO 3166-1 alpha-2 of the operator (OCPI party)
    party_id: str
    vat_id: str = ""
    latitude: str = "0"
    longitude: str = "0"
    time_zone: str = "Europe/Berlin"


class ConnectorConfig(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    label: str
    evse_id: str
    power_type: str  # AC_3_PHASE | DC
    max_power_kw: Decimal
    max_current_a: Decimal
    voltage_v: Decimal = Decimal(230)
    standard: str = "IEC_62196_T2"
    tariff_file: str = "ac_time_of_use.json"  # relative to assets/tariffs or absolute
    ad_hoc_tariff_id: str | None = None  # for bank card and QR (OCPI AD_HOC_PAYMENT)
    regular_tariff_id: str | None = None  # for RFID accounts (OCPI REGULAR)
    holds: Holds | None = None  # this connector's own holds (a DC charger reserves more)


class Holds(msgspec.Struct, frozen=True, kw_only=True):
    """How much each payment method reserves before charging starts (the station's, or
    a connector's own, like OCPI 2.3's `preauthorize_amount`), and how a hold grows."""

    bank_card: Decimal = Decimal("50.00")
    qr_web: Decimal = Decimal("30.00")
    account_token: Decimal = Decimal("100.00")  # the spend cap of an account session
    # when the running cost reaches 80 % of the hold, ask the provider to add this much
    # (a terminal that cannot is not asked again: the session stops before the hold)
    increment: Decimal | None = None
    max_hold: Decimal = Decimal("300.00")  # never increased past this
    # how long the card scheme keeps a terminal's pre-authorisation: an alarm this many
    # minutes before, and the session stopped 10 minutes before, so the capture is in time
    card_hold_valid_h: int = 72
    card_hold_alarm_min: int = 60


class ReaderConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The RFID reader: a PC/SC reader (`pattern` picks it by name), or none."""

    driver: Literal["pcsc", "simulated", "none"]
    pattern: str | None = None  # a case-insensitive part of the reader's name


class TerminalConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The bank-card terminal: ZVT over TCP, the ZVT simulator on loopback, or none."""

    driver: Literal["zvt", "simulated", "none"]
    host: str | None = None
    port: int = 20007
    password: str = "000000"  # noqa: S105 - ZVT 06 00 registration: the factory default
    journal: str | None = None  # the driver's transaction journal; default: <database>.zvt
    # the daily end-of-day (ZVT 06 50: the day's bookings go to the acquirer), in the
    # station's local time; None: the operator closes the day another way
    end_of_day: str | None = "03:00"


class DevicesConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What `kiosk run` wires, exactly: it never builds a simulator not named here."""

    charger: Literal["simulated"]  # the only charger driver so far
    reader: ReaderConfig
    terminal: TerminalConfig
    # RFID contract accounts and QR pay: through the backend (`[backend]`), or the
    # simulators (the demo without a backend, `kiosk simulate`), or not offered
    accounts: Literal["backend", "simulated", "none"] = "simulated"
    qr: Literal["backend", "simulated", "none"] = "none"


class BackendConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The operator's backend (docs/backend-api.md): where it is and this station's
    credential. The secret is in its own file (one line, as `kiosk backend station add`
    printed it), never in the configuration."""

    url: str  # e.g. "https://backend.example.org"; http only for loopback
    secret_file: str | None = None  # default: <database>.backend-secret
    ca_bundle: str | None = None  # a CA bundle for a private CA; default: the system's
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 10.0
    heartbeat_s: float = 15.0


class Timeouts(msgspec.Struct, frozen=True, kw_only=True):
    plug_in_s: int = 120
    inactivity_s: int = 60
    receipt_s: int = 45
    declined_s: int = 20
    # a payment whose answer has not come by then is cancelled (a terminal asked to
    # abort); if even that is not answered within `cancel_s`, the screen goes back and
    # a late answer is voided when it comes (longer than a terminal's own card timeout)
    authorizing_s: int = 180
    cancel_s: int = 30


class _File(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    station: StationInfo
    connectors: list[ConnectorConfig]
    holds: Holds = msgspec.field(default_factory=Holds)
    timeouts: Timeouts = msgspec.field(default_factory=Timeouts)
    database: str = "kiosk.sqlite"
    secret_file: str | None = (
        None  # the station key (kiosk/station_keys.py); default: <database>.key
    )
    checkpoint_s: int = 10  # how often a running session's meter is made durable
    e_receipt_base_url: str | None = None
    languages: list[str] = msgspec.field(default_factory=lambda: ["en", "de", "fr", "nl"])
    devices: DevicesConfig | None = None
    backend: BackendConfig | None = None


@dataclass(frozen=True)
class Settings:
    station: StationInfo
    connectors: tuple[ConnectorConfig, ...]
    holds: Holds
    timeouts: Timeouts
    database: Path
    secret_file: Path  # the station key: keyed audit chain and token hashes
    checkpoint_s: int
    e_receipt_base_url: str | None
    languages: tuple[str, ...]
    tariffs: dict[str, tuple[Tariff, ...]]  # connector id -> tariffs of its file
    tariff_texts: dict[str, str]  # connector id -> the tariff file's exact JSON text
    devices: DevicesConfig | None = None  # None: the file names none (`kiosk run` refuses)
    backend: BackendConfig | None = None  # None: no backend (records stay in the outbox)
    backend_secret_file: Path | None = None

    def cdr_location(self, connector_id: str, evse_id: str) -> dict[str, Any]:
        """The CDR's `cdr_location` (OCPI 2.2.1 CdrLocation) for a connector."""
        st = self.station
        c = next((x for x in self.connectors if x.id == connector_id), None)
        return {
            "id": st.id,
            "name": st.name,
            "address": st.address,
            "city": st.city,
            "postal_code": st.postal_code,
            "country": st.country,
            "coordinates": {"latitude": st.latitude, "longitude": st.longitude},
            "evse_uid": evse_id,
            "connector_standard": "" if c is None else c.standard,
            "connector_format": "CABLE",
            "connector_power_type": "" if c is None else c.power_type,
        }

    def connector(self, connector_id: str) -> ConnectorConfig:
        for c in self.connectors:
            if c.id == connector_id:
                return c
        raise KeyError(connector_id)

    def tariff_for(self, connector_id: str, method: PaymentMethod | None, at: datetime) -> Tariff:
        """The tariff a driver paying this way at `at` sees and pays (OCPI type, validity)."""
        config = self.connector(connector_id)
        tariffs = self.tariffs[connector_id]
        wanted = (
            config.regular_tariff_id
            if method is PaymentMethod.ACCOUNT_TOKEN
            else config.ad_hoc_tariff_id
        )
        if wanted is not None:
            for t in tariffs:
                if t.id == wanted and t.is_valid_at(at):
                    return t
        kind = (
            TariffType.REGULAR
            if method is PaymentMethod.ACCOUNT_TOKEN
            else TariffType.AD_HOC_PAYMENT
        )
        typed = [t for t in tariffs if t.type in (kind, None)]
        return select_tariff(typed or list(tariffs), at)


def _resolve(base: Path, name: str) -> Path:
    path = Path(name)
    if path.is_absolute():
        return path
    local = base / name
    return local if local.exists() else assets_dir() / "tariffs" / name


def _env_overrides(data: dict[str, Any]) -> None:
    if "KIOSK_DATABASE" in os.environ:
        data["database"] = os.environ["KIOSK_DATABASE"]
    if "KIOSK_TIME_ZONE" in os.environ:
        data.setdefault("station", {})["time_zone"] = os.environ["KIOSK_TIME_ZONE"]


def settings_from_dict(data: dict[str, Any], base: Path) -> Settings:
    _env_overrides(data)
    try:
        raw = msgspec.convert(data, type=_File, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"configuration: {exc}") from None
    try:
        ZoneInfo(raw.station.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"station.time_zone: unknown zone {raw.station.time_zone!r}") from None
    if not raw.connectors:
        raise ConfigError("connectors: at least one connector is needed")
    ids = [c.id for c in raw.connectors]
    if len(set(ids)) != len(ids):
        raise ConfigError("connectors: ids must be unique")
    tariffs: dict[str, tuple[Tariff, ...]] = {}
    texts: dict[str, str] = {}
    for i, c in enumerate(raw.connectors):
        path = _resolve(base, c.tariff_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"connectors[{i}].tariff_file: cannot read {path}: {exc}") from None
        tariffs[c.id] = connector_tariffs(text, c, f"connectors[{i}].tariff_file {path.name}")
        texts[c.id] = text
    database = Path(raw.database)
    if not database.is_absolute():
        database = base / database
    secret_file = database.with_suffix(".key")
    if raw.secret_file is not None:
        secret_file = Path(raw.secret_file)
        if not secret_file.is_absolute():
            secret_file = base / secret_file
    backend, backend_secret = _backend(raw, database, base)
    return Settings(
        station=raw.station,
        connectors=tuple(raw.connectors),
        holds=raw.holds,
        timeouts=raw.timeouts,
        database=database,
        secret_file=secret_file,
        checkpoint_s=raw.checkpoint_s,
        e_receipt_base_url=raw.e_receipt_base_url,
        languages=tuple(raw.languages),
        tariffs=tariffs,
        tariff_texts=texts,
        devices=_devices(raw.devices),
        backend=backend,
        backend_secret_file=backend_secret,
    )


def connector_tariffs(text: str, c: ConnectorConfig, where: str) -> tuple[Tariff, ...]:
    """A connector's tariff list (OCPI JSON text), checked as the station needs it: every
    price with its VAT, and the tariffs its configuration names present. The same check
    for a tariff file and for a tariff list fetched from the backend."""
    try:
        found = parse_tariffs(jsonio.loads(text))
    except (TariffError, jsonio.JsonInputError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    for t in found:
        untaxed = [
            f"elements[{e}].price_components[{k}]"
            for e, el in enumerate(t.elements)
            for k, pc in enumerate(el.price_components)
            if pc.vat is None
        ]
        fee = t.extensions.idle_fee
        if fee is not None and fee.vat is None:
            untaxed.append("x_kiosk.idle_fee")
        if untaxed:
            raise ConfigError(
                f"{where}: tariff {t.id} has no vat at "
                f"{', '.join(untaxed)}; a kiosk charges gross prices, so every price needs one"
            )
    known = {t.id for t in found}
    for key in ("ad_hoc_tariff_id", "regular_tariff_id"):
        wanted = getattr(c, key)
        if wanted is not None and wanted not in known:
            raise ConfigError(f"{where}: no tariff {wanted!r} for the connector's {key}")
    return found


def _backend(raw: _File, database: Path, base: Path) -> tuple[BackendConfig | None, Path | None]:
    b = raw.backend
    devices = raw.devices
    wants = devices is not None and "backend" in (devices.accounts, devices.qr)
    if b is None:
        if wants:
            raise ConfigError('devices: accounts or qr = "backend" needs a [backend] section')
        return None, None
    scheme, _, rest = b.url.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if scheme not in ("http", "https") or not host:
        raise ConfigError(f"backend.url: {b.url!r} is not an http(s) URL")
    if scheme == "http" and host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError("backend.url: plain http only to this machine (loopback); use https")
    for name in ("connect_timeout_s", "read_timeout_s", "heartbeat_s"):
        if not 0 < getattr(b, name) <= 600:
            raise ConfigError(f"backend.{name}: between 0 and 600 seconds")
    secret = database.with_suffix(".backend-secret")
    if b.secret_file is not None:
        secret = Path(b.secret_file)
        if not secret.is_absolute():
            secret = base / secret
    return b, secret


def _devices(devices: DevicesConfig | None) -> DevicesConfig | None:
    if devices is None:
        return None
    t = devices.terminal
    if t.driver == "zvt" and not t.host:
        raise ConfigError("devices.terminal.host: a ZVT terminal needs its host (and port)")
    if not 0 < t.port < 65536:
        raise ConfigError(f"devices.terminal.port: {t.port} is not a TCP port")
    if not (t.password.isdigit() and len(t.password) == 6):
        raise ConfigError("devices.terminal.password: six digits (the ZVT password)")
    if t.end_of_day == "":  # TOML has no null: "" is "never"
        t = msgspec.structs.replace(t, end_of_day=None)
        devices = msgspec.structs.replace(devices, terminal=t)
    if t.end_of_day is not None:
        hh, sep, mm = t.end_of_day.partition(":")
        if not (sep and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ConfigError(
                f"devices.terminal.end_of_day: {t.end_of_day!r} is not a time of day (HH:MM)"
            )
    return devices


def load_settings(path: Path) -> Settings:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return settings_from_dict(data, path.parent)


def demo_settings(database: Path) -> Settings:
    """The demo station: two AC 22 kW and one DC 150 kW connector."""
    return load_settings_text(demo_config_text(), assets_dir(), database)


def demo_config_text(devices: str | None = None) -> str:
    """The demo station's configuration (TOML, paths relative to the assets), with the
    demo's own `[devices]` or the one given: a station on other devices to try."""
    if devices is None:
        return _DEMO
    return _DEMO[: _DEMO.index(_DEMO_DEVICES)] + devices


def load_settings_text(text: str, base: Path, database: Path | None = None) -> Settings:
    data = tomllib.loads(text)
    if database is not None:
        data["database"] = str(database)
    return settings_from_dict(data, base)


_DEMO_DEVICES = "# the demo's devices:"
_DEMO = """
database = "kiosk.sqlite"
checkpoint_s = 10
e_receipt_base_url = "https://receipts.example.org/r/"

[station]
id = "DE-KIO-S1"
name = "Marktplatz Charging Hub"
operator = "Stadtwerke Musterstadt"
address = "Marktplatz 1"
city = "Musterstadt"
postal_code = "12345"
country = "DEU"
country_code = "DE"
party_id = "KIO"
vat_id = "DE123456789"
latitude = "52.520008"
longitude = "13.404954"
time_zone = "Europe/Berlin"

[[connectors]]
id = "1"
label = "A"
evse_id = "DE*KIO*E0001*1"
power_type = "AC_3_PHASE"
max_power_kw = "22"
max_current_a = "32"
standard = "IEC_62196_T2"
tariff_file = "tariffs/ac_time_of_use.json"

[[connectors]]
id = "2"
label = "B"
evse_id = "DE*KIO*E0002*1"
power_type = "AC_3_PHASE"
max_power_kw = "22"
max_current_a = "32"
standard = "IEC_62196_T2"
tariff_file = "tariffs/ac_member_groups.json"

[[connectors]]
id = "3"
label = "DC"
evse_id = "DE*KIO*E0003*1"
power_type = "DC"
max_power_kw = "150"
max_current_a = "375"
voltage_v = "920"
standard = "IEC_62196_T2_COMBO"
tariff_file = "tariffs/dc_power_tiers.json"

# the demo's devices: the simulated charger, the ZVT simulator behind the real ZVT driver, no
# RFID reader hardware (the developer panel taps the cards)
[devices]
charger = "simulated"
accounts = "simulated"
qr = "simulated"
reader = { driver = "simulated" }
terminal = { driver = "simulated" }
"""

"""The station, composed from its configuration: exactly what `[devices]` names.

`kiosk run` and `kiosk demo` both build here; nothing else builds devices. A
simulator is built only where the configuration says "simulated" (the demo's does,
for everything but the ZVT driver itself: its terminal is the ZVT simulator on
loopback, spoken to over TCP by the real driver). The simulators are imported from
`ui.demo_wiring` only, and only then.

Runs on the station loop's thread (the imports are here so that they load there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import ConfigError, Settings

if TYPE_CHECKING:
    from kiosk.ports import PaymentGateway, PaymentProvider, TokenAuthorizer, TokenReader
    from kiosk.runtime.loop import StationLoop
    from kiosk.services.payment_runner import PaymentRunner
    from kiosk.services.station_service import StationService
    from kiosk.store import Database
    from kiosk.sync.worker import SyncWorker

__all__ = ["Kiosk", "build_station"]

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    settings: Settings
    service: StationService
    close: Callable[[], None]
    reader: TokenReader | None = None  # a real reader: the caller starts it with a sink
    # the demo's terminal simulator: the developer panel presents a test card with it
    present_card: Callable[[str], None] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    terminal_simulator: Any = None  # the ZVT simulator, where the configuration names it
    sync: SyncWorker | None = None  # the backend link's thread, where [backend] names one


def _journal(settings: Settings, named: str | None) -> Path:
    if named is not None:
        path = Path(named)
        return path if path.is_absolute() else settings.database.parent / path
    base = settings.database
    return base.with_name(f"{base.name}.zvt-journal.sqlite")


def _currency(settings: Settings) -> str:
    for tariffs in settings.tariffs.values():
        if tariffs:
            return tariffs[0].currency
    return "EUR"


def _backend_secret(settings: Settings) -> str:
    path = settings.backend_secret_file
    assert path is not None  # with [backend]
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"the backend credential {path} cannot be read ({exc.strerror or exc}): put the"
            " secret `kiosk backend station add` printed in it"
        ) from None
    if len(secret) < 16:
        raise ConfigError(f"the backend credential in {path} is too short to be one")
    return secret


@dataclass
class _Link:
    """The backend link's parts, built before the service and started after it."""

    client: Any  # the sync's: heartbeats and the outbox, retried patiently
    interactive: Any  # a driver waits on these (card checks, holds, the QR): retried once
    allow_list: Any
    worker: SyncWorker | None = None


def _backend_link(settings: Settings, closers: list[Callable[[], None]]) -> _Link | None:
    b = settings.backend
    if b is None:
        return None
    from kiosk.sync.allow_list import AllowList  # noqa: PLC0415
    from kiosk.sync.client import BackendClient  # noqa: PLC0415

    secret = _backend_secret(settings)

    def client(retries: int, read_timeout_s: float) -> BackendClient:
        made = BackendClient(
            b.url,
            settings.station.id,
            secret,
            connect_timeout_s=b.connect_timeout_s,
            read_timeout_s=read_timeout_s,
            retries=retries,
            verify=b.ca_bundle or True,
        )
        closers.append(made.close)
        return made

    base = settings.database
    allow_list = AllowList(base.with_name(f"{base.name}.allow-list.json"))
    return _Link(client(4, b.read_timeout_s), client(1, min(b.read_timeout_s, 5.0)), allow_list)


def _start_sync(
    link: _Link,
    settings: Settings,
    db: Database,
    service: StationService,
    loop: StationLoop | None,
    closers: list[Callable[[], None]],
) -> None:
    from kiosk.runtime.sync_link import LoopSyncSink  # noqa: PLC0415
    from kiosk.sync.relay import OutboxRelay  # noqa: PLC0415
    from kiosk.sync.worker import SyncWorker  # noqa: PLC0415

    if loop is None:
        raise ConfigError("a station with a [backend] runs on the station loop")
    assert settings.backend is not None
    sink = LoopSyncSink(loop)
    # the outbox's times are the station clock's (a demo's runs faster than the wall)
    relay = OutboxRelay(db, link.client, clock=service.clock.now)
    worker = SyncWorker(
        link.client,
        relay,
        link.allow_list,
        sink,
        live_sessions=sink.live_sessions,
        heartbeat_s=settings.backend.heartbeat_s,
        tariff_version=int(service.backend.get("tariff_version") or 0),
    )
    service.command_results = worker.command_result
    worker.start()
    closers.append(
        lambda: None if worker.close() else log.warning("the sync thread did not stop in time")
    )
    link.worker = worker


def build_station(
    settings: Settings,
    *,
    speed: float,
    runner: PaymentRunner | None = None,
    loop: StationLoop | None = None,
) -> Kiosk:
    """Open the ledger, build the named devices, recover; close everything on failure."""
    from kiosk.charger.clock import ScaledClock  # noqa: PLC0415
    from kiosk.domain.payment import PaymentMethod  # noqa: PLC0415
    from kiosk.services.station_service import StationService  # noqa: PLC0415
    from kiosk.station_keys import load_station_keys  # noqa: PLC0415
    from kiosk.store import open_database  # noqa: PLC0415

    devices = settings.devices
    if devices is None:
        raise ConfigError(
            "the configuration names no [devices]: say which charger, card reader and"
            " terminal this station has (assets/config/station.example.toml)"
        )
    clock = ScaledClock(datetime.now(UTC), speed=speed)
    keys = load_station_keys(settings.secret_file, create=True)
    assert keys is not None  # create=True
    closers: list[Callable[[], None]] = []

    def close() -> None:
        for closer in reversed(closers):
            try:
                closer()
            except Exception as exc:  # closing the rest matters more
                log.info("closing a device: %s", exc)
        closers.clear()

    db = open_database(settings.database, keys=keys)  # the writer's lock; keyed audit chain
    closers.append(db.close)
    try:
        from ui import demo_wiring  # noqa: PLC0415 - only "simulated" devices need it

        providers: dict[PaymentMethod, PaymentProvider] = {}
        present_card: Callable[[str], None] | None = None
        simulator: Any = None
        charger: Any = demo_wiring.charger(settings, clock.now())  # devices.charger
        link = _backend_link(settings, closers)
        # the service fills these (a hold's reference -> connector, account); the device
        # threads read them; and whether the backend answers, once the service exists
        ref_connectors: dict[str, str] = {}
        ref_contracts: dict[str, str] = {}
        online = _Online()
        tokens: TokenAuthorizer
        if devices.accounts == "backend":
            from kiosk.sync.gateway import BackendGateway  # noqa: PLC0415

            assert link is not None  # the configuration checked it
            accounts: PaymentGateway = BackendGateway(
                link.interactive,
                link.allow_list,
                online=online,
                contract_of=ref_contracts.get,
                connector_of=ref_connectors.get,
            )
            tokens = accounts
            providers[PaymentMethod.ACCOUNT_TOKEN] = accounts
        elif devices.accounts == "simulated":
            gateway = demo_wiring.gateway(settings)
            closers.append(gateway.close)
            tokens = gateway  # who may charge, and their holds: one provider
            providers[PaymentMethod.ACCOUNT_TOKEN] = gateway
        else:
            tokens = _NoAccounts()
        if devices.qr == "backend":
            from kiosk.sync.qr_pay import QrCheckout  # noqa: PLC0415

            assert link is not None
            checkout = QrCheckout(
                link.interactive,
                station_id=settings.station.id,
                connector_of=lambda ref: ref_connectors.get(ref, ""),
                expires_in_s=max(30, settings.timeouts.authorizing_s - 10),
            )
            closers.append(checkout.close)
            providers[PaymentMethod.QR_WEB] = checkout
        elif devices.qr == "simulated":
            qr = demo_wiring.psp(settings, PaymentMethod.QR_WEB)
            closers.append(qr.close)
            providers[PaymentMethod.QR_WEB] = qr
        t = devices.terminal
        if t.driver != "none":
            from payment_drivers.zvt import ZvtTerminal  # noqa: PLC0415

            host, port = t.host or "127.0.0.1", t.port
            if t.driver == "simulated":
                base = settings.database
                sim = demo_wiring.zvt_simulator(base.with_name(f"{base.name}.zvt-sim.json"))
                closers.append(sim.close)
                port = sim.port
                present_card, simulator = sim.present, sim
            terminal = ZvtTerminal(
                host,
                port,
                password=t.password,
                currency=_currency(settings),
                journal=_journal(settings, t.journal),
            )
            closers.append(terminal.close)
            providers[PaymentMethod.BANK_CARD] = terminal
        reader: TokenReader | None = None
        if devices.reader.driver == "pcsc":
            from payment_drivers.pcsc import PcscReader  # noqa: PLC0415

            reader = PcscReader(devices.reader.pattern)
            closers.append(reader.close)
        service = StationService(
            settings=settings,
            charger=charger,
            clock=clock,
            providers=providers,
            tokens=tokens,
            db=db,
            keys=keys,
            runner=runner,
        )
        if devices.reader.driver == "none":
            service.devices["reader"] = "none"
        elif reader is not None:
            service.devices["reader"] = "missing"  # until the reader says it is there
        closers.append(service.close)  # closed first: late answers are dropped
        service.reference_connectors = ref_connectors
        service.reference_contracts = ref_contracts
        online.service = service
        service.recover()
        if link is not None:
            _start_sync(link, settings, db, service, loop, closers)
    except BaseException:
        close()
        raise
    kiosk = Kiosk(settings, service, close, reader, present_card, closers, simulator)
    kiosk.sync = None if link is None else link.worker
    return kiosk


class _Online:
    """Whether the backend answers, as the sync last saw it (read on device threads)."""

    service: StationService | None = None

    def __call__(self) -> bool:
        return self.service is not None and self.service.backend.get("online") is not False


class _NoAccounts:
    """`accounts = "none"`: no card is anyone's account here."""

    def authorize_token(self, uid: str) -> Any:
        from kiosk.domain.payment import DeclineCode  # noqa: PLC0415
        from kiosk.ports import TokenAuthorization  # noqa: PLC0415

        return TokenAuthorization(
            False, reason="no accounts at this station", code=DeclineCode.UNKNOWN_CARD
        )

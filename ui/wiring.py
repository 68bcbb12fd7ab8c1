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
    from kiosk.services.payment_runner import PaymentRunner
    from kiosk.services.station_service import StationService

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


def build_station(
    settings: Settings,
    *,
    speed: float,
    runner: PaymentRunner | None = None,
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
        gateway = demo_wiring.gateway(settings)  # devices.accounts
        closers.append(gateway.close)
        accounts: PaymentGateway = gateway  # who may charge, and their holds: one provider
        tokens: TokenAuthorizer = accounts
        providers[PaymentMethod.ACCOUNT_TOKEN] = accounts
        if devices.qr == "simulated":
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
        service.recover()
    except BaseException:
        close()
        raise
    return Kiosk(settings, service, close, reader, present_card, closers, simulator)

"""`kiosk simulate`: many sessions through the real flow, on simulated hardware.

Drivers arrive at free connectors and do what drivers do: pay by card, RFID or QR,
get declined, never plug in, stop early (on screen, by tapping the card, with the
stop code), leave the car long after it is full, meet a charger fault. Everything
goes through StationService and the real store; only the charger, the clock and
the payment provider are simulated. The provider keeps its state in its own files
next to the database, as a real PSP would outlive the kiosk.

A run killed at any point resumes: start-up recovery closes what was open, and the
simulation continues until the database holds the requested number of sessions.
Each driver's behaviour comes from (seed, driver number), so a resumed run goes on
with the same population.

A storage fault (full disk, read-only medium, damaged ledger, the ledger held by another
process) stops the run with one line on stderr and exit 2 (kiosk/faults.py), wherever
it strikes: opening, recovery, the run, the report or the self-check. Every write is one
transaction, so the ledger is consistent where the fault stopped it; once the fault is
cleared, the next run recovers what was open and goes on. The simulated provider keeps
its files beside the ledger, on the same disk, so its SQLite errors count as the
ledger's disk's. The closing self-check reads the file afresh (read-only, as
`kiosk db check` does), not through the writer's page cache, which can hide pages
damaged on disk meanwhile.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from kiosk.charger.clock import SimulatedClock
from kiosk.charger.simulator import SimulatedCharger, spec_for
from kiosk.charger.vehicles import VEHICLES
from kiosk.config import Settings, demo_settings
from kiosk.domain.errors import KnownError, UserFacingError
from kiosk.domain.payment import PaymentMethod
from kiosk.domain.session import StopReason
from kiosk.faults import ledger_damage, stop_line
from kiosk.ledger_check import check_ledger, render_check
from kiosk.ports import TokenAuthorization
from kiosk.reports import daily_report, render_report
from kiosk.runtime.loop import StationLoop
from kiosk.runtime.snapshot import Snapshot
from kiosk.services.station_service import StationService
from kiosk.sim.psp import TEST_TOKENS, SimulatedAccounts, SimulatedPsp
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys, load_station_keys
from kiosk.store import Database, open_database
from kiosk.store.errors import StorageCorrupt

__all__ = ["run_simulation"]

log = logging.getLogger(__name__)

_FIRST_START = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
_TICK = timedelta(seconds=30)
_GROUPS = ("member", "member", "fleet", "staff", None)


def _fleet_of_cards(seed: int) -> dict[str, TokenAuthorization]:
    """The account cards of the simulated town: a few hundred, in customer groups."""
    rng = random.Random(seed)  # noqa: S311
    cards = {uid: auth for uid, auth in TEST_TOKENS.items() if auth.allowed}
    for n in range(300):
        uid = f"04{rng.getrandbits(32):08X}{n:02X}"[:10]
        group = _GROUPS[n % len(_GROUPS)]
        cards[uid] = TokenAuthorization(True, group, f"DE-KIO-C{n:05d}-0")
    return cards


@dataclass
class _Driver:
    number: int
    connector_id: str
    rng: random.Random
    method: PaymentMethod
    card: str
    token: str
    plan: str  # normal, decline, no_plug, early_stop, overstay, fault, unplug_early
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    done: bool = False


def _plan(number: int, seed: int, connector_id: str, tokens: list[str]) -> _Driver:
    rng = random.Random(f"{seed}:{number}")  # noqa: S311 - a simulation, not security
    method = rng.choices(
        [PaymentMethod.BANK_CARD, PaymentMethod.ACCOUNT_TOKEN, PaymentMethod.QR_WEB],
        weights=[45, 35, 20],
    )[0]
    plan = rng.choices(
        ["normal", "decline", "no_plug", "early_stop", "overstay", "fault", "unplug_early"],
        weights=[38, 7, 4, 16, 18, 3, 14],
    )[0]
    if plan == "decline" and method is PaymentMethod.ACCOUNT_TOKEN:
        method = PaymentMethod.BANK_CARD  # a blocked card never opens a session: use a card
    card = (
        rng.choice(["visa-declined", "mc-funds"])
        if plan == "decline"
        else rng.choice(["visa-ok", "mc-ok", "girocard-ok"])
    )
    return _Driver(number, connector_id, rng, method, card, rng.choice(tokens), plan)


class _Stopped(Exception):
    """The station loop took the station out of service: the run ends with this line."""


class _Listener:
    """The loop's listener in a headless run: no screen, so faults end the run."""

    def __init__(self) -> None:
        self.stopped: str | None = None
        self.bugs: list[str] = []

    def snapshot(self, snap: Snapshot) -> None:  # not taken (snapshots=False)
        pass

    def failed(self, connector_id: str, message: str) -> None:
        log.info("connector %s: %s", connector_id or "-", message)

    def bug(self, text: str) -> None:
        self.bugs.append(text)

    def unavailable(self, kind: str, line: str) -> None:
        self.stopped = line


class _Simulation:
    def __init__(
        self, settings: Settings, db: Database, seed: int, base: Path, keys: StationKeys
    ) -> None:
        self.settings = settings
        self.db = db
        self.seed = seed
        start = self._resume_time()
        self.clock = SimulatedClock(start)
        registers = self._registers()
        specs = [spec_for(c, registers.get(c.id, Decimal(0))) for c in settings.connectors]
        self.charger = SimulatedCharger(
            specs,
            start=start,
            rng=random.Random(seed),  # noqa: S311
            step_s=30,
            meter_interval_s=60,
        )
        self.cards = _fleet_of_cards(seed)
        self.psps = {
            m: SimulatedPsp(base.with_name(f"{base.name}.psp-{m.value}.sqlite"), m.value)
            for m in PaymentMethod
        }
        self.service = StationService(
            settings=settings,
            charger=self.charger,
            clock=self.clock,
            providers=self.psps,
            tokens=SimulatedAccounts(self.cards),
            db=db,
            keys=keys,
        )
        # the kiosk's own loop, stepped here: the simulated clock decides when it ticks
        self.listener = _Listener()
        self.loop = StationLoop(
            lambda: self.service,
            self.listener,
            database=db.path,
            retry_s=None,
            snapshots=False,
            fault_level=logging.INFO,  # run_simulation prints the line, once
        )
        self.drivers: dict[str, _Driver] = {}
        self.next_arrival: dict[str, datetime] = {c.id: start for c in settings.connectors}
        self.rng = random.Random(seed)  # noqa: S311

    def close(self) -> None:
        for psp in self.psps.values():
            psp.close()

    def _resume_time(self) -> datetime:
        with self.db.unit_of_work() as uow:
            latest = uow.sessions.latest_activity()
        return _FIRST_START if latest is None else latest + timedelta(minutes=5)

    def _registers(self) -> dict[str, Decimal]:
        with self.db.unit_of_work() as uow:
            return uow.sessions.meter_registers()

    def session_count(self) -> int:
        with self.db.unit_of_work() as uow:
            return uow.sessions.count()

    # ------------------------------------------------------------- drivers

    def _arrive(self, cid: str, number: int) -> None:
        free = [t for t in self.cards if not self.service.token_in_use(t)]
        driver = _plan(number, self.seed, cid, free)
        now = self.clock.now()
        self.drivers[cid] = driver
        self.loop.submit(cid, lambda s: s.select(cid))
        self.loop.submit(cid, lambda s: s.choose_payment(cid, driver.method))
        driver.steps.append((now + timedelta(seconds=20), "pay"))

    def _act(self, d: _Driver, action: str) -> None:
        cid, svc, now, rng = d.connector_id, self.service, self.clock.now(), d.rng
        state = svc.connectors[cid].flow.state
        if action == "pay":
            if state is not FlowState.PAYMENT_CHOSEN:
                log.info("driver %d: connector %s is %s, leaves", d.number, cid, state.value)
                d.done = True
                return
            if d.method is PaymentMethod.BANK_CARD:
                self.psps[d.method].next_card = d.card
                ok = svc.pay_by_card(cid)
            elif d.method is PaymentMethod.QR_WEB:
                self.psps[d.method].next_card = d.card
                ok = svc.pay_by_qr(cid, f"checkout-{d.number}")
            else:
                ok = svc.present_token(d.token, cid).startswith("authorized")
            if not ok:
                d.steps.append((now + timedelta(seconds=8), "give_up"))
                return
            if d.plan == "no_plug":
                d.done = True  # walks away: the plug-in timeout voids the hold
                return
            self._plug(d, now + timedelta(seconds=rng.randint(10, 90)))
        elif action == "give_up":
            while svc.connectors[cid].flow.state is not FlowState.IDLE:
                svc.back(cid)
            d.done = True
        elif action == "stop":
            if state is FlowState.CHARGING:
                how = rng.choice(["screen", "card", "code"])
                s = svc.connectors[cid].session
                if how == "card" and d.method is PaymentMethod.ACCOUNT_TOKEN:
                    svc.present_token(d.token)
                elif how == "code" and s is not None:
                    svc.stop_by_code(s.stop_code)
                else:
                    svc.stop(cid, StopReason.DRIVER_SCREEN)
            self.charger.depart(cid, now + timedelta(seconds=rng.randint(30, 400)))
        elif action == "unplug":
            if self.charger.state(cid).plugged_in:
                self.charger.depart(cid, now)
        elif action == "fault":
            if state is FlowState.CHARGING:
                self.charger.inject_fault(cid, "overcurrent protection tripped")
                d.steps.append((now + timedelta(seconds=rng.randint(60, 300)), "unplug"))
                d.steps.append((now + timedelta(minutes=10), "clear_fault"))
        elif action == "clear_fault":
            self.charger.clear_fault(cid)

    def _plug(self, d: _Driver, at: datetime) -> None:
        rng = d.rng
        vehicle = rng.choice(VEHICLES)
        dc = self.settings.connector(d.connector_id).power_type == "DC"
        soc_start = rng.randint(5, 45) if dc else rng.randint(10, 70)
        soc_target = rng.choice([80, 80, 90, 100]) if dc else rng.choice([80, 90, 100, 100])
        after_full: float | None = rng.randint(0, 600)
        if d.plan == "overstay":
            after_full = rng.randint(20 * 60, 100 * 60)
        if d.plan in ("early_stop", "unplug_early", "fault"):
            after_full = None
        self.charger.arrive(
            d.connector_id, vehicle, soc_start, soc_target, at=at, depart_after_full_s=after_full
        )
        minutes = rng.randint(5, 40)
        if d.plan == "early_stop":
            d.steps.append((at + timedelta(minutes=minutes), "stop"))
        elif d.plan == "unplug_early":
            d.steps.append((at + timedelta(minutes=minutes), "unplug"))
        elif d.plan == "fault":
            d.steps.append((at + timedelta(minutes=minutes), "fault"))
        # A backstop, as real drivers come back eventually.
        d.steps.append((at + timedelta(hours=10), "unplug"))

    # ---------------------------------------------------------------- loop

    def step(self, target: int, started: int) -> int:
        """One tick: arrivals, driver actions, the station's tick. Returns drivers started."""
        now = self.clock.now()
        svc = self.service
        for cid in list(self.next_arrival):
            c = svc.connectors[cid]
            d = self.drivers.get(cid)
            busy = d is not None and not d.done
            if busy or started >= target or c.flow.state is not FlowState.IDLE:
                continue
            if self.charger.state(cid).plugged_in or now < self.next_arrival[cid]:
                continue
            self._arrive(cid, started)
            started += 1
            gap = self.rng.expovariate(1 / 600)  # a car every ~10 minutes per free connector
            self.next_arrival[cid] = now + timedelta(seconds=gap)
        for d in list(self.drivers.values()):
            due = [s for s in d.steps if s[0] <= now]
            for step in due:
                d.steps.remove(step)
                self.loop.submit(d.connector_id, self._job(d, step[1]))
            if d.done:
                continue
            state = svc.connectors[d.connector_id].flow.state
            if state is FlowState.RECEIPT:
                d.done = True  # the session is over; only a technician's fault reset remains
                d.steps[:] = [step for step in d.steps if step[1] == "clear_fault"]
        self.loop.step()  # the drivers' actions, then the station's tick
        if self.listener.bugs:
            raise RuntimeError(f"the station loop met a bug: {self.listener.bugs[0]}")
        if self.listener.stopped is not None:
            raise _Stopped(self.listener.stopped)
        self.clock.advance(_TICK.total_seconds())
        return started

    def _job(self, d: _Driver, action: str) -> Callable[[StationService], None]:
        def job(_service: StationService) -> None:
            try:
                self._act(d, action)
            except UserFacingError as exc:
                log.info("driver %d: %s", d.number, exc.message)

        return job

    def busy(self) -> bool:
        return any(
            c.flow.state not in (FlowState.IDLE, FlowState.FAULTED, FlowState.OUT_OF_SERVICE)
            or self.charger.state(cid).plugged_in
            for cid, c in self.service.connectors.items()
        )


def run_simulation(
    *,
    sessions: int,
    seed: int,
    db_path: Path,
    speed: float,
    out: TextIO,
    err: TextIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Run until the ledger holds `sessions` sessions; 0 ok, 1 the self-check found
    problems, 2 a storage fault stopped the run (one line on `err`, default stderr)."""
    try:
        return _simulate(
            sessions=sessions, seed=seed, db_path=db_path, speed=speed, out=out, progress=progress
        )
    except _Stopped as stopped:  # the loop took the station out of service
        line = str(stopped)
    except (KnownError, sqlite3.Error) as exc:  # sqlite3: the simulated provider's files
        line = stop_line(exc, db_path)
    except Exception:
        damage = ledger_damage(db_path)
        if damage is None:
            raise  # not a damaged page: a bug, with its traceback
        line = stop_line(StorageCorrupt(damage), db_path)
    log.info("simulation stopped: %s", line)
    (sys.stderr if err is None else err).write(line + "\n")
    return 2


def _simulate(
    *,
    sessions: int,
    seed: int,
    db_path: Path,
    speed: float,
    out: TextIO,
    progress: Callable[[int], None] | None,
) -> int:
    settings = demo_settings(db_path.absolute())  # the key beside it: <db>.key
    keys = load_station_keys(settings.secret_file, create=True)
    db = open_database(db_path, keys=keys)  # the writer's lock; keyed audit chain
    assert keys is not None  # create=True
    try:
        sim = _Simulation(settings, db, seed, db_path, keys)
    except BaseException:
        db.close()
        raise
    try:
        if not sim.loop.open():
            raise _Stopped(sim.listener.stopped or "the station could not be opened")
        recovered = sim.service.recover()
        if recovered["sessions"] or recovered["payments"]:
            out.write(
                f"resumed: recovered {recovered['sessions']} session(s), "
                f"{recovered['payments']} payment(s)\n"
            )
        started = sim.session_count()
        out.write(f"simulating: {started} of {sessions} session(s) in the ledger\n")
        out.flush()  # the crash campaign times its kills from this line
        real_start, sim_start = time.monotonic(), sim.clock.now()
        while True:
            busy = sim.busy()
            if not busy:
                # A driver who left before paying opened no session: let another come.
                started = sim.session_count()
                if started >= sessions:
                    break
            before = started
            started = sim.step(sessions, started)
            if progress is not None and started != before:
                progress(started)
            if speed > 0:
                ahead = (sim.clock.now() - sim_start).total_seconds() / speed - (
                    time.monotonic() - real_start
                )
                if ahead > 0:
                    time.sleep(ahead)
        for _ in range(int(settings.timeouts.receipt_s / _TICK.total_seconds()) + 2):
            sim.step(sessions, started)
        report = daily_report(db, settings, day=None)
        out.write(render_report(report))
        # Afresh, as `kiosk db check` reads it: the writer's page cache may still hold
        # good copies of pages damaged on disk meanwhile.
        with open_database(db_path, read_only=True) as fresh:
            result = check_ledger(fresh, keys=keys, key_source=settings.secret_file)
        if result.integrity != "ok":
            raise StorageCorrupt(result.integrity)
        out.write(render_check(result))
        return 0 if result.ok else 1
    finally:
        sim.close()
        db.close()

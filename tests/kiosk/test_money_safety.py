"""Money safety: provider answers are checked, orphan holds voided, no card data anywhere.

Real components throughout: the station service on simulated hardware, the real SQLite
ledger in tmp_path and the simulated PSP in its own files (a real PSP outlives the
kiosk). `tests.fakes.providers.FaultyProvider` twists the PSP's answers where a test
needs a provider that misbehaves.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.charger.clock import SimulatedClock
from kiosk.charger.simulator import ConnectorSpec, SimulatedCharger
from kiosk.charger.vehicles import MIDSIZE_400V
from kiosk.config import Settings, demo_settings
from kiosk.domain.payment import DiscrepancyKind, PaymentMethod, PaymentState
from kiosk.domain.redaction import install_log_redaction
from kiosk.domain.session import SessionState, StopReason
from kiosk.ledger_check import check_ledger
from kiosk.ports import PaymentProvider
from kiosk.receipts.model import StationInfo, build_receipt
from kiosk.receipts.render_text import render_text
from kiosk.services.station_service import StationService
from kiosk.sim.psp import SimulatedAccounts, SimulatedPsp
from kiosk.station import FlowState
from kiosk.station_keys import StationKeys
from kiosk.store import Database, open_database
from tests.conftest import ExpectedWarnings
from tests.fakes.providers import FaultyProvider
from tests.kiosk.crash_harness import discrepancy_problems

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = StationKeys.from_secret(b"money safety test station secret")
PAN = "4111111111111111"
HOSTILE_DECLINE = f"CVV 123 wrong; track2 {PAN}=2512101234567890"

# What no stored, sent, logged or printed text may hold, our own ids and digests aside.
_OWN_IDS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"
)
_CARD_DATA = re.compile(r"[0-9](?:[ -]?[0-9]){11,}|(?i:cvv|cvc)|=2512")


def card_data_in(text: str) -> list[str]:
    return _CARD_DATA.findall(_OWN_IDS.sub("<id>", text))


@dataclass
class Station:
    settings: Settings
    clock: SimulatedClock
    charger: SimulatedCharger
    psps: dict[PaymentMethod, SimulatedPsp]
    providers: dict[PaymentMethod, PaymentProvider]
    db: Database
    service: StationService

    def run(self, seconds: int, step: int = 30) -> None:
        for _ in range(seconds // step):
            self.clock.advance(step)
            self.service.tick()

    def state(self, cid: str = "1") -> FlowState:
        return self.service.connectors[cid].flow.state

    def pay_card(self, cid: str = "1", card: str = "visa-ok") -> bool:
        self.service.select(cid)
        self.service.choose_payment(cid, PaymentMethod.BANK_CARD)
        self.psps[PaymentMethod.BANK_CARD].next_card = card
        return self.service.pay_by_card(cid) is True  # in-process: answered at once

    def restart(self) -> Station:
        """A new kiosk process over the same files (the provider keeps its state)."""
        self.db.close()
        return _station(self.settings, self.clock, self.psps, self.providers)


def _charger(settings: Settings, start: datetime) -> SimulatedCharger:
    specs = [
        ConnectorSpec.dc(c.id, max_power_kw=c.max_power_kw, label=c.label)
        if c.power_type == "DC"
        else ConnectorSpec.ac(c.id, max_power_kw=c.max_power_kw, label=c.label)
        for c in settings.connectors
    ]
    return SimulatedCharger(
        specs, start=start, rng=random.Random(7), step_s=10, meter_interval_s=30
    )


def _station(
    settings: Settings,
    clock: SimulatedClock,
    psps: dict[PaymentMethod, SimulatedPsp],
    providers: dict[PaymentMethod, PaymentProvider],
) -> Station:
    db = open_database(settings.database)
    charger = _charger(settings, clock.now())
    service = StationService(
        settings=settings,
        charger=charger,
        clock=clock,
        providers=providers,
        tokens=SimulatedAccounts(),
        db=db,
        keys=KEYS,
    )
    return Station(settings, clock, charger, psps, providers, db, service)


@pytest.fixture
def psps(tmp_path: Path) -> Iterator[dict[PaymentMethod, SimulatedPsp]]:
    made = {
        m: SimulatedPsp(tmp_path / f"kiosk.sqlite.psp-{m.value}.sqlite", m.value)
        for m in PaymentMethod
    }
    yield made
    for psp in made.values():
        psp.close()


@pytest.fixture
def faulty(psps: dict[PaymentMethod, SimulatedPsp]) -> FaultyProvider:
    return FaultyProvider(psps[PaymentMethod.BANK_CARD])


@pytest.fixture
def station(
    tmp_path: Path, psps: dict[PaymentMethod, SimulatedPsp], faulty: FaultyProvider
) -> Iterator[Station]:
    settings = demo_settings(tmp_path / "kiosk.sqlite")
    providers: dict[PaymentMethod, PaymentProvider] = dict(psps)
    providers[PaymentMethod.BANK_CARD] = faulty
    st = _station(settings, SimulatedClock(START), psps, providers)
    yield st
    st.db.close()


def _rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _discrepancies(db_path: Path) -> list[dict[str, object]]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM discrepancies ORDER BY detected_at, id").fetchall()
    finally:
        conn.close()
    return [dict(r) for r in rows]


def _topics(db_path: Path) -> list[str]:
    return [str(r[0]) for r in _rows(db_path, "SELECT topic FROM outbox ORDER BY id")]


def _audit_actions(db_path: Path) -> list[str]:
    return [str(r[0]) for r in _rows(db_path, "SELECT action FROM audit_log ORDER BY seq")]


def _finish_a_card_session(st: Station, cid: str = "1", minutes: int = 20) -> None:
    assert st.pay_card(cid)
    st.charger.arrive(cid, MIDSIZE_400V, 20, 80)
    st.run(minutes * 60)
    st.service.stop(cid, StopReason.DRIVER_SCREEN)
    st.charger.depart(cid)
    st.run(60)
    assert st.state(cid) is FlowState.RECEIPT


def _last_payment(st: Station, cid: str = "1"):  # type: ignore[no-untyped-def]
    with st.db.unit_of_work(write=False) as uow:
        session = uow.sessions.list(connector_id=cid, limit=1)[0]
        return session, uow.payments.get_by_session(session.id)


# ------------------------------------------------- a provider that answers otherwise


def test_a_capture_answered_with_another_amount_records_the_providers_amount(
    station: Station, faulty: FaultyProvider, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("differs from the ledger")
    faulty.twist_kind("capture", amount=Decimal("9.32"))
    _finish_a_card_session(station)
    session, payment = _last_payment(station)
    assert session.totals is not None
    asked = session.totals.cost_incl_vat
    assert asked != Decimal("9.32")
    assert payment.state is PaymentState.CAPTURED
    assert payment.captured == Decimal("9.32")  # what the provider says it took
    capture = payment.operations[-1]
    assert capture.amount == asked  # what the kiosk asked for stays on the operation
    assert capture.provider_amount == Decimal("9.32")
    (d,) = _discrepancies(station.settings.database)
    assert d["kind"] == "AMOUNT_MISMATCH"
    assert d["payment_id"] == payment.id
    assert d["idempotency_key"] == capture.idempotency_key
    assert json.loads(str(d["expected"]))["amount"] == str(asked)
    assert json.loads(str(d["actual"]))["amount"] == "9.32"
    assert d["resolved_at"] is None
    assert "payment.discrepancy" in _audit_actions(station.settings.database)
    assert "payment.discrepancy" in _topics(station.settings.database)
    receipt = build_receipt(
        session,
        payment,
        session.final_breakdown(),
        StationInfo.from_config(station.settings.station),
    )
    assert receipt.payment is not None
    assert receipt.total == asked  # the priced session, as recorded
    assert receipt.payment.captured == Decimal("9.32")  # the money, as the provider took it
    assert receipt.payment.status == "The amount charged differs from this receipt: under review"
    assert "under review" in render_text(receipt)


def test_a_capture_key_answered_as_a_void_leaves_the_payment_voided(
    station: Station, faulty: FaultyProvider, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("differs from the ledger")
    faulty.twist_kind("capture", kind="void")
    _finish_a_card_session(station)
    _, payment = _last_payment(station)
    assert payment.state is PaymentState.VOIDED
    assert payment.captured == 0
    kinds = [d["kind"] for d in _discrepancies(station.settings.database)]
    assert "KIND_MISMATCH" in kinds


def test_an_answer_about_another_hold_fails_the_operation(
    station: Station, faulty: FaultyProvider, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("differs from the ledger")
    faulty.twist_kind("capture", provider_ref="bank_card-someone-elses-hold")
    _finish_a_card_session(station)
    _, payment = _last_payment(station)
    assert payment.state is PaymentState.FAILED
    assert payment.captured == 0
    (d,) = _discrepancies(station.settings.database)
    assert d["kind"] == "REFERENCE_MISMATCH"
    assert json.loads(str(d["actual"]))["provider_ref"] == "bank_card-someone-elses-hold"


def test_an_authorization_for_another_session_is_not_used(
    station: Station, faulty: FaultyProvider, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("differs from the ledger")
    faulty.twist_kind("authorize", reference="DE-KIO-S1:another-session")
    assert not station.pay_card()
    assert station.state() is FlowState.DECLINED
    session, payment = _last_payment(station)
    assert session.state is SessionState.ABORTED
    assert payment.state is PaymentState.DECLINED
    assert payment.provider_ref is None
    (d,) = _discrepancies(station.settings.database)
    assert d["kind"] == "REFERENCE_MISMATCH"


def test_a_hold_answered_with_another_amount_holds_what_the_provider_holds(
    station: Station, faulty: FaultyProvider, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("differs from the ledger")
    faulty.twist_kind("authorize", amount=Decimal("20.00"), approved_amount=Decimal("20.00"))
    assert station.pay_card()
    _, payment = _last_payment(station)
    assert payment.authorized == Decimal("20.00")
    (d,) = _discrepancies(station.settings.database)
    assert d["kind"] == "AMOUNT_MISMATCH"


def test_answers_that_agree_make_no_discrepancy(station: Station) -> None:
    _finish_a_card_session(station)
    _, payment = _last_payment(station)
    assert payment.state is PaymentState.CAPTURED
    assert payment.operations[-1].provider_amount == payment.captured
    assert _discrepancies(station.settings.database) == []


# ------------------------------------------------------------ the lost ledger tail


def _backup(db_path: Path, to: Path) -> None:
    """A consistent copy of the ledger as it is now (a backup taken at this moment)."""
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore(stale: Path, db_path: Path) -> None:
    """The stale copy put back: the ledger's tail is lost, the provider's state is not."""
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(stale, db_path)


def test_a_lost_ledger_tail_is_found_against_the_provider(
    station: Station,
    psps: dict[PaymentMethod, SimulatedPsp],
    tmp_path: Path,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("differs from the ledger", "recovered")
    st = station
    ledger = st.settings.database
    card = psps[PaymentMethod.BANK_CARD]
    # Session A charges; the ledger is copied while it does (the backup to restore).
    assert st.pay_card("1")
    st.charger.arrive("1", MIDSIZE_400V, 20, 80)
    st.run(5 * 60)
    stale = tmp_path / "stale.sqlite"
    _backup(ledger, stale)
    # Later: A charges on and is captured; B pays (a 50.00 hold) and charges.
    st.run(40 * 60)
    st.service.stop("1", StopReason.DRIVER_SCREEN)
    st.charger.depart("1")
    st.run(60)
    session_a, payment_a = _last_payment(st, "1")
    assert payment_a.state is PaymentState.CAPTURED
    really_captured = payment_a.captured
    assert st.pay_card("2")
    st.charger.arrive("2", MIDSIZE_400V, 20, 80)
    st.run(5 * 60)
    _, payment_b = _last_payment(st, "2")
    assert payment_b.provider_ref is not None
    assert card.totals()["open_holds"] == 1
    # The kiosk goes dark; the ledger comes back from the stale copy; restart.
    st.db.close()
    _restore(stale, ledger)
    st2 = st.restart()
    counts = st2.service.recover()
    assert counts["orphan_holds"] == 1
    # A: the ledger closed it at its last stale sample and asked to capture less; the
    # provider answered the key with its first capture, which the ledger now records.
    with st2.db.unit_of_work(write=False) as uow:
        a = uow.payments.get(payment_a.id)
        assert uow.payments.get(payment_b.id) is None  # B was never in the stale ledger
        found = uow.discrepancies.list(unresolved=True)
        stale_a = uow.sessions.get(session_a.id)
    assert a is not None
    assert stale_a is not None
    assert stale_a.totals is not None
    assert stale_a.totals.cost_incl_vat < really_captured
    assert a.state is PaymentState.CAPTURED
    assert a.captured == really_captured  # what the provider did, not the ledger's amount
    by_kind = {d.kind: d for d in found}
    assert set(by_kind) == {DiscrepancyKind.AMOUNT_MISMATCH, DiscrepancyKind.ORPHAN_HOLD}
    mismatch = by_kind[DiscrepancyKind.AMOUNT_MISMATCH]
    assert mismatch.payment_id == payment_a.id
    assert mismatch.expected["amount"] == str(stale_a.totals.cost_incl_vat)
    assert mismatch.actual["amount"] == str(really_captured)
    orphan = by_kind[DiscrepancyKind.ORPHAN_HOLD]
    assert orphan.payment_id is None
    assert orphan.actual["provider_ref"] == payment_b.provider_ref
    assert orphan.actual["amount"] == "50.00"
    assert orphan.session_id == payment_b.session_id
    # The provider agrees with the ledger now: no hold left open, the same money taken.
    assert card.totals()["open_holds"] == 0
    assert card.totals()["captured"] == a.captured
    actions = _audit_actions(ledger)
    assert actions.count("payment.discrepancy") == 2
    assert "payment.orphan_hold_voided" in actions
    topics = _topics(ledger)
    assert topics.count("payment.discrepancy") == 2
    assert "payment.orphan_hold_voided" in topics
    # The crash harness's checker flags them (a SIGKILL must never make one), and
    # `kiosk db check` is not ok until someone has reviewed them.
    assert len(discrepancy_problems(ledger)) == 2
    assert not check_ledger(st2.db).ok
    with st2.db.unit_of_work() as uow:
        for d in found:
            uow.discrepancies.resolve(d.id, "reviewed: the provider's figures stand")
        uow.commit()
    result = check_ledger(st2.db)
    assert result.ok, result.problems
    # A second start finds nothing new: the discrepancies are recorded once.
    st3 = st2.restart()
    assert st3.service.recover() == {"sessions": 0, "payments": 0}
    assert len(_discrepancies(ledger)) == 2
    assert discrepancy_problems(ledger) != []  # resolved or not, a SIGKILL makes none
    st3.db.close()


def test_an_orphan_hold_of_a_provider_without_a_listing_is_left_alone(
    tmp_path: Path, psps: dict[PaymentMethod, SimulatedPsp]
) -> None:
    class NoListing:
        """The port without `open_holds` (a standalone terminal)."""

        def __init__(self, inner: SimulatedPsp) -> None:
            self.authorize = inner.authorize
            self.increment = inner.increment
            self.capture = inner.capture
            self.void = inner.void
            self.lookup = inner.lookup

    settings = demo_settings(tmp_path / "kiosk.sqlite")
    providers: dict[PaymentMethod, PaymentProvider] = {m: NoListing(p) for m, p in psps.items()}
    psps[PaymentMethod.BANK_CARD].authorize(
        idempotency_key="elsewhere", amount=Decimal(50), currency="EUR", reference="DE-KIO-S1:x"
    )
    st = _station(settings, SimulatedClock(START), psps, providers)
    assert st.service.recover() == {"sessions": 0, "payments": 0}
    assert psps[PaymentMethod.BANK_CARD].totals()["open_holds"] == 1
    st.db.close()


# ------------------------------------------------------------------ no card data


def test_card_data_from_a_provider_and_a_reader_reaches_nothing(
    station: Station,
    faulty: FaultyProvider,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("sent card data")
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    st = station
    # An approved card whose "masked" reference is the full card number.
    faulty.twist_kind("authorize", masked_ref=PAN)
    _finish_a_card_session(st, "1")
    approved, payment = _last_payment(st, "1")
    assert payment.masked_ref == "•••• 1111"
    # A decline whose text carries a CVV and track 2.
    faulty.twist_kind("authorize", masked_ref=f"VISA {PAN}", error=HOSTILE_DECLINE)
    assert not st.pay_card("3", card="visa-declined")
    assert st.service.view("3").message == "[redacted] wrong; track2 [redacted][redacted]"
    st.service.back("3")
    declined, _ = _last_payment(st, "3")
    # A QR checkout id and a reader "UID" that are card numbers.
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.QR_WEB)
    assert st.service.pay_by_qr("2", f"checkout {PAN}")
    st.service.back("2")  # before plugging in: the hold is voided
    logging.getLogger("kiosk.test").warning("a log line with %s in it (sent card data)", PAN)

    # The ledger: every text column of every table.
    db_path = st.settings.database
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        leaks = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                leaks += [(table, v) for v in row if isinstance(v, str) and card_data_in(v)]
        payloads = [r[0] for r in conn.execute("SELECT payload FROM outbox")]
    finally:
        conn.close()
    assert leaks == []
    assert payloads
    assert all(card_data_in(p) == [] for p in payloads)
    # The logs.
    assert [r.getMessage() for r in caplog.records if card_data_in(r.getMessage())] == []
    # `kiosk sessions show` and the receipts.
    st.db.close()
    printed = []
    for session_id in (approved.id, declined.id):
        assert cli.main(["sessions", "show", session_id, "--db", str(db_path)]) == 0
        printed.append(capsys.readouterr().out)
    html = tmp_path / "receipt.html"
    assert cli.main(["receipt", approved.id, "--db", str(db_path), "--html", str(html)]) == 0
    printed.append(capsys.readouterr().out)
    printed.append(html.read_text(encoding="utf-8"))
    assert "•••• 1111" in printed[0]
    assert "•••• 1111" in printed[2]
    assert [card_data_in(text) for text in printed] == [[], [], [], []]
    st.db = open_database(db_path)  # for the fixture's close


# ------------------------------------------------------------------ hashed tokens


def test_rfid_uids_and_stop_codes_are_stored_as_keyed_hashes(station: Station) -> None:
    st = station
    uid = "04A1B2C3D4"
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN)
    assert st.service.present_token(uid) == "authorized:2"
    st.charger.arrive("2", MIDSIZE_400V, 30, 90)
    st.run(10 * 60)
    code = st.service.view("2").stop_code
    assert code is not None
    assert st.service.token_in_use(uid)
    rows = _rows(
        st.settings.database,
        "SELECT token_uid, token_hash, stop_code, stop_code_hash, contract_id FROM sessions",
    )
    assert rows == [(None, KEYS.token_hash(uid), "", KEYS.token_hash(code), "DE-KIO-C00001-7")]
    dump = "\n".join(
        str(r) for r in _rows(st.settings.database, "SELECT * FROM sessions")
    ) + "\n".join(str(r) for r in _rows(st.settings.database, "SELECT * FROM audit_log"))
    assert uid not in dump
    assert code not in dump.replace(KEYS.token_hash(code), "")
    assert st.service.present_token(uid.lower()) == "stopped:2"  # the same card stops it
    st.charger.depart("2")
    st.run(60)
    session, _ = _last_payment(st, "2")
    token = session.cdr(country_code="DE", party_id="KIO", location={})["cdr_token"]
    assert token == {
        "uid": KEYS.token_hash(uid)[:32],
        "type": "RFID",
        "contract_id": "DE-KIO-C00001-7",
    }


def test_a_card_number_tapped_as_a_uid_is_refused(station: Station) -> None:
    st = station
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN)
    assert st.service.present_token(PAN) == "declined"
    assert st.service.view("2").message == "card refused"
    assert _rows(st.settings.database, "SELECT count(*) FROM sessions") == [(0,)]


def test_plain_uids_and_stop_codes_of_an_older_ledger_are_hashed_at_the_start(
    station: Station,
) -> None:
    st = station
    st.service.select("2")
    st.service.choose_payment("2", PaymentMethod.ACCOUNT_TOKEN)
    assert st.service.present_token("04A1B2C3D4") == "authorized:2"
    st.run(st.settings.timeouts.plug_in_s + 30)  # never plugged in: aborted, voided
    st.db.close()
    # What a ledger from before 0002 holds: the plain UID and stop code.
    conn = sqlite3.connect(st.settings.database)
    conn.execute(
        "UPDATE sessions SET token_uid = '04A1B2C3D4', token_hash = NULL,"
        " stop_code = '123456', stop_code_hash = NULL"
    )
    conn.commit()
    conn.close()
    st2 = _station(st.settings, st.clock, st.psps, st.providers)
    st2.service.recover()
    rows = _rows(
        st.settings.database,
        "SELECT token_uid, token_hash, stop_code, stop_code_hash FROM sessions",
    )
    assert rows == [(None, KEYS.token_hash("04A1B2C3D4"), "", KEYS.token_hash("123456"))]
    assert "ledger.tokens_hashed" in _audit_actions(st.settings.database)
    st.db = st2.db

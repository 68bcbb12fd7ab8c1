"""Aggregates round-trip exactly; versions, keys and references are enforced."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError

from kiosk.domain.errors import BugError
from kiosk.domain.payment import (
    Discrepancy,
    DiscrepancyKind,
    OperationKind,
    OperationState,
    Payment,
    PaymentMethod,
    PaymentState,
)
from kiosk.domain.session import ChargingSession, MeterSample, SessionState, StopReason
from kiosk.store import (
    ConcurrencyError,
    Database,
    DuplicateKey,
    SensitiveDataRefused,
    alembic_config,
    open_database,
)

from .conftest import T0, new_payment, new_session, rich_session


def _decimal_texts(value: object) -> list[str]:
    """Every Decimal inside a value, as text: equal Decimals can differ in their digits."""
    if isinstance(value, Decimal):
        return [str(value)]
    if isinstance(value, msgspec.Struct):
        return [t for name in value.__struct_fields__ for t in _decimal_texts(getattr(value, name))]
    if isinstance(value, list):
        return [t for item in value for t in _decimal_texts(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [t for f in fields(value) for t in _decimal_texts(getattr(value, f.name))]  # type: ignore[arg-type]
    return []


def _store(db: Database, *items: ChargingSession | Payment) -> None:
    with db.unit_of_work() as uow:
        for item in items:
            if isinstance(item, ChargingSession):
                uow.sessions.add(item)
            else:
                uow.payments.add(item)
        uow.commit()


def test_a_session_round_trips_exactly(db: Database) -> None:
    original = rich_session()
    _store(db, original)
    assert original.version == 1
    with db.unit_of_work(write=False) as uow:
        loaded = uow.sessions.get(original.id)
    assert loaded is not None
    assert loaded == original
    assert _decimal_texts(loaded) == _decimal_texts(original)
    assert "0.3" in _decimal_texts(loaded)  # 0.1 + 0.2, exactly
    assert "11.123456789012" in _decimal_texts(loaded)
    assert "0.000" in _decimal_texts(loaded)  # the exponent survives: not "0"
    assert "80.50" in _decimal_texts(loaded)
    assert loaded.periods == original.periods
    assert loaded.periods[0].energy_kwh == Decimal("0.3")
    # Times come back as the same instants, in UTC.
    assert loaded.plugged_at == original.plugged_at
    assert loaded.plugged_at is not None
    assert loaded.plugged_at.tzinfo is UTC
    assert loaded.plugged_at.isoformat() == "2026-03-29T00:31:02.123456+00:00"


def test_a_session_driven_through_the_domain_reprices_after_loading(db: Database) -> None:
    session = new_session()
    _store(db, session)
    session.authorized(None, T0 + timedelta(seconds=5))
    session.plugged_in(T0 + timedelta(seconds=10), Decimal("1000"))
    for minute in range(1, 91):  # across 02:00 local, when Berlin skips an hour
        session.record(
            MeterSample(
                at=T0 + timedelta(seconds=10, minutes=minute),
                energy_wh=Decimal(1000) + Decimal("183.333") * minute,
                power_kw=Decimal("11.0"),
            )
        )
    session.stop(T0 + timedelta(minutes=95), StopReason.DRIVER_SCREEN)
    breakdown = session.unplugged(T0 + timedelta(minutes=97))
    with db.unit_of_work() as uow:
        uow.sessions.save(session)
        uow.commit()
    with db.unit_of_work(write=False) as uow:
        loaded = uow.sessions.get(session.id)
    assert loaded == session
    assert loaded is not None
    assert loaded.totals is not None
    assert loaded.final_breakdown() == breakdown  # the stored periods reprice exactly
    assert loaded.totals.cost_incl_vat == breakdown.total_cost.incl_vat


def test_a_payment_with_operations_round_trips(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    auth = payment.begin_authorize(Decimal("50.00"), T0)
    _store(db, session, payment)
    payment.complete(
        auth, ok=True, now=T0 + timedelta(seconds=2), provider_ref="A1", masked_ref="VISA •••• 4242"
    )
    inc = payment.begin_increment(Decimal("0.1") + Decimal("0.2"), T0 + timedelta(minutes=1))
    payment.complete(inc, ok=True, now=T0 + timedelta(minutes=1, seconds=1))
    capture = payment.begin_settle(Decimal("12.345678901234"), T0 + timedelta(hours=1))
    with db.unit_of_work() as uow:
        uow.payments.save(payment)
        uow.commit()
    with db.unit_of_work(write=False) as uow:
        loaded = uow.payments.get(payment.id)
        by_session = uow.payments.get_by_session(session.id)
        pending = uow.payments.with_pending_operations()
    assert loaded == payment == by_session
    assert loaded is not None
    assert [op.kind for op in loaded.operations] == [
        OperationKind.AUTHORIZE,
        OperationKind.INCREMENT,
        OperationKind.CAPTURE,
    ]
    assert loaded.authorized == Decimal("50.30")
    assert str(loaded.operations[2].amount) == "12.345678901234"
    assert loaded.operations[2] is not capture
    assert loaded.operations[2] == capture
    assert [p.id for p in pending] == [payment.id]
    # The outcome of the pending capture is written later, updating only that row.
    payment.complete(capture, ok=True, now=T0 + timedelta(hours=1, seconds=3), provider_ref="C1")
    with db.unit_of_work() as uow:
        uow.payments.save(payment)
        uow.commit()
    with db.unit_of_work(write=False) as uow:
        final = uow.payments.get(payment.id)
        assert uow.payments.non_final() == []
        assert uow.payments.list_all() == [payment]
    assert final == payment
    assert final is not None
    assert final.state is PaymentState.CAPTURED
    assert final.version == 3


def test_optimistic_locking_refuses_a_stale_copy(db: Database) -> None:
    session = new_session()
    _store(db, session)
    with db.unit_of_work() as uow:
        first = uow.sessions.get(session.id)
        second = uow.sessions.get(session.id)
    assert first is not None
    assert second is not None
    first.authorized(None, T0)
    second.abort(T0, StopReason.CANCELLED)
    with db.unit_of_work() as uow:
        uow.sessions.save(first)
        uow.commit()
    assert first.version == 2
    with (
        db.unit_of_work() as uow,
        pytest.raises(ConcurrencyError, match="stored v2, saving from v1"),
    ):
        uow.sessions.save(second)
    assert second.version == 1
    with db.unit_of_work() as uow:
        stored = uow.sessions.get(session.id)
    assert stored is not None
    assert stored.state is SessionState.AUTHORIZED


def test_saving_what_was_never_added_is_refused(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    with db.unit_of_work() as uow:
        with pytest.raises(ConcurrencyError, match="is not stored"):
            uow.sessions.save(session)
        with pytest.raises(ConcurrencyError, match="is not stored"):
            uow.payments.save(payment)


def test_idempotency_keys_are_unique(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    payment.begin_authorize(Decimal("50.00"), T0)
    _store(db, session, payment)
    other_session = new_session(connector="2")
    other = new_payment(other_session)
    op = other.begin_authorize(Decimal("20.00"), T0)
    op.idempotency_key = payment.operations[0].idempotency_key
    with db.unit_of_work() as uow:
        uow.sessions.add(other_session)
        with pytest.raises(DuplicateKey, match=r"payment_operations\.idempotency_key"):
            uow.payments.add(other)
    with db.unit_of_work() as uow:
        uow.outbox.add("t", "a", {}, "key-1")
        with pytest.raises(DuplicateKey, match=r"outbox\.idempotency_key"):
            uow.outbox.add("t", "a", {}, "key-1")
        # The failed statement changed nothing; the transaction goes on.
        uow.outbox.add("t", "a", {}, "key-2")
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.outbox.pending_count() == 2
        assert uow.sessions.count() == 1


def test_one_payment_per_stored_session(db: Database) -> None:
    session = new_session()
    _store(db, session, new_payment(session))
    with db.unit_of_work() as uow, pytest.raises(DuplicateKey, match=r"payments\.session_id"):
        uow.payments.add(new_payment(session))
    orphan = new_payment(new_session())
    with db.unit_of_work() as uow, pytest.raises(IntegrityError, match="FOREIGN KEY"):
        uow.payments.add(orphan)


def test_operations_are_append_only_in_what_they_ask(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    op = payment.begin_authorize(Decimal("50.00"), T0)
    _store(db, session, payment)
    op.amount = Decimal("60.00")
    with db.unit_of_work() as uow, pytest.raises(BugError, match="changed its amount"):
        uow.payments.save(payment)
    op.amount = Decimal("50.00")
    payment.operations.clear()
    with db.unit_of_work() as uow, pytest.raises(BugError, match="removed"):
        uow.payments.save(payment)


def test_session_queries(db: Database) -> None:
    old = new_session(connector="1", at=T0 - timedelta(days=2))
    done = new_session(connector="2", at=T0 - timedelta(days=1))
    live = new_session(connector="1", at=T0)
    _store(db, old, done, live)
    for s in (old, done):
        s.authorized(None, s.created_at)
        s.plugged_in(s.created_at, Decimal(100))
        s.record(MeterSample(s.created_at + timedelta(minutes=5), Decimal(900), Decimal(11)))
    old.unplugged(old.created_at + timedelta(minutes=10))
    done.unplugged(done.created_at + timedelta(minutes=10))
    with db.unit_of_work() as uow:
        uow.sessions.save(old)
        uow.sessions.save(done)
        uow.commit()
    with db.unit_of_work(write=False) as uow:
        repo = uow.sessions
        assert [x.id for x in repo.list()] == [live.id, done.id, old.id]
        assert [x.id for x in repo.list(limit=1)] == [live.id]
        assert [x.id for x in repo.list(state=SessionState.COMPLETED)] == [done.id, old.id]
        assert [x.id for x in repo.list(state=[SessionState.PENDING])] == [live.id]
        assert [x.id for x in repo.list(since=T0 - timedelta(days=1), until=T0)] == [done.id]
        assert [x.id for x in repo.list(connector_id="1")] == [live.id, old.id]
        assert [x.id for x in repo.non_final()] == [live.id]
        assert [x.id for x in repo.completed_since(T0 - timedelta(days=3))] == [old.id, done.id]
        done_end = T0 - timedelta(hours=23, minutes=50)
        assert [x.id for x in repo.completed_since(done_end)] == [done.id]  # inclusive
        assert [x.id for x in repo.completed_since(done_end + timedelta(microseconds=1))] == []
        assert repo.count() == 3
        assert repo.count(SessionState.COMPLETED) == 2
        assert repo.latest_activity() == T0
        assert repo.meter_registers() == {"1": Decimal(900), "2": Decimal(900)}


def test_station_state(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert uow.station_state.get("out_of_service:1") is None
        assert uow.station_state.get("missing", "dflt") == "dflt"
        uow.station_state.set("out_of_service:1", "1")
        uow.station_state.set("lockout:pin", {"failures": 3, "until": "2026-03-29T01:00:00Z"})
        uow.station_state.set("price", Decimal("0.30"))
        uow.station_state.set("out_of_service:1", "0")
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.station_state.get("out_of_service:1") == "0"
        assert uow.station_state.get("price") == Decimal("0.30")
        assert uow.station_state.items("out_of_service:") == {"out_of_service:1": "0"}
        assert uow.station_state.get("lockout:pin") == {
            "failures": 3,
            "until": "2026-03-29T01:00:00Z",
        }
        assert uow.station_state.delete("price") is True
        assert uow.station_state.delete("price") is False


def test_provider_error_text_is_redacted(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    op = payment.begin_authorize(Decimal("50.00"), T0)
    payment.complete(op, ok=False, now=T0, error="card 4242 4242 4242 4242 declined")
    _store(db, session, payment)
    with db.unit_of_work() as uow:
        loaded = uow.payments.get(payment.id)
    assert loaded is not None
    assert loaded.operations[0].error == "card [redacted] declined"
    assert loaded.decline_reason == "card [redacted] declined"
    assert loaded.state is PaymentState.DECLINED
    assert loaded.operations[0].state is OperationState.FAILED


# ------------------------------------------------------------------ the PAN guard, everywhere

PAN = "4111111111111111"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda s, p: setattr(p, "masked_ref", PAN),
        lambda s, p: setattr(p, "provider_ref", f"ref {PAN}"),
        lambda s, p: setattr(p, "customer_group", "CVV 123"),
        lambda s, p: setattr(s, "token_uid", f"checkout-{PAN}"),
        lambda s, p: setattr(s, "contract_id", f";{PAN}=2512101?"),
        lambda s, p: setattr(s, "customer_group", "4111 1111 1111 1111"),
    ],
)
def test_card_data_is_refused_in_every_text_column(db: Database, spoil: object) -> None:
    session = new_session()
    payment = new_payment(session)
    spoil(session, payment)  # type: ignore[operator]
    with pytest.raises(SensitiveDataRefused, match="looks like card data") as info:
        _store(db, session, payment)
    assert PAN not in str(info.value)
    assert "4111 1111" not in str(info.value)


def test_card_data_is_refused_in_the_outbox_and_station_state(db: Database) -> None:
    session = new_session()
    payment = new_payment(session)
    op = payment.begin_authorize(Decimal(50), T0)
    op.provider_ref = f"hold {PAN}"
    with db.unit_of_work() as uow:
        with pytest.raises(SensitiveDataRefused, match=r"outbox\.payload"):
            uow.outbox.add("payment.captured", "p1", {"masked_ref": PAN}, "k1")
        with pytest.raises(SensitiveDataRefused, match=r"station_state\.value"):
            uow.station_state.set("note", f"card {PAN}")
        uow.sessions.add(session)
        with pytest.raises(SensitiveDataRefused, match=r"payment_operations\.provider_ref"):
            uow.payments.add(payment)


def test_our_own_figures_pass_the_guard(db: Database) -> None:
    session = rich_session()  # 12-digit decimal fractions, UUIDs, timestamps
    payment = Payment.create(
        session_id=session.id, method=PaymentMethod.BANK_CARD, currency="EUR", now=T0
    )
    _store(db, session, payment)


# ------------------------------------------------------------------ discrepancies


def test_discrepancies_are_added_listed_and_resolved_once(db: Database) -> None:
    d = Discrepancy.new(
        DiscrepancyKind.AMOUNT_MISMATCH,
        now=T0,
        payment_id="p1",
        session_id="s1",
        idempotency_key="p1:capture:1",
        expected={"amount": "0.75", "operation": "capture"},
        actual={"amount": "9.32", "ok": "true"},
        action="recorded the provider's capture",
    )
    with db.unit_of_work() as uow:
        uow.discrepancies.add(d)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.discrepancies.list(unresolved=True) == [d]
        assert uow.discrepancies.get(d.id) == d
        uow.discrepancies.resolve(d.id, "refunded 8.57 to the driver", at=T0 + timedelta(days=1))
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.discrepancies.list(unresolved=True) == []
        (done,) = uow.discrepancies.list(payment_id="p1")
        assert done.resolution == "refunded 8.57 to the driver"
        assert done.resolved_at == T0 + timedelta(days=1)
        with pytest.raises(BugError, match="already resolved"):
            uow.discrepancies.resolve(d.id, "again")


def test_the_stored_stop_code_is_only_its_hash(db: Database) -> None:
    session = new_session()
    session.stop_code_hash = "ab" * 32
    _store(db, session)
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT stop_code, stop_code_hash FROM sessions").one()
    assert tuple(row) == ("", "ab" * 32)
    with db.unit_of_work(write=False) as uow:
        loaded = uow.sessions.get(session.id)
    assert loaded is not None
    assert loaded.stop_code == ""
    assert loaded.stop_code_hash == "ab" * 32


def test_an_older_ledger_is_migrated_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0001")
            conn.exec_driver_sql(
                "INSERT INTO sessions (id, station_id, connector_id, evse_id, currency, tz,"
                " tariff_json, tariff_id, token_type, token_uid, created_at, stop_code, state,"
                " power_kw, periods_json, version) VALUES ('s1', 'DE-KIO-S1', '1', 'E1', 'EUR',"
                " 'Europe/Berlin', '{}', 'T', 'RFID', '04A1B2C3D4', '2026-03-02T09:00:00.000000Z',"
                " '123456', 'aborted', '0', '[]', 1)"
            )
    finally:
        engine.dispose()
    migrated = open_database(path)
    try:
        with migrated.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT token_uid, stop_code, token_hash, stop_code_hash, contract_id FROM sessions"
            ).one()
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert tuple(row) == ("04A1B2C3D4", "123456", None, None, None)  # hashed at start-up
        assert version == "0002"
        with migrated.unit_of_work() as uow:
            assert uow.sessions.hash_plain_tokens(lambda v: f"h({v})".ljust(64, "0")) == 1
            uow.commit()
        with migrated.unit_of_work() as uow:
            assert uow.sessions.hash_plain_tokens(lambda v: "x") == 0  # done once
        with migrated.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT token_uid, stop_code, token_hash, stop_code_hash FROM sessions"
            ).one()
        assert tuple(row) == (
            None,
            "",
            "h(04A1B2C3D4)".ljust(64, "0"),
            "h(123456)".ljust(64, "0"),
        )
    finally:
        migrated.close()

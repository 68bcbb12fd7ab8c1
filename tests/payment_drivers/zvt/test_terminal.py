"""ZvtTerminal against the simulated terminal over real TCP: every path a payment takes.

Approvals, typed declines, partial approvals, timeouts, aborts from another thread,
connections dropped at each step (answered UNAVAILABLE at once, resolved later by
`lookup`), idempotent repeats, crash recovery from the journal, reversals.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.errors import KnownError
from kiosk.domain.payment import DeclineCode
from kiosk.domain.redaction import contains_card_data
from kiosk.ports import CardTerminal, ProviderResult, TerminalPrompt, TerminalStatus
from kiosk.sim.zvt_terminal import Command, DropAt, Outcome, ZvtSimulator
from payment_drivers.zvt import ZvtTerminal, ZvtUnavailable
from payment_drivers.zvt.journal import Journal
from tests.conftest import ExpectedWarnings
from tests.payment_drivers.zvt.conftest import ACK_S, Make

KEY = "p1:authorize:0"


def auth(
    terminal: ZvtTerminal, key: str = KEY, amount: str = "50.00", **kwargs: Any
) -> ProviderResult:
    return terminal.authorize(
        idempotency_key=key,
        amount=Decimal(amount),
        currency="EUR",
        reference="S1:p1",
        **kwargs,
    )


def capture(
    terminal: ZvtTerminal, ref: str, amount: str, key: str = "p1:capture:1"
) -> ProviderResult:
    return terminal.capture(
        idempotency_key=key, provider_ref=ref, amount=Decimal(amount), currency="EUR"
    )


def void(terminal: ZvtTerminal, ref: str, key: str = "p1:void:1") -> ProviderResult:
    return terminal.void(
        idempotency_key=key, provider_ref=ref, amount=Decimal("50.00"), currency="EUR"
    )


def count(sim: ZvtSimulator, command: Command) -> int:
    return sim.commands.count(command.value)


# ------------------------------------------------------------------ approvals


def test_it_is_a_card_terminal(terminal: ZvtTerminal) -> None:
    assert isinstance(terminal, CardTerminal)


def test_approve_then_capture_part_of_it_journaled(
    sim: ZvtSimulator, terminal: ZvtTerminal, journal: Path
) -> None:
    statuses: list[TerminalStatus] = []
    hold = auth(terminal, on_status=statuses.append)
    assert hold == ProviderResult(
        ok=True,
        provider_ref="0001:000001",
        masked_ref="VISA •••• 4242",
        approved_amount=Decimal("50.00"),
        amount=Decimal("50.00"),
        kind="authorize",
        reference="S1:p1",
    )
    assert [s.prompt for s in statuses] == [TerminalPrompt.PRESENT_CARD, TerminalPrompt.PROCESSING]
    assert statuses[0].text == "Karte bitte / card please"
    assert statuses[0].code == 0x0A
    assert sim.open_receipts() == [1]

    booked = capture(terminal, "0001:000001", "12.34")
    assert booked.ok
    assert (booked.amount, booked.kind, booked.reference) == (Decimal("12.34"), "capture", "S1:p1")
    assert booked.provider_ref == "0001:000001"
    assert sim.totals == {"count": 1, "amount": 1234}
    assert sim.open_receipts() == []

    # Journaled: a repeat of the key (even with another amount) is the first answer.
    assert capture(terminal, "0001:000001", "40.00") == booked
    assert count(sim, Command.BOOK_TOTAL) == 1
    stored = Journal(journal)
    entry = stored.get("p1:capture:1")
    assert entry is not None
    assert entry.done
    assert entry.result() == booked
    stored.close()


def test_a_repeated_key_makes_no_second_pre_authorisation(
    sim: ZvtSimulator, terminal: ZvtTerminal
) -> None:
    first = auth(terminal)
    again = auth(terminal, amount="80.00")
    assert again == first
    assert again.amount == Decimal("50.00")
    assert count(sim, Command.PRE_AUTH) == 1
    assert len(sim.preauths) == 1


def test_girocard_asks_for_the_pin_and_removal(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.card = "girocard-ok"
    prompts: list[TerminalPrompt] = []
    hold = auth(terminal, on_status=lambda s: prompts.append(s.prompt))
    assert hold.ok
    assert hold.masked_ref == "GIRO •••• 3000"
    assert prompts == [
        TerminalPrompt.PRESENT_CARD,
        TerminalPrompt.ENTER_PIN,
        TerminalPrompt.PROCESSING,
        TerminalPrompt.REMOVE_CARD,
    ]


def test_the_terminals_texts_are_redacted(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.display_text = "Karte 4111 1111 1111 1111 bitte"
    statuses: list[TerminalStatus] = []
    assert auth(terminal, on_status=statuses.append).ok
    assert statuses[0].text == "Karte [redacted] bitte"


def test_a_failing_status_callback_does_not_stop_the_payment(
    terminal: ZvtTerminal, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("the status callback failed")

    def broken(status: TerminalStatus) -> None:
        raise RuntimeError("screen gone")

    assert auth(terminal, on_status=broken).ok


@pytest.mark.parametrize(
    ("card", "approved"),
    [("visa-partial", "25.00"), ("mc-ok", "50.00")],
)
def test_test_cards_by_name(
    sim: ZvtSimulator, terminal: ZvtTerminal, card: str, approved: str
) -> None:
    sim.card = card
    hold = auth(terminal)
    assert hold.ok
    assert hold.approved_amount == Decimal(approved)


def test_partial_approval(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.script(Outcome.PARTIAL, amount=Decimal("20.00"))
    hold = auth(terminal)
    assert hold.ok
    assert hold.approved_amount == Decimal("20.00")
    assert hold.amount == Decimal("50.00")  # what was asked under the key
    assert sim.preauths[1].amount == 2000


# ------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("code", "decline"),
    [
        (0x05, DeclineCode.DECLINED),
        (0x33, DeclineCode.INSUFFICIENT_FUNDS),  # ISO 8583 51
        (0x78, DeclineCode.EXPIRED),
        (0xC5, DeclineCode.CARD_NOT_SUPPORTED),
        (0x6E, DeclineCode.BLOCKED),
        (0xC3, DeclineCode.LIMIT_EXCEEDED),
        (0x64, DeclineCode.CARD_ERROR),
    ],
)
def test_declines_are_typed(
    sim: ZvtSimulator, terminal: ZvtTerminal, code: int, decline: DeclineCode
) -> None:
    sim.script(Outcome.DECLINE, code=code)
    result = auth(terminal)
    assert not result.ok
    assert result.code is decline
    assert result.provider_ref is None
    assert f"0x{code:02X}" in (result.error or "")
    assert result.masked_ref == "VISA •••• 4242"
    assert sim.open_receipts() == []
    assert auth(terminal) == result  # journaled: the first answer again


@pytest.mark.parametrize(
    ("card", "decline"),
    [
        ("mc-funds", DeclineCode.INSUFFICIENT_FUNDS),
        ("visa-declined", DeclineCode.DECLINED),
        ("girocard-pin-wrong", DeclineCode.PIN_WRONG),
        ("visa-expired", DeclineCode.EXPIRED),
        ("amex-unsupported", DeclineCode.CARD_NOT_SUPPORTED),
    ],
)
def test_declining_test_cards(
    sim: ZvtSimulator, terminal: ZvtTerminal, card: str, decline: DeclineCode
) -> None:
    sim.card = card
    prompts: list[TerminalPrompt] = []
    result = auth(terminal, on_status=lambda s: prompts.append(s.prompt))
    assert result.code is decline
    if card == "girocard-pin-wrong":
        assert TerminalPrompt.PIN_WRONG in prompts


def test_no_card_presented_times_out(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.script(Outcome.TIMEOUT)
    result = auth(terminal)
    assert result.code is DeclineCode.TIMEOUT
    assert not sim.saw(Command.ABORT)


def test_a_silent_terminal_is_aborted_by_the_driver(sim: ZvtSimulator, make: Make) -> None:
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    terminal = make(card_timeout_s=0.3)
    started = time.monotonic()
    result = auth(terminal)
    assert result.code is DeclineCode.TIMEOUT
    assert sim.saw(Command.ABORT)
    assert time.monotonic() - started < 3.0


def test_busy(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.script(Outcome.BUSY)
    assert auth(terminal).code is DeclineCode.BUSY


def test_card_removed(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.script(Outcome.CARD_REMOVED)
    prompts: list[TerminalPrompt] = []
    result = auth(terminal, on_status=lambda s: prompts.append(s.prompt))
    assert result.code is DeclineCode.CARD_ERROR
    assert TerminalPrompt.ENTER_PIN in prompts


def test_abort_from_another_thread(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    waiting = threading.Event()
    results: list[ProviderResult] = []

    def on_status(status: TerminalStatus) -> None:
        if status.prompt is TerminalPrompt.PRESENT_CARD:
            waiting.set()

    worker = threading.Thread(target=lambda: results.append(auth(terminal, on_status=on_status)))
    worker.start()
    assert waiting.wait(5)
    started = time.monotonic()
    terminal.abort()
    abort_returned = time.monotonic() - started
    worker.join(5)
    answered = time.monotonic() - started
    assert not worker.is_alive()
    assert abort_returned < 1.0
    assert answered < 1.0  # generous: it takes milliseconds
    assert sim.saw(Command.ABORT)
    [result] = results
    assert not result.ok
    assert result.code is DeclineCode.ABORTED
    assert auth(terminal) == result  # journaled
    assert count(sim, Command.PRE_AUTH) == 1


def _abort_when_the_card_is_asked(
    terminal: ZvtTerminal, stop: Callable[[], None] | None = None
) -> tuple[ProviderResult, float]:
    """Authorize on a worker thread, abort at "present card"; (its answer, seconds after)."""
    waiting = threading.Event()
    results: list[ProviderResult] = []

    def on_status(status: TerminalStatus) -> None:
        if status.prompt is TerminalPrompt.PRESENT_CARD:
            waiting.set()

    worker = threading.Thread(target=lambda: results.append(auth(terminal, on_status=on_status)))
    worker.start()
    assert waiting.wait(5)
    started = time.monotonic()
    (stop or terminal.abort)()
    worker.join(5)
    assert not worker.is_alive()
    [result] = results
    return result, time.monotonic() - started


def test_an_approval_after_the_abort_is_reversed(
    sim: ZvtSimulator, terminal: ZvtTerminal, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("approved after the abort")
    sim.ignore_abort = True  # the customer was faster than the abort
    sim.step_delay_s = 0.05
    result, _ = _abort_when_the_card_is_asked(terminal)
    assert result.code is DeclineCode.ABORTED
    assert result.provider_ref is None
    assert "reversed" in (result.error or "")
    assert sim.preauths[1].state == "reversed"
    assert sim.saw(Command.PREAUTH_REVERSAL)


def test_an_abort_the_terminal_never_confirms(
    sim: ZvtSimulator, terminal: ZvtTerminal, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("ZVT terminal")
    sim.ignore_abort = True
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    result, seconds = _abort_when_the_card_is_asked(terminal)
    assert result.code is DeclineCode.ABORTED
    assert "did not confirm" in (result.error or "")
    assert seconds < ACK_S + 1.0  # the driver gives up after T3, the line closed


def test_close_while_a_payment_waits(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.no_card_timeout_s = 10.0
    sim.script(Outcome.TIMEOUT)
    result, seconds = _abort_when_the_card_is_asked(terminal, terminal.close)
    assert result.code is DeclineCode.ABORTED
    assert seconds < 1.0
    terminal.close()  # again: nothing happens


def test_abort_with_nothing_running_sends_nothing(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    assert auth(terminal).ok
    terminal.abort()
    assert not sim.saw(Command.ABORT)
    assert auth(terminal, key="p2:authorize:0").ok  # the next one is not aborted


def test_increment_is_refused(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    hold = auth(terminal)
    assert hold.provider_ref is not None
    more = terminal.increment(
        idempotency_key="p1:increment:1",
        provider_ref=hold.provider_ref,
        amount=Decimal(10),
        currency="EUR",
    )
    assert not more.ok
    assert more.code is DeclineCode.DECLINED
    assert more.error == "this terminal cannot increase a hold"
    assert (more.kind, more.reference) == ("increment", "S1:p1")


def test_another_currency_is_refused_without_asking(
    sim: ZvtSimulator, terminal: ZvtTerminal
) -> None:
    result = terminal.authorize(
        idempotency_key=KEY, amount=Decimal(5), currency="USD", reference="S1:p1"
    )
    assert result.code is DeclineCode.UNAVAILABLE
    assert sim.commands == []
    assert terminal.lookup(idempotency_key=KEY) is None


# ------------------------------------------------------------------ reversals


def test_void_and_already_reversed(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    hold = auth(terminal)
    assert hold.provider_ref is not None
    first = void(terminal, hold.provider_ref)
    assert first.ok
    assert (first.kind, first.reference) == ("void", "S1:p1")
    assert sim.preauths[1].state == "reversed"
    second = void(terminal, hold.provider_ref, key="p1:void:2")
    assert second.ok  # the terminal says "already reversed": done
    assert "already reversed" in (second.error or "")
    assert count(sim, Command.PREAUTH_REVERSAL) == 2


def test_capturing_zero_reverses(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    hold = auth(terminal)
    assert hold.provider_ref is not None
    zero = capture(terminal, hold.provider_ref, "0.00")
    assert zero.ok
    assert zero.kind == "capture"
    assert sim.preauths[1].state == "reversed"
    assert not sim.saw(Command.BOOK_TOTAL)


def test_capturing_more_than_the_hold_is_refused(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    hold = auth(terminal, amount="20.00")
    assert hold.provider_ref is not None
    result = capture(terminal, hold.provider_ref, "20.01")
    assert result.code is DeclineCode.LIMIT_EXCEEDED
    assert sim.open_receipts() == [1]
    again = capture(terminal, hold.provider_ref, "20.00", key="p1:capture:2")
    assert again.ok
    booked_twice = capture(terminal, hold.provider_ref, "1.00", key="p1:capture:3")
    assert booked_twice.code is DeclineCode.DECLINED  # B8: not an open pre-authorisation


def test_no_book_total_books_with_a_partial_reversal(
    sim: ZvtSimulator, terminal: ZvtTerminal
) -> None:
    hold = auth(terminal)
    assert hold.provider_ref is not None
    sim.script(Outcome.DECLINE, code=0x83, command=Command.BOOK_TOTAL)  # function not possible
    booked = capture(terminal, hold.provider_ref, "17.50")
    assert booked.ok
    assert sim.saw(Command.PARTIAL_REVERSAL)
    assert sim.totals["amount"] == 1750


def test_not_a_hold_of_this_terminal(terminal: ZvtTerminal) -> None:
    result = capture(terminal, "psp-0b7f7c1e", "1.00")
    assert result.code is DeclineCode.DECLINED
    assert result.provider_ref == "psp-0b7f7c1e"


# --------------------------------------------------------------- connections


def test_nothing_listening(make: Make, closed_port: int) -> None:
    terminal = make(port=closed_port)
    started = time.monotonic()
    result = auth(terminal)
    assert result.code is DeclineCode.UNAVAILABLE
    assert result.error == f"cannot connect to 127.0.0.1:{closed_port}: connection refused"
    assert time.monotonic() - started < 2.0
    assert terminal.lookup(idempotency_key=KEY) is None  # never sent


def test_a_wrong_password_is_a_refused_registration(sim: ZvtSimulator, make: Make) -> None:
    terminal = make(password="123456")
    result = auth(terminal)
    assert result.code is DeclineCode.UNAVAILABLE
    assert "refused the registration" in (result.error or "")
    assert not sim.saw(Command.PRE_AUTH)


def test_an_unregistered_terminal_is_registered_again(
    sim: ZvtSimulator, terminal: ZvtTerminal
) -> None:
    assert auth(terminal).ok
    sim.unregister()  # the terminal restarted
    assert auth(terminal, key="p2:authorize:0").ok
    assert count(sim, Command.REGISTRATION) == 2
    assert count(sim, Command.PRE_AUTH) == 3  # refused with 6B, then again


def test_a_slow_ack_within_t3_is_fine(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.script(Outcome.SLOW_ACK, delay_s=ACK_S / 4)
    assert auth(terminal).ok


def test_a_missing_ack_is_unavailable_and_nothing_was_reserved(
    sim: ZvtSimulator, terminal: ZvtTerminal, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("ZVT terminal")
    sim.script(Outcome.SLOW_ACK, delay_s=ACK_S * 2)
    started = time.monotonic()
    result = auth(terminal)
    assert result.code is DeclineCode.UNAVAILABLE
    assert "no acknowledgement" in (result.error or "")
    assert time.monotonic() - started < ACK_S * 3
    found = terminal.lookup(idempotency_key=KEY)
    assert found is not None
    assert not found.ok
    assert sim.open_receipts() == []


def test_garbage_from_the_terminal(
    sim: ZvtSimulator, terminal: ZvtTerminal, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("ZVT terminal")
    sim.script(Outcome.GARBAGE)
    result = auth(terminal)
    assert result.code is DeclineCode.UNAVAILABLE
    assert "protocol error" in (result.error or "")
    assert auth(terminal, key="p2:authorize:0").ok  # a new connection, registered again
    assert count(sim, Command.REGISTRATION) == 2


@pytest.mark.parametrize(
    ("step", "held"),
    [
        (DropAt.BEFORE_ACK, False),
        (DropAt.AFTER_ACK, False),
        (DropAt.AFTER_STATUS, False),  # not acknowledged: the terminal reversed it
        (DropAt.BEFORE_COMPLETION, True),  # acknowledged: the hold stands
    ],
)
def test_a_dropped_pre_authorisation_is_resolved_by_lookup(
    sim: ZvtSimulator,
    terminal: ZvtTerminal,
    expect_warnings: ExpectedWarnings,
    step: DropAt,
    held: bool,
) -> None:
    expect_warnings("ZVT terminal")
    sim.script(Outcome.DROP, step=step)
    started = time.monotonic()
    result = auth(terminal)
    assert time.monotonic() - started < 2 * ACK_S
    assert not result.ok
    assert result.code is DeclineCode.UNAVAILABLE
    found = terminal.lookup(idempotency_key=KEY)
    assert found is not None
    assert found.ok is held
    assert (found.kind, found.amount, found.reference) == ("authorize", Decimal("50.00"), "S1:p1")
    if held:
        assert found.provider_ref == "0001:000001"
        assert found.approved_amount == Decimal("50.00")
        assert found.masked_ref == "VISA •••• 4242"
        assert sim.open_receipts() == [1]
    else:
        assert found.code is DeclineCode.UNAVAILABLE
        assert sim.open_receipts() == []
    assert auth(terminal) == found  # now journaled: no second pre-authorisation
    assert count(sim, Command.PRE_AUTH) == 1


@pytest.mark.parametrize(
    ("step", "booked"),
    [
        (DropAt.BEFORE_ACK, False),
        (DropAt.AFTER_ACK, False),
        (DropAt.AFTER_STATUS, False),
        (DropAt.BEFORE_COMPLETION, True),
    ],
)
def test_a_dropped_capture_is_resolved_by_lookup(
    sim: ZvtSimulator,
    terminal: ZvtTerminal,
    expect_warnings: ExpectedWarnings,
    step: DropAt,
    booked: bool,
) -> None:
    expect_warnings("ZVT terminal")
    hold = auth(terminal)
    assert hold.provider_ref is not None
    sim.script(Outcome.DROP, step=step, command=Command.BOOK_TOTAL)
    result = capture(terminal, hold.provider_ref, "9.32")
    assert result.code is DeclineCode.UNAVAILABLE
    found = terminal.lookup(idempotency_key="p1:capture:1")
    assert found is not None
    assert found.ok is booked
    assert (found.kind, found.amount, found.reference) == ("capture", Decimal("9.32"), "S1:p1")
    assert sim.totals["amount"] == (932 if booked else 0)
    if not booked:  # a new key books it
        assert capture(terminal, hold.provider_ref, "9.32", key="p1:capture:2").ok
        assert sim.totals["amount"] == 932


@pytest.mark.parametrize(
    ("step", "booked"), [(DropAt.AFTER_ACK, False), (DropAt.BEFORE_COMPLETION, True)]
)
def test_a_terminal_that_names_only_its_first_open_pre_authorisation(
    sim: ZvtSimulator,
    terminal: ZvtTerminal,
    expect_warnings: ExpectedWarnings,
    step: DropAt,
    booked: bool,
) -> None:
    """Not named open proves nothing then: the last transaction must be the booking."""
    expect_warnings("ZVT terminal")
    sim.lists_open_preauths = False
    assert auth(terminal, key="p0:authorize:0").ok  # receipt 1, open, named first
    hold = auth(terminal)
    assert hold.provider_ref == "0002:000002"
    sim.script(Outcome.DROP, step=step, command=Command.BOOK_TOTAL)
    assert capture(terminal, hold.provider_ref, "9.32").code is DeclineCode.UNAVAILABLE
    found = terminal.lookup(idempotency_key="p1:capture:1")
    assert found is not None
    assert found.ok is booked
    assert sim.totals["amount"] == (932 if booked else 0)


def test_lookup_of_a_lost_answer_with_the_terminal_away_raises(
    sim: ZvtSimulator,
    make: Make,
    closed_port: int,
    expect_warnings: ExpectedWarnings,
) -> None:
    expect_warnings("ZVT terminal")
    terminal = make()
    sim.script(Outcome.DROP, step=DropAt.BEFORE_COMPLETION)
    assert auth(terminal).code is DeclineCode.UNAVAILABLE
    terminal.close()
    away = make(port=closed_port)
    with pytest.raises(ZvtUnavailable, match="cannot connect") as raised:
        away.lookup(idempotency_key=KEY)
    assert isinstance(raised.value, KnownError)  # the core asks again later
    assert away.lookup(idempotency_key="never-sent") is None
    retry = auth(away)  # the same key while the terminal is away: not known yet
    assert retry.code is DeclineCode.UNAVAILABLE
    assert "cannot be asked" in (retry.error or "")


# ------------------------------------------------------------- crash recovery


def test_a_new_driver_on_the_journal_resolves_the_lost_answer(
    sim: ZvtSimulator, make: Make, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("ZVT terminal")
    before = make()
    sim.script(Outcome.DROP, step=DropAt.BEFORE_COMPLETION)
    assert auth(before).code is DeclineCode.UNAVAILABLE
    before.close()  # the kiosk process dies; the terminal keeps its pre-authorisation

    after = make()
    again = auth(after)  # the core's retry with the same key after the restart
    assert again.ok
    assert again.provider_ref == "0001:000001"
    assert count(sim, Command.PRE_AUTH) == 1
    assert after.lookup(idempotency_key=KEY) == again
    assert capture(after, "0001:000001", "3.00").ok


def test_a_crash_before_the_bytes_left_is_no_transaction(
    sim: ZvtSimulator, make: Make, journal: Path, expect_warnings: ExpectedWarnings
) -> None:
    expect_warnings("ZVT terminal")
    earlier = make()
    assert auth(earlier, key="p0:authorize:0").ok  # an older, known hold of 50.00
    earlier.close()
    stored = Journal(journal)  # journaled as sent, then the power went
    stored.begin(
        KEY,
        kind="authorize",
        amount=Decimal("50.00"),
        currency="EUR",
        reference="S1:p1",
        hold_ref=None,
    )
    stored.close()
    found = make().lookup(idempotency_key=KEY)
    assert found is not None
    assert not found.ok
    assert found.error == "the terminal has no transaction for this request"
    assert count(sim, Command.PRE_AUTH) == 1


# ------------------------------------------------------------------ the rest


def test_end_of_day(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    for i, amount in enumerate(("10.00", "2.50")):
        hold = auth(terminal, key=f"p{i}:authorize:0")
        assert hold.provider_ref is not None
        assert capture(terminal, hold.provider_ref, amount, key=f"p{i}:capture:1").ok
    day = terminal.end_of_day()
    assert day.ok
    assert (day.total, day.count) == (Decimal("12.50"), 2)
    assert "END OF DAY" in day.text
    assert sim.totals == {"count": 0, "amount": 0}


def test_end_of_day_with_the_terminal_away(make: Make, closed_port: int) -> None:
    day = make(port=closed_port).end_of_day()
    assert not day.ok
    assert day.code is DeclineCode.UNAVAILABLE
    assert "connection refused" in day.text


def test_diagnose(terminal: ZvtTerminal) -> None:
    found = terminal.diagnose()
    assert found.reachable
    assert found.registered
    assert found.terminal_id == "52500001"
    assert found.status.startswith("ready")
    assert auth(terminal).ok  # the driver connects again after the probe


def test_no_card_data_in_logs_or_journal(
    sim: ZvtSimulator, terminal: ZvtTerminal, journal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    sim.card = "girocard-ok"
    hold = auth(terminal)
    assert hold.provider_ref is not None
    assert capture(terminal, hold.provider_ref, "1.00").ok
    assert terminal.end_of_day().ok
    messages = [r.getMessage() for r in caplog.records]
    assert messages
    assert not any(contains_card_data(m) for m in messages)
    db = sqlite3.connect(journal)
    texts = [str(v) for row in db.execute("SELECT * FROM ops") for v in row if v is not None]
    db.close()
    assert "GIRO •••• 3000" in texts
    assert not any(contains_card_data(t) for t in texts)


def test_a_terminal_that_waits_for_a_person_to_present_the_card(
    sim: ZvtSimulator, terminal: ZvtTerminal
) -> None:
    """The demo's mode: the pre-authorisation waits until a card is presented."""
    sim.wait_for_card = True
    sim.no_card_timeout_s = 5.0
    results: list[ProviderResult] = []
    worker = threading.Thread(target=lambda: results.append(auth(terminal)))
    worker.start()
    deadline = time.monotonic() + 3
    while not sim.awaiting_card and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sim.awaiting_card
    sim.present("mc-funds")
    worker.join(5)
    assert results[0].ok is False
    assert results[0].code is DeclineCode.INSUFFICIENT_FUNDS


def test_nobody_presents_a_card_and_cancel_aborts(sim: ZvtSimulator, terminal: ZvtTerminal) -> None:
    sim.wait_for_card = True
    sim.no_card_timeout_s = 5.0
    results: list[ProviderResult] = []
    worker = threading.Thread(target=lambda: results.append(auth(terminal)))
    worker.start()
    deadline = time.monotonic() + 3
    while not sim.awaiting_card and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    terminal.abort()
    worker.join(5)
    assert time.monotonic() - began < 1.0
    assert results[0].code is DeclineCode.ABORTED

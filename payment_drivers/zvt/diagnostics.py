"""On-site checks of a ZVT terminal: `probe` (reachable? registered? its state) and
`test_terminal` (a real pre-authorisation of a small amount, then its reversal).

Both say what went wrong in one line an installer can act on ("cannot connect to
10.0.0.5:20007: connection refused"), and print the terminal's own texts as they
come, redacted like everything else a terminal says.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TextIO

from kiosk.domain.redaction import redact
from kiosk.ports import TerminalDiagnosis, TerminalStatus
from payment_drivers.zvt.terminal import ZvtTerminal, ZvtUnavailable

__all__ = ["probe", "test_terminal"]


def probe(
    host: str,
    port: int,
    timeout_s: float = 5.0,
    *,
    password: str = "000000",  # noqa: S107 - ZVT's factory default, not a secret
) -> TerminalDiagnosis:
    """Connect, register (06 00) and ask the terminal's state (05 01); nothing is paid."""
    lines: list[str] = []
    terminal = ZvtTerminal(
        host,
        port,
        password=password,
        connect_timeout_s=timeout_s,
        ack_timeout_s=timeout_s,
        card_timeout_s=timeout_s,
    )
    try:
        try:
            reg = terminal.register()
        except ZvtUnavailable as exc:
            detail = redact(str(exc))
            reachable = not detail.startswith("cannot connect")
            lines.append(detail)
            return TerminalDiagnosis(reachable=reachable, detail=detail, lines=tuple(lines))
        lines.append(f"connected to {host}:{port}")
        lines.append(f"registered: terminal id {reg.terminal_id or 'not reported'}")
        try:
            state = terminal.status_enquiry()
        except ZvtUnavailable as exc:
            detail = redact(str(exc))
            lines.append(detail)
            return TerminalDiagnosis(
                reachable=True,
                registered=True,
                terminal_id=reg.terminal_id,
                detail=detail,
                lines=tuple(lines),
            )
        status = redact(state.text + (f" (software {state.software})" if state.software else ""))
        lines.append(f"status: {status}")
        return TerminalDiagnosis(
            reachable=True,
            registered=True,
            terminal_id=reg.terminal_id,
            status=status,
            detail="" if state.code == 0 else f"the terminal is not ready: {status}",
            lines=tuple(lines),
        )
    finally:
        terminal.close()


def test_terminal(
    host: str,
    port: int,
    *,
    amount: Decimal = Decimal("1.00"),  # noqa: PT028 - not a pytest test
    password: str = "000000",  # noqa: PT028, S107 - ZVT's factory default, not a secret
    out: TextIO,
    currency: str = "EUR",  # noqa: PT028
    connect_timeout_s: float = 5.0,  # noqa: PT028
    card_timeout_s: float = 120.0,  # noqa: PT028
) -> int:
    """Register, pre-authorise `amount`, reverse it; 0 only when approved and reversed."""

    def say(line: str) -> None:
        print(redact(line), file=out, flush=True)

    def on_status(status: TerminalStatus) -> None:
        say(f"  terminal: {status.text or status.prompt.value.replace('_', ' ')}")

    terminal = ZvtTerminal(
        host,
        port,
        password=password,
        currency=currency,
        connect_timeout_s=connect_timeout_s,
        ack_timeout_s=connect_timeout_s,
        card_timeout_s=card_timeout_s,
    )
    try:
        say(f"ZVT terminal at {host}:{port}")
        try:
            reg = terminal.register()
        except ZvtUnavailable as exc:
            say(f"FAILED: {exc}")
            return 1
        say(f"registration: ok, terminal id {reg.terminal_id or 'not reported'}")
        say(f"pre-authorisation of {amount} {currency}: present a card at the terminal")
        key = f"devices-test:{uuid.uuid4().hex}"
        hold = terminal.authorize(
            idempotency_key=f"{key}:authorize",
            amount=amount,
            currency=currency,
            reference="devices-test",
            on_status=on_status,
        )
        if not hold.ok or hold.provider_ref is None:
            code = hold.code.value if hold.code is not None else "declined"
            say(f"FAILED: pre-authorisation {code.replace('_', ' ')}: {hold.error or 'no reason'}")
            return 1
        approved = hold.approved_amount if hold.approved_amount is not None else amount
        say(
            f"approved: {hold.masked_ref or 'card'}, {approved} {currency},"
            f" receipt:trace {hold.provider_ref}"
        )
        reversal = terminal.void(
            idempotency_key=f"{key}:void",
            provider_ref=hold.provider_ref,
            amount=approved,
            currency=currency,
        )
        if not reversal.ok:
            say(
                f"FAILED: the reversal was refused ({reversal.error or 'no reason'});"
                f" the hold {hold.provider_ref} stays open on the card"
            )
            return 1
        say("reversal: done")
        say("OK: the terminal approved and reversed a pre-authorisation")
        return 0
    finally:
        terminal.close()


# Not a test for pytest to collect when a test module imports it by name.
test_terminal.__test__ = False  # type: ignore[attr-defined]

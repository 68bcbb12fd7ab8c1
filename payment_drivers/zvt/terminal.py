"""`ZvtTerminal`: a German bank-card terminal, spoken to in ZVT over TCP (the ECR side).

A charge is paid with a pre-authorisation (06 22: the terminal reserves the amount
after card and PIN), booked at the end with Book Total (06 24) of the cost, or
reversed (06 25) when nothing is owed. Every command waits for the terminal's ACK
(T3, `ack_timeout_s`), then for its messages until the completion (06 0F) or the
abort (06 1E), each acknowledged at once: a status information (04 0F) the ECR does
not acknowledge is reversed by the terminal itself.

The terminal knows no idempotency keys, so the driver keeps a durable `Journal`: a
request is journaled before its bytes leave and its answer when it comes; a repeated
key is answered from the journal, and a key whose answer was lost (a crash, a dropped
connection) is resolved by asking the terminal (`lookup`): its last transaction (the
repeat-receipt command 06 20) and its open pre-authorisations (06 23 with receipt
FFFF), matched by amount, receipt and trace number.

Money calls come from one thread (the terminal's device thread); `abort()` may come
from any other: it sends Abort (06 B0) on the same connection (a terminal serves one
ECR connection; the ECRs of the open implementations abort on it too) and returns.
Nothing here logs or keeps card data: the PAN's last four digits at most.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

from iso4217 import Currency

from kiosk.domain.errors import KnownError
from kiosk.domain.money import minor_unit
from kiosk.domain.payment import DeclineCode
from kiosk.domain.redaction import mask_reference, redact
from kiosk.ports import (
    EndOfDay,
    ProviderResult,
    StatusSink,
    TerminalDiagnosis,
    TerminalPrompt,
    TerminalStatus,
)
from payment_drivers.zvt import protocol as p
from payment_drivers.zvt.journal import Journal, JournalEntry
from payment_drivers.zvt.result_codes import (
    ABORT_TIMEOUT_OR_KEY,
    ALREADY_REVERSED,
    ERROR_PREAUTH,
    FUNCTION_NOT_POSSIBLE,
    NOT_REGISTERED,
    card_brand,
    decline_code,
    describe,
    intermediate_status,
    terminal_status,
)

__all__ = ["DEFAULT_PORT", "Registration", "TerminalState", "ZvtTerminal", "ZvtUnavailable"]

log = logging.getLogger(__name__)

DEFAULT_PORT: Final = 20007
_SLICE_S: Final = 0.05  # how often a blocked read looks at its deadline (an abort shortens it)
_NO_HOLD_INCREASE: Final = "this terminal cannot increase a hold"
_REF: Final = re.compile(r"([0-9]{1,4})(?::([0-9]{1,6}))?")


class ZvtUnavailable(KnownError):
    """The terminal could not be reached, refused the registration, or dropped the line."""


@dataclass(frozen=True, slots=True)
class Registration:
    terminal_id: str | None
    status_byte: int | None


@dataclass(frozen=True, slots=True)
class TerminalState:
    """The answer to a status enquiry (05 01)."""

    code: int
    text: str
    software: str | None


class _Lost(Exception):
    """The connection closed or failed."""


class _Timeout(Exception):
    """Nothing arrived before the deadline."""


def _reason(exc: OSError, timeout_s: float) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


class _Link:
    """One TCP connection: read on the device thread, written from it and from `abort()`."""

    def __init__(self, sock: socket.socket, peer: str) -> None:
        self.sock = sock
        self.peer = peer
        self.lock = threading.Lock()  # one writer at a time (a command, an ACK, an abort)
        self.closed = False
        self._buf = bytearray()
        sock.settimeout(_SLICE_S)

    @classmethod
    def connect(cls, host: str, port: int, timeout_s: float) -> _Link:
        try:
            sock = socket.create_connection((host, port), timeout=timeout_s)
        except OSError as exc:
            raise ZvtUnavailable(
                f"cannot connect to {host}:{port}: {_reason(exc, timeout_s)}"
            ) from None
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, f"{host}:{port}")

    def send_locked(self, data: bytes, timeout_s: float) -> None:
        """Write all of `data`; the caller holds `lock`."""
        deadline = time.monotonic() + timeout_s
        view = memoryview(data)
        while view:
            if self.closed:
                raise _Lost("the connection is closed")
            try:
                sent = self.sock.send(view)
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise _Lost(f"could not write within {timeout_s:g} s") from None
                continue
            except OSError as exc:
                raise _Lost(_reason(exc, timeout_s)) from None
            view = view[sent:]

    def send(self, data: bytes, timeout_s: float) -> None:
        with self.lock:
            self.send_locked(data, timeout_s)

    def _frame(self) -> p.Apdu | None:
        if self._buf and self._buf[0] not in p.TERMINAL_CLASSES:
            raise p.ZvtProtocolError(f"not a ZVT frame: starts with {self._buf[0]:02X}")
        size = p.frame_length(bytes(self._buf[:5]))
        if size is None or len(self._buf) < size[0] + size[1]:
            return None
        end = size[0] + size[1]
        frame = bytes(self._buf[:end])
        del self._buf[:end]
        return p.decode_apdu(frame)

    def _fill(self) -> None:
        try:
            chunk = self.sock.recv(4096)
        except TimeoutError:
            return
        except OSError as exc:
            raise _Lost(_reason(exc, _SLICE_S)) from None
        if not chunk:
            raise _Lost("the terminal closed the connection")
        self._buf += chunk

    def receive(
        self,
        deadline: float,
        frame_timeout_s: float,
        sooner: Callable[[], float | None] | None = None,
    ) -> p.Apdu:
        """The next frame; `_Timeout` when `deadline` (or `sooner()`) passes before one begins."""
        started: float | None = None
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            now = time.monotonic()
            if self._buf:
                started = now if started is None else started
                if now - started > frame_timeout_s:
                    raise p.ZvtProtocolError("a frame stopped half-way")
            else:
                early = None if sooner is None else sooner()
                if now >= (deadline if early is None else min(deadline, early)):
                    raise _Timeout
            self._fill()

    def pending(self) -> bool:
        """Whether the terminal sent something unasked; `_Lost` when it hung up."""
        if self.closed:
            raise _Lost("the connection is closed")
        if self._buf:
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if not readable:
                return False
            peek = self.sock.recv(1, socket.MSG_PEEK)
        except TimeoutError:
            return False
        except (OSError, ValueError) as exc:
            raise _Lost(str(exc)) from None
        if not peek:
            raise _Lost("the terminal closed the connection")
        return True

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@dataclass
class _Outcome:
    """What one command brought back, as far as it got."""

    not_sent: bool = False  # aborted before its bytes left
    acked: bool = False
    nak: int | None = None
    status: p.StatusInformation | None = None
    status_confirmed: bool = False  # the terminal went on after our ACK of the status
    completion: p.Completion | None = None
    abort: p.TerminalAbort | None = None
    texts: list[str] = field(default_factory=list)
    failure: str | None = None  # why it ended without an answer
    we_timed_out: bool = False  # we sent 06 B0 because the terminal went silent

    @property
    def refused(self) -> int | None:
        """The result code of a refusal (NAK or abort), None otherwise."""
        if self.nak is not None:
            return self.nak
        return None if self.abort is None else self.abort.code

    @property
    def succeeded(self) -> bool:
        """Completed (or the status was acknowledged and the terminal went on), no error."""
        if self.abort is not None or self.nak is not None:
            return False
        if self.completion is None and not self.status_confirmed:
            return False
        codes = [
            c
            for c in (
                None if self.status is None else self.status.result_code,
                None if self.completion is None else self.completion.result_code,
            )
            if c is not None
        ]
        return all(c == 0 for c in codes)

    @property
    def status_failure(self) -> int | None:
        """A completed command whose status information carries an error code."""
        if self.abort is not None or self.nak is not None or self.status is None:
            return None
        code = self.status.result_code
        done = self.completion is not None or self.status_confirmed
        return code if done and code not in (None, 0) else None


@dataclass(frozen=True, slots=True)
class _OpenPreauths:
    """Receipts known open; `complete` when they are all of them (else absence says nothing)."""

    receipts: frozenset[int]
    complete: bool

    def is_open(self, receipt_no: int) -> bool | None:
        """True, False, or None when the terminal did not say."""
        if receipt_no in self.receipts:
            return True
        return False if self.complete else None


def _parse_ref(provider_ref: str) -> tuple[int, int | None] | None:
    m = _REF.fullmatch(provider_ref)
    if m is None:
        return None
    return int(m.group(1)), None if m.group(2) is None else int(m.group(2))


def _ref(receipt_no: int, trace_no: int | None) -> str:
    return f"{receipt_no:04d}" if trace_no is None else f"{receipt_no:04d}:{trace_no:06d}"


def _masked(status: p.StatusInformation | None) -> str | None:
    """'GIRO •••• 1234' from the card name or type and the PAN's last four digits."""
    if status is None:
        return None
    brand = card_brand(status.card_type, redact(status.card_name) if status.card_name else None)
    last4 = status.pan_last4
    if last4:
        text = f"{brand} •••• {last4}" if brand else f"•••• {last4}"
    elif brand:
        text = brand
    else:
        return None
    return mask_reference(text)


class ZvtTerminal:
    """A ZVT payment terminal on the network: implements `kiosk.ports.CardTerminal`."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        password: str = "000000",  # noqa: S107 - ZVT's factory default, not a secret
        currency: str = "EUR",
        journal: Path | None = None,
        connect_timeout_s: float = 5.0,
        ack_timeout_s: float = 5.0,
        card_timeout_s: float = 120.0,
    ) -> None:
        if len(password) != 6 or not password.isdigit():
            raise ValueError("the terminal password is six digits")
        try:
            self._currency_number = int(Currency(currency).number)
        except ValueError:
            raise ValueError(f"not an ISO 4217 currency: {currency!r}") from None
        self._exponent = minor_unit(currency)
        self.host = host
        self.port = port
        self.currency = currency
        self._password = password
        self._connect_timeout_s = connect_timeout_s
        self._ack_timeout_s = ack_timeout_s
        self._card_timeout_s = card_timeout_s
        self._journal = Journal(journal)
        self._op_lock = threading.RLock()  # one money call at a time
        self._state = threading.Lock()  # the link and the abort flags, shared with abort()
        self._link: _Link | None = None
        self._registration: Registration | None = None
        self._authorizing = False
        self._command_sent = False
        self._abort = threading.Event()
        self._abort_at: float | None = None
        self._closed = False
        if journal is None:
            log.info("ZVT terminal %s:%d: journal in memory (no crash recovery)", host, port)

    # ----------------------------------------------------------------- the link

    def _drop_link(self) -> None:
        with self._state:
            link, self._link = self._link, None
            self._registration = None
        if link is not None:
            link.close()

    def _ensure_link(self) -> _Link:
        """The connection, registered; reconnects (and registers again) when it broke."""
        if self._closed:
            raise ZvtUnavailable("the terminal driver is closed")
        link = self._link
        if link is not None:
            try:
                self._drain(link)
                return link
            except (_Lost, _Timeout, p.ZvtProtocolError) as exc:
                log.info("ZVT terminal %s: reconnecting (%s)", link.peer, exc or "idle line")
                self._drop_link()
        link = _Link.connect(self.host, self.port, self._connect_timeout_s)
        with self._state:
            self._link = link
        try:
            self._registration = self._register(link)
        except BaseException:
            self._drop_link()
            raise
        return link

    def _drain(self, link: _Link) -> None:
        """Acknowledge what the terminal sent while idle (a time-controlled event)."""
        while link.pending():
            deadline = time.monotonic() + self._ack_timeout_s
            msg = p.parse_message(link.receive(deadline, self._ack_timeout_s))
            if not isinstance(msg, (p.Ack, p.Nak)):
                self._answer(link, msg)

    def _register(self, link: _Link) -> Registration:
        command = p.registration(self._password, self._currency_number)
        out = self._exchange(link, command, wait_s=3 * self._ack_timeout_s)
        if out.completion is not None and out.refused is None:
            reg = Registration(out.completion.terminal_id, out.completion.status_byte)
            log.info("ZVT terminal %s: registered (terminal id %s)", link.peer, reg.terminal_id)
            return reg
        code = out.refused
        if code is not None:
            raise ZvtUnavailable(f"the terminal refused the registration: {describe(code)}")
        raise ZvtUnavailable(f"registration failed: {out.failure or 'no completion'}")

    def _answer(self, link: _Link, msg: p.Message) -> None:
        """ACK a terminal message (NAK a command we do not implement)."""
        reply = p.NAK_NOT_POSSIBLE if isinstance(msg, p.UnknownCommand) else p.ACK
        link.send(reply, self._ack_timeout_s)

    # ----------------------------------------------------------------- exchange

    def _send_command(self, link: _Link, command: p.Apdu, abortable: bool) -> bool:
        """Write the command unless an abort came first (then False: nothing was sent)."""
        with link.lock:
            with self._state:
                if abortable:
                    if self._abort.is_set():
                        return False
                    self._command_sent = True  # from now on, abort() sends 06 B0
            link.send_locked(command.encode(), self._ack_timeout_s)
        return True

    def _abort_deadline(self) -> float | None:
        """When an asked abort counts as unconfirmed (the terminal's 06 1E did not come)."""
        at = self._abort_at
        return None if at is None else at + self._ack_timeout_s

    def _exchange(
        self,
        link: _Link,
        command: p.Apdu,
        *,
        wait_s: float,
        on_status: StatusSink | None = None,
        abortable: bool = False,
    ) -> _Outcome:
        """Send `command` and take the terminal's messages until it is done with it."""
        out = _Outcome()
        log.info("ZVT terminal %s: sending %s", link.peer, command)
        try:
            if not self._send_command(link, command, abortable):
                out.not_sent = True
                return out
            ack_by = time.monotonic() + self._ack_timeout_s
            until = time.monotonic() + wait_s
            while True:
                sooner = self._abort_deadline if abortable and out.acked else None
                try:
                    frame = link.receive(
                        until if out.acked else ack_by, self._ack_timeout_s, sooner
                    )
                except _Timeout:
                    if not out.acked:
                        out.failure = f"no acknowledgement within {self._ack_timeout_s:g} s"
                        break
                    if abortable and self._abort.is_set():
                        out.failure = "the terminal did not confirm the abort"
                        break
                    if abortable and not out.we_timed_out:
                        # The terminal went silent: ask it to give up, and wait a little.
                        out.we_timed_out = True
                        link.send(p.abort_command().encode(), self._ack_timeout_s)
                        until = time.monotonic() + self._ack_timeout_s
                        continue
                    out.failure = f"no answer from the terminal within {wait_s:g} s"
                    break
                msg = p.parse_message(frame)
                if isinstance(msg, p.Ack):
                    out.acked = True  # the command's ACK, or a stray one (of our abort)
                    continue
                if isinstance(msg, p.Nak):
                    if not out.acked:
                        out.nak = msg.code
                        return out
                    continue  # a NAK of our abort: the command goes on
                out.acked = True  # a terminal that answers at once acknowledged it so
                until = time.monotonic() + wait_s  # every message restarts the wait
                if out.status is not None and out.status.result_code in (None, 0):
                    out.status_confirmed = True
                self._answer(link, msg)
                if self._take(link, msg, out, on_status):
                    return out
        except _Lost as exc:
            out.failure = f"connection lost: {exc}"
        except p.ZvtProtocolError as exc:
            out.failure = f"protocol error: {exc}"
        log.warning("ZVT terminal %s: %s after %s", link.peer, out.failure, command)
        self._drop_link()
        return out

    def _take(
        self, link: _Link, msg: p.Message, out: _Outcome, on_status: StatusSink | None
    ) -> bool:
        """Note one (acknowledged) message; True when it ends the command."""
        if isinstance(msg, p.IntermediateStatus):
            self._status(link, msg, on_status)
        elif isinstance(msg, p.StatusInformation):
            out.status = msg
            if msg.trace_no is not None:
                self._journal.note_trace(msg.trace_no)
            log.info(
                "ZVT terminal %s: status information: result %s, receipt %s, trace %s",
                link.peer,
                "-" if msg.result_code is None else f"0x{msg.result_code:02X}",
                msg.receipt_no,
                msg.trace_no,
            )
        elif isinstance(msg, p.PrintLine):
            out.texts.append(redact(msg.text))
        elif isinstance(msg, p.PrintTextBlock):
            out.texts.extend(redact(line) for line in msg.lines)
        elif isinstance(msg, p.Completion):
            out.completion = msg
            return True
        elif isinstance(msg, p.TerminalAbort):
            out.abort = msg
            log.info("ZVT terminal %s: abort: %s", link.peer, describe(msg.code))
            return True
        return False

    def _status(self, link: _Link, msg: p.IntermediateStatus, on_status: StatusSink | None) -> None:
        prompt, spec_text = intermediate_status(msg.code)
        if msg.texts:
            text = redact(" ".join(msg.texts))
        else:
            text = spec_text if prompt is TerminalPrompt.OTHER else ""
        status = TerminalStatus(prompt, text, msg.code)
        log.debug("ZVT terminal %s: status 0x%02X %s %s", link.peer, msg.code, prompt.value, text)
        if on_status is None:
            return
        try:
            on_status(status)
        except Exception:
            log.exception("ZVT terminal %s: the status callback failed", link.peer)

    # ---------------------------------------------------------------- helpers

    def _minor(self, amount: Decimal) -> int:
        return p.amount_to_minor(amount, self._exponent)

    def _amount(self, minor: int) -> Decimal:
        return p.amount_from_minor(minor, self._exponent)

    def _result(
        self,
        ok: bool,
        *,
        kind: str,
        amount: Decimal,
        reference: str | None,
        provider_ref: str | None = None,
        error: str | None = None,
        code: DeclineCode | None = None,
        masked_ref: str | None = None,
        approved: Decimal | None = None,
    ) -> ProviderResult:
        return ProviderResult(
            ok=ok,
            provider_ref=provider_ref,
            error=None if error is None else redact(error),
            masked_ref=masked_ref,
            approved_amount=approved,
            amount=amount,
            kind=kind,
            reference=reference,
            code=code,
        )

    def _known(self, entry: JournalEntry) -> ProviderResult:
        """A repeated key: its first answer, or (lost) what the terminal says became of it."""
        if entry.done:
            return entry.result()
        try:
            return self._resolve(entry)
        except ZvtUnavailable as exc:
            return self._result(
                False,
                kind=entry.kind,
                amount=entry.amount,
                reference=entry.reference,
                provider_ref=entry.hold_ref,
                error=f"the answer was lost and the terminal cannot be asked: {exc}",
                code=DeclineCode.UNAVAILABLE,
            )

    def _wrong_currency(self, currency: str, kind: str, amount: Decimal) -> ProviderResult | None:
        if currency == self.currency:
            return None
        return self._result(
            False,
            kind=kind,
            amount=amount,
            reference=None,
            error=f"the terminal is registered for {self.currency}, not {currency}",
            code=DeclineCode.UNAVAILABLE,
        )

    # --------------------------------------------------------------- the port

    def authorize(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        reference: str,
        on_status: StatusSink | None = None,
    ) -> ProviderResult:
        """Pre-authorise `amount` (06 22): waits for the card and the PIN, or `abort()`."""
        minor = self._minor(amount)
        if minor <= 0:
            raise ValueError(f"a pre-authorisation needs a positive amount, not {amount}")
        with self._op_lock:
            known = self._journal.get(idempotency_key)
            if known is not None:
                return self._known(known)
            wrong = self._wrong_currency(currency, "authorize", amount)
            if wrong is not None:
                return dataclasses.replace(wrong, reference=reference)
            with self._state:
                self._authorizing = True
                self._command_sent = False
                self._abort.clear()
                self._abort_at = None
            try:
                return self._authorize(idempotency_key, amount, minor, reference, on_status)
            finally:
                with self._state:
                    self._authorizing = False

    def _authorize(
        self,
        key: str,
        amount: Decimal,
        minor: int,
        reference: str,
        on_status: StatusSink | None,
    ) -> ProviderResult:
        result = functools.partial(
            self._result, kind="authorize", amount=amount, reference=reference
        )

        def aborted(error: str) -> ProviderResult:
            return result(False, error=error, code=DeclineCode.ABORTED)

        try:
            link = self._ensure_link()
        except ZvtUnavailable as exc:
            return result(False, error=str(exc), code=DeclineCode.UNAVAILABLE)
        if self._abort.is_set():
            return self._journal.record(
                key,
                aborted("aborted before the terminal was asked"),
                kind="authorize",
                amount=amount,
                currency=self.currency,
                reference=reference,
                hold_ref=None,
            ).result()
        self._journal.begin(
            key,
            kind="authorize",
            amount=amount,
            currency=self.currency,
            reference=reference,
            hold_ref=None,
        )
        command = p.pre_authorisation(minor, self._currency_number)
        out = self._exchange(
            link, command, wait_s=self._card_timeout_s, on_status=on_status, abortable=True
        )
        if out.refused == NOT_REGISTERED and out.status is None and self._link is link:
            log.info("ZVT terminal %s: not registered; registering again", link.peer)
            try:
                self._registration = self._register(link)
                out = self._exchange(
                    link, command, wait_s=self._card_timeout_s, on_status=on_status, abortable=True
                )
            except ZvtUnavailable as exc:
                out = _Outcome(nak=NOT_REGISTERED, failure=str(exc))
        user_abort = self._abort.is_set()
        st = out.status
        masked = _masked(st)
        if out.not_sent:
            answer = aborted("aborted before the terminal was asked")
        elif out.refused is not None or out.status_failure is not None:
            code = out.refused if out.refused is not None else out.status_failure
            assert code is not None
            if user_abort and code == ABORT_TIMEOUT_OR_KEY:
                answer = aborted(f"aborted: {describe(code)}")
            else:
                answer = result(
                    False, error=describe(code), code=decline_code(code), masked_ref=masked
                )
        elif out.succeeded and st is not None and st.receipt_no not in (None, p.RECEIPT_ANY):
            assert st.receipt_no is not None
            approved = amount if st.amount_minor is None else self._amount(st.amount_minor)
            if approved > amount:
                log.warning(
                    "ZVT terminal %s: reserved %s for a pre-authorisation of %s",
                    link.peer,
                    approved,
                    amount,
                )
                approved = amount
            ref = _ref(st.receipt_no, st.trace_no)
            answer = result(True, provider_ref=ref, masked_ref=masked, approved=approved)
            if user_abort:
                answer = self._reverse_late_approval(link, answer, st.receipt_no)
            return self._journal.finish(
                key, answer, receipt_no=st.receipt_no, trace_no=st.trace_no
            ).result()
        elif user_abort:
            answer = aborted(f"aborted; {out.failure or 'the terminal did not confirm it'}")
        else:
            # Lost in the middle: the journal keeps "sent", and `lookup` asks the terminal.
            return result(
                False,
                error=f"no answer from the terminal: {out.failure or 'no completion'}",
                code=DeclineCode.UNAVAILABLE,
                masked_ref=masked,
            )
        return self._journal.finish(key, answer).result()

    def _reverse_late_approval(
        self, link: _Link, answer: ProviderResult, receipt_no: int
    ) -> ProviderResult:
        """Approved although the driver had aborted: reverse it, so no hold is left."""
        log.warning(
            "ZVT terminal %s: approved after the abort; reversing receipt %04d",
            link.peer,
            receipt_no,
        )
        if self._link is not link:
            return answer  # the line broke: the hold stands, and is answered as such
        out = self._exchange(
            link, p.preauth_reversal(receipt_no, self._currency_number), wait_s=self._card_timeout_s
        )
        if out.succeeded or out.refused == ALREADY_REVERSED:
            return dataclasses.replace(
                answer,
                ok=False,
                provider_ref=None,
                approved_amount=None,
                error="aborted; the terminal approved first and the hold was reversed",
                code=DeclineCode.ABORTED,
            )
        return answer

    def increment(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        """ZVT has no incremental authorisation: refused, the kiosk stops within the hold."""
        with self._op_lock:
            known = self._journal.get(idempotency_key)
            if known is not None:
                return known.result()
            hold = self._journal.hold(provider_ref)
            answer = self._result(
                False,
                kind="increment",
                amount=amount,
                reference=None if hold is None else hold.reference,
                provider_ref=provider_ref,
                error=_NO_HOLD_INCREASE,
                code=DeclineCode.DECLINED,
            )
            return self._journal.record(
                idempotency_key,
                answer,
                kind="increment",
                amount=amount,
                currency=currency,
                reference=answer.reference,
                hold_ref=provider_ref,
            ).result()

    def capture(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        """Book `amount` of the hold (06 24); a zero amount reverses it (06 25)."""
        return self._settle(idempotency_key, provider_ref, amount, currency, kind="capture")

    def void(
        self, *, idempotency_key: str, provider_ref: str, amount: Decimal, currency: str
    ) -> ProviderResult:
        """Reverse the whole pre-authorisation (06 25); "already reversed" is done."""
        return self._settle(idempotency_key, provider_ref, amount, currency, kind="void")

    def _settle(
        self, key: str, provider_ref: str, amount: Decimal, currency: str, *, kind: str
    ) -> ProviderResult:
        minor = self._minor(amount)
        with self._op_lock:
            known = self._journal.get(key)
            if known is not None:
                return self._known(known)
            hold = self._journal.hold(provider_ref)
            reference = None if hold is None else hold.reference

            result = functools.partial(
                self._result,
                kind=kind,
                amount=amount,
                reference=reference,
                provider_ref=provider_ref,
            )

            wrong = self._wrong_currency(currency, kind, amount)
            if wrong is not None:
                return dataclasses.replace(wrong, provider_ref=provider_ref, reference=reference)
            parsed = _parse_ref(provider_ref)
            if parsed is None:
                return result(False, error="not a hold of this terminal", code=DeclineCode.DECLINED)
            receipt, trace = parsed
            reverse = kind == "void" or minor == 0
            if reverse:
                command = p.preauth_reversal(receipt, self._currency_number)
            else:
                command = p.book_total(receipt, minor, self._currency_number, trace)
            try:
                link = self._ensure_link()
            except ZvtUnavailable as exc:
                return result(False, error=str(exc), code=DeclineCode.UNAVAILABLE)
            self._journal.begin(
                key,
                kind=kind,
                amount=amount,
                currency=self.currency,
                reference=reference,
                hold_ref=provider_ref,
            )
            out = self._exchange(link, command, wait_s=self._card_timeout_s)
            if (
                not reverse
                and out.refused == FUNCTION_NOT_POSSIBLE
                and hold is not None
                and hold.approved_amount is not None
                and self._link is link
            ):
                # No Book Total on this terminal (Feig's): release the rest instead (06 23).
                rest = self._minor(hold.approved_amount) - minor
                if rest >= 0:
                    log.info("ZVT terminal %s: no book total; partial reversal instead", link.peer)
                    command = p.partial_reversal(receipt, rest, self._currency_number)
                    out = self._exchange(link, command, wait_s=self._card_timeout_s)
            st = out.status
            if out.succeeded:
                answer = result(True)
            elif reverse and out.refused == ALREADY_REVERSED:
                answer = result(True, error=describe(ALREADY_REVERSED))
            elif out.refused is not None or out.status_failure is not None:
                code = out.refused if out.refused is not None else out.status_failure
                assert code is not None
                answer = result(False, error=describe(code), code=decline_code(code))
            else:
                return result(
                    False,
                    error=f"no answer from the terminal: {out.failure or 'no completion'}",
                    code=DeclineCode.UNAVAILABLE,
                )
            return self._journal.finish(
                key,
                answer,
                receipt_no=None if st is None else st.receipt_no,
                trace_no=None if st is None else st.trace_no,
            ).result()

    def lookup(self, *, idempotency_key: str) -> ProviderResult | None:
        """The journaled answer; a lost one resolved by asking the terminal; None: never sent.

        Raises `ZvtUnavailable` (a KnownError) when an answer was lost and the terminal
        cannot be asked now: nothing is known yet, ask again later.
        """
        with self._op_lock:
            entry = self._journal.get(idempotency_key)
            if entry is None:
                return None
            if entry.done:
                return entry.result()
            return self._resolve(entry)

    # -------------------------------------------------------------- recovery

    def _query(self, command: p.Apdu) -> _Outcome:
        link = self._ensure_link()
        out = self._exchange(link, command, wait_s=self._card_timeout_s)
        if out.failure is not None and out.refused is None and out.completion is None:
            raise ZvtUnavailable(f"the terminal did not answer {command}: {out.failure}")
        return out

    def _last_transaction(self) -> p.StatusInformation | None:
        """The terminal's last transaction, from a repeat of its receipt (06 20)."""
        out = self._query(p.repeat_receipt(self._password))
        if out.refused is not None or out.status is None:
            return None
        return out.status

    def _open_preauths(self) -> _OpenPreauths:
        """The open pre-authorisations the terminal names (06 23 with receipt FFFF)."""
        out = self._query(p.open_preauths_query())
        if out.abort is not None and out.abort.code == ERROR_PREAUTH:
            return _OpenPreauths(frozenset(out.abort.open_receipts), out.abort.listed)
        return _OpenPreauths(frozenset(), complete=False)  # it cannot list them

    def _resolve(self, entry: JournalEntry) -> ProviderResult:
        """What became of a request whose answer was lost; journaled once known."""
        log.warning("ZVT terminal: resolving %s %s by asking the terminal", entry.kind, entry.key)
        last = self._last_transaction()
        open_receipts = self._open_preauths()
        receipt_no: int | None = None
        trace_no: int | None = None
        if entry.kind == "authorize":
            answer, receipt_no, trace_no = self._resolve_authorize(entry, last, open_receipts)
        else:
            answer = self._resolve_settle(entry, last, open_receipts)
        log.warning(
            "ZVT terminal: %s %s resolved: %s",
            entry.kind,
            entry.key,
            "ok" if answer.ok else answer.error,
        )
        return self._journal.finish(
            entry.key, answer, receipt_no=receipt_no, trace_no=trace_no
        ).result()

    def _resolve_authorize(
        self,
        entry: JournalEntry,
        last: p.StatusInformation | None,
        open_receipts: _OpenPreauths,
    ) -> tuple[ProviderResult, int | None, int | None]:
        result = functools.partial(
            self._result, kind="authorize", amount=entry.amount, reference=entry.reference
        )

        candidate = None
        if (
            last is not None
            and last.result_code in (None, 0)
            and last.receipt_no not in (None, p.RECEIPT_ANY)
            and last.amount_minor is not None
            and self._amount(last.amount_minor) <= entry.amount
            and (entry.prior_trace is None or last.trace_no != entry.prior_trace)
        ):
            assert last.receipt_no is not None
            ref = _ref(last.receipt_no, last.trace_no)
            if self._journal.owner(ref) is None:
                candidate = last
        if candidate is None:
            return (
                result(
                    False,
                    error="the terminal has no transaction for this request",
                    code=DeclineCode.UNAVAILABLE,
                ),
                None,
                None,
            )
        assert candidate.receipt_no is not None
        assert candidate.amount_minor is not None
        if open_receipts.is_open(candidate.receipt_no) is False:
            return (
                result(
                    False,
                    error="the terminal reversed the pre-authorisation (its answer was lost)",
                    code=DeclineCode.UNAVAILABLE,
                    masked_ref=_masked(candidate),
                ),
                candidate.receipt_no,
                candidate.trace_no,
            )
        ref = _ref(candidate.receipt_no, candidate.trace_no)
        answer = result(
            True,
            provider_ref=ref,
            masked_ref=_masked(candidate),
            approved=self._amount(candidate.amount_minor),
        )
        return answer, candidate.receipt_no, candidate.trace_no

    def _resolve_settle(
        self,
        entry: JournalEntry,
        last: p.StatusInformation | None,
        open_receipts: _OpenPreauths,
    ) -> ProviderResult:
        parsed = _parse_ref(entry.hold_ref or "")
        still_open = None if parsed is None else open_receipts.is_open(parsed[0])
        if still_open is not None:
            done = not still_open
        else:  # the terminal did not say: its last transaction must be this one
            done = (
                last is not None
                and last.result_code in (None, 0)
                and last.trace_no is not None
                and last.trace_no != entry.prior_trace
                and last.amount_minor == self._minor(entry.amount)
            )
        what = "reverse" if entry.kind == "void" or entry.amount == 0 else "book"
        return self._result(
            done,
            kind=entry.kind,
            amount=entry.amount,
            reference=entry.reference,
            provider_ref=entry.hold_ref,
            error=None if done else f"the terminal did not {what} the pre-authorisation",
            code=None if done else DeclineCode.UNAVAILABLE,
        )

    # ---------------------------------------------------------------- the rest

    def abort(self) -> None:
        """Ask the terminal to give up the pre-authorisation that waits; returns at once."""
        with self._state:
            if not self._authorizing or self._abort.is_set():
                return
            self._abort.set()
            self._abort_at = time.monotonic()
            link = self._link if self._command_sent else None
        log.info("ZVT terminal %s:%d: abort asked", self.host, self.port)
        if link is None:
            return  # not sent yet: the device thread sees the flag before it sends
        if not link.lock.acquire(timeout=0.3):
            return  # the device thread is writing; it gives up when the abort is not confirmed
        try:
            link.send_locked(p.abort_command().encode(), 0.3)
        except _Lost:
            pass  # the device thread finds the line broken too
        finally:
            link.lock.release()

    def end_of_day(self) -> EndOfDay:
        """Send the day's bookings to the host (06 50) and report the totals."""
        with self._op_lock:
            try:
                link = self._ensure_link()
            except ZvtUnavailable as exc:
                return EndOfDay(False, text=redact(str(exc)), code=DeclineCode.UNAVAILABLE)
            out = self._exchange(link, p.end_of_day(self._password), wait_s=self._card_timeout_s)
            text = redact("\n".join(out.texts))
            if out.succeeded:
                st = out.status
                total = (
                    None if st is None or st.amount_minor is None else self._amount(st.amount_minor)
                )
                count = None if st is None else st.totals_count
                return EndOfDay(True, total=total, count=count, text=text)
            code = out.refused if out.refused is not None else out.status_failure
            if code is not None:
                return EndOfDay(False, text=text or describe(code), code=decline_code(code))
            return EndOfDay(
                False, text=redact(out.failure or "no completion"), code=DeclineCode.UNAVAILABLE
            )

    def register(self) -> Registration:
        """Connect and register (06 00) now; raises `ZvtUnavailable` with the reason."""
        with self._op_lock:
            self._ensure_link()
            assert self._registration is not None
            return self._registration

    def status_enquiry(self) -> TerminalState:
        """The terminal's own state (05 01): ready, out of order, ..."""
        with self._op_lock:
            link = self._ensure_link()
            out = self._exchange(link, p.status_enquiry(), wait_s=3 * self._ack_timeout_s)
            if out.completion is not None and out.completion.terminal_status is not None:
                code = out.completion.terminal_status
                return TerminalState(code, terminal_status(code), out.completion.software)
            if out.refused is not None:
                raise ZvtUnavailable(f"status enquiry refused: {describe(out.refused)}")
            raise ZvtUnavailable(f"status enquiry failed: {out.failure or 'no status'}")

    def diagnose(self) -> TerminalDiagnosis:
        """Connect, register and ask the terminal's state, on a fresh connection."""
        from payment_drivers.zvt.diagnostics import probe  # noqa: PLC0415 - builds on this module

        with self._op_lock:
            self._drop_link()
            return probe(self.host, self.port, self._connect_timeout_s, password=self._password)

    def close(self) -> None:
        """Stop: a pre-authorisation still waiting is aborted and its connection closed."""
        with self._state:
            if self._closed:
                return
            self._closed = True
        self.abort()
        # The terminal confirms the abort within T3, and the operation records its answer;
        # if not, closing the line makes the device thread's read fail.
        if not self._op_lock.acquire(timeout=self._ack_timeout_s):
            self._drop_link()
            if not self._op_lock.acquire(timeout=max(1.0, self._ack_timeout_s)):
                log.warning("ZVT terminal %s:%d: closed while busy", self.host, self.port)
                return  # the journal stays open for the operation to record its answer
        try:
            self._drop_link()
            self._journal.close()
        finally:
            self._op_lock.release()

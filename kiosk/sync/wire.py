"""The backend's answers as typed structs, decoded strictly (docs/backend-api.md).

Money is a JSON string with a plain decimal number ("12.34"): a JSON number, "NaN" or
"1e3" is refused rather than guessed at (`Amount`). Times must carry their zone.
Unknown fields are ignored, so a newer backend can add some without breaking a kiosk.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, TypeVar

import msgspec

__all__ = [
    "AllowListAnswer",
    "AllowListToken",
    "Amount",
    "CommandsAnswer",
    "ErrorAnswer",
    "EventResult",
    "EventsAnswer",
    "HeartbeatAnswer",
    "Intent",
    "OperationAnswer",
    "RemoteCommandWire",
    "TariffsAnswer",
    "TokenAnswer",
    "WireError",
    "decode",
]

_MONEY: Final = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,12})?")

UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]
Whitelist = Literal["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"]
IntentStatus = Literal["requires_payment", "authorized", "captured", "canceled", "expired"]
EventStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class Amount(Decimal):
    """A money amount that came as a JSON string of a plain decimal number."""


class WireError(ValueError):
    """An answer that is not what the contract says (its text says where)."""


def _dec_hook(kind: type, value: Any) -> Any:
    if kind is Amount:
        if isinstance(value, str) and _MONEY.fullmatch(value):
            return Amount(value)
        raise ValueError(f"money must be a string with a decimal number, not {value!r:.40}")
    raise NotImplementedError(f"no decoder for {kind}")


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str
    message: str = ""


class ErrorAnswer(msgspec.Struct, frozen=True):
    error: ErrorDetail


class HeartbeatAnswer(msgspec.Struct, frozen=True):
    server_time: UtcTime
    tariff_version: int
    allow_list_version: int
    commands: int = 0


class TariffsAnswer(msgspec.Struct, frozen=True):
    version: int
    connectors: dict[str, msgspec.Raw]  # each connector's tariff list, as received


class AllowListToken(msgspec.Struct, frozen=True):
    uid: str
    whitelist: Whitelist
    valid: bool
    contract_id: str | None = None
    group: str | None = None
    expires_at: UtcTime | None = None


class AllowListAnswer(msgspec.Struct, frozen=True):
    version: int
    tokens: list[AllowListToken]


class TokenAnswer(msgspec.Struct, frozen=True):
    allowed: bool
    group: str | None = None
    contract_id: str | None = None
    reason: str | None = None
    code: str | None = None


class Intent(msgspec.Struct, frozen=True):
    id: str
    kind: str
    status: IntentStatus
    amount: Amount
    currency: str
    reference: str = ""
    authorized_amount: Amount | None = None
    captured_amount: Amount | None = None
    refunded_amount: Amount | None = None
    connector_id: str | None = None
    contract_id: str | None = None
    checkout_url: str | None = None
    expires_at: UtcTime | None = None
    masked_ref: str | None = None
    last_error: str | None = None
    code: str | None = None


class OperationAnswer(msgspec.Struct, frozen=True):
    status: int
    body: msgspec.Raw


class EventResult(msgspec.Struct, frozen=True):
    idempotency_key: str
    status: EventStatus
    error: str | None = None


class EventsAnswer(msgspec.Struct, frozen=True):
    results: list[EventResult]


class RemoteCommandWire(msgspec.Struct, frozen=True):
    id: str
    type: Literal["start", "stop"]
    connector_id: str
    created_at: UtcTime
    expires_at: UtcTime
    contract_id: str | None = None
    group: str | None = None
    session_id: str | None = None


class CommandsAnswer(msgspec.Struct, frozen=True):
    commands: list[RemoteCommandWire]


T = TypeVar("T")


def decode(data: bytes, kind: type[T], what: str) -> T:
    """`data` as a `kind`; WireError naming `what` and the place when it is not one."""
    try:
        return msgspec.json.decode(data, type=kind, strict=True, dec_hook=_dec_hook)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise WireError(f"{what}: the backend's answer is not valid: {exc}") from None

"""The API's shapes for the OpenAPI document (docs/openapi.json).

The handlers parse bodies themselves (strict JSON, Decimals); these models only
describe them. Money is a decimal string, times RFC 3339 strings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ERRORS", "body"]

Money = Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", max_length=40, examples=["12.34"])


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("malformed: not strict JSON, a missing or invalid Idempotency-Key"),
    401: _error("authentication failed"),
    403: _error("the operator's role is not enough"),
    404: _error("not found"),
    409: _error("idempotency conflict or in progress, or a state that refuses the call"),
    413: _error("the body is too large"),
    422: _error("valid JSON, invalid content"),
    503: _error("the database does not answer"),
}


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting a JSON request body that the handler reads itself."""
    schema = model.model_json_schema()
    inlined = _inline(schema, schema.get("$defs", {}))
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inlined}},
        }
    }


# --- stations -------------------------------------------------------------------------


class LiveSessionIn(_Model):
    session_id: str = Field(min_length=1, max_length=128)
    connector_id: str = Field(min_length=1, max_length=36)
    state: str = Field(min_length=1, max_length=32)
    energy_kwh: str = Money
    cost: str = Money
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    payment_ref: str | None = Field(default=None, max_length=64)
    updated_at: str | None = Field(default=None, examples=["2026-12-03T09:12:47Z"])


class HeartbeatIn(_Model):
    station_time: str = Field(examples=["2026-12-03T09:12:47Z"])
    outbox_pending: int | None = Field(default=None, ge=0)
    software: str | None = Field(default=None, max_length=64)
    sessions: list[LiveSessionIn] = Field(default_factory=list, max_length=64)


class HeartbeatOut(BaseModel):
    server_time: str
    tariff_version: int
    allow_list_version: int
    commands: int


class TariffsOut(BaseModel):
    version: int
    connectors: dict[str, list[dict[str, Any]]]


class AllowListToken(BaseModel):
    uid: str
    contract_id: str
    group: str | None
    whitelist: Literal["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"]
    valid: bool
    expires_at: str | None


class AllowListOut(BaseModel):
    version: int
    tokens: list[AllowListToken]


class AuthorizeIn(_Model):
    uid: str = Field(min_length=1, max_length=64, examples=["04A1B2C3D4"])
    connector_id: str | None = Field(default=None, max_length=36)


class AuthorizeOut(BaseModel):
    allowed: bool
    group: str | None
    contract_id: str | None
    reason: str | None
    code: str | None


class EventIn(_Model):
    idempotency_key: str = Field(min_length=1, max_length=256)
    topic: str = Field(min_length=1, max_length=100)
    aggregate_id: str | None = Field(default=None, max_length=256)
    created_at: str | None = None
    payload: dict[str, Any]


class EventsIn(_Model):
    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventResult(BaseModel):
    idempotency_key: str | None
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    error: str | None = None


class EventsOut(BaseModel):
    results: list[EventResult]


class CommandOut(BaseModel):
    id: str
    type: Literal["start", "stop"]
    connector_id: str
    contract_id: str
    group: str | None
    session_id: str | None
    created_at: str
    expires_at: str


class CommandsOut(BaseModel):
    commands: list[CommandOut]


class CommandResultIn(_Model):
    status: Literal["accepted", "rejected"]
    reason: str | None = Field(default=None, max_length=500)
    session_id: str | None = Field(default=None, max_length=128)


class CommandResultOut(BaseModel):
    id: str
    status: str
    reason: str | None
    session_id: str | None


class OperationOut(BaseModel):
    status: int
    body: dict[str, Any]


class HealthOut(BaseModel):
    status: str
    database: str
    error: ErrorDetail | None = None


# --- payment intents ------------------------------------------------------------------

Amount = Field(pattern=r"^[0-9]{1,12}(\.[0-9]{1,6})?$", max_length=19, examples=["12.34"])
Currency = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


class IntentIn(_Model):
    kind: Literal["qr", "account"]
    connector_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,36}$")
    amount: str = Amount
    currency: str = Currency
    reference: str = Field(default="", max_length=255)
    expires_in_s: int = Field(default=170, ge=30, le=3600)
    contract_id: str | None = Field(default=None, max_length=64)


class AmountIn(_Model):
    amount: str = Amount


class RefundIn(_Model):
    amount: str = Amount
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    reason: str | None = Field(default=None, min_length=1, max_length=200)


class AdminRefundIn(_Model):
    amount: str = Amount
    currency: str = Currency
    reason: str = Field(min_length=1, max_length=200)


class IntentOut(BaseModel):
    id: str
    kind: Literal["qr", "account"]
    status: Literal["requires_payment", "authorized", "captured", "canceled", "expired"]
    amount: str
    authorized_amount: str | None
    captured_amount: str | None
    refunded_amount: str
    currency: str
    reference: str
    connector_id: str
    checkout_url: str | None
    expires_at: str
    masked_ref: str | None
    last_error: str | None
    code: str | None


# --- operators ------------------------------------------------------------------------


class StationOut(BaseModel):
    id: str
    name: str
    time_zone: str
    created_at: str
    last_seen_at: str | None
    clock_offset_s: float | None
    tariff_version: int
    software: str | None
    outbox_pending: int | None


class StationsOut(BaseModel):
    stations: list[StationOut]


class StationIn(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    name: str | None = Field(default=None, max_length=200)
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Berlin"])


class StationCreated(BaseModel):
    id: str
    name: str
    secret: str


class TariffStored(BaseModel):
    id: str
    version: int


class TariffIdsIn(_Model):
    tariff_ids: list[str] = Field(max_length=20)


class ConnectorTariffsOut(BaseModel):
    station_id: str
    connector_id: str
    tariff_ids: list[str]
    tariff_version: int


class ConnectorIn(_Model):
    connector_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,36}$", examples=["1"])
    label: str = Field(min_length=1, max_length=16, examples=["A"])
    evse_id: str | None = Field(default=None, max_length=48, examples=["DE*KIO*E0001*A"])
    standard: str | None = Field(default=None, pattern=r"^[A-Z0-9_]{1,32}$")
    max_power_kw: str | None = Field(default=None, max_length=40, examples=["22"])


class ConnectorsIn(_Model):
    connectors: list[ConnectorIn] = Field(max_length=64)


class ConnectorOut(BaseModel):
    connector_id: str
    label: str
    evse_id: str | None
    standard: str | None
    max_power_kw: str | None


class ConnectorsOut(BaseModel):
    station_id: str
    connectors: list[ConnectorOut]


class TokenIn(_Model):
    contract_id: str = Field(min_length=1, max_length=64)
    group: str | None = Field(default=None, max_length=64)
    whitelist: Literal["ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"] = "ALLOWED"
    valid: bool = True
    expires_at: str | None = None


class TokenOut(BaseModel):
    uid: str
    contract_id: str
    group: str | None
    whitelist: str
    valid: bool
    expires_at: str | None
    allow_list_version: int


class SessionOut(BaseModel):
    station_id: str
    session_id: str
    connector_id: str
    evse_id: str | None
    started_at: str | None
    ended_at: str | None
    energy_kwh: str
    cost: str
    backend_cost: str | None
    price_mismatch: bool
    price_note: str | None
    currency: str
    stop_reason: str | None
    token_type: str | None
    contract_id: str | None
    customer_group: str | None
    payment_method: str | None
    payment_ref: str | None
    receipt_token: str | None


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class CdrsOut(BaseModel):
    cdrs: list[dict[str, Any]]


class DailyLine(BaseModel):
    station_id: str
    currency: str
    payment_method: str | None
    sessions: int
    energy_kwh: str
    revenue: str
    backend_revenue: str
    mismatches: int


class DailyRefunds(BaseModel):
    station_id: str
    kind: Literal["qr", "account"]
    currency: str
    refunds: int
    amount: str


class DailyReport(BaseModel):
    day: str
    lines: list[DailyLine]
    account_charges: list[dict[str, Any]]
    refunds: list[DailyRefunds]


class StoredEvent(BaseModel):
    id: int
    station_id: str
    idempotency_key: str
    topic: str
    aggregate_id: str | None
    status: str
    error: str | None
    received_at: str
    payload: dict[str, Any]


class EventsList(BaseModel):
    events: list[StoredEvent]

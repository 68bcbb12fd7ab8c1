"""The msgspec shapes of OCPI CDR JSON, and the ChargingPeriod the engine prices.

They live apart from periods.py and pricing.py because those are compiled with mypyc
(setup.py), and msgspec cannot decode into Structs defined in a compiled module (mypyc
turns an annotation such as `int | None` into `type`). What is checked and how is in
periods.py; these only say what the JSON may hold.

gc=False on the per-period Structs: decoded JSON and the periods built from it cannot
form a reference cycle, and untracked objects are cheaper to make by the million.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

import msgspec

from kiosk.domain.tariff import Problem

__all__ = [
    "CDR_DECODER",
    "LINE_DECODER",
    "PERIOD_FIELDS",
    "CdrBytes",
    "CdrInput",
    "CdrLine",
    "ChargingPeriod",
    "DimensionKind",
    "RawCdr",
    "RawDimension",
    "RawPeriod",
]


class ChargingPeriod(msgspec.Struct, frozen=True, gc=False):
    """One OCPI ChargingPeriod, reduced to what pricing needs.

    time_s / parking_s / reservation_s are None when the CDR did not give that
    dimension; the engine then derives it from the period's duration.
    """

    start: datetime  # aware, UTC
    energy_kwh: Decimal = Decimal(0)
    time_s: int | None = None
    parking_s: int | None = None
    reservation_s: int | None = None
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_current_a: Decimal | None = None
    max_current_a: Decimal | None = None
    state_of_charge: Decimal | None = None
    tariff_id: str | None = None


class CdrInput(msgspec.Struct, frozen=True, gc=False):
    """A CDR ready to price: every period starts at or after `start` (skew clamped).

    warnings name each tolerated oddity by path (`cdr.charging_periods[0]...`).
    """

    start: datetime
    end: datetime
    currency: str | None
    periods: tuple[ChargingPeriod, ...]
    tariffs: tuple[Any, ...]  # raw tariff objects embedded in the CDR, parsed by the caller
    warnings: tuple[Problem, ...] = ()


# The fields in declaration order, as msgspec.structs.astuple gives them (pricing.py
# unpacks them so; a test holds the two together).
PERIOD_FIELDS: Final = (
    "start",
    "energy_kwh",
    "time_s",
    "parking_s",
    "reservation_s",
    "min_power_kw",
    "max_power_kw",
    "min_current_a",
    "max_current_a",
    "state_of_charge",
    "tariff_id",
)

DimensionKind = Literal[
    "CURRENT",
    "ENERGY",
    "ENERGY_EXPORT",
    "ENERGY_IMPORT",
    "MAX_CURRENT",
    "MIN_CURRENT",
    "MAX_POWER",
    "MIN_POWER",
    "PARKING_TIME",
    "POWER",
    "RESERVATION_TIME",
    "STATE_OF_CHARGE",
    "TIME",
]


class RawDimension(msgspec.Struct, gc=False):
    type: DimensionKind
    # Any, not Decimal: msgspec would take "0.5" (a string) for a Decimal. JSON numbers
    # arrive as int or (float_hook) Decimal; anything else is refused in _period.
    volume: Any


class RawPeriod(msgspec.Struct, gc=False):
    start_date_time: datetime
    dimensions: Annotated[list[RawDimension], msgspec.Meta(min_length=1)]
    tariff_id: str | None = None


class RawCdr(msgspec.Struct):
    start_date_time: datetime
    end_date_time: datetime
    charging_periods: Annotated[list[RawPeriod], msgspec.Meta(min_length=1)]
    currency: str | None = None
    tariffs: list[Any] | None = None


class CdrBytes(msgspec.Struct):
    """A CDR decoded from JSON text, with its embedded tariffs kept as raw JSON."""

    start_date_time: datetime
    end_date_time: datetime
    charging_periods: Annotated[list[RawPeriod], msgspec.Meta(min_length=1)]
    currency: str | None = None
    tariffs: msgspec.Raw = msgspec.Raw()


class CdrLine(msgspec.Struct):
    """One line of `kiosk tariff price --batch` input; tariffs stay raw JSON text."""

    cdr: CdrBytes
    tz: str | None = None
    tariff: msgspec.Raw = msgspec.Raw()


LINE_DECODER: Final = msgspec.json.Decoder(CdrLine, float_hook=Decimal)
CDR_DECODER: Final = msgspec.json.Decoder(CdrBytes, float_hook=Decimal)

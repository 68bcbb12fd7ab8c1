"""`kiosk tariff check` and `kiosk tariff price`: the pricing engine on files.

Exit codes: 0 done, 2 invalid input, 3 no tariff valid at the session start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from kiosk.domain import jsonio
from kiosk.domain.periods import CdrInput, decode_cdr, decode_line
from kiosk.domain.pricing import (
    CostBreakdown,
    NoActiveTariff,
    TariffPricer,
    price_session,
    select_tariff,
)
from kiosk.domain.tariff import Tariff, TariffError, parse_tariffs
from kiosk.domain.tariff_summary import summarize

__all__ = ["EXIT_INVALID", "EXIT_NO_TARIFF", "check", "price_batch", "price_one"]

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_NO_TARIFF = 3


class InputError(ValueError):
    """Input that cannot be priced; the message says why."""


@dataclass
class _PricerCache:
    """Batch files repeat a few tariffs many times: parse and compile each once."""

    by_key: dict[bytes, tuple[tuple[Tariff, ...], dict[str, TariffPricer]]]

    def get(self, raw: bytes) -> tuple[tuple[Tariff, ...], dict[str, TariffPricer]]:
        hit = self.by_key.get(raw)
        if hit is None:
            try:
                tariffs = parse_tariffs(jsonio.loads(raw))
            except jsonio.JsonInputError as exc:
                raise InputError(f"tariff: {exc}") from None
            hit = (tariffs, {t.id: TariffPricer(t) for t in tariffs})
            if len(self.by_key) > 10_000:
                self.by_key.clear()
            self.by_key[raw] = hit
        return hit


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise InputError("tz must be an IANA time zone name like Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r}") from None


def _price(
    raw_tariff: bytes | None,
    cdr: CdrInput,
    embedded: bytes | None,
    tz: object,
    cache: _PricerCache,
    *,
    explain: bool = True,
) -> CostBreakdown:
    zone = _zone(tz)
    if raw_tariff is None:
        if embedded is None or embedded.strip() in (b"[]", b"null"):
            raise InputError("no tariff: give one, or embed it in the CDR's `tariffs`")
        raw_tariff = embedded
    tariffs, pricers = cache.get(raw_tariff)
    tariff = select_tariff(tariffs, cdr.start, cdr.periods[0].tariff_id)
    if cdr.currency is not None and cdr.currency != tariff.currency:
        raise InputError(
            f"the CDR is in {cdr.currency} but tariff {tariff.id!r} in {tariff.currency}"
        )
    return price_session(
        cdr.periods,
        start=cdr.start,
        end=cdr.end,
        tz=zone,
        pricer=pricers[tariff.id],
        # a period may name another tariff of the same file, in the same currency
        extra_tariffs={k: v for k, v in pricers.items() if v.tariff.currency == tariff.currency},
        explain=explain,
    )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, TariffError):
        return "invalid input: " + "; ".join(str(p) for p in exc.problems)
    return str(exc)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None


def _load_file(path: Path, what: str) -> Any:
    try:
        return jsonio.loads(_read(path, what))
    except jsonio.JsonInputError as exc:
        raise InputError(f"{what} {path}: {exc}") from None


def price_one(
    tariff_path: Path | None, cdr_path: Path, tz: str, *, as_json: bool, out: TextIO
) -> int:
    cache = _PricerCache({})
    try:
        cdr, embedded = decode_cdr(_read(cdr_path, "CDR"))
        raw_tariff = None if tariff_path is None else _read(tariff_path, "tariff")
        breakdown = _price(raw_tariff, cdr, embedded, tz, cache)
    except NoActiveTariff as exc:
        if as_json:
            out.write(jsonio.dumps({"error": "no_active_tariff"}) + "\n")
        else:
            out.write(f"no active tariff: {exc}\n")
        return EXIT_NO_TARIFF
    except (InputError, TariffError) as exc:
        if as_json:
            out.write(jsonio.dumps({"error": _error_text(exc)}) + "\n")
        else:
            out.write(f"error: {_error_text(exc)}\n")
        return EXIT_INVALID
    if as_json:
        out.write(jsonio.dumps(breakdown.totals_json()) + "\n")
    else:
        out.write(render_breakdown(breakdown))
    return EXIT_OK


_encode = msgspec.json.Encoder(decimal_format="string").encode


def _batch_results(lines: Iterator[str | bytes], cache: _PricerCache) -> Iterator[tuple[str, bool]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            cdr, raw_tariff, tz, embedded = decode_line(line)
            breakdown = _price(raw_tariff, cdr, embedded, tz, cache, explain=False)
            yield _encode(breakdown.totals_json()).decode(), True
        except NoActiveTariff:
            yield '{"error": "no_active_tariff"}', False
        except (InputError, TariffError, jsonio.JsonInputError) as exc:
            yield jsonio.dumps({"error": _error_text(exc)}), False


def price_batch(in_path: Path, out_path: Path | None, *, out: TextIO, err: TextIO) -> int:
    cache = _PricerCache({})
    try:
        source = in_path.open("rb")
    except OSError as exc:
        err.write(f"error: cannot read {in_path}: {exc.strerror}\n")
        return EXIT_INVALID
    sink = out
    try:
        if out_path is not None:
            sink = out_path.open("w", encoding="utf-8")
        total = failed = 0
        with source:
            for text, ok in _batch_results(iter(source), cache):
                sink.write(text + "\n")
                total += 1
                failed += not ok
    except OSError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_INVALID
    finally:
        if sink is not out:
            sink.close()
    err.write(f"priced {total - failed} of {total} CDRs; {failed} with errors\n")
    return EXIT_OK


def check(path: Path, *, out: TextIO) -> int:
    try:
        tariffs = parse_tariffs(_load_file(path, "tariff"))
    except InputError as exc:
        out.write(f"error: {exc}\n")
        return EXIT_INVALID
    except TariffError as exc:
        out.write(f"{path}: {len(exc.problems)} problem(s)\n")
        for problem in exc.problems:
            out.write(f"  {problem}\n")
        return EXIT_INVALID
    for tariff in tariffs:
        out.write(summarize(tariff))
    return EXIT_OK


def render_breakdown(b: CostBreakdown) -> str:
    """A plain-text bill: one line an item, then the totals."""
    rows = [f"tariff {b.tariff_id} ({b.currency})"]
    unit = {
        "FLAT": "",
        "ENERGY": "kWh",
        "TIME": "h",
        "PARKING_TIME": "h",
        "RESERVATION_FLAT": "",
        "RESERVATION_TIME": "h",
        "IDLE_FEE": "min",
    }
    for line in b.lines:
        vat = "no VAT given" if line.vat is None else f"VAT {line.vat}%"
        where = "" if line.element is None else f" elements[{line.element}]"
        volume = (
            ""
            if line.kind.value.endswith("FLAT")
            else f"{_short(line.volume)} {unit[line.kind.value]} × "
        )
        incl = "—" if line.cost.incl_vat is None else str(line.cost.incl_vat)
        rows.append(
            f"  {line.kind.value:<17}{where:<13} {volume}{line.unit_price}  "
            f"= {line.cost.excl_vat} excl. / {incl} incl. ({vat})"
        )
    if b.cap:
        rows.append(f"  {b.cap} applied: {b.uncapped_cost.excl_vat} → {b.total_cost.excl_vat}")
    incl_total = (
        "unknown (a price has no VAT)"
        if b.total_cost.incl_vat is None
        else str(b.total_cost.incl_vat)
    )
    rows.append(f"total {b.total_cost.excl_vat} excl. VAT, {incl_total} incl. VAT")
    rows.append(
        f"energy {_short(b.total_energy_kwh)} kWh, session {_short(b.total_time_s / 3600)} h, "
        f"parking {_short(Decimal(b.total_parking_s) / 3600)} h"
    )
    return "\n".join(rows) + "\n"


def _short(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")

"""`kiosk tariff check` and `kiosk tariff price`: the pricing engine on files.

Exit codes: 0 done, 1 internal error (a bug), 2 invalid input, 3 no tariff valid at the
session start. No input makes these commands print a traceback, and in `--batch` one
bad line never stops the rest (docs/tariffs.md §1.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, TextIO
from zoneinfo import ZoneInfo

import msgspec

from kiosk.domain import jsonio
from kiosk.domain.periods import MAX_LINE_BYTES, CdrInput, decode_cdr, decode_line
from kiosk.domain.pricing import (
    CostBreakdown,
    NoActiveTariff,
    TariffPricer,
    price_session,
    select_tariff,
)
from kiosk.domain.tariff import Problem, Tariff, TariffError, parse_tariffs
from kiosk.domain.tariff_summary import summarize

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_NO_TARIFF",
    "MAX_FILE_BYTES",
    "check",
    "price_batch",
    "price_one",
]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_NO_TARIFF = 3

MAX_FILE_BYTES: Final = 64 * 1024 * 1024  # a tariff or CDR file (docs/tariffs.md §1.3)

# What hostile input can raise below our own checks: reported as invalid input, never
# as a traceback. Anything else is a bug, reported as "internal error" (exit 1).
_INPUT_ERRORS: Final = (
    ArithmeticError,  # decimal.InvalidOperation, DivisionByZero, Overflow; OverflowError
    RecursionError,
    ValueError,  # TariffError, JsonInputError, InputError, UnicodeDecodeError among them
    msgspec.MsgspecError,
)


class InputError(ValueError):
    """Input that cannot be priced; the message says why."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    tariffs: tuple[Tariff, ...]
    pricers: dict[str, TariffPricer]
    warnings: tuple[dict[str, str], ...]  # every tariff's warnings, paths prefixed

    # a period may name another tariff of the same file, in the same currency
    by_currency: dict[str, dict[str, TariffPricer]] = field(init=False)

    def __post_init__(self) -> None:
        by_currency: dict[str, dict[str, TariffPricer]] = {}
        for key, pricer in self.pricers.items():
            by_currency.setdefault(pricer.tariff.currency, {})[key] = pricer
        object.__setattr__(self, "by_currency", by_currency)


def _prefixed(root: str, path: str) -> str:
    if not path:
        return root
    if not root:
        return path
    return root + path if path.startswith("[") else f"{root}.{path}"


def _warning_json(problems: Iterable[Problem], root: str) -> tuple[dict[str, str], ...]:
    return tuple({"path": _prefixed(root, p.path), "message": p.message} for p in problems)


@dataclass
class _PricerCache:
    """Batch files repeat a few tariffs many times: parse and compile each once.

    A tariff that is refused is remembered too (its problems), so that a hostile
    batch repeating one huge bad tariff costs one parse, not one a line.
    """

    by_key: dict[tuple[bytes, str], _Parsed | tuple[Problem, ...]] = field(default_factory=dict)

    def get(self, raw: bytes, root: str = "tariff") -> _Parsed:
        """The tariffs in `raw`; `root` starts every path (`tariff` or `cdr.tariffs`).

        Priced, not stored: a tariff without country_code, party_id or last_updated
        is accepted with a warning (docs/tariffs.md §1.1).
        """
        key = (raw, root)
        hit = self.by_key.get(key)
        if hit is None:
            hit = self._parse(raw, root)
            if len(self.by_key) > 10_000:
                self.by_key.clear()
            self.by_key[key] = hit
        if isinstance(hit, tuple):
            raise TariffError(hit)
        return hit

    @staticmethod
    def _parse(raw: bytes, root: str) -> _Parsed | tuple[Problem, ...]:
        try:
            tariffs = parse_tariffs(jsonio.loads(raw), require_identity=False)
        except jsonio.JsonInputError as exc:
            return (Problem(_prefixed(root, exc.path), exc.reason),)
        except TariffError as exc:
            return tuple(Problem(_prefixed(root, p.path), p.message) for p in exc.problems)
        warnings = tuple(w for t in tariffs for w in _warning_json(t.warnings, root))
        return _Parsed(tariffs, {t.id: TariffPricer(t) for t in tariffs}, warnings)


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise InputError("tz must be an IANA time zone name like Europe/Berlin")
    if len(name) > 64 or "\0" in name:
        raise InputError(f"unknown time zone {name[:64]!r}")
    try:
        return ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError, OSError (a directory), ...
        raise InputError(f"unknown time zone {name!r}") from None


def _price(
    raw_tariff: bytes | None,
    cdr: CdrInput,
    embedded: bytes | None,
    tz: object,
    cache: _PricerCache,
    *,
    explain: bool = True,
    warnings: list[dict[str, str]] | None = None,
) -> CostBreakdown:
    """Price one CDR; `warnings` gets the tariff's, then the CDR's (also on an error)."""
    if warnings is None:
        warnings = []
    if cdr.warnings:
        warnings.extend(_warning_json(cdr.warnings, ""))
    root = "tariff"
    if raw_tariff is None:
        if embedded is None or embedded.strip() in (b"[]", b"null"):
            raise InputError("no tariff: give one, or embed it in the CDR's `tariffs`")
        raw_tariff, root = embedded, "cdr.tariffs"
    parsed = cache.get(raw_tariff, root)
    if parsed.warnings:
        warnings[:0] = parsed.warnings
    zone = _zone(tz)
    tariffs, pricers = parsed.tariffs, parsed.pricers
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
        extra_tariffs=parsed.by_currency[tariff.currency],
        explain=explain,
    )


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, TariffError):
        return "invalid input: " + "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, InputError):
        return str(exc)
    return f"invalid input: cannot price this: {type(exc).__name__}: {_cut(str(exc))}"


def _internal_text(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {_cut(str(exc))}"


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{what} {path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def _load_file(path: Path, what: str) -> Any:
    try:
        return jsonio.loads(_read(path, what))
    except jsonio.JsonInputError as exc:
        raise InputError(f"{what} {path}: {exc}") from None


def _result_json(result: dict[str, Any], warnings: list[dict[str, str]]) -> str:
    result["warnings"] = warnings
    return jsonio.dumps(result)


def _fail(
    message: str, warnings: list[dict[str, str]], as_json: bool, out: TextIO, code: int
) -> int:
    if as_json:
        out.write(_result_json({"error": message}, warnings) + "\n")
    else:
        out.write(f"error: {message}\n")
    return code


def price_one(
    tariff_path: Path | None, cdr_path: Path, tz: str, *, as_json: bool, out: TextIO
) -> int:
    """Price one CDR file. Never a traceback: exit 2 and one line for any bad input."""
    cache = _PricerCache()
    warnings: list[dict[str, str]] = []
    try:
        cdr, embedded = decode_cdr(_read(cdr_path, "CDR"))
        raw_tariff = None if tariff_path is None else _read(tariff_path, "tariff")
        breakdown = _price(raw_tariff, cdr, embedded, tz, cache, warnings=warnings)
        if as_json:
            text = _result_json(breakdown.totals_json(), warnings) + "\n"
        else:
            text = render_breakdown(breakdown) + "".join(
                f"warning: {w['path']}: {w['message']}\n" for w in warnings
            )
    except NoActiveTariff as exc:
        if as_json:
            out.write(_result_json({"error": "no_active_tariff"}, warnings) + "\n")
        else:
            out.write(f"no active tariff: {exc}\n")
        return EXIT_NO_TARIFF
    except _INPUT_ERRORS as exc:
        return _fail(_error_text(exc), warnings, as_json, out, EXIT_INVALID)
    except Exception as exc:  # a bug: said in one line, never a traceback
        return _fail(_internal_text(exc), warnings, as_json, out, EXIT_INTERNAL)
    out.write(text)
    return EXIT_OK


_encode = msgspec.json.Encoder(decimal_format="string").encode
_NO_WARNINGS: Final = ',"warnings":[]}'


def _error_line(message: str, warnings: list[dict[str, str]]) -> str:
    return _encode({"error": message, "warnings": warnings}).decode()


def _batch_results(
    lines: Iterable[str | bytes], cache: _PricerCache
) -> Iterator[tuple[str, bool | None]]:
    """One (result line, ok) per non-blank line; ok is None for an internal error.

    Nothing a line holds stops the lines after it: every exception is caught here.
    """
    for line in lines:
        if not line or line.isspace():  # (no stripped copy of every line)
            continue
        warnings: list[dict[str, str]] = []
        try:
            if len(line) > MAX_LINE_BYTES and line[-1:] not in (b"\n", "\n"):
                raise InputError(
                    f"invalid input: the line is longer than {MAX_LINE_BYTES // 2**20} MiB"
                )
            cdr, raw_tariff, tz, embedded = decode_line(line)
            breakdown = _price(
                raw_tariff, cdr, embedded, tz, cache, explain=False, warnings=warnings
            )
            totals = breakdown.totals_line()  # "{...}": the warnings go before its "}"
            if warnings:
                yield f'{totals[:-1]},"warnings":{_encode(warnings).decode()}}}', True
            else:
                yield totals[:-1] + _NO_WARNINGS, True
        except NoActiveTariff:
            yield _error_line("no_active_tariff", warnings), False
        except _INPUT_ERRORS as exc:
            yield _error_line(_error_text(exc), warnings), False
        except Exception as exc:  # a bug: reported on its line and counted, never fatal
            yield _error_line(_internal_text(exc), warnings), None


def _read_lines(source: IO[bytes]) -> Iterator[bytes]:
    """The file's lines; one longer than MAX_LINE_BYTES is cut there, the rest skipped.

    The cut line (MAX_LINE_BYTES + 1 bytes, no newline) is refused by _batch_results,
    so memory never holds more than one line of the allowed size.
    """
    limit = MAX_LINE_BYTES + 1
    while True:
        line = source.readline(limit)
        if not line:
            return
        if len(line) == limit and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = source.readline(2**20)
        yield line


_WRITE_CHUNK: Final = 256  # result lines per write


def price_batch(in_path: Path, out_path: Path | None, *, out: TextIO, err: TextIO) -> int:
    cache = _PricerCache()
    try:
        source = in_path.open("rb")
    except OSError as exc:
        err.write(f"error: cannot read {in_path}: {exc.strerror}\n")
        return EXIT_INVALID
    sink = out
    total = failed = internal = 0
    try:
        if out_path is not None:
            sink = out_path.open("w", encoding="utf-8")
        with source:
            chunk: list[str] = []  # written in chunks: one write call per line costs 4 %
            for text, ok in _batch_results(_read_lines(source), cache):
                chunk.append(text)
                total += 1
                failed += not ok
                internal += ok is None
                if len(chunk) == _WRITE_CHUNK:
                    sink.write("\n".join(chunk) + "\n")
                    chunk.clear()
            if chunk:
                sink.write("\n".join(chunk) + "\n")
    except OSError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_INVALID
    finally:
        if sink is not out:
            sink.close()
    summary = f"priced {total - failed} of {total} CDRs; {failed} with errors"
    if internal:
        err.write(f"{summary}; {internal} internal errors (a bug: please report)\n")
        return EXIT_INTERNAL
    err.write(summary + "\n")
    return EXIT_OK


def check(path: Path, *, out: TextIO) -> int:
    """Validate a tariff file as the pricing engine takes it. Never a traceback."""
    try:
        tariffs = parse_tariffs(_load_file(path, "tariff"), require_identity=False)
        text = "".join(summarize(tariff) for tariff in tariffs)
    except InputError as exc:
        out.write(f"error: {exc}\n")
        return EXIT_INVALID
    except TariffError as exc:
        out.write(f"{path}: {len(exc.problems)} problem(s)\n")
        for problem in exc.problems:
            out.write(f"  {problem}\n")
        return EXIT_INVALID
    except _INPUT_ERRORS as exc:
        out.write(f"error: {_error_text(exc)}\n")
        return EXIT_INVALID
    except Exception as exc:  # a bug: one line, never a traceback
        out.write(f"error: {_internal_text(exc)}\n")
        return EXIT_INTERNAL
    out.write(text)
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

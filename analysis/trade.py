"""The trade table: load and validate a trade CSV, parse every figure so that units are explicit.

The bundled table ``analysis/data/trade.csv`` (see ``analysis/data/TRADE_NOTES.md``) holds one published
figure per row: ``series, period, partner, flow, value, unit, source_url, confidence, note``.
Loading adds parsed columns so that nothing is silently a number that is not one:

- ``value_num`` (float; NaN for bounds such as ``<5`` or ``nearly 13``), ``value_bound`` (``"<"``,
  ``"nearly"``, ... or ``""``) and ``bound_value`` (the number inside a bound, NaN otherwise);
- ``currency`` (``HK$``, ``US$``, ``RM``, ``S$`` or ``""``), ``scale`` (1e3, 1e6, 1e9, 1e12; 1 for
  non-money units) and ``kind`` (``value``, ``share``, ``change``, ``rank``);
- ``year`` (Int64, only for calendar-year periods ``YYYY``), ``inferred`` (note starts with INFERRED)
  and ``flag`` (``"low confidence; inferred; ..."``, empty when nothing to say);
- ``source_class``: what kind of source the figure comes from (``trade_source_classes.SOURCE_CLASSES``),
  from the optional ``source_class`` column of the file or, when that column or cell is absent, derived by
  ``derive_source_class``. Series are built from the best class per period (``SOURCE_PRIORITY``).

Built on this table: ``trade_currency`` (HK$ and US$ at the peg), ``trade_series`` (annual and monthly
series), ``trade_asymmetry``, ``trade_official`` and ``trade_derived`` (the official tabulations).
"""
from __future__ import annotations

import math
import os
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.trade_source_classes import CONFIDENCE_RANK, SOURCE_CLASSES, STUDY_POSTER, derive_source_class
from hkasean.corpus.errors import InputError
from hkasean.corpus.textfile import iter_csv_rows

TRADE_COLUMNS = list(contract.TRADE.required)
"""The columns of a trade CSV (contract ``trade``: what a reader needs; the parsed columns follow)."""
SOURCE_CLASS_COLUMN = "source_class"
"""Optional column of a trade CSV; derived from the other columns when absent (old files still load)."""
REQUIRED_FIELDS = ["series", "period", "partner", "flow", "value", "unit", "confidence"]
PARSED_COLUMNS = [c for c in contract.TRADE.columns if c not in contract.TRADE.required]

_PERIOD_PATTERNS = [
    re.compile(r"^\d{4}$"),  # calendar year
    re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),  # month
    re.compile(r"^\d{4}-(0[1-9]|1[0-2])/\d{4}-(0[1-9]|1[0-2])$"),  # cumulative months
    re.compile(r"^\d{4}->latest$"),  # start year, end year not stated
    re.compile(r"^~\d{4}$"),  # approximate year
]
_VALUE_PATTERN = re.compile(
    r"^(?P<bound><=|>=|<|>|~|nearly|almost|about|around|over|under|just under|more than|less than)?\s*"
    r"(?P<number>[-+]?\d+(?:\.\d+)?)$"
)
TRADE_YEARS = (1900, 2100)
"""The years a trade period may name (inclusive): a period such as ``0000`` is a typo, refused when the file
loads instead of failing after the models ran."""
NONNEGATIVE_KINDS = ("value", "share", "rank")
"""Kinds of figure that cannot be negative: money levels (``total_trade``, ``imports``, exports ...), shares
of a whole and ranks. Changes (``% yoy``, ``% cumulative`` ...) may be, and so may a flow named a balance."""
BALANCE_FLOW = re.compile(r"balance")
"""A flow that may be negative in any unit (``trade_balance``: exports minus imports)."""
_YEAR_IN_PERIOD = re.compile(r"\d{4}")
_CURRENCY_PATTERN = re.compile(r"^(HK\$|US\$|RM|S\$)\s+(thousand|million|billion|trillion)$")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def trade_record(series: str, period: str, partner: str, flow: str, value: str, unit: str, source: str,
                 confidence: str, note: str, source_class: str) -> dict[str, str]:
    """One row of a trade CSV as ``parse_trade_records`` reads it: the ``TRADE_COLUMNS`` and its source class."""
    return dict(zip(TRADE_COLUMNS, (series, period, partner, flow, value, unit, source, confidence, note))) | {
        SOURCE_CLASS_COLUMN: source_class}


def bundled_trade_path() -> Path:
    """The bundled trade table ``analysis/data/trade.csv``."""
    return Path(str(resources.files("hkasean.analysis") / "data" / "trade.csv"))


def load_trade_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a trade table (the bundled one when ``path`` is None).

    Returns one row per figure: the nine ``TRADE_COLUMNS`` (text) plus the parsed columns
    ``value_num, value_bound, bound_value, currency, scale, kind, year, inferred, flag, source_class``
    described in the module docstring (``source_class`` from the optional column of that name, else derived). Raises ``InputError`` naming the file, the row (data row number and file line)
    and the column for any bad cell (a value must be a finite number or a bound), a missing column,
    an empty file, bytes that are not UTF-8 or unreadable CSV such as an over-long cell. A UTF-8 BOM is fine.
    Also refused: a period naming a year outside ``TRADE_YEARS`` (1900-2100) or a range that ends before
    it starts; a negative level, share or rank (``NONNEGATIVE_KINDS``; changes and balances may be
    negative); one source's two different values for one period (both rows named, see
    ``parse_trade_records``).
    """
    path = Path(path) if path is not None else bundled_trade_path()
    records = _read_rows(path)
    return parse_trade_records(records, path)


def parse_trade_records(records: list[dict[str, str]], path: Path) -> pd.DataFrame:
    """Validate and parse text records (``TRADE_COLUMNS`` and optionally ``source_class``, plus ``_line``).

    ``path`` names the origin in error messages. Returns the frame ``load_trade_table`` describes.

    Besides each cell (see ``_parse_row``), the rows are checked together: one source (the same
    ``source_url`` and ``note``) giving two different values for the same period of a (series, partner,
    flow, unit, source class) is an ``InputError`` naming both rows; two sources that disagree are kept,
    and each row's ``flag`` names the other row and its value (the series take the better one by
    ``rank_figures``). A repeat with the same value is neither.
    """
    parsed = [_parse_row(dict(record), path, row_no) for row_no, record in enumerate(records, start=1)]
    _check_repeated_periods(records, parsed, path)
    return pd.DataFrame(parsed, columns=TRADE_COLUMNS + PARSED_COLUMNS).astype(
        {"value_num": float, "bound_value": float, "scale": float, "year": "Int64", "inferred": bool})


def _check_repeated_periods(records: list[dict], parsed: list[dict], path: Path) -> None:
    """Refuse one source's conflicting figures for a period; flag (in ``parsed``) disagreeing sources."""
    first: dict[tuple, dict[tuple, int]] = {}
    for index, row in enumerate(parsed):
        key = tuple(row[column] for column in ("series", "partner", "flow", "unit", SOURCE_CLASS_COLUMN, "period"))
        value = (row["value_bound"], row["bound_value"] if row["value_bound"] else row["value_num"])
        seen = first.setdefault(key, {})
        if value in seen:
            continue
        for other in seen.values():
            if (parsed[other]["source_url"], parsed[other]["note"]) == (row["source_url"], row["note"]):
                raise InputError(
                    f"{row['period']} of {row['series']}/{row['flow']}/{row['partner']} ({row['unit']}, "
                    f"{row[SOURCE_CLASS_COLUMN]}) is listed twice with different values by the same source "
                    f"(source_url and note): "
                    f"{parsed[other]['value']!r} on {_row_name(records, other)} and {row['value']!r} here; "
                    "keep the right one", path=path, where=f"{_row_name(records, index)}, column 'value'")
        for other in seen.values():
            parsed[other]["flag"] = join_flags(
                parsed[other]["flag"], f"another source gives {row['value']} ({_row_name(records, index, ', ')})")
            row["flag"] = join_flags(
                row["flag"], f"another source gives {parsed[other]['value']} ({_row_name(records, other, ', ')})")
        seen[value] = index


def _row_name(records: list[dict], index: int, style: str = " (") -> str:
    """``row N (line L)`` (style ``" ("``) or ``row N, line L`` (style ``", "``) of the record at ``index``;
    ``row N`` for a record without a file line."""
    line = records[index].get("_line")
    if line is None:
        return f"row {index + 1}"
    return f"row {index + 1}{style}line {line}" + (")" if style == " (" else "")


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError("trade table not found", path=path)
    records = iter_csv_rows(path)
    header = next(records, (1, []))[1]
    if not header:
        raise InputError(f"empty file: expected a CSV header with columns {', '.join(TRADE_COLUMNS)}", path=path)
    missing = [column for column in TRADE_COLUMNS if column not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected columns {', '.join(TRADE_COLUMNS)}",
            path=path, where="line 1 (header)",
        )
    columns = TRADE_COLUMNS + ([SOURCE_CLASS_COLUMN] if SOURCE_CLASS_COLUMN in header else [])
    position = {column: header.index(column) for column in columns}
    rows = []
    for row_no, (line, cells) in enumerate((record for record in records if record[1]), start=1):
        where = f"row {row_no} (line {line})"
        if len(cells) > len(header):
            raise InputError(f"more fields than the {len(header)} header columns", path=path, where=where)
        absent = [column for column in columns if position[column] >= len(cells)]
        if absent:
            raise InputError(f"fewer fields than the header; column {absent[0]!r} is missing", path=path, where=where)
        rows.append({column: cells[position[column]].strip() for column in columns} | {"_line": line})
    if not rows:
        raise InputError("empty file: the header has no data rows below it", path=path)
    return rows


def _parse_row(record: dict, path: Path, row_no: int) -> dict:
    line = record.pop("_line", None)  # records not read from a file (official, computed) have none

    def fail(column: str, message: str) -> InputError:
        row = f"row {row_no}" if line is None else f"row {row_no} (line {line})"
        return InputError(message, path=path, where=f"{row}, column {column!r}")

    for column in REQUIRED_FIELDS:
        if not record[column]:
            raise fail(column, "empty cell; a value is required")
    if record["confidence"] not in CONFIDENCE_RANK:
        raise fail("confidence", f"got {record['confidence']!r}, expected one of high, medium, low")
    source_class = record.pop(SOURCE_CLASS_COLUMN, "") or derive_source_class(
        record["source_url"], record["confidence"], record["note"])
    if source_class not in SOURCE_CLASSES:
        raise fail(SOURCE_CLASS_COLUMN, f"got {source_class!r}, expected one of {', '.join(SOURCE_CLASSES)} "
                                        "(or an empty cell: derived from source_url, confidence and note)")
    if not any(pattern.match(record["period"]) for pattern in _PERIOD_PATTERNS):
        raise fail("period", f"got {record['period']!r}, expected YYYY, YYYY-MM, YYYY-MM/YYYY-MM, YYYY->latest or ~YYYY")
    for year in map(int, _YEAR_IN_PERIOD.findall(record["period"])):
        if not TRADE_YEARS[0] <= year <= TRADE_YEARS[1]:
            raise fail("period", f"got {record['period']!r}: year {year} is outside {TRADE_YEARS[0]}-{TRADE_YEARS[1]}")
    if "/" in record["period"] and record["period"].split("/")[1] < record["period"].split("/")[0]:
        raise fail("period", f"got {record['period']!r}: the range ends before it starts")
    value_match = _VALUE_PATTERN.match(record["value"].replace(",", ""))
    if value_match is None:
        raise fail("value", f"got {record['value']!r}, expected a number or a bound such as '<5' or 'nearly 13'")
    try:
        currency, scale, kind = parse_unit(record["unit"])
    except ValueError as exc:
        raise fail("unit", str(exc)) from None

    bound = value_match.group("bound") or ""
    number = float(value_match.group("number"))
    if not math.isfinite(number):
        raise fail("value", f"got a number with {len(value_match.group('number'))} characters, too large to be a "
                            "finite number; expected a finite number or a bound such as '<5'")
    if number < 0 and kind in NONNEGATIVE_KINDS and not BALANCE_FLOW.search(record["flow"]):
        what = {"value": "a money level", "share": "a share", "rank": "a rank"}[kind]
        raise fail("value", f"got {record['value']!r}: {what} (flow {record['flow']!r}, unit {record['unit']!r}) cannot be "
                            "negative; only changes (a unit such as '% yoy' or '% change') and balances (a flow named "
                            "'..._balance') may be")
    inferred = record["note"].upper().startswith("INFERRED")
    flags = []
    if record["confidence"] == "low":
        flags.append("low confidence")
    if inferred:
        flags.append("inferred")
    if record["source_url"] == STUDY_POSTER:
        flags.append("study poster, unconfirmed")
    if bound:
        flags.append(f"bound: {record['value']}")
    return record | {
        "value_num": np.nan if bound else number,
        "value_bound": bound,
        "bound_value": number if bound else np.nan,
        "currency": currency,
        "scale": scale,
        "kind": kind,
        "year": int(record["period"]) if _PERIOD_PATTERNS[0].match(record["period"]) else pd.NA,
        "inferred": inferred,
        "flag": "; ".join(flags),
        SOURCE_CLASS_COLUMN: source_class,
    }


def parse_unit(unit: str) -> tuple[str, float, str]:
    """Split a unit label into ``(currency, scale, kind)``.

    ``"US$ billion"`` -> ``("US$", 1e9, "value")``; ``"% of ASEAN total trade"`` -> ``("", 1.0, "share")``;
    ``"% yoy"`` / ``"% cumulative"`` -> ``("", 1.0, "change")``; ``"rank among ..."`` -> ``("", 1.0, "rank")``.
    Raises ``ValueError`` for anything else.
    """
    money = _CURRENCY_PATTERN.match(unit)
    if money:
        return money.group(1), _SCALES[money.group(2)], "value"
    if unit.startswith("%"):
        is_change = any(word in unit for word in ("yoy", "cumulative", "change", "growth"))
        return "", 1.0, "change" if is_change else "share"
    if unit.startswith("rank"):
        return "", 1.0, "rank"
    raise ValueError(
        f"unknown unit {unit!r}; expected '<HK$|US$|RM|S$> <thousand|million|billion|trillion>', "
        "a '% ...' share or change, or 'rank among ...'"
    )


def join_flags(*parts: str) -> str:
    """The non-empty flag texts joined by ``"; "`` (the format of the ``flag`` column)."""
    return "; ".join(part for part in parts if part)

"""HK-ASEAN trade figures: load and validate the tidy trade table, make units explicit, build annual series.

The bundled table ``analysis/data/trade.csv`` (see ``analysis/data/TRADE_NOTES.md``) holds one published
figure per row: ``series, period, partner, flow, value, unit, source_url, confidence, note``.
Loading adds parsed columns so that nothing is silently a number that is not one:

- ``value_num`` (float; NaN for bounds such as ``<5`` or ``nearly 13``), ``value_bound`` (``"<"``,
  ``"nearly"``, ... or ``""``) and ``bound_value`` (the number inside a bound, NaN otherwise);
- ``currency`` (``HK$``, ``US$``, ``RM``, ``S$`` or ``""``), ``scale`` (1e3, 1e6, 1e9, 1e12; 1 for
  non-money units) and ``kind`` (``value``, ``share``, ``change``, ``rank``);
- ``year`` (Int64, only for calendar-year periods ``YYYY``), ``inferred`` (note starts with INFERRED)
  and ``flag`` (``"low confidence; inferred; ..."``, empty when nothing to say);
- ``source_class``: what kind of source the figure comes from (``SOURCE_CLASSES``), from the optional
  ``source_class`` column of the file or, when that column or cell is absent, derived by
  ``derive_source_class``. Series are built from the best class per period (``SOURCE_PRIORITY``).

HK$ and US$ are never mixed silently: ``to_currency`` converts at the HK$/US$ peg (7.75-7.85 band; the
7.80 mid-point by default) and flags every converted value; other currencies are left out with a logged note.
"""
from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.corpus.textfile import iter_csv_rows
from hkasean.corpus.trade_sources.records import ASEAN_MEMBERS  # noqa: F401 (re-exported: one spelling of the members)

logger = logging.getLogger(__name__)

TRADE_COLUMNS = list(contract.TRADE.required)
"""The columns of a trade CSV (contract ``trade``: what a reader needs; the parsed columns follow)."""
SOURCE_CLASS_COLUMN = "source_class"
"""Optional column of a trade CSV; derived from the other columns when absent (old files still load)."""
REQUIRED_FIELDS = ["series", "period", "partner", "flow", "value", "unit", "confidence"]
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
STUDY_POSTER = "study poster"
OFFICIAL_TABULATION = "official_tabulation"
OFFICIAL_QUOTE = "official_quote"
SECONDARY_REPORT = "secondary_report"
INFERRED = "inferred"
POSTER = "poster"
SOURCE_CLASSES = (OFFICIAL_TABULATION, OFFICIAL_QUOTE, SECONDARY_REPORT, INFERRED, POSTER)
SOURCE_PRIORITY = {OFFICIAL_TABULATION: 0, OFFICIAL_QUOTE: 1, SECONDARY_REPORT: 2, INFERRED: 3, POSTER: 3}
"""The declared priority when a period has figures from several sources: an official statistical
tabulation beats an official quote, which beats a secondary report, which beats an inferred value or
the study poster's figure. Within a class, confidence high > medium > low decides, then a figure in its
own currency over a converted one, then file order."""
PARSED_COLUMNS = [c for c in contract.TRADE.columns if c not in contract.TRADE.required]
ANNUAL_COLUMNS = ["period", "value", "unit", "confidence", "flags", "source_class"]
CORRELATION_SERIES_COLUMNS = contract.TRADE_SERIES.column_list

RECORDED_BY = {
    "hk_asean_trade": "HK",
    "hk_total_trade": "HK",
    "hk_member_trade": "HK",
    "hk_member_trade_yoy": "HK",
    "member_hk_trade": "member",
    "member_export_share_to_hk": "member",
    "member_import_share_from_hk": "member",
    "sg_nodx_to_hk_yoy": "member",
    "asean_partner_trade": "ASEAN",
    "sg_recorded_trade": "member",
}
"""Which side recorded each series. A series is never combined with another, so HK-recorded levels
(which count re-exports of Mainland goods) are never mixed with ASEAN-recorded ones."""

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


@dataclass(frozen=True)
class TradeSettings:
    """Tunable parameters of the trade series (config keys = field names)."""

    hkd_per_usd: float = field(
        default=7.80,
        metadata={"help": "HK$ per US$ used to convert between the two (mid-point of the 7.75-7.85 peg band)",
                  "at_least": 1, "at_most": 20},
    )
    interpolate: bool = field(
        default=False,
        metadata={"help": "fill interior gaps of annual trade series linearly (filled years are flagged 'interpolated')"},
    )
    official: bool = field(
        default=True,
        metadata={"help": "add the bundled official tabulations (analysis/data/official: HK-recorded trade by partner "
                          "2015-2019, Singapore's monthly trade with HK 2015-2025) to the trade table"},
    )
    source_classes: tuple[str, ...] = field(
        default=(OFFICIAL_TABULATION, OFFICIAL_QUOTE, SECONDARY_REPORT, INFERRED),
        metadata={"help": "source classes the analysis series may use (the best one per period wins: official_tabulation "
                          "> official_quote > secondary_report > inferred = poster); the poster's figures are audited, "
                          "not used, unless listed here", "choices": SOURCE_CLASSES, "min_items": 1,
                  "max_items": len(SOURCE_CLASSES)},
    )


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
            parsed[other]["flag"] = _join_flags(
                parsed[other]["flag"], f"another source gives {row['value']} ({_row_name(records, index, ', ')})")
            row["flag"] = _join_flags(
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


def derive_source_class(source_url: str, confidence: str, note: str) -> str:
    """The source class of a figure whose file gives none.

    ``poster`` when ``source_url`` is "study poster"; ``inferred`` when the note starts with INFERRED;
    ``official_quote`` for confidence ``high`` (a government or statistics office page quoting the figure);
    ``secondary_report`` otherwise (news reports, mirrors, research summaries). Only an explicit
    ``source_class`` cell makes a figure an ``official_tabulation``.
    """
    if source_url == STUDY_POSTER:
        return POSTER
    if note.upper().startswith("INFERRED"):
        return INFERRED
    return OFFICIAL_QUOTE if confidence == "high" else SECONDARY_REPORT


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


def to_currency(table: pd.DataFrame, target: str = "HK$", hkd_per_usd: float = TradeSettings.hkd_per_usd) -> pd.DataFrame:
    """The money rows of ``table`` expressed in billions of ``target`` (``"HK$"`` or ``"US$"``).

    Returns the value rows (kind == "value") whose currency is ``target`` or convertible to it, with
    ``value_num``/``bound_value`` rescaled to billions, ``currency = target``, ``scale = 1e9``,
    ``unit = "<target> billion"``, a boolean ``converted`` column, and ``"converted at <rate>"`` appended
    to ``flag`` for converted rows. US$ <-> HK$ use ``hkd_per_usd``; other currencies (RM, S$) are not
    converted: they are left out and a note is logged.
    """
    if target not in ("HK$", "US$"):
        raise ValueError(f"target currency must be 'HK$' or 'US$', got {target!r}")
    money = table[table["kind"] == "value"].copy()
    other = "US$" if target == "HK$" else "HK$"
    left_out = money[~money["currency"].isin([target, other])]
    if len(left_out):
        logger.info(
            "to_currency: %d row(s) in %s left out (no conversion to %s)",
            len(left_out), ", ".join(sorted(left_out["currency"].unique())), target,
        )
    money = money[money["currency"].isin([target, other])]
    rate = np.where(money["currency"] == target, 1.0, hkd_per_usd if target == "HK$" else 1.0 / hkd_per_usd)
    factor = rate * money["scale"].to_numpy() / 1e9
    money["value_num"] = money["value_num"].to_numpy() * factor
    money["bound_value"] = money["bound_value"].to_numpy() * factor
    money["converted"] = money["currency"] != target
    note = f"converted at {hkd_per_usd:.2f} HK$/US$"
    money["flag"] = [
        _join_flags(flag, note if converted else "") for flag, converted in zip(money["flag"], money["converted"])
    ]
    money["currency"] = target
    money["scale"] = 1e9
    money["unit"] = f"{target} billion"
    return money


def _join_flags(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def annual_series(
    table: pd.DataFrame,
    series: str,
    flow: str,
    partner: str,
    unit_target: str | None = None,
    *,
    interpolate: bool = TradeSettings.interpolate,
    hkd_per_usd: float = TradeSettings.hkd_per_usd,
    source_classes: tuple[str, ...] = TradeSettings.source_classes,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """One value per calendar year for one (series, flow, partner), gaps kept as NaN rows.

    ``unit_target`` ``"HK$ billion"`` or ``"US$ billion"`` converts money rows (see ``to_currency``);
    figures in other currencies (S$, RM) are never converted: they are left out and the year's flag says
    how many (as it does for figures of a class not in ``source_classes``). ``None`` keeps the rows' own unit, which must then be a single unit. Only one ``series`` is
    used, so HK-recorded and ASEAN-recorded figures are never mixed (see ``RECORDED_BY``). Only figures
    whose ``source_class`` is in ``source_classes`` are used.

    Preference when a year has several figures: a number over a bound, then the source class by
    ``SOURCE_PRIORITY`` (official tabulation > official quote > secondary report > inferred or poster),
    then confidence high > medium > low, then a figure in its own currency over a converted one, then
    file order. Bounds alone leave the year NaN (flagged with the bound). Years from the first to the last
    year with any row of the key (or ``years``, inclusive) all appear; missing ones have value NaN and flag
    ``"gap: no figure"``. With ``interpolate=True`` interior gaps are filled linearly and flagged
    ``"interpolated"`` (confidence NaN, source_class ``"interpolated"``).

    Returns DataFrame[period (int year), value (float, in ``unit``), unit, confidence, flags, source_class].
    """
    rows = table[(table["series"] == series) & (table["flow"] == flow) & (table["partner"] == partner)]
    rows = rows[rows["year"].notna()]
    span = sorted({int(year) for year in rows["year"]})
    not_used: dict[int, list[str]] = {}
    for year, source_class in zip(rows["year"], rows["source_class"]):
        if source_class not in source_classes:
            not_used.setdefault(int(year), []).append(f"class {source_class}")
    rows = rows[rows["source_class"].isin(source_classes)]
    if unit_target is not None:
        target = unit_target.split()[0]
        other = rows[(rows["kind"] == "value") & ~rows["currency"].isin(["HK$", "US$"])]
        for year, currency in zip(other["year"], other["currency"]):
            not_used.setdefault(int(year), []).append(f"{currency} (never converted)")
        rows = to_currency(rows, target=target, hkd_per_usd=hkd_per_usd)
    else:
        rows = rows.assign(converted=False)
    units = rows["unit"].unique()
    if len(units) > 1:
        raise ValueError(f"{series}/{flow}/{partner} mixes units {list(units)}; pass unit_target to convert")
    unit = units[0] if len(units) else (unit_target or "")
    ranked = rank_figures(rows).sort_values("year", kind="mergesort")

    chosen = {}
    for year, group in ranked.groupby("year", sort=True):
        best = group.iloc[0]
        others = len(group) - 1
        flags = _join_flags(best["flag"], f"{others} other figure(s) for this year" if others else "",
                            _not_used_flag(not_used.get(int(year), [])))
        chosen[int(year)] = (best["value_num"], best["confidence"], flags, best["source_class"])

    if years is None:
        if not span:
            return pd.DataFrame(columns=ANNUAL_COLUMNS)
        years = (span[0], span[-1])
    periods = list(range(years[0], years[1] + 1))
    gap = (np.nan, None, "gap: no figure", "")
    out = pd.DataFrame({
        "period": periods,
        "value": [chosen.get(y, gap)[0] for y in periods],
        "unit": unit,
        "confidence": [chosen.get(y, gap)[1] for y in periods],
        "flags": [chosen[y][2] if y in chosen else _join_flags(gap[2], _not_used_flag(not_used.get(y, [])))
                  for y in periods],
        "source_class": [chosen.get(y, gap)[3] for y in periods],
    })
    out["value"] = out["value"].astype(float)
    if interpolate:
        filled = out["value"].interpolate(method="linear", limit_area="inside")
        newly = out["value"].isna() & filled.notna()
        out.loc[newly, "flags"] = "interpolated (linear, gap in the sources)"
        out.loc[newly, "source_class"] = "interpolated"
        out["value"] = filled
    return out


def rank_figures(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (with a boolean ``converted`` column) best first: a number over a bound, then
    ``SOURCE_PRIORITY``, then confidence high > medium > low, then own currency over converted, then file order."""
    return rows.assign(
        _is_bound=rows["value_num"].isna(),
        _priority=rows["source_class"].map(SOURCE_PRIORITY),
        _confidence=rows["confidence"].map(CONFIDENCE_RANK),
        _order=np.arange(len(rows)),
    ).sort_values(["_is_bound", "_priority", "_confidence", "converted", "_order"])


def _not_used_flag(reasons: list[str]) -> str:
    if not reasons:
        return ""
    return f"{len(reasons)} figure(s) not used: {', '.join(sorted(set(reasons)))}"


CORRELATION_SERIES = {
    "hk_asean_total_trade_hkd": ("hk_asean_trade", "total_trade", "ASEAN", "HK$ billion"),
    "asean_share_of_hk_trade": ("hk_asean_trade", "share_of_hk_total_trade", "ASEAN", None),
    "asean_share_of_hk_exports": ("hk_asean_trade", "share_of_hk_total_exports", "ASEAN", None),
    "hk_share_of_asean_trade": ("asean_partner_trade", "share_of_asean_total_trade", "Hong Kong", None),
}
"""Trade series offered for correlation: name -> (series, flow, partner, unit_target)."""


def trade_series_for_correlation(
    table: pd.DataFrame,
    *,
    interpolate: bool = TradeSettings.interpolate,
    hkd_per_usd: float = TradeSettings.hkd_per_usd,
    source_classes: tuple[str, ...] = TradeSettings.source_classes,
) -> pd.DataFrame:
    """Annual trade series to correlate with theme prevalence, stacked long.

    Series (see ``CORRELATION_SERIES``): ``hk_asean_total_trade_hkd`` (HK-recorded HK-ASEAN trade, HK$
    billion, US$ figures converted at the peg), ``asean_share_of_hk_trade`` (% of HK total merchandise
    trade), ``asean_share_of_hk_exports`` (% of HK total exports) and ``hk_share_of_asean_trade`` (ASEAN-
    recorded, % of ASEAN total trade). Each year takes the best source by ``SOURCE_PRIORITY`` among
    ``source_classes``; gaps are NaN rows.

    Returns DataFrame[trade_series, period (int year), value (float), unit, flag, source_class].
    """
    parts = []
    for name, (series, flow, partner, unit_target) in CORRELATION_SERIES.items():
        annual = annual_series(
            table, series, flow, partner, unit_target, interpolate=interpolate, hkd_per_usd=hkd_per_usd,
            source_classes=source_classes,
        )
        parts.append(annual.assign(trade_series=name).rename(columns={"flags": "flag"}))
    return pd.concat(parts, ignore_index=True)[CORRELATION_SERIES_COLUMNS]


MONTHLY_PERIOD = r"\d{4}-(0[1-9]|1[0-2])"
MIN_MONTHS = 24
"""A monthly series of a trade CSV needs at least this many months to be offered for correlation."""


def monthly_series_keys(table: pd.DataFrame, min_months: int = MIN_MONTHS) -> list[tuple[str, str, str]]:
    """(series, flow, partner) of every monthly series in ``table``: value or share rows with ``YYYY-MM``
    periods in at least ``min_months`` distinct months, in table order."""
    monthly = table[table["period"].str.fullmatch(MONTHLY_PERIOD) & table["kind"].isin(["value", "share"])]
    months = monthly.groupby(["series", "flow", "partner"], sort=False)["period"].nunique()
    return [key for key, count in months.items() if count >= min_months]


def monthly_series_name(series: str, flow: str, partner: str) -> str:
    """The ``trade_series`` name of a monthly series: ``series:flow:partner`` (the Singapore proxy has its own)."""
    return MONTHLY_SERIES_NAMES.get((series, flow, partner), f"{series}:{flow}:{partner}")


MONTHLY_SERIES_NAMES = {("sg_recorded_trade", "total_trade", "Hong Kong"): "sg_hk_total_trade_sgd"}
"""Names of known monthly series; the bundled proxy is Singapore-recorded total trade with Hong Kong (S$ million)."""


def monthly_trade_series(
    table: pd.DataFrame,
    keys: list[tuple[str, str, str]],
    source_classes: tuple[str, ...] = TradeSettings.source_classes,
) -> pd.DataFrame:
    """Monthly trade series for the correlation, stacked long, one per key (and unit).

    Each month takes the best figure by ``rank_figures`` among ``source_classes``. Values stay in their
    own unit and currency (never converted): a key whose rows use two units gives two series, named
    ``"<name> [<unit>]"``. Months from the first to the last with a figure all appear; missing ones are
    NaN rows flagged ``"gap: no figure"`` (never interpolated).

    Returns DataFrame[trade_series, period ("YYYY-MM"), value, unit, flag, source_class].
    """
    parts = []
    for series, flow, partner in keys:
        rows = table[(table["series"] == series) & (table["flow"] == flow) & (table["partner"] == partner)
                     & table["period"].str.fullmatch(MONTHLY_PERIOD) & table["source_class"].isin(source_classes)
                     & table["value_num"].notna()]
        units = list(dict.fromkeys(rows["unit"]))
        for unit in units:
            name = monthly_series_name(series, flow, partner) + (f" [{unit}]" if len(units) > 1 else "")
            ranked = rank_figures(rows[rows["unit"] == unit].assign(converted=False))
            best = ranked.drop_duplicates("period").set_index("period")
            months = pd.period_range(min(best.index), max(best.index), freq="M").strftime("%Y-%m")
            best = best.reindex(months)
            parts.append(pd.DataFrame({
                "trade_series": name, "period": months, "value": best["value_num"].astype(float).to_numpy(),
                "unit": unit, "flag": best["flag"].fillna("gap: no figure").to_numpy(),
                "source_class": best["source_class"].fillna("").to_numpy(),
            }))
    if not parts:
        return pd.DataFrame(columns=CORRELATION_SERIES_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CORRELATION_SERIES_COLUMNS]


def dependence_asymmetry(trade_series: pd.DataFrame) -> pd.DataFrame:
    """The study's thesis in numbers: ASEAN's weight for HK beside HK's weight for ASEAN, per year.

    From ``trade_series_for_correlation`` output: every year with both ``asean_share_of_hk_trade``
    (ASEAN's % of HK's trade, HK-recorded) and ``hk_share_of_asean_trade`` (HK's % of ASEAN's trade,
    ASEAN-recorded). Each share is taken in its own recorder's denominator, so the two are
    comparable as weights even though the underlying levels differ (re-exports, see the notes).
    Returns DataFrame[year, asean_share_of_hk_trade, hk_share_of_asean_trade, ratio, flags];
    ratio > 1 means ASEAN matters more to HK than HK to ASEAN.
    """
    columns = ["year", "asean_share_of_hk_trade", "hk_share_of_asean_trade", "ratio", "flags"]
    wanted = ["asean_share_of_hk_trade", "hk_share_of_asean_trade"]
    rows = trade_series[trade_series["trade_series"].isin(wanted) & trade_series["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    values = rows.pivot_table(index="period", columns="trade_series", values="value", aggfunc="first")
    flags = rows.assign(flag=rows["flag"].fillna("")).pivot_table(
        index="period", columns="trade_series", values="flag", aggfunc="first"
    )
    if not set(wanted) <= set(values.columns):
        return pd.DataFrame(columns=columns)
    both = values[wanted].dropna()
    table = both.reset_index(drop=True).rename_axis(columns=None)
    table.insert(0, "year", both.index.astype(int))
    table["ratio"] = table["asean_share_of_hk_trade"] / table["hk_share_of_asean_trade"]
    table["flags"] = [
        _join_flags(*(f"{name}: {flags.loc[year, name]}" for name in wanted if str(flags.loc[year, name]).strip()))
        for year in both.index
    ]
    return table[columns]

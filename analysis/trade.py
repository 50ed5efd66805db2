"""HK-ASEAN trade figures: load and validate the tidy trade table, make units explicit, build annual series.

The bundled table ``analysis/data/trade.csv`` (see ``analysis/data/TRADE_NOTES.md``) holds one published
figure per row: ``series, period, partner, flow, value, unit, source_url, confidence, note``.
Loading adds parsed columns so that nothing is silently a number that is not one:

- ``value_num`` (float; NaN for bounds such as ``<5`` or ``nearly 13``), ``value_bound`` (``"<"``,
  ``"nearly"``, ... or ``""``) and ``bound_value`` (the number inside a bound, NaN otherwise);
- ``currency`` (``HK$``, ``US$``, ``RM``, ``S$`` or ``""``), ``scale`` (1e3, 1e6, 1e9, 1e12; 1 for
  non-money units) and ``kind`` (``value``, ``share``, ``change``, ``rank``);
- ``year`` (Int64, only for calendar-year periods ``YYYY``), ``inferred`` (note starts with INFERRED)
  and ``flag`` (``"low confidence; inferred; ..."``, empty when nothing to say).

HK$ and US$ are never mixed silently: ``to_currency`` converts at the HK$/US$ peg (7.75-7.85 band; the
7.80 mid-point by default) and flags every converted value; other currencies are left out with a logged note.
"""
from __future__ import annotations

import csv
import logging
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hkasean.corpus.errors import InputError

logger = logging.getLogger(__name__)

TRADE_COLUMNS = ["series", "period", "partner", "flow", "value", "unit", "source_url", "confidence", "note"]
REQUIRED_FIELDS = ["series", "period", "partner", "flow", "value", "unit", "confidence"]
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
STUDY_POSTER = "study poster"
ANNUAL_COLUMNS = ["period", "value", "unit", "confidence", "flags"]
CORRELATION_SERIES_COLUMNS = ["trade_series", "period", "value", "unit", "flag"]

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
_CURRENCY_PATTERN = re.compile(r"^(HK\$|US\$|RM|S\$)\s+(thousand|million|billion|trillion)$")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@dataclass(frozen=True)
class TradeSettings:
    """Tunable parameters of the trade series (config keys = field names)."""

    hkd_per_usd: float = field(
        default=7.80,
        metadata={"help": "HK$ per US$ used to convert between the two (mid-point of the 7.75-7.85 peg band)"},
    )
    interpolate: bool = field(
        default=False,
        metadata={"help": "fill interior gaps of annual trade series linearly (filled years are flagged 'interpolated')"},
    )


def bundled_trade_path() -> Path:
    """The bundled trade table ``analysis/data/trade.csv``."""
    return Path(str(resources.files("hkasean.analysis") / "data" / "trade.csv"))


def load_trade_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a trade table (the bundled one when ``path`` is None).

    Returns one row per figure: the nine ``TRADE_COLUMNS`` (text) plus the parsed columns
    ``value_num, value_bound, bound_value, currency, scale, kind, year, inferred, flag`` described in the
    module docstring. Raises ``InputError`` naming the file, the row (data row number and file line)
    and the column for any bad cell, a missing column, or an empty file.
    """
    path = Path(path) if path is not None else bundled_trade_path()
    records = _read_rows(path)
    parsed = [_parse_row(record, path, row_no) for row_no, record in enumerate(records, start=1)]
    return pd.DataFrame(parsed, columns=TRADE_COLUMNS + [
        "value_num", "value_bound", "bound_value", "currency", "scale", "kind", "year", "inferred", "flag",
    ]).astype({"value_num": float, "bound_value": float, "scale": float, "year": "Int64", "inferred": bool})


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError("trade table not found", path=path)
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        if not header:
            raise InputError(f"empty file: expected a CSV header with columns {', '.join(TRADE_COLUMNS)}", path=path)
        missing = [column for column in TRADE_COLUMNS if column not in header]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; expected columns {', '.join(TRADE_COLUMNS)}",
                path=path, where="line 1 (header)",
            )
        rows = []
        for row_no, record in enumerate(reader, start=1):
            where = f"row {row_no} (line {reader.line_num})"
            if None in record:
                raise InputError(f"more fields than the {len(header)} header columns", path=path, where=where)
            absent = [column for column in TRADE_COLUMNS if record[column] is None]
            if absent:
                raise InputError(f"fewer fields than the header; column {absent[0]!r} is missing", path=path, where=where)
            rows.append({column: record[column].strip() for column in TRADE_COLUMNS} | {"_line": reader.line_num})
    if not rows:
        raise InputError("empty file: the header has no data rows below it", path=path)
    return rows


def _parse_row(record: dict, path: Path, row_no: int) -> dict:
    line = record.pop("_line")

    def fail(column: str, message: str) -> InputError:
        return InputError(message, path=path, where=f"row {row_no} (line {line}), column {column!r}")

    for column in REQUIRED_FIELDS:
        if not record[column]:
            raise fail(column, "empty cell; a value is required")
    if record["confidence"] not in CONFIDENCE_RANK:
        raise fail("confidence", f"got {record['confidence']!r}, expected one of high, medium, low")
    if not any(pattern.match(record["period"]) for pattern in _PERIOD_PATTERNS):
        raise fail("period", f"got {record['period']!r}, expected YYYY, YYYY-MM, YYYY-MM/YYYY-MM, YYYY->latest or ~YYYY")
    value_match = _VALUE_PATTERN.match(record["value"].replace(",", ""))
    if value_match is None:
        raise fail("value", f"got {record['value']!r}, expected a number or a bound such as '<5' or 'nearly 13'")
    try:
        currency, scale, kind = parse_unit(record["unit"])
    except ValueError as exc:
        raise fail("unit", str(exc)) from None

    bound = value_match.group("bound") or ""
    number = float(value_match.group("number"))
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
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """One value per calendar year for one (series, flow, partner), gaps kept as NaN rows.

    ``unit_target`` ``"HK$ billion"`` or ``"US$ billion"`` converts money rows (see ``to_currency``);
    ``None`` keeps the rows' own unit, which must then be a single unit. Only one ``series`` is used, so
    HK-recorded and ASEAN-recorded figures are never mixed (see ``RECORDED_BY``).

    Preference when a year has several figures: a number over a bound, then confidence high > medium >
    low, then a figure in its own currency over a converted one, then file order. Bounds alone leave the
    year NaN (flagged with the bound). Years from the first to the last year with a row (or ``years``,
    inclusive) all appear; missing ones have value NaN and flag ``"gap: no figure"``. With
    ``interpolate=True`` interior gaps are filled linearly and flagged ``"interpolated"`` (confidence NaN).

    Returns DataFrame[period (int year), value (float, in ``unit``), unit, confidence, flags].
    """
    rows = table[(table["series"] == series) & (table["flow"] == flow) & (table["partner"] == partner)]
    rows = rows[rows["year"].notna()]
    if unit_target is not None:
        rows = to_currency(rows, target=unit_target.split()[0], hkd_per_usd=hkd_per_usd)
    else:
        rows = rows.assign(converted=False)
    units = rows["unit"].unique()
    if len(units) > 1:
        raise ValueError(f"{series}/{flow}/{partner} mixes units {list(units)}; pass unit_target to convert")
    unit = units[0] if len(units) else (unit_target or "")
    ranked = rows.assign(
        _is_bound=rows["value_num"].isna(),
        _confidence=rows["confidence"].map(CONFIDENCE_RANK),
        _order=np.arange(len(rows)),
    ).sort_values(["year", "_is_bound", "_confidence", "converted", "_order"])

    chosen = {}
    for year, group in ranked.groupby("year", sort=True):
        best = group.iloc[0]
        others = len(group) - 1
        flags = _join_flags(best["flag"], f"{others} other figure(s) for this year" if others else "")
        chosen[int(year)] = (best["value_num"], best["confidence"], flags)

    if years is None:
        if not chosen:
            return pd.DataFrame(columns=ANNUAL_COLUMNS)
        years = (min(chosen), max(chosen))
    periods = list(range(years[0], years[1] + 1))
    out = pd.DataFrame({
        "period": periods,
        "value": [chosen.get(y, (np.nan,))[0] for y in periods],
        "unit": unit,
        "confidence": [chosen[y][1] if y in chosen else None for y in periods],
        "flags": [chosen[y][2] if y in chosen else "gap: no figure" for y in periods],
    })
    out["value"] = out["value"].astype(float)
    if interpolate:
        filled = out["value"].interpolate(method="linear", limit_area="inside")
        newly = out["value"].isna() & filled.notna()
        out.loc[newly, "flags"] = "interpolated (linear, gap in the sources)"
        out["value"] = filled
    return out


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
) -> pd.DataFrame:
    """Annual trade series to correlate with theme prevalence, stacked long.

    Series (see ``CORRELATION_SERIES``): ``hk_asean_total_trade_hkd`` (HK-recorded HK-ASEAN trade, HK$
    billion, US$ figures converted at the peg), ``asean_share_of_hk_trade`` (% of HK total merchandise
    trade), ``asean_share_of_hk_exports`` (% of HK total exports) and ``hk_share_of_asean_trade`` (ASEAN-
    recorded, % of ASEAN total trade). Gaps are NaN rows.

    Returns DataFrame[trade_series, period (int year), value (float), unit, flag].
    """
    parts = []
    for name, (series, flow, partner, unit_target) in CORRELATION_SERIES.items():
        annual = annual_series(
            table, series, flow, partner, unit_target, interpolate=interpolate, hkd_per_usd=hkd_per_usd
        )
        parts.append(annual.assign(trade_series=name).rename(columns={"flags": "flag"}))
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

"""Trade series from a parsed trade table: one value per year or month, the best source per period.

``annual_series`` picks one figure per calendar year of one (series, flow, partner);
``trade_series_for_correlation`` stacks the annual series offered for correlation
(``CORRELATION_SERIES``); ``monthly_series_keys`` and ``monthly_trade_series`` do the same for the
monthly series of a table. Gaps are kept as NaN rows; a series is never combined with another.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.trade import join_flags
from hkasean.analysis.trade_currency import to_currency
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.analysis.trade_source_classes import rank_figures

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
    rows, not_used = _usable_rows(rows, unit_target, hkd_per_usd, source_classes)
    units = rows["unit"].unique()
    if len(units) > 1:
        raise ValueError(f"{series}/{flow}/{partner} mixes units {list(units)}; pass unit_target to convert")
    unit = units[0] if len(units) else (unit_target or "")
    chosen = _best_per_year(rows, not_used)

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
        "flags": [chosen[y][2] if y in chosen else join_flags(gap[2], _not_used_flag(not_used.get(y, [])))
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


def _usable_rows(
    rows: pd.DataFrame, unit_target: str | None, hkd_per_usd: float, source_classes: tuple[str, ...],
) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """The rows an annual series may use (class in ``source_classes``; money converted to ``unit_target``
    when given, with a boolean ``converted`` column), and per year why the other figures were not used."""
    not_used: dict[int, list[str]] = {}
    for year, source_class in zip(rows["year"], rows["source_class"]):
        if source_class not in source_classes:
            not_used.setdefault(int(year), []).append(f"class {source_class}")
    rows = rows[rows["source_class"].isin(source_classes)]
    if unit_target is None:
        return rows.assign(converted=False), not_used
    other = rows[(rows["kind"] == "value") & ~rows["currency"].isin(["HK$", "US$"])]
    for year, currency in zip(other["year"], other["currency"]):
        not_used.setdefault(int(year), []).append(f"{currency} (never converted)")
    return to_currency(rows, target=unit_target.split()[0], hkd_per_usd=hkd_per_usd), not_used


def _best_per_year(rows: pd.DataFrame, not_used: dict[int, list[str]]) -> dict[int, tuple]:
    """Year -> (value, confidence, flags, source_class) of the year's best figure (``rank_figures``)."""
    ranked = rank_figures(rows).sort_values("year", kind="mergesort")
    chosen = {}
    for year, group in ranked.groupby("year", sort=True):
        best = group.iloc[0]
        others = len(group) - 1
        flags = join_flags(best["flag"], f"{others} other figure(s) for this year" if others else "",
                           _not_used_flag(not_used.get(int(year), [])))
        chosen[int(year)] = (best["value_num"], best["confidence"], flags, best["source_class"])
    return chosen


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

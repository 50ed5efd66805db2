"""The study's thesis in numbers (contract table ``trade_asymmetry``): ASEAN's weight for Hong Kong beside
Hong Kong's weight for ASEAN, per year, from the annual trade series. Per member: ``member_asymmetry``."""
from __future__ import annotations

import pandas as pd

from hkasean import contract
from hkasean.analysis.trade import join_flags

TRADE_ASYMMETRY_COLUMNS = contract.TRADE_ASYMMETRY.column_list
SHARES = ["asean_share_of_hk_trade", "hk_share_of_asean_trade"]
"""The two annual trade series compared (``trade_series.CORRELATION_SERIES`` names)."""


def dependence_asymmetry(trade_series: pd.DataFrame) -> pd.DataFrame:
    """The study's thesis in numbers: ASEAN's weight for HK beside HK's weight for ASEAN, per year.

    From ``trade_series_for_correlation`` output: every year with both ``asean_share_of_hk_trade``
    (ASEAN's % of HK's trade, HK-recorded) and ``hk_share_of_asean_trade`` (HK's % of ASEAN's trade,
    ASEAN-recorded). Each share is taken in its own recorder's denominator, so the two are
    comparable as weights even though the underlying levels differ (re-exports, see the notes).
    Returns DataFrame[year, asean_share_of_hk_trade, hk_share_of_asean_trade, ratio, flags];
    ratio > 1 means ASEAN matters more to HK than HK to ASEAN.
    """
    rows = trade_series[trade_series["trade_series"].isin(SHARES) & trade_series["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=TRADE_ASYMMETRY_COLUMNS)
    values = rows.pivot_table(index="period", columns="trade_series", values="value", aggfunc="first")
    flags = rows.assign(flag=rows["flag"].fillna("")).pivot_table(
        index="period", columns="trade_series", values="flag", aggfunc="first"
    )
    if not set(SHARES) <= set(values.columns):
        return pd.DataFrame(columns=TRADE_ASYMMETRY_COLUMNS)
    both = values[SHARES].dropna()
    table = both.reset_index(drop=True).rename_axis(columns=None)
    table.insert(0, "year", both.index.astype(int))
    table["ratio"] = table["asean_share_of_hk_trade"] / table["hk_share_of_asean_trade"]
    table["flags"] = [
        join_flags(*(f"{name}: {flags.loc[year, name]}" for name in SHARES if str(flags.loc[year, name]).strip()))
        for year in both.index
    ]
    return table[TRADE_ASYMMETRY_COLUMNS]

"""Member-level asymmetry: each partner's weight in Hong Kong's trade beside Hong Kong's weight in the partner's.

For ASEAN as a bloc and each member, per year: the partner's share of Hong Kong's merchandise trade
(HK-recorded; 2015-2019 computed from the official tabulation, later years where a quoted share exists)
beside Hong Kong's share of the partner's trade as the partner records it (Singapore: sums of its monthly
official series; ASEAN: the ASEAN-side figures; any other member only where the trade table has a
``member_hk_trade`` / ``hk_share_of_member_total_trade`` row). Each share is taken in its own recorder's
denominator, so the two are comparable as weights, never as levels (valuation, re-export treatment and
timing differ between recorders).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.trade_series import annual_series
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.corpus.trade_sources.records import ASEAN_MEMBERS

MEMBER_ASYMMETRY_COLUMNS = contract.MEMBER_ASYMMETRY.column_list
RECORDER_CAVEAT = "shares in each recorder's own denominator: compare weights, not levels"


def _sides(partner: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """(series, flow, partner) of the HK-side share and of the partner-side share."""
    if partner == "ASEAN":
        return ("hk_asean_trade", "share_of_hk_total_trade", "ASEAN"), (
            "asean_partner_trade", "share_of_asean_total_trade", "Hong Kong")
    return ("hk_member_trade", "share_of_hk_total_trade", partner), (
        "member_hk_trade", "hk_share_of_member_total_trade", partner)


def member_asymmetry(
    table: pd.DataFrame,
    source_classes: tuple[str, ...] = TradeSettings.source_classes,
) -> pd.DataFrame:
    """Per partner (``ASEAN``, then the ten members) and year: both shares, their source classes and ratio.

    ``table`` is a parsed trade table with the official tabulations added (``with_official_data``); each
    share is the best figure of its year among ``source_classes`` (``annual_series``). A year appears
    when either share exists. ``ratio`` = partner's share of HK trade / HK's share of the partner's trade
    (> 1: the partner matters more to Hong Kong than Hong Kong to the partner); NaN without both.

    Returns DataFrame[``MEMBER_ASYMMETRY_COLUMNS``]: partner, year, partner_share_of_hk_trade,
    hk_side_source_class, hk_share_of_partner_trade, partner_side_source_class, ratio, flags.
    """
    parts = []
    for partner in ["ASEAN", *ASEAN_MEMBERS]:
        hk_key, partner_key = _sides(partner)
        hk_side = _by_year(annual_series(table, *hk_key, source_classes=source_classes), "hk")
        partner_side = _by_year(annual_series(table, *partner_key, source_classes=source_classes), "partner")
        both = hk_side.join(partner_side, how="outer").dropna(subset=["hk_value", "partner_value"], how="all")
        if both.empty:
            continue
        flags = []
        for year, row in both.iterrows():
            notes = [f"HK side: {row['hk_flags']}" if isinstance(row["hk_flags"], str) and row["hk_flags"] else "",
                     f"{partner} side: {row['partner_flags']}" if isinstance(row["partner_flags"], str) and row["partner_flags"] else ""]
            if np.isnan(row["partner_value"]):
                notes.append(f"no {partner}-recorded figure")
            elif np.isnan(row["hk_value"]):
                notes.append("no HK-recorded share")
            else:
                notes.append(RECORDER_CAVEAT)
            flags.append("; ".join(note for note in notes if note))
        parts.append(pd.DataFrame({
            "partner": partner,
            "year": both.index.astype(int),
            "partner_share_of_hk_trade": both["hk_value"].to_numpy(),
            "hk_side_source_class": both["hk_class"].fillna("").to_numpy(),
            "hk_share_of_partner_trade": both["partner_value"].to_numpy(),
            "partner_side_source_class": both["partner_class"].fillna("").to_numpy(),
            "ratio": (both["hk_value"] / both["partner_value"]).to_numpy(),
            "flags": flags,
        }))
    if not parts:
        return pd.DataFrame(columns=MEMBER_ASYMMETRY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[MEMBER_ASYMMETRY_COLUMNS]


def _by_year(annual: pd.DataFrame, side: str) -> pd.DataFrame:
    """An ``annual_series`` frame indexed by year, with its columns prefixed by ``side``."""
    present = annual[annual["value"].notna()] if len(annual) else annual
    return pd.DataFrame({
        f"{side}_value": present["value"].astype(float).to_numpy(),
        f"{side}_class": present["source_class"].to_numpy(),
        f"{side}_flags": present["flags"].to_numpy(),
    }, index=pd.Index(present["period"].astype(int).to_numpy(), name="year"))

"""The study's question answered first: theme shares beside trade, both sides of the asymmetry, and
whether any theme follows trade after correction, with n.

``headline`` reads the run's tables (prevalence, trade series, trade asymmetry, both correlation families)
and returns the data of the headline figure and its sentences. The frequency is the finest the data
allow: months when the prevalence table is monthly and a monthly trade series exists, else years.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION

ANNUAL_PREFERENCE = ("hk_asean_total_trade_hkd", "asean_share_of_hk_trade", "asean_share_of_hk_exports",
                     "hk_share_of_asean_trade")
"""Annual trade series in the order they are preferred when they cover the corpus years equally well."""
SIGNIFICANCE = 0.05
"""q-value below which a correlation is said to survive the Benjamini-Hochberg correction."""
PREFERRED_SOURCES = ("gold", "majority", "dictionary")
"""Prevalence sources the headline shows, best first: the coding standard (gold, else the coders'
majority), else the dictionary coder (which needs no coding)."""


def headline_source(sources: set[str] | list[str]) -> str:
    """The prevalence source the headline shows: the first of ``PREFERRED_SOURCES`` present, else the first
    source in sorted order ("" when there is none)."""
    present = set(sources)
    return next((name for name in PREFERRED_SOURCES if name in present), min(present, default=""))


@dataclass(frozen=True)
class Headline:
    """The headline's data: ``shares`` (period, theme, share, low, high, n_docs) of ``source`` at
    ``frequency`` ("year" or "month"), the ``trade`` series chosen (period, value, unit, flag,
    source_class) named ``trade_name`` (empty when none), the ``asymmetry`` by year, and ``sentences``."""

    frequency: str
    source: str
    shares: pd.DataFrame
    trade_name: str
    trade: pd.DataFrame
    asymmetry: pd.DataFrame
    sentences: list[str]


def headline(
    prevalence: pd.DataFrame,
    trade_series: pd.DataFrame,
    asymmetry: pd.DataFrame | None,
    correlations: dict[str, pd.DataFrame],
    source: str,
) -> Headline:
    """The headline of a run (see the module docstring).

    ``prevalence``: the ``prevalence`` table; ``trade_series``: the ``trade_series`` table (annual and
    monthly stacked); ``asymmetry``: the ``trade_asymmetry`` table; ``correlations``: family name
    ("yearly", "monthly") -> its correlation table; ``source``: the prevalence source shown (the coding
    standard, or a model when nothing is coded).
    """
    periods = prevalence["period"].astype(str)
    monthly_trade = trade_series[trade_series["period"].astype(str).str.fullmatch(r"\d{4}-\d{2}")]
    frequency = "month" if periods.str.fullmatch(r"\d{4}-\d{2}").any() and not monthly_trade.empty else "year"
    pattern = r"\d{4}-\d{2}" if frequency == "month" else r"\d{4}"
    shares = prevalence[(prevalence["source"] == source) & periods.str.fullmatch(pattern)]
    shares = shares[["period", "theme", "share", "low", "high", "n_docs"]].assign(period=lambda f: f["period"].astype(str))
    trade_name, trade = _best_trade(trade_series, pattern, set(shares["period"]))
    asymmetry = asymmetry if asymmetry is not None else pd.DataFrame(
        columns=["year", "asean_share_of_hk_trade", "hk_share_of_asean_trade", "ratio"])
    sentences = [_shares_sentence(shares, source, frequency), _trade_sentence(trade_name, trade, frequency),
                 _asymmetry_sentence(asymmetry), _correlation_sentence(correlations)]
    return Headline(frequency, source, shares, trade_name, trade, asymmetry, [s for s in sentences if s])


def _best_trade(trade_series: pd.DataFrame, pattern: str, periods: set[str]) -> tuple[str, pd.DataFrame]:
    """The series of that frequency with the most official figures in the corpus periods, then the most figures."""
    rows = trade_series.assign(period=trade_series["period"].astype(str))
    rows = rows[rows["period"].str.fullmatch(pattern)]
    if rows.empty:
        return "", rows
    names = list(dict.fromkeys(rows["trade_series"]))
    order = {name: ANNUAL_PREFERENCE.index(name) if name in ANNUAL_PREFERENCE else len(ANNUAL_PREFERENCE) + i
             for i, name in enumerate(names)}

    def coverage(name: str) -> tuple[int, int, int]:
        series = rows[(rows["trade_series"] == name) & rows["period"].isin(periods) & rows["value"].notna()]
        return -int((series["source_class"] == OFFICIAL_TABULATION).sum()), -len(series), order[name]

    best = min(names, key=coverage)
    return best, rows[rows["trade_series"] == best].reset_index(drop=True)


def _shares_sentence(shares: pd.DataFrame, source: str, frequency: str) -> str:
    counted = shares[shares["n_docs"] > 0]
    if counted.empty:
        return f"No document of the {source} coding falls in a dated period, so no theme share can be shown."
    per_theme = counted.assign(hits=counted["share"] * counted["n_docs"]).groupby("theme")[["hits", "n_docs"]].sum()
    overall = (per_theme["hits"] / per_theme["n_docs"]).sort_values(ascending=False)
    documents = int(counted.groupby("period")["n_docs"].first().sum())
    first, last = counted["period"].min(), counted["period"].max()
    return (f"Theme shares ({source}, {documents} documents, {first} to {last}, by {frequency}; Wilson intervals in "
            "the figure): " + ", ".join(f"{theme} {share:.0%}" for theme, share in overall.items()) + ".")


def _trade_sentence(name: str, trade: pd.DataFrame, frequency: str) -> str:
    if not name:
        return f"No {frequency}ly trade series is available to set beside the themes."
    present = trade[trade["value"].notna()]
    official = int((present["source_class"] == OFFICIAL_TABULATION).sum())
    unit = present["unit"].iloc[0] if len(present) else ""
    span = f", {present['period'].min()} to {present['period'].max()}" if len(present) else ""
    return (f"Beside them, the best {frequency}ly trade series: {name} ({unit}{span}; {len(present)} {frequency}s with "
            f"a figure, {official} from official tabulations, {len(trade) - len(present)} gaps).")


def _asymmetry_sentence(asymmetry: pd.DataFrame) -> str:
    both = asymmetry.dropna(subset=["ratio"])
    if both.empty:
        return ("No year has both ASEAN's share of Hong Kong's trade and Hong Kong's share of ASEAN's, so the "
                "asymmetry cannot be stated.")
    latest = both.sort_values("year").iloc[-1]
    span = f"{int(both['year'].min())} to {int(both['year'].max())}"
    return (f"Both sides of the asymmetry: in {int(latest['year'])} ASEAN was {latest['asean_share_of_hk_trade']:.1f}% of "
            f"Hong Kong's merchandise trade (Hong Kong-recorded) and Hong Kong {latest['hk_share_of_asean_trade']:.1f}% of "
            f"ASEAN's (recorded by ASEAN's members): ASEAN weighs {latest['ratio']:.1f} times more for Hong Kong than "
            f"Hong Kong for ASEAN (ratio {both['ratio'].min():.1f} to {both['ratio'].max():.1f} over {span}, "
            f"{len(both)} years).")


def _correlation_sentence(correlations: dict[str, pd.DataFrame]) -> str:
    parts = []
    for family, table in correlations.items():
        computed = table.dropna(subset=["r", "q_value"]) if table is not None else pd.DataFrame()
        if computed.empty:
            continue
        unit = "months" if family == "monthly" else "years"
        n = f"n = {int(computed['n'].min())} to {int(computed['n'].max())} {unit}"
        survivors = computed[computed["q_value"] < SIGNIFICANCE].sort_values("q_value", kind="mergesort")
        if survivors.empty:
            best = computed.sort_values(["q_value", "p_value"], kind="mergesort").iloc[0]
            parts.append(f"no theme follows trade in the {family} family after Benjamini-Hochberg correction: 0 of "
                         f"{len(computed)} correlations have q < {SIGNIFICANCE} ({n}; smallest q {best['q_value']:.2f}, "
                         f"{best['theme']} with {best['trade_series']}, r = {best['r']:.2f}, n = {int(best['n'])})")
        else:
            listed = "; ".join(f"{row.theme} with {row.trade_series} ({row.transform}, lag {row.lag}, {row.method}: "
                               f"r = {row.r:.2f}, q = {row.q_value:.3f}, n = {int(row.n)})"
                               for row in survivors.head(3).itertuples())
            parts.append(f"{len(survivors)} of {len(computed)} {family} correlations survive Benjamini-Hochberg correction "
                         f"(q < {SIGNIFICANCE}; {n}): {listed}")
    if not parts:
        return "No theme-trade correlation could be computed (no overlapping periods)."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."

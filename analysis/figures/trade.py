"""The poster's trade figures and the theme-share-versus-trade panels.

Gaps are drawn as gaps (no line across a missing year); inferred or low-confidence points get their
own marker and legend entry; bounds such as "<5" are drawn as hatched bars with an arrow and a label.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from hkasean.analysis.figures import PALETTE, apply_style, save_figure
from hkasean.analysis.trade import annual_series

TOP_PARTNERS = ["Singapore", "Vietnam", "Malaysia", "Thailand", "Indonesia", "Philippines"]
"""HK's six largest ASEAN partners, the members shown in the dependence figures."""


def _uncertain(flags: pd.Series) -> np.ndarray:
    return flags.str.contains("low confidence|inferred|interpolated", regex=True).to_numpy()


def _plot_annual(ax: plt.Axes, series: pd.DataFrame, colour, label: str) -> None:
    """Line broken at NaN years; solid dots for firm figures, open diamonds for low-confidence/inferred ones."""
    ax.plot(series["period"], series["value"], color=colour, label=label)
    uncertain = _uncertain(series["flags"])
    firm = ~uncertain & series["value"].notna().to_numpy()
    ax.plot(series["period"][firm], series["value"][firm], "o", color=colour)
    ax.plot(series["period"][uncertain], series["value"][uncertain], "D", mfc="white", color=colour)
    for year in series.loc[series["value"].isna(), "period"]:
        ax.axvspan(year - 0.4, year + 0.4, color="0.9", zorder=0)


def plot_hk_asean_trade(table: pd.DataFrame, path: str | os.PathLike[str], hkd_per_usd: float = 7.80) -> Path:
    """Figure 1: HK-ASEAN merchandise trade (HK$ bn, top) and ASEAN's share of HK total trade (%, bottom), by year.

    Grey bands mark years without a figure; open diamonds mark low-confidence or inferred values.
    """
    apply_style()
    colours = sns.color_palette(PALETTE)
    value = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion", hkd_per_usd=hkd_per_usd)
    share = annual_series(table, "hk_asean_trade", "share_of_hk_total_trade", "ASEAN")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    _plot_annual(top, value, colours[0], "HK-ASEAN total trade")
    top.set_ylabel("HK$ billion")
    top.set_title("Hong Kong's merchandise trade with ASEAN (HK-recorded)")
    _plot_annual(bottom, share, colours[1], "ASEAN share of HK trade")
    bottom.set_ylabel("% of HK total merchandise trade")
    bottom.set_xlabel("Year")
    legend = [
        Line2D([], [], marker="o", color="0.3", label="official / reported figure"),
        Line2D([], [], marker="D", mfc="white", color="0.3", label="low confidence or inferred"),
        Patch(color="0.9", label="no figure (gap)"),
    ]
    top.legend(handles=legend, loc="upper left", fontsize="small")
    fig.text(0.01, 0.005, f"US$ figures converted at {hkd_per_usd:.2f} HK$/US$ (peg band 7.75-7.85).", fontsize="x-small")
    return save_figure(fig, path)


def _dependence_bars(ax: plt.Axes, rows: pd.DataFrame, colour) -> None:
    for position, partner in enumerate(TOP_PARTNERS):
        row = rows[rows["partner"] == partner]
        if row.empty:
            ax.text(position, 0.3, "no data", rotation=90, ha="center", va="bottom", fontsize="small", color="0.4")
            continue
        row = row.iloc[0]
        if row["value_bound"]:
            ax.bar(position, row["bound_value"], color="white", edgecolor=colour, hatch="//")
            ax.annotate("", xy=(position, 0.2), xytext=(position, row["bound_value"]),
                        arrowprops={"arrowstyle": "->", "color": colour})
            ax.text(position, row["bound_value"] + 0.3, row["value"], ha="center", fontsize="small")
        else:
            ax.bar(position, row["value_num"], color=colour)
            ax.text(position, row["value_num"] + 0.3, f"{row['value_num']:g} ({row['period']})", ha="center", fontsize="small")
    ax.set_xticks(range(len(TOP_PARTNERS)), TOP_PARTNERS, rotation=20)


def _latest_annual_share(table: pd.DataFrame, series: str, flow: str) -> pd.DataFrame:
    rows = table[(table["series"] == series) & (table["flow"] == flow) & table["year"].notna()]
    rows = rows.assign(partner=rows["partner"].str.split(";")).explode("partner")
    return rows.sort_values("year").groupby("partner").tail(1)


def plot_export_dependence(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Figure 2: Hong Kong's share in each top-six member's exports (%, latest annual figure, year in the label).

    Bounds ("<5": HK not among the listed top destinations) are hatched bars with a downward arrow.
    """
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _dependence_bars(ax, _latest_annual_share(table, "member_export_share_to_hk", "exports_share"), sns.color_palette(PALETTE)[2])
    ax.set_ylabel("Hong Kong's share of the member's exports (%)")
    ax.set_title("Export dependence on Hong Kong")
    ax.legend(handles=[Patch(facecolor="white", edgecolor="0.3", hatch="//", label="upper bound only (HK not in listed top partners)")],
              loc="upper right", fontsize="small")
    return save_figure(fig, path)


def plot_import_dependence(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Figure 3: Hong Kong's share in each top-six member's imports (%); only bounds exist, the figure says so."""
    apply_style()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _dependence_bars(ax, _latest_annual_share(table, "member_import_share_from_hk", "imports_share"), sns.color_palette(PALETTE)[3])
    ax.set_ylabel("Hong Kong's share of the member's imports (%)")
    ax.set_title("Import dependence on Hong Kong")
    ax.text(0.99, 0.97, "Few data: only 2019 upper bounds (Factbook lists);\nno figure for Vietnam or the Philippines.",
            transform=ax.transAxes, ha="right", va="top", fontsize="small")
    return save_figure(fig, path)


def plot_theme_share_vs_trade(
    prevalence: pd.DataFrame,
    trade_series: pd.DataFrame,
    path: str | os.PathLike[str],
    source: str = "gold",
    trade_name: str = "hk_asean_total_trade_hkd",
) -> Path:
    """One panel per theme: annual theme share (%, with its interval band) of ``source`` against one trade series on a twin axis.

    ``prevalence`` is an annual ``prevalence_table``; ``trade_series`` is ``trade_series_for_correlation`` output.
    """
    apply_style()
    colours = sns.color_palette(PALETTE)
    shares = prevalence[prevalence["source"] == source].assign(year=lambda f: f["period"].astype(int))
    years = sorted(shares["year"].unique())
    trade = (
        trade_series[trade_series["trade_series"] == trade_name]
        .rename(columns={"flag": "flags"})
        .set_index("period")
        .reindex(years)  # the corpus years only; a year without a trade figure shows as a gap
        .rename_axis("period")
        .reset_index()
    )
    trade["flags"] = trade["flags"].fillna("gap: no figure")
    trade["unit"] = trade["unit"].ffill().bfill()
    themes = sorted(shares["theme"].unique())
    fig, axes = plt.subplots(len(themes), 1, figsize=(8, 2.4 * len(themes)), sharex=True, squeeze=False)
    for ax, theme in zip(axes[:, 0], themes):
        rows = shares[shares["theme"] == theme]
        ax.fill_between(rows["year"], 100 * rows["low"], 100 * rows["high"], color=colours[0], alpha=0.25)
        ax.plot(rows["year"], 100 * rows["share"], "o-", color=colours[0])
        ax.set_ylabel(f"{theme}\n% of documents", color=colours[0])
        twin = ax.twinx()
        _plot_annual(twin, trade, colours[1], trade_name)
        twin.set_ylabel(f"{trade['unit'].iloc[0] if len(trade) else ''}", color=colours[1])
        twin.grid(False)
        ax.set_zorder(twin.get_zorder() + 1)  # theme share drawn over the trade axis and its gap bands
        ax.patch.set_visible(False)
    axes[0, 0].set_xlim(years[0] - 0.5, years[-1] + 0.5)
    axes[0, 0].set_title(f"Theme share ({source}) vs {trade_name}")
    axes[-1, 0].set_xlabel("Year")
    fig.legend(handles=[
        Line2D([], [], marker="o", color=colours[0], label=f"theme share ({source}), band = interval"),
        Line2D([], [], color=colours[1], label=trade_name),
        Line2D([], [], marker="D", mfc="white", color=colours[1], lw=0, label="low confidence or inferred"),
        Patch(color="0.9", label="no trade figure (gap)"),
    ], loc="lower center", ncol=2, fontsize="small", bbox_to_anchor=(0.5, -0.02))
    return save_figure(fig, path)

"""The poster's trade figures, the member asymmetry and the theme-share-versus-trade panels.

Gaps are drawn as gaps (no line across a missing year); every point is marked by its source class:
a filled circle for an official statistical tabulation, hollow markers for quoted, reported, inferred or
interpolated values, each with a legend entry; bounds such as "<5" are drawn as hatched bars with an
arrow and a label; bars from an official tabulation are solid, others light.
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

from hkasean.analysis.coding import GOLD
from hkasean.analysis.figures import PALETTE, apply_style, save_figure
from hkasean.analysis.trade_series import annual_series
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION

TOP_PARTNERS = ["Singapore", "Vietnam", "Malaysia", "Thailand", "Indonesia", "Philippines"]
"""HK's six largest ASEAN partners, the members shown in the dependence figures."""
NO_DATA = "no data"
"""Label of a member without a figure in the dependence figures."""
BOUND_LABEL = "upper bound only (HK not in listed top partners)"
"""Legend entry of the hatched bars: a bound such as "<5", not a figure."""
CLASS_MARKERS = {
    "official_tabulation": ("o", True, "official statistical tabulation"),
    "official_quote": ("s", False, "official quote"),
    "secondary_report": ("^", False, "secondary report"),
    "inferred": ("D", False, "inferred, poster or interpolated"),
    "poster": ("D", False, "inferred, poster or interpolated"),
    "interpolated": ("D", False, "inferred, poster or interpolated"),
}
"""Source class -> (marker, filled, legend label) of a point in the trade figures."""
GAP_LABEL = "no figure (gap)"
TABULATED_BAR, REPORTED_BAR = "official tabulation (solid)", "quoted or reported figure (light)"
"""Legend entries of solid and light bars."""


def _plot_annual(ax: plt.Axes, series: pd.DataFrame, colour, label: str) -> list[str]:
    """Line broken at NaN years, one marker group per source class, grey bands at gaps; the classes drawn.

    ``series`` needs ``period, value, source_class`` (``annual_series`` or trade-series rows).
    """
    ax.plot(series["period"], series["value"], color=colour, label=label)
    drawn = []
    present = series["value"].notna().to_numpy()
    for source_class, (marker, filled, _) in CLASS_MARKERS.items():
        chosen = present & (series["source_class"] == source_class).to_numpy()
        if chosen.any():
            ax.plot(series["period"][chosen], series["value"][chosen], marker, color=colour, lw=0,
                    mfc=colour if filled else "white")
            drawn.append(source_class)
    for year in series.loc[~present, "period"]:
        ax.axvspan(year - 0.4, year + 0.4, color="0.9", zorder=0)
    return drawn


def _class_legend(classes: list[str], colour="0.3") -> list[Line2D]:
    """One legend handle per marker style among ``classes``, in ``CLASS_MARKERS`` order."""
    handles: dict[str, Line2D] = {}
    for source_class, (marker, filled, label) in CLASS_MARKERS.items():
        if source_class in classes and label not in handles:
            handles[label] = Line2D([], [], marker=marker, color=colour, lw=0, mfc=colour if filled else "white", label=label)
    return list(handles.values())


def draw_hk_asean_trade(table: pd.DataFrame, *, hkd_per_usd: float) -> plt.Figure:
    """Figure 1: HK-ASEAN merchandise trade (HK$ bn, top) and ASEAN's share of HK total trade (%, bottom), by year.

    ``table``: a parsed trade table (the run passes the trade CSV plus the official tabulations: 2015-2019
    from the C&SD-derived file, later years from quotes); each year shows its best source by the declared
    priority, marked by source class (filled: official tabulation; hollow: quoted, reported or inferred).
    US$ figures are converted at ``hkd_per_usd`` HK$ per US$ (the run passes ``trade.hkd_per_usd``), and the
    note under the figure names the rate. Grey bands mark years without a figure.
    """
    apply_style()
    colours = sns.color_palette(PALETTE)
    value = annual_series(table, "hk_asean_trade", "total_trade", "ASEAN", "HK$ billion", hkd_per_usd=hkd_per_usd)
    share = annual_series(table, "hk_asean_trade", "share_of_hk_total_trade", "ASEAN")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    drawn = _plot_annual(top, value, colours[0], "HK-ASEAN total trade")
    top.set_ylabel("HK$ billion")
    top.set_title("Hong Kong's merchandise trade with ASEAN (HK-recorded)")
    drawn += _plot_annual(bottom, share, colours[1], "ASEAN share of HK trade")
    bottom.set_ylabel("% of HK total merchandise trade")
    bottom.set_xlabel("Year")
    top.legend(handles=_class_legend(drawn) + [Patch(color="0.9", label=GAP_LABEL)], loc="upper left", fontsize="small")
    fig.text(0.01, 0.005, f"US$ figures converted at {hkd_per_usd:.2f} HK$/US$ (peg band 7.75-7.85). "
             "Each year: the best source (official tabulation > official quote > secondary report > inferred).",
             fontsize="x-small")
    return fig


def plot_hk_asean_trade(table: pd.DataFrame, path: str | os.PathLike[str], *, hkd_per_usd: float) -> Path:
    """Write ``draw_hk_asean_trade`` as PNG at ``path``; return the path."""
    return save_figure(draw_hk_asean_trade(table, hkd_per_usd=hkd_per_usd), path)


def _dependence_bars(ax: plt.Axes, rows: pd.DataFrame, colour) -> None:
    for position, partner in enumerate(TOP_PARTNERS):
        row = rows[rows["partner"] == partner]
        if row.empty:
            ax.text(position, 0.3, NO_DATA, rotation=90, ha="center", va="bottom", fontsize="small", color="0.4")
            continue
        row = row.iloc[0]
        if row["value_bound"]:
            ax.bar(position, row["bound_value"], color="white", edgecolor=colour, hatch="//")
            ax.annotate("", xy=(position, 0.2), xytext=(position, row["bound_value"]),
                        arrowprops={"arrowstyle": "->", "color": colour})
            ax.text(position, row["bound_value"] + 0.3, row["value"], ha="center", fontsize="small")
        else:
            tabulated = row["source_class"] == OFFICIAL_TABULATION
            ax.bar(position, row["value_num"], color=colour, alpha=1.0 if tabulated else 0.45, edgecolor=colour)
            ax.text(position, row["value_num"] + 0.3, f"{row['value_num']:.3g} ({row['period']})", ha="center", fontsize="small")
    ax.set_xticks(range(len(TOP_PARTNERS)), TOP_PARTNERS, rotation=20)


def _latest_annual_share(table: pd.DataFrame, series: str, flow: str) -> pd.DataFrame:
    """Per partner, the figure of its latest year (an official tabulation first within that year)."""
    rows = table[(table["series"] == series) & (table["flow"] == flow) & table["year"].notna()]
    rows = rows.assign(partner=rows["partner"].str.split(";"), _tabulated=rows["source_class"] == OFFICIAL_TABULATION)
    return rows.explode("partner").sort_values(["year", "_tabulated"], kind="mergesort").groupby("partner").tail(1)


def _coverage_note(rows: pd.DataFrame) -> str:
    """What a dependence figure rests on: the years of its figures, whether they are only bounds, the members without one.

    ``rows``: the figures drawn, one row per member of ``TOP_PARTNERS`` that has one (``partner, year, value_bound,
    source_class``); members whose figure comes from an official tabulation are named.
    """
    missing = [partner for partner in TOP_PARTNERS if partner not in set(rows["partner"])]
    if rows.empty:
        return "No figure for any of the members shown."
    years = ", ".join(str(year) for year in sorted(rows["year"].unique()))
    kind = "only bounds" if rows["value_bound"].astype(bool).all() else "latest annual figures"
    note = f"{kind.capitalize()} ({years})"
    tabulated = [partner for partner in TOP_PARTNERS if partner in set(rows.loc[rows["source_class"] == OFFICIAL_TABULATION, "partner"])]
    if tabulated:
        note += f"; official tabulation for {', '.join(tabulated)}, quoted or reported figures otherwise"
    return note + (f"; no figure for {', '.join(missing)}." if missing else ".")


def _draw_dependence(table: pd.DataFrame, series: str, flow: str, direction: str, colour) -> plt.Figure:
    """Hong Kong's share in the trade of each top-six member, ``direction`` "export" or "import", with a coverage note."""
    apply_style()
    rows = _latest_annual_share(table, series, flow)
    rows = rows[rows["partner"].isin(TOP_PARTNERS)]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    _dependence_bars(ax, rows, colour)
    ax.set_ylabel(f"Hong Kong's share of the member's {direction}s (%)")
    ax.set_title(f"{direction.capitalize()} dependence on Hong Kong")
    handles = []
    figures = rows[~rows["value_bound"].astype(bool)]
    if (figures["source_class"] == OFFICIAL_TABULATION).any():
        handles.append(Patch(facecolor=colour, edgecolor=colour, label=TABULATED_BAR))
    if (figures["source_class"] != OFFICIAL_TABULATION).any():
        handles.append(Patch(facecolor=colour, alpha=0.45, edgecolor=colour, label=REPORTED_BAR))
    if rows["value_bound"].astype(bool).any():
        handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="//", label=BOUND_LABEL))
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize="small")
    ax.margins(y=0.25)  # room above the tallest bar for its label and the legend
    ax.set_xlabel("ASEAN member")
    ax.annotate(_coverage_note(rows), xy=(0, 0), xycoords="axes fraction", xytext=(0, -60), textcoords="offset points",
                va="top", fontsize="small", wrap=True)
    return fig


def draw_export_dependence(table: pd.DataFrame) -> plt.Figure:
    """Figure 2: Hong Kong's share in each top-six member's exports (%, latest annual figure, year in the label).

    Singapore's share comes from its own monthly official series (complete years) when ``table`` holds
    the official tabulations; solid bars are official tabulations, light bars quoted or reported figures.
    Bounds ("<5": HK not among the listed top destinations) are hatched bars with a downward arrow;
    a member without a figure gets "no data"; the note names the years, the tabulated members and the
    members left out.
    """
    return _draw_dependence(table, "member_export_share_to_hk", "exports_share", "export", sns.color_palette(PALETTE)[2])


def plot_export_dependence(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_export_dependence`` as PNG at ``path``; return the path."""
    return save_figure(draw_export_dependence(table), path)


def draw_import_dependence(table: pd.DataFrame) -> plt.Figure:
    """Figure 3: Hong Kong's share in each top-six member's imports (%), drawn as ``draw_export_dependence``."""
    return _draw_dependence(table, "member_import_share_from_hk", "imports_share", "import", sns.color_palette(PALETTE)[3])


def plot_import_dependence(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_import_dependence`` as PNG at ``path``; return the path."""
    return save_figure(draw_import_dependence(table), path)


def draw_member_asymmetry(asymmetry: pd.DataFrame, year: int | None = None) -> plt.Figure:
    """Each partner's share of Hong Kong's trade beside Hong Kong's share of the partner's trade, one year.

    ``asymmetry``: ``member_asymmetry`` output. ``year`` defaults to the latest year with an HK-side share
    from an official tabulation (2019 with the bundled data). Per partner (ASEAN, then the members): a bar
    for each side (solid: official tabulation, light: quoted or reported) with its value; a partner without
    a partner-recorded figure says so on the figure, and the note names them.
    """
    apply_style()
    colours = sns.color_palette(PALETTE)
    if year is None:
        official = asymmetry[(asymmetry["hk_side_source_class"] == OFFICIAL_TABULATION) & asymmetry["partner_share_of_hk_trade"].notna()]
        year = int(official["year"].max()) if len(official) else int(asymmetry["year"].max())
    rows = asymmetry[asymmetry["year"] == year].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    sides = (("partner_share_of_hk_trade", "hk_side_source_class", colours[0], -0.2),
             ("hk_share_of_partner_trade", "partner_side_source_class", colours[1], 0.2))
    for value_column, class_column, colour, shift in sides:
        for position, row in rows.iterrows():
            value = row[value_column]
            if pd.isna(value):
                if value_column == "hk_share_of_partner_trade":
                    ax.text(position + shift, 0.2, "no partner-side figure", rotation=90, ha="center", va="bottom",
                            fontsize="x-small", color="0.4")
                continue
            tabulated = row[class_column] == OFFICIAL_TABULATION
            ax.bar(position + shift, value, width=0.4, color=colour, alpha=1.0 if tabulated else 0.45, edgecolor=colour)
            ax.text(position + shift, value + 0.2, f"{value:.2g}" if value < 1 else f"{value:.1f}", ha="center", fontsize="x-small")
    ax.set_xticks(range(len(rows)), rows["partner"], rotation=30)
    ax.set_ylabel("% of the recorder's total merchandise trade")
    ax.set_xlabel("Partner")
    ax.set_title(f"Who matters more to whom, {year}")
    ax.legend(handles=[
        Patch(color=colours[0], label="partner's share of Hong Kong's trade (HK-recorded)"),
        Patch(color=colours[1], label="Hong Kong's share of the partner's trade (partner-recorded)"),
        Patch(facecolor="0.5", label=TABULATED_BAR), Patch(facecolor="0.5", alpha=0.45, label=REPORTED_BAR),
    ], loc="upper right", fontsize="x-small")
    ax.margins(y=0.2)
    missing = rows.loc[rows["hk_share_of_partner_trade"].isna(), "partner"].tolist()
    note = f"No partner-recorded figure for {', '.join(missing)} in {year}. " if missing else ""
    ax.annotate(note + "Each share is in its own recorder's denominator: compare weights, not levels.",
                xy=(0, 0), xycoords="axes fraction", xytext=(0, -75), textcoords="offset points", va="top",
                fontsize="x-small", wrap=True)
    return fig


def plot_member_asymmetry(asymmetry: pd.DataFrame, path: str | os.PathLike[str], year: int | None = None) -> Path:
    """Write ``draw_member_asymmetry`` as PNG at ``path``; return the path."""
    return save_figure(draw_member_asymmetry(asymmetry, year), path)


def draw_theme_share_vs_trade(
    prevalence: pd.DataFrame,
    trade_series: pd.DataFrame,
    source: str = GOLD,
    trade_name: str = "hk_asean_total_trade_hkd",
) -> plt.Figure:
    """One panel per theme: annual theme share (%, with its interval band) of ``source`` against one trade series on a twin axis.

    ``prevalence`` is an annual ``prevalence_table``; ``trade_series`` is ``trade_series_for_correlation``
    output, drawn as in ``draw_hk_asean_trade`` (gaps as grey bands, markers by source class).
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
    trade["source_class"] = trade["source_class"].fillna("")
    trade["unit"] = trade["unit"].ffill().bfill()
    themes = sorted(shares["theme"].unique())
    fig, axes = plt.subplots(len(themes), 1, figsize=(8, 2.4 * len(themes)), sharex=True, squeeze=False)
    for ax, theme in zip(axes[:, 0], themes):
        rows = shares[shares["theme"] == theme]
        ax.fill_between(rows["year"], 100 * rows["low"], 100 * rows["high"], color=colours[0], alpha=0.25)
        ax.plot(rows["year"], 100 * rows["share"], "o-", color=colours[0])
        ax.set_ylabel(f"{theme}\n% of documents", color=colours[0])
        twin = ax.twinx()
        drawn = _plot_annual(twin, trade, colours[1], trade_name)
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
        *_class_legend(drawn, colours[1]),
        Patch(color="0.9", label="no trade figure (gap)"),
    ], loc="lower center", ncol=2, fontsize="small", bbox_to_anchor=(0.5, -0.02))
    return fig


def plot_theme_share_vs_trade(
    prevalence: pd.DataFrame,
    trade_series: pd.DataFrame,
    path: str | os.PathLike[str],
    source: str = GOLD,
    trade_name: str = "hk_asean_total_trade_hkd",
) -> Path:
    """Write ``draw_theme_share_vs_trade`` as PNG at ``path``; return the path."""
    return save_figure(draw_theme_share_vs_trade(prevalence, trade_series, source, trade_name), path)

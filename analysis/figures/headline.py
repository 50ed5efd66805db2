"""The headline figure: theme shares beside the best trade series, and both sides of the asymmetry."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from hkasean.analysis.figures import PALETTE, apply_style, save_figure
from hkasean.analysis.headline import Headline
from hkasean.analysis.trade_source_classes import OFFICIAL_TABULATION


def _x(periods: pd.Series, frequency: str) -> pd.Series:
    return pd.to_datetime(periods, format="%Y-%m") if frequency == "month" else periods.astype(int)


def draw_headline(data: Headline) -> plt.Figure:
    """Left: each theme's share (%, Wilson band) of ``data.source`` per period, the trade series on a twin
    axis (filled markers: official tabulations; hollow: other sources; gaps left open). Right: ASEAN's
    share of Hong Kong's trade and Hong Kong's share of ASEAN's, per year (each in its recorder's denominator)."""
    apply_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.6), gridspec_kw={"width_ratios": [2, 1]})
    colours = sns.color_palette(PALETTE, n_colors=max(3, data.shares["theme"].nunique()))
    for colour, (theme, rows) in zip(colours, data.shares.groupby("theme", sort=True)):
        rows = rows.sort_values("period")
        x = _x(rows["period"], data.frequency)
        left.plot(x, 100 * rows["share"], color=colour, label=theme, marker="o" if data.frequency == "year" else None)
        left.fill_between(x, 100 * rows["low"], 100 * rows["high"], color=colour, alpha=0.07, linewidth=0)
    left.set_ylabel(f"% of documents ({data.source})")
    left.set_xlabel("Month" if data.frequency == "month" else "Year")
    left.set_title(f"Theme shares beside trade, by {data.frequency}")
    if data.trade_name:
        twin = left.twinx()
        trade = data.trade[data.trade["period"].isin(set(data.shares["period"]))].sort_values("period")
        x = _x(trade["period"], data.frequency)
        twin.plot(x, trade["value"], color="0.15", lw=1.5, ls="--", label=data.trade_name)
        official = (trade["source_class"] == OFFICIAL_TABULATION).to_numpy()
        twin.plot(x[official], trade["value"][official], "o", color="0.15", ms=6)
        twin.plot(x[~official], trade["value"][~official], "o", color="0.15", mfc="white", ms=6)
        unit = trade["unit"].dropna().iloc[0] if trade["unit"].notna().any() else ""
        twin.set_ylabel(f"{data.trade_name} ({unit})")
        twin.grid(False)
        handles, labels = left.get_legend_handles_labels()
        extra, extra_labels = twin.get_legend_handles_labels()
        left.legend(handles + extra, labels + [f"{name} (filled: official tabulation; hollow: other sources)"
                                               for name in extra_labels],
                    fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, frameon=False)
    else:
        left.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, frameon=False)
    both = data.asymmetry.dropna(subset=["ratio"]).sort_values("year")
    if both.empty:
        right.text(0.5, 0.5, "no year with both sides", ha="center", va="center", transform=right.transAxes)
    else:
        years = both["year"].astype(int)
        right.plot(years, both["asean_share_of_hk_trade"], marker="o", color=colours[0],
                   label="ASEAN's share of Hong Kong's trade (HK-recorded)")
        right.plot(years, both["hk_share_of_asean_trade"], marker="s", color=colours[1],
                   label="Hong Kong's share of ASEAN's trade (members' records)")
        right.set_ylim(bottom=0)
        right.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    right.set_ylabel("% of the recorder's total merchandise trade")
    right.set_xlabel("Year")
    right.set_title("Who matters more to whom")
    fig.tight_layout()
    return fig


def plot_headline(data: Headline, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_headline`` as PNG at ``path``; return the path."""
    return save_figure(draw_headline(data), path)

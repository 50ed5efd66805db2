"""Figures of the corpus itself: how many documents of which kind, when."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from hkasean.analysis.figures import PALETTE, apply_style, save_figure


def draw_documents_per_year(doc_frame: pd.DataFrame) -> plt.Figure:
    """Stacked bars: documents per year (x), one bar series per doc_type ("" shown as "unknown").

    ``doc_frame``: ``corpus.frame.documents_frame`` (needs ``doc_id, year, doc_type``).
    """
    apply_style()
    counts = (
        doc_frame.assign(doc_type=doc_frame["doc_type"].replace("", "unknown"))
        .pivot_table(index="year", columns="doc_type", values="doc_id", aggfunc="count", fill_value=0)
        .sort_index()
    )
    fig, ax = plt.subplots(figsize=(8, 4.2))
    colours = sns.color_palette(PALETTE, n_colors=max(len(counts.columns), 1))
    bottom = pd.Series(0, index=counts.index)
    for colour, doc_type in zip(colours, counts.columns):
        ax.bar(counts.index.astype(str), counts[doc_type], bottom=bottom, label=doc_type, color=colour)
        bottom = bottom + counts[doc_type]
    ax.set_xlabel("Year of issue")
    ax.set_ylabel("Documents (count)")
    ax.set_title("Documents per year and type")
    ax.legend(title="Document type", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    return fig


def plot_documents_per_year(doc_frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_documents_per_year`` as PNG at ``path``; return the path."""
    return save_figure(draw_documents_per_year(doc_frame), path)

"""Seaborn figures, one module per subject; this module holds the shared look and the saver.

Every figure uses the colour-blind-safe palette, labelled axes with units, and is written as PNG
with fixed metadata so that the same data give the same file. Each figure has two functions:
``draw_<name>(...) -> Figure`` draws it and writes nothing (the tests read the axes, labels and
artists it returns), and ``plot_<name>(..., path) -> Path`` writes ``draw_<name>`` with
``save_figure``. Every setting a figure depends on (such as the HK$/US$ rate) is an argument.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # batch use: never open a window

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = "colorblind"
"""Seaborn's colour-blind-safe qualitative palette, used for every categorical colour."""
SEQUENTIAL = "viridis"
"""Perceptually uniform, colour-blind-safe colormap for heatmaps of magnitudes."""
DIVERGING = "vlag"
"""Diverging colormap for signed values (correlations, differences)."""
DPI = 144


def apply_style() -> None:
    """Set the suite's seaborn theme (call once before drawing)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update({"figure.dpi": DPI, "savefig.bbox": "tight", "axes.titleweight": "bold"})


def save_figure(fig: plt.Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as PNG (no timestamps in the metadata) and close it; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path

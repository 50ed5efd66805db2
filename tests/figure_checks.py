"""Reading what a ``draw_*`` function drew: texts, legends, bars, markers; and closing the figures after each test."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test drew (import this fixture into a figure test module)."""
    yield
    plt.close("all")


def texts(fig: Figure) -> list[str]:
    """Every non-empty string drawn anywhere in ``fig``: titles, labels, ticks, annotations, notes, legends."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def legend_labels(legend: Legend | None) -> list[str]:
    """The entries of a legend, in order ([] when there is none)."""
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


def tick_labels(ax: plt.Axes, axis: str = "x") -> list[str]:
    """The tick label strings of one axis of ``ax``."""
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in ticks]


def bars(ax: plt.Axes) -> list[Rectangle]:
    """The bars of ``ax`` (the patches of its bar containers), in drawing order."""
    return [patch for container in ax.containers for patch in getattr(container, "patches", [])]


def marker_lines(ax: plt.Axes, marker: str) -> list[Line2D]:
    """The lines of ``ax`` drawn with ``marker`` and at least one point."""
    return [line for line in ax.get_lines() if line.get_marker() == marker and len(line.get_xdata())]


def is_hollow(line: Line2D) -> bool:
    """True when the markers of ``line`` are open (white or transparent face)."""
    face = to_rgba(line.get_markerfacecolor())
    return face[3] == 0 or face[:3] == (1.0, 1.0, 1.0)

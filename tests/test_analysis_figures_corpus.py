"""The corpus figure draws one stacked bar series per document type, year by year."""
from __future__ import annotations

import pandas as pd

from figure_checks import PNG_SIGNATURE, bars, close_figures, legend_labels, tick_labels  # noqa: F401 (fixture)
from hkasean.analysis.figures.corpus import draw_documents_per_year, plot_documents_per_year

DOC_FRAME = pd.DataFrame({
    "doc_id": ["a", "b", "c", "d", "e"],
    "year": [2019, 2019, 2019, 2020, 2020],
    "doc_type": ["press_release", "press_release", "speech", "speech", ""],
})


def test_documents_per_year_stacks_one_series_per_type():
    fig = draw_documents_per_year(DOC_FRAME)
    ax = fig.axes[0]
    assert ax.get_title() == "Documents per year and type"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Year of issue", "Documents (count)")
    assert tick_labels(ax) == ["2019", "2020"]
    assert legend_labels(ax.get_legend()) == ["press_release", "speech", "unknown"]  # "" is shown as unknown
    assert ax.get_legend().get_title().get_text() == "Document type"
    heights = [[patch.get_height() for patch in container] for container in ax.containers]
    bottoms = [[patch.get_y() for patch in container] for container in ax.containers]
    assert heights == [[2, 0], [1, 1], [0, 1]]
    assert bottoms == [[0, 0], [2, 0], [3, 1]]  # stacked: each type starts where the previous ended
    assert len(bars(ax)) == 6


def test_documents_per_year_is_written_identically_twice(tmp_path):
    first = plot_documents_per_year(DOC_FRAME, tmp_path / "one.png")
    second = plot_documents_per_year(DOC_FRAME, tmp_path / "two.png")
    assert first.read_bytes().startswith(PNG_SIGNATURE)
    assert first.read_bytes() == second.read_bytes()  # no timestamp in the PNG metadata

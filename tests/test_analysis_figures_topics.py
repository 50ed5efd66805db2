"""Topic figures: one bar panel per topic, one heatmap per model, one line per model and metric with the chosen K ringed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from figure_checks import PNG_SIGNATURE, close_figures, legend_labels, tick_labels  # noqa: F401 (fixture)
from hkasean.analysis.figures.topics import (
    draw_k_selection,
    draw_theme_by_year,
    draw_top_terms,
    plot_k_selection,
    plot_theme_by_year,
    plot_top_terms,
)

TOP_TERMS = pd.DataFrame({
    "model": ["lda"] * 4 + ["nmf"],
    "topic": ["lda_0", "lda_0", "lda_1", "lda_1", "nmf_0"],
    "rank": [2, 1, 1, 2, 1],
    "term": ["b_c", "a", "d", "e", "z"],
    "weight": [0.2, 0.3, 0.4, 0.1, 0.9],
})
DOC_FRAME = pd.DataFrame({"doc_id": ["x", "y", "z"], "year": [2020, 2021, 2021]})
DOC_THEMES = pd.DataFrame({
    "doc_id": ["x", "y", "z"] * 2 + ["x", "y", "z"] * 2,
    "model": ["lda"] * 6 + ["supervised"] * 6,
    "theme": (["t1"] * 3 + ["t2"] * 3) * 2,
    "score": 0.5,
    "present": [1, 1, 0, 0, 0, 1] + [1, 1, 0, 0, 1, 1],
    "fold": [np.nan] * 6 + [0, -1, 1, 0, -1, 1],  # y is predicted by the final model (fold -1): left out
})
SELECTION = pd.DataFrame({
    "model": ["lda"] * 4 + ["nmf"] * 4,
    "k": [2, 2, 3, 3] * 2,
    "seed": [0, 1] * 4,
    "c_npmi": [0.1, 0.2, 0.0, 0.1, 0.3, 0.3, 0.2, 0.4],
    "stability": [0.9, 0.8, 0.5, 0.6, 0.7, 0.7, 0.4, 0.5],
    "chosen": [True, True, False, False, False, False, True, True],
})


def test_top_terms_draw_one_panel_per_topic_strongest_on_top():
    fig = draw_top_terms(TOP_TERMS, "lda")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert fig.get_suptitle() == "Top terms per topic: lda"
    assert [ax.get_title() for ax in panels] == ["lda_0", "lda_1"]  # nmf rows are not drawn
    first = panels[0]
    assert tick_labels(first, "y") == ["a", "b c"]  # rank order, "_" shown as a space
    assert [patch.get_width() for patch in first.patches] == [0.3, 0.2]
    assert first.yaxis_inverted() and first.get_xlabel() == "term weight"


def test_top_terms_name_the_theme_a_topic_serves():
    fig = draw_top_terms(TOP_TERMS, "lda", {"lda_0": "made_in_hk", "lda_1": ""})
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["lda_0 (made_in_hk)", "lda_1"]


def test_top_terms_hide_the_panels_left_over_in_the_grid():
    four = pd.concat([TOP_TERMS.query("model == 'lda'"), TOP_TERMS.query("model == 'lda'").assign(topic=lambda f: f["topic"] + "b")])
    fig = draw_top_terms(four, "lda")
    assert len(fig.axes) == 6 and sum(ax.get_visible() for ax in fig.axes) == 4  # 3 columns x 2 rows
    with pytest.raises(ValueError, match="no top terms"):
        draw_top_terms(TOP_TERMS, "seeded_lda")


def test_theme_by_year_draws_one_annotated_heatmap_per_model_without_final_model_rows():
    fig = draw_theme_by_year(DOC_THEMES, DOC_FRAME)
    heatmaps = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in heatmaps] == ["lda", "supervised"]
    for ax in heatmaps:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("year", "theme")
        assert tick_labels(ax) == ["2020", "2021"] and tick_labels(ax, "y") == ["t1", "t2"]
    lda, supervised = ([text.get_text() for text in ax.texts] for ax in heatmaps)
    assert lda == ["1.00", "0.50", "0.00", "0.50"]  # rows t1, t2; columns 2020, 2021
    assert supervised == ["1.00", "0.00", "0.00", "1.00"]  # 2021 is z alone: y (fold -1) is left out
    assert len(fig.axes) == 4  # two heatmaps, two colour bars
    assert all(cbar.get_ylabel() == "share of documents" for cbar in fig.axes if not cbar.get_title())


def test_theme_by_year_of_one_model():
    fig = draw_theme_by_year(DOC_THEMES, DOC_FRAME, model="lda")
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["lda"]


def test_k_selection_draws_a_line_per_model_and_rings_the_chosen_k():
    fig = draw_k_selection(SELECTION)
    coherence, stability = fig.axes
    assert fig.get_suptitle() == "Choosing the number of topics K"
    assert coherence.get_xlabel() == stability.get_xlabel() == "number of topics K"
    assert all(float(tick).is_integer() for tick in coherence.get_xticks())  # K is a whole number
    assert coherence.get_ylabel().startswith("c_npmi") and stability.get_ylabel().startswith("stability")
    for ax, metric in ((coherence, "c_npmi"), (stability, "stability")):
        lines = [line for line in ax.get_lines() if len(line.get_xdata())]
        means = SELECTION.groupby(["model", "k"])[metric].mean()
        assert len(lines) == 2 and all(line.get_marker() == "o" for line in lines)
        for line, model in zip(lines, ("lda", "nmf")):
            assert list(line.get_xdata()) == [2, 3]
            assert np.allclose(line.get_ydata(), means[model].to_numpy())  # the mean over seeds
        assert legend_labels(ax.get_legend()) == ["lda", "nmf", "chosen K"]
        (ring,) = ax.collections
        assert ring.get_facecolor().size == 0 or ring.get_facecolor()[0][3] == 0  # hollow
        assert np.allclose(ring.get_offsets(), [[2, means["lda", 2]], [3, means["nmf", 3]]])


def test_topic_figures_are_written(tmp_path):
    for path in (plot_top_terms(TOP_TERMS, "lda", tmp_path / "top.png"),
                 plot_theme_by_year(DOC_THEMES, DOC_FRAME, tmp_path / "themes.png"),
                 plot_k_selection(SELECTION, tmp_path / "k.png")):
        assert path.read_bytes().startswith(PNG_SIGNATURE)

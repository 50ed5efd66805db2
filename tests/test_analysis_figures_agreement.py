"""Validation figures: F1 per model beside the human ceiling, the topic-theme heatmap, the reliability of the coders."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from figure_checks import PNG_SIGNATURE, close_figures, legend_labels, tick_labels  # noqa: F401 (fixture)
from hkasean.analysis.agreement import MACRO
from hkasean.analysis.figures.agreement import (
    draw_f1_by_model,
    draw_reliability,
    draw_topic_theme_alignment,
    plot_f1_by_model,
    plot_reliability,
    plot_topic_theme_alignment,
    topic_theme_association,
)
from hkasean.analysis.reliability import OVERALL

STANDARD = pd.DataFrame({"t": [1, 1, 0, 0], "u": [0, 0, 0, 0]}, index=pd.Index(["a", "b", "c", "d"], name="doc_id"))
DOC_TOPICS = pd.DataFrame(
    [(doc, "lda", f"lda_{k}", share) for doc, shares in zip("abcd", ([0.8, 0.2], [0.6, 0.4], [0.2, 0.8], [0.4, 0.6])) for k, share in enumerate(shares)],
    columns=["doc_id", "model", "topic", "score"],
)
AGREEMENT = pd.DataFrame({
    "model": ["dictionary"] * 3 + ["human:coder_a"] * 3,
    "theme": [MACRO, "t1", "t2"] * 2,  # macro first: the figure still puts it last
    "f1": [0.5, 0.4, 0.6, 0.8, 0.9, 0.7],
    "f1_low": [0.3, 0.2, 0.5, 0.7, 0.8, 0.6],
    "f1_high": [0.7, 0.6, 0.7, 0.9, 1.0, 0.8],
})
RELIABILITY = pd.DataFrame({
    "theme": ["t1", "t2", OVERALL],
    "coders": "coder_a+coder_b",
    "positive_agreement": [0.8, 0.6, 0.7],
    "kappa": [0.6, 0.4, 0.5], "kappa_low": [0.4, 0.1, 0.3], "kappa_high": [0.8, 0.6, 0.7],
    "alpha": [0.55, -0.2, 0.45], "alpha_low": [0.35, -0.5, 0.25], "alpha_high": [0.75, 0.1, 0.65],
})


def test_topic_theme_association_known_values():
    # lda_0: mean share among t-coded docs (0.8 + 0.6)/2 = 0.7, among others (0.2 + 0.4)/2 = 0.3 -> 0.4.
    association = topic_theme_association(DOC_TOPICS, STANDARD, "lda")
    assert association.loc["lda_0", "t"] == pytest.approx(0.4)
    assert association.loc["lda_1", "t"] == pytest.approx(-0.4)
    assert association["u"].isna().all()  # nobody codes u: undefined, not zero


def test_f1_draws_a_series_per_model_and_coder_beside_the_human_ceiling():
    ax = draw_f1_by_model(AGREEMENT, RELIABILITY).axes[0]
    assert ax.get_title() == "Agreement with the manual coding"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("theme", "F1 against the standard (0-1)")
    assert tick_labels(ax) == ["t1", "t2", MACRO]
    assert len(ax.containers) == 2  # one error-bar series per model or coder
    (model_points, *_), (human_points, *_) = (container.lines for container in ax.containers)
    assert (model_points.get_marker(), human_points.get_marker()) == ("o", "s")  # humans drawn as squares
    assert np.allclose(model_points.get_ydata(), [0.4, 0.6, 0.5]) and np.allclose(human_points.get_ydata(), [0.9, 0.7, 0.8])
    (ceiling,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label().startswith("human ceiling")]
    assert [segment[0][1] for segment in ceiling.get_segments()] == pytest.approx([0.8, 0.6, 0.7])  # macro: mean of themes
    assert ceiling.get_linestyle()[0][1] is not None  # dashed
    assert set(legend_labels(ax.get_legend())) == {"dictionary", "human:coder_a", "human ceiling: F1 coder_a vs coder_b"}


def test_alignment_heatmap_annotates_every_defined_cell():
    fig = draw_topic_theme_alignment(DOC_TOPICS, STANDARD, "lda")
    ax, colour_bar = fig.axes
    assert ax.get_title() == "Which lda topics carry which themes"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("theme (manual standard)", "lda topic")
    assert tick_labels(ax) == ["t", "u"] and tick_labels(ax, "y") == ["lda_0", "lda_1"]
    assert [text.get_text() for text in ax.texts] == ["0.40", "-0.40"]  # u is undefined: no number drawn
    assert colour_bar.get_ylabel() == "mean topic share: coded docs minus others"
    assert colour_bar.get_ylim() == pytest.approx((-0.4, 0.4))  # centred on 0


def test_reliability_draws_kappa_and_alpha_per_theme_with_overall_last():
    ax = draw_reliability(RELIABILITY.iloc[[2, 0, 1]]).axes[0]
    assert ax.get_title() == "Inter-coder reliability (coder_a vs coder_b)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("theme", "chance-corrected agreement (1 = perfect)")
    assert tick_labels(ax) == ["t1", "t2", OVERALL]
    assert legend_labels(ax.get_legend()) == ["Cohen's kappa", "Krippendorff's alpha"]
    kappa, alpha = (container.lines[0] for container in ax.containers)
    assert np.allclose(kappa.get_ydata(), [0.6, 0.4, 0.5]) and np.allclose(alpha.get_ydata(), [0.55, -0.2, 0.45])
    assert ax.get_ylim()[0] <= -0.5  # room for the lowest interval bound


def test_agreement_figures_are_written(tmp_path):
    paths = [
        plot_f1_by_model(AGREEMENT, RELIABILITY, tmp_path / "f1.png"),
        plot_reliability(RELIABILITY, tmp_path / "reliability.png"),
        plot_topic_theme_alignment(DOC_TOPICS, STANDARD, tmp_path / "alignment.png", "lda"),
    ]
    for path in paths:
        assert path.read_bytes().startswith(PNG_SIGNATURE)

"""Validation figures: the topic-theme association on a known case, and every figure is written."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.agreement import agreement_table, human_agreement_rows
from hkasean.analysis.coding import load_coding
from hkasean.analysis.figures.agreement import (
    plot_f1_by_model,
    plot_reliability,
    plot_topic_theme_alignment,
    topic_theme_association,
)
from hkasean.analysis.reliability import reliability_table
from hkasean.corpus.bundled import sample_coding_path
from hkasean.models.codebook import load_codebook

STANDARD = pd.DataFrame({"t": [1, 1, 0, 0], "u": [0, 0, 0, 0]}, index=pd.Index(["a", "b", "c", "d"], name="doc_id"))
DOC_TOPICS = pd.DataFrame(
    [(doc, "lda", f"lda_{k}", share) for doc, shares in zip("abcd", ([0.8, 0.2], [0.6, 0.4], [0.2, 0.8], [0.4, 0.6])) for k, share in enumerate(shares)],
    columns=["doc_id", "model", "topic", "score"],
)


def test_topic_theme_association_known_values():
    # lda_0: mean share among t-coded docs (0.8 + 0.6)/2 = 0.7, among others (0.2 + 0.4)/2 = 0.3 -> 0.4.
    association = topic_theme_association(DOC_TOPICS, STANDARD, "lda")
    assert association.loc["lda_0", "t"] == pytest.approx(0.4)
    assert association.loc["lda_1", "t"] == pytest.approx(-0.4)
    assert association["u"].isna().all()  # nobody codes u: undefined, not zero


def test_figures_are_written(tmp_path):
    coding = load_coding(sample_coding_path(), load_codebook().theme_ids)
    standard = coding.standard()
    reliability = reliability_table(coding, n_boot=50)
    rng = np.random.default_rng(0)
    noisy = coding.as_doc_themes().assign(model="noisy")
    noisy["present"] = np.where(rng.random(len(noisy)) < 0.1, 1 - noisy["present"], noisy["present"])
    agreement = pd.concat([agreement_table(noisy, standard, n_boot=50), human_agreement_rows(coding, n_boot=50)])
    paths = [
        plot_f1_by_model(agreement, reliability, tmp_path / "f1.png"),
        plot_reliability(reliability, tmp_path / "reliability.png"),
        plot_topic_theme_alignment(DOC_TOPICS, STANDARD, tmp_path / "alignment.png", "lda"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

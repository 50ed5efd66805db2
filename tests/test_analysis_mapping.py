"""Cross-validated topic-to-theme mapping: one-to-one maps, no peeking at a document's own label."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.mapping import assign_folds, cross_validated_topic_map, learn_topic_map

THEMES = ["t", "u"]


def synthetic(n_docs: int = 40, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Standard (n_docs x [t, u]) and doc_topics of two models plus two uncoded documents.

    Model "lda": topic lda_0 is boosted in documents coded t, lda_1 in those coded u, lda_2 is
    noise. Model "nmf": pure noise.
    """
    rng = np.random.default_rng(seed)
    labels = (rng.random((n_docs, 2)) < 0.35).astype(int)
    doc_ids = [f"d{i:02d}" for i in range(n_docs)]
    standard = pd.DataFrame(labels, index=pd.Index(doc_ids, name="doc_id"), columns=THEMES)
    rows = []
    for position, doc in enumerate([*doc_ids, "uncoded_a", "uncoded_b"]):
        signal = labels[position] if position < n_docs else np.zeros(2)
        for model, boost in (("lda", 1.5), ("nmf", 0.0)):
            shares = rng.dirichlet(np.ones(3))
            shares[:2] += boost * signal
            shares /= shares.sum()
            rows += [(doc, model, f"{model}_{k}", shares[k]) for k in range(3)]
    return standard, pd.DataFrame(rows, columns=["doc_id", "model", "topic", "score"])


def test_learn_topic_map_hand_example():
    # topic 0 >= 0.3 marks d0, d1 = exactly theme 0 -> F1 1 at the first (smallest) threshold 0.3.
    # topic 1 >= 0.3 marks d1, d2, d3: F1 for theme 1 = 2*2 / (3 + 2) = 0.8; >= 0.5 marks d2, d3 -> 1.0.
    shares = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.1, 0.9]])
    labels = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    assert learn_topic_map(shares, labels, (0.3, 0.5, 0.7), min_f1=0.5) == [(0, 0, 0.3, 1.0), (1, 1, 0.5, 1.0)]


def test_learn_topic_map_is_one_to_one_and_respects_min_f1():
    # Topic 0 is the best topic for both themes; topic 1 is useless (never above any threshold).
    shares = np.array([[0.9, 0.0], [0.8, 0.0], [0.9, 0.0], [0.1, 0.0]])
    labels = np.array([[1, 1], [1, 0], [1, 1], [0, 0]])
    pairs = learn_topic_map(shares, labels, (0.5,), min_f1=0.3)
    assert len(pairs) == 1  # topic 0 serves one theme only; the other theme stays unmapped
    assert pairs[0][0] == 0
    assert learn_topic_map(shares, labels, (0.5,), min_f1=1.1) == []


def test_folds_are_disjoint_seeded_and_shared_by_models():
    standard, doc_topics = synthetic()
    result = cross_validated_topic_map(doc_topics, standard, n_folds=5, random_state=3)
    folds = result.folds.set_index("doc_id")["fold"]
    assert sorted(folds.index) == sorted(standard.index)
    assert sorted(folds.unique()) == [0, 1, 2, 3, 4]
    scored = result.predictions[result.predictions["fold"] != -1]
    per_model = scored.drop_duplicates(["model", "doc_id"]).pivot(index="doc_id", columns="model", values="fold")
    assert (per_model["lda"] == per_model["nmf"]).all()
    assert (per_model["lda"] == folds.reindex(per_model.index)).all()
    again = cross_validated_topic_map(doc_topics, standard, n_folds=5, random_state=3)
    pd.testing.assert_frame_equal(result.predictions, again.predictions)
    pd.testing.assert_frame_equal(result.maps, again.maps)


def test_each_fold_map_is_learned_without_that_folds_documents():
    standard, doc_topics = synthetic()
    result = cross_validated_topic_map(doc_topics, standard, n_folds=4, random_state=0, min_f1=0.3)
    folds = result.folds.set_index("doc_id")["fold"]
    shares = doc_topics[doc_topics["model"] == "lda"].pivot(index="doc_id", columns="topic", values="score")
    for fold in range(4):
        train = folds.index[folds != fold]
        expected = learn_topic_map(
            shares.loc[train].to_numpy(), standard.loc[train].to_numpy(), (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5), 0.3
        )
        learned = result.maps[(result.maps["model"] == "lda") & (result.maps["fold"] == fold)]
        assert list(learned["topic"]) == [shares.columns[t] for t, _, _, _ in expected]
        assert list(learned["threshold"]) == [threshold for _, _, threshold, _ in expected]
        assert learned["topic"].is_unique and learned["theme"].is_unique  # one-to-one
    assert set(result.maps["topic"][result.maps["model"] == "lda"]) <= {"lda_0", "lda_1"}


def test_flipping_a_documents_own_label_does_not_change_its_prediction():
    standard, doc_topics = synthetic()
    doc = standard.index[(standard["t"] == 1) & (standard["u"] == 0)][0]
    flipped = standard.copy()
    flipped.loc[doc, ["t", "u"]] = [0, 1]  # same number of themes: same stratum, same folds
    before = cross_validated_topic_map(doc_topics, standard, random_state=1)
    after = cross_validated_topic_map(doc_topics, flipped, random_state=1)
    pd.testing.assert_frame_equal(before.folds, after.folds)
    own = ["model", "theme", "score", "present", "fold"]
    pd.testing.assert_frame_equal(
        before.predictions[before.predictions["doc_id"] == doc][own].reset_index(drop=True),
        after.predictions[after.predictions["doc_id"] == doc][own].reset_index(drop=True),
    )
    # ...whereas the in-sample full map, which has seen the label, is allowed to move.
    assert before.full_map["scope"].str.contains("reporting only").all()


def test_uncoded_documents_use_the_full_map_and_are_marked_minus_one():
    standard, doc_topics = synthetic()
    result = cross_validated_topic_map(doc_topics, standard)
    uncoded = result.predictions[result.predictions["doc_id"].str.startswith("uncoded")]
    assert len(uncoded) == 2 * 2 * len(THEMES)
    assert (uncoded["fold"] == -1).all()
    assert (result.full_map["fold"] == -1).all()
    assert set(result.predictions.columns) == {"doc_id", "model", "theme", "score", "present", "fold"}
    assert len(result.predictions) == 2 * (len(standard) + 2) * len(THEMES)


def test_unmapped_themes_predict_absent_with_no_score():
    standard, doc_topics = synthetic()
    result = cross_validated_topic_map(doc_topics[doc_topics["model"] == "nmf"], standard, min_f1=0.95)
    assert result.maps.empty
    assert (result.predictions["present"] == 0).all()
    assert result.predictions["score"].isna().all()


def test_assign_folds_stratifies_and_rejects_too_few_documents():
    standard, _ = synthetic(n_docs=50)
    folds = assign_folds(standard, 5, 0)
    n_themes = standard.sum(axis=1)
    # 25 documents without a theme, 21 with one, 4 with two: fewer than 5 folds' worth, so the
    # strata become "none" and "one or more" (25 each), each spread 5 per fold.
    assert n_themes.value_counts().to_dict() == {0: 25, 1: 21, 2: 4}
    for stratum in (n_themes == 0, n_themes >= 1):
        assert folds[stratum].value_counts().tolist() == [5] * 5
    with pytest.raises(ValueError, match="cannot be split"):
        assign_folds(standard.iloc[:3], 5, 0)

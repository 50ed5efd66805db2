import logging
import random
import string

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.coder_features import (CoderCorpus, DocumentFeatures, counted_feature_surface, theme_classifier,
                                           topic_feature_tokens)
from hkasean.models.decision_folds import THRESHOLD_GRID, best_f1_threshold
from hkasean.models.ensemble import EnsembleCoder
from hkasean.models.supervised import SupervisedCoder
from hkasean.models.theme_learning import learn_together
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import SHIPPING, tiny_codebook, two_topic_documents


@pytest.fixture(scope="module")
def processed():
    return process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))


def labels_for(doc_ids):
    ship = [int(d.startswith("ship")) for d in doc_ids]
    return pd.DataFrame({"shipping": ship, "farming": [1 - s for s in ship]}, index=pd.Index(doc_ids, name="doc_id"))


def test_cross_validated_scores_never_come_from_a_model_that_saw_the_doc(processed):
    labelled = processed.doc_ids[:-2]  # the last two documents are unlabelled
    coder = SupervisedCoder(n_folds=4).fit(processed, labels_for(labelled))
    themes = coder.doc_themes()
    cv = themes[themes["fold"] >= 0]
    assert len(cv) == 2 * len(labelled)
    for row in cv.itertuples():
        assert row.doc_id not in coder.training_ids_[row.theme][row.fold]
    final = themes[themes["fold"] == -1]
    assert set(final["doc_id"]) == set(processed.doc_ids[-2:])
    truth = labels_for(processed.doc_ids).reset_index().melt(id_vars="doc_id", var_name="theme", value_name="truth")
    merged = themes.merge(truth, on=["doc_id", "theme"])
    assert (merged["present"] == merged["truth"]).all()  # trivially separable


def test_theme_with_too_few_positives_is_warned_not_crashed(processed, caplog):
    labels = labels_for(processed.doc_ids)
    labels["farming"] = 0
    labels.iloc[0, labels.columns.get_loc("farming")] = 1
    with caplog.at_level(logging.WARNING):
        coder = SupervisedCoder().fit(processed, labels)
    assert "too few" in caplog.text
    assert set(coder.doc_themes()["theme"]) == {"shipping"}


def test_bad_labels_name_row_and_column(processed):
    labels = labels_for(processed.doc_ids).astype(object)
    labels.iloc[3, 0] = "yes"
    with pytest.raises(InputError, match="column 'shipping'"):
        SupervisedCoder().fit(processed, labels)


def test_bad_threshold_is_named(processed):
    with pytest.raises(InvalidParameterError, match="'threshold' parameter of SupervisedCoder"):
        SupervisedCoder(threshold="auto").fit(processed, labels_for(processed.doc_ids))


@pytest.mark.parametrize(
    "truth, scores, expected",
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], (0.3, 1.0)),  # 0.25 and 0.3 separate perfectly; 0.3 is closer to 0.5
        ([1, 0], [0.6, 0.4], (0.5, 1.0)),  # 0.45..0.6 all perfect: 0.5 itself wins the tie
        ([1, 1, 0], [0.47, 0.6, 0.52], (0.45, 0.8)),  # better F1 beats closeness to 0.5
        ([1, 0], [0.05, 0.95], (0.5, 0.0)),  # F1 0 at every grid threshold: keep 0.5
    ],
)
def test_best_f1_threshold_known_answers(truth, scores, expected):
    threshold, f1 = best_f1_threshold(np.array(truth), np.array(scores))
    assert threshold == pytest.approx(expected[0]) and f1 == pytest.approx(expected[1])


def _letters(number: int) -> str:
    return "".join(string.ascii_lowercase[(number // 26**p) % 26] for p in range(3))


def rare_theme_documents(n_documents: int = 40, n_positive: int = 6) -> list[Document]:
    """Shipping texts; the first ``n_positive`` (the rare theme) add "barley" twice and 20 words of their own.

    Out of fold, the balanced model sees only the shared "barley" in a positive (not an indicator, so no
    dictionary feature helps): it ranks the positives above every negative, but under 0.5.
    """
    rng = random.Random(0)
    documents = []
    for i in range(n_documents):
        words = [rng.choice(SHIPPING) for _ in range(30)]
        if i < n_positive:
            words += ["barley", "barley"] + ["q" + _letters(20 * i + j) for j in range(20)]
        documents.append(Document(id=f"doc-{i:02d}", date="2020-01-01", title="news", text=" ".join(words)))
    return documents


@pytest.fixture(scope="module")
def rare():
    """(processed, labels): farming is the rare theme (6 of 40); shipping alternates, unrelated to the text."""
    processed = process_documents(rare_theme_documents(), tiny_codebook(),
                                  TextSettings(max_df=1.0, min_df=1, learn_phrases=False))
    ids = processed.doc_ids
    labels = pd.DataFrame({"shipping": [i % 2 for i in range(len(ids))], "farming": [int(i < 6) for i in range(len(ids))]},
                          index=pd.Index(ids, name="doc_id"))
    return processed, labels


# The rare-theme tests use single words: random pairs of shipping words would add noise the premise does not model.


def farming_confusion(coder, labels):
    themes = coder.doc_themes()
    cv = themes[(themes["theme"] == "farming") & (themes["fold"] >= 0)]
    truth = labels.loc[cv["doc_id"], "farming"].to_numpy()
    present = cv["present"].to_numpy()
    return int(((present == 1) & (truth == 1)).sum()), int(((present == 1) & (truth == 0)).sum())


def test_cv_threshold_finds_rare_positives_that_half_misses(rare):
    processed, labels = rare
    fixed = SupervisedCoder(ngrams=1, n_folds=3, threshold=0.5).fit(processed, labels)
    tuned = SupervisedCoder(ngrams=1, n_folds=3, threshold="cv").fit(processed, labels)
    assert farming_confusion(fixed, labels) == (0, 0)  # (true positives, false positives)
    assert farming_confusion(tuned, labels) == (6, 0)
    assert (fixed.thresholds_["threshold"] == 0.5).all() and (fixed.thresholds_["note"] == "fixed threshold").all()
    farming = tuned.thresholds().query("theme == 'farming'")
    assert list(farming["fold"]) == [0, 1, 2, -1]
    assert (farming["threshold"] < 0.5).all() and farming["threshold"].isin(THRESHOLD_GRID).all()
    assert farming["inner_f1"].between(0, 1).all() and (farming["model"] == "supervised").all()


def test_cv_threshold_is_deterministic(rare):
    processed, labels = rare
    first = SupervisedCoder(ngrams=1, n_folds=3, threshold="cv", random_state=7).fit(processed, labels)
    second = SupervisedCoder(ngrams=1, n_folds=3, threshold="cv", random_state=7).fit(processed, labels)
    pd.testing.assert_frame_equal(first.doc_themes(), second.doc_themes())
    pd.testing.assert_frame_equal(first.thresholds(), second.thresholds())


@pytest.mark.parametrize("coder_class", [SupervisedCoder, EnsembleCoder])
def test_a_fold_is_decided_by_its_training_documents_alone(rare, coder_class):
    """Fold 0's threshold and scores equal those of a coder given only fold 0's training labels.

    That coder never sees the labels of fold 0's test documents (to it they are unlabelled, scored
    by its final model), so those labels cannot have influenced fold 0's threshold or scores (for
    the ensemble: nor its stacker, nested in the training fold).
    """
    processed, labels = rare
    coder = coder_class(ngrams=1, n_folds=3, threshold="cv").fit(processed, labels)
    training = sorted(coder.training_ids_["farming"][0])
    alone = coder_class(ngrams=1, n_folds=3, threshold="cv").fit(processed, labels.loc[training])

    def farming(frame, fold):
        rows = frame[(frame["theme"] == "farming") & (frame["fold"] == fold)]
        return rows.drop(columns=["fold"]).reset_index(drop=True)

    fold0, seen_alone = farming(coder.thresholds(), 0), farming(alone.thresholds(), FINAL_MODEL_FOLD)
    assert fold0["note"].iloc[0].startswith(("inner", "stacker"))  # tuned, not the default
    pd.testing.assert_frame_equal(fold0, seen_alone)
    tested = farming(coder.doc_themes(), 0)
    assert set(tested["doc_id"]).isdisjoint(training) and len(tested) == len(labels) - len(training)
    pd.testing.assert_frame_equal(tested, farming(alone.doc_themes(), FINAL_MODEL_FOLD))


def test_too_few_positives_to_tune_keeps_half_and_says_why(processed):
    labels = labels_for(processed.doc_ids)
    labels["farming"] = 0
    labels.iloc[:2, labels.columns.get_loc("farming")] = 1  # 2 positives: 2 outer folds, 1 positive per training fold
    coder = SupervisedCoder(n_folds=2, threshold="cv").fit(processed, labels)
    farming = coder.thresholds_.query("theme == 'farming'")
    assert list(farming["fold"]) == [0, 1, -1]
    outer = farming[farming["fold"] >= 0]
    assert (outer["threshold"] == 0.5).all() and outer["inner_f1"].isna().all()
    assert outer["note"].str.contains("too few for inner CV").all()
    assert farming.query("fold == -1")["note"].iloc[0].startswith("inner 2-fold CV")


def test_scoring_in_small_batches_gives_the_same_predictions(processed):
    labelled = processed.doc_ids[::2]  # half unlabelled: scored by the final model, streamed in batches
    whole = SupervisedCoder(n_folds=3).fit(processed, labels_for(labelled))
    batched = SupervisedCoder(n_folds=3, batch_size=3).fit(processed, labels_for(labelled))
    pd.testing.assert_frame_equal(batched.doc_themes(), whole.doc_themes())
    pd.testing.assert_frame_equal(batched.evidence(), whole.evidence())
    assert (whole.doc_themes()["fold"] == -1).sum() == 2 * len(processed.doc_ids[1::2])


def test_ensemble_stacks_the_dictionary_hits_with_the_supervised_probability(processed):
    coder = EnsembleCoder(n_folds=3).fit(processed, labels_for(processed.doc_ids))
    notes = coder.thresholds()["note"]
    assert notes.str.startswith("stacker on inner").all() and (coder.thresholds()["model"] == "ensemble").all()
    stacked = coder.final_models_["shipping"]
    assert stacked.stacker.coef_.shape == (1, 3) and stacked.stacker.coef_[0, 1] > 0  # indicators found raise the odds
    assert coder.doc_themes()["fold"].between(0, 2).all()


@pytest.mark.parametrize("coder_class", [SupervisedCoder, EnsembleCoder])
def test_themes_learned_in_parallel_equal_serial(processed, coder_class):
    labels = labels_for(processed.doc_ids)
    serial = coder_class(n_folds=3, n_jobs=1).fit(processed, labels)
    parallel = coder_class(n_folds=3, n_jobs=2).fit(processed, labels)
    pd.testing.assert_frame_equal(parallel.doc_themes(), serial.doc_themes(), check_exact=True)
    pd.testing.assert_frame_equal(parallel.thresholds(), serial.thresholds(), check_exact=True)
    pd.testing.assert_frame_equal(parallel.evidence(), serial.evidence())


def test_training_idf_ignores_terms_the_training_documents_lack():
    """A model fitted on some rows of a matrix counted over more documents decides as one counted on those rows alone."""
    documents = [["ship", "port", "cargo"], ["farm", "rice"], ["ship", "cargo"], ["rice", "harvest", "farm"], ["port", "ferry"]]
    y = np.array([1, 0, 1, 0, 1])
    wide = DocumentFeatures.count([f"d{i}" for i in range(5)], documents, 1)
    narrow = DocumentFeatures.count([f"d{i}" for i in range(4)], documents[:4], 1)
    assert "ferry" in set(wide.names) and "ferry" not in set(narrow.names)
    model_wide = theme_classifier(1.0, wide.n_ngrams, 0).fit(wide.matrix[:4], y[:4])
    model_narrow = theme_classifier(1.0, narrow.n_ngrams, 0).fit(narrow.matrix, y[:4])
    np.testing.assert_allclose(model_wide.predict_proba(wide.matrix[4:])[:, 1],
                               model_narrow.predict_proba(narrow.transform(documents[4:]))[:, 1])


def test_the_ensembles_base_supervised_coder_equals_one_fitted_alone(rare):
    """The ensemble learns its supervised coder in the same pass: exactly what that coder gives fitted alone."""
    processed, labels = rare
    alone = SupervisedCoder(ngrams=1, n_folds=3).fit(processed, labels)
    base = EnsembleCoder(ngrams=1, n_folds=3).fit(processed, labels).supervised_
    assert base.get_params() == alone.get_params()
    for table in ("doc_themes", "thresholds", "evidence", "top_terms", "topics"):
        pd.testing.assert_frame_equal(getattr(base, table)(), getattr(alone, table)(), check_exact=True)


def test_coders_with_different_fits_cannot_share_a_pass(rare):
    processed, labels = rare
    with pytest.raises(ValueError, match="differ in C"):
        learn_together([SupervisedCoder(C=1.0), EnsembleCoder(C=0.5)], processed, labels)


def test_topic_shares_become_one_token_per_tenth_of_the_share():
    doc_topics = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "topic": ["nmf_0", "nmf_1", "nmf_0", "nmf_1"],
                               "score": [0.31, 0.19, 0.0, 2.0]})  # a: shares 0.62 / 0.38 once normalised
    tokens = topic_feature_tokens(doc_topics, ["b", "missing", "a"])
    assert tokens == [["topic:nmf_1"] * 10, [], ["topic:nmf_0"] * 6 + ["topic:nmf_1"] * 4]


def test_topic_tokens_are_counted_features_not_words():
    features = DocumentFeatures.count(["d0"], [["port", "cargo", "topic:nmf_2", "topic:nmf_2"]], 2)
    assert list(features.names[:features.n_ngrams]) == ["cargo", "port", "port cargo"]
    column = features.column("topic:nmf_2")
    assert column == features.n_ngrams and features.matrix[0, column] == pytest.approx(np.log(3))
    assert counted_feature_surface("topic:nmf_2") == "[topic nmf_2]"
    assert counted_feature_surface("dict:shipping") == "[indicators: shipping]" and counted_feature_surface("port") is None


def test_coders_read_the_topic_shares_they_are_given(processed):
    """A topic that follows the labels is learned from: its feature weighs for the theme, and its surface is readable."""
    labels = labels_for(processed.doc_ids)
    shares = pd.DataFrame([(d, f"t_{k}", float(k == labels.loc[d, "shipping"])) for d in processed.doc_ids for k in (0, 1)],
                          columns=["doc_id", "topic", "score"])
    coder = SupervisedCoder(n_folds=3).fit(CoderCorpus(processed, shares), labels)
    assert {"topic:t_0", "topic:t_1"} <= set(coder.feature_names_)
    assert "[topic t_1]" in set(coder.top_terms(60).query("topic == 'shipping'")["term"])
    without = SupervisedCoder(n_folds=3).fit(processed, labels)
    assert not any(str(name).startswith("topic:") for name in without.feature_names_)

"""The learning curve's predictions: one protocol for every point, the run's own cross-validation.

Each outer fold of the run (per theme) learns from nested random subsamples of its training part and scores its
test documents; the last point, the whole training part, is the run's cross-validated predictions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean.constants import WHOLE_TRAINING_PART_SIZE
from hkasean.models import learning_curve as curve_module
from hkasean.models.learning_curve import cross_validated_rows, learning_curve_predictions, learning_sizes
from hkasean.models.settings import ModelSettings
from hkasean.models.text import TextSettings, process_documents
from hkasean.models.zoo import build_model
from synthetic_corpus import tiny_codebook, two_topic_documents

SETTINGS = ModelSettings(models=("dictionary", "supervised", "ensemble"), learning_sizes=(4, 8, 16, 40),
                         learning_repeats=3, supervised_folds=3, n_jobs=1)
SEED = 3
FLIPPED = {"ship-1", "ship-6", "farm-2", "farm-9", "farm-13"}
"""Documents whose shipping label disagrees with their words, so that no coder is perfect."""


def labels_for(doc_ids):
    ship = [int(d.startswith("ship")) ^ int(d in FLIPPED) for d in doc_ids]
    return pd.DataFrame({"shipping": ship, "farming": [int(d.startswith("farm")) for d in doc_ids]},
                        index=pd.Index(doc_ids, name="doc_id"))


@pytest.fixture(scope="module")
def processed():
    return process_documents(two_topic_documents(n_per_topic=16), tiny_codebook(),
                             TextSettings(max_df=1.0, learn_phrases=False))


def run_doc_themes(processed, labels, settings=SETTINGS, random_state=SEED):
    """The run's doc_themes of its learning coders: the ensemble and its base supervised coder, as ``models.zoo`` fits them."""
    ensemble = build_model("ensemble", settings, random_state).fit(processed, labels)
    return pd.concat([ensemble.supervised_.doc_themes(), ensemble.doc_themes()], ignore_index=True)


def test_sizes_are_smaller_than_every_training_part():
    assert learning_sizes((10, 20, 40, 80, 160), 66) == [10, 20, 40]
    assert learning_sizes((40, 10, 10), 40) == [10]
    assert learning_sizes((40, 66), 66) == [40]  # the whole training part is the last point, not a size


def test_every_point_scores_each_coded_document_once_per_repeat_in_the_runs_folds(processed):
    coded = processed.doc_ids[:-4]  # 28 coded, 4 uncoded: never scored
    labels = labels_for(coded)
    curve = learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED)
    pd.testing.assert_frame_equal(curve, learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED))
    assert set(curve["model"]) == {"supervised", "ensemble"}
    assert set(curve["size"]) == {4, 8, 16, WHOLE_TRAINING_PART_SIZE}  # training parts of 28 in 3 folds: 18 or 19 documents
    assert set(curve["doc_id"]) == set(coded)
    for (model, size, repeat, theme), rows in curve.groupby(["model", "size", "repeat", "theme"]):
        assert sorted(rows["doc_id"]) == sorted(coded)  # pooled over the folds: every coded document once
    assert sorted(curve.loc[curve["size"] != WHOLE_TRAINING_PART_SIZE, "repeat"].unique()) == [0, 1, 2]
    assert (curve.loc[curve["size"] == WHOLE_TRAINING_PART_SIZE, "repeat"] == 0).all()  # the whole training part is not drawn
    subsample = curve[curve["size"] != WHOLE_TRAINING_PART_SIZE]
    assert (subsample["n_train"] == subsample["size"]).all()
    whole = curve[curve["size"] == WHOLE_TRAINING_PART_SIZE]
    assert set(whole["n_train"]) <= {18, 19}
    # the folds are the run's: each document and theme is scored by the fold the run's coders scored it in
    folds = run_doc_themes(processed, labels).query("fold >= 0").set_index(["model", "doc_id", "theme"])["fold"]
    got = curve.set_index(["model", "doc_id", "theme"])["fold"]
    assert (got.to_numpy() == folds.loc[got.index].to_numpy()).all()


def test_a_repeat_trains_on_nested_subsamples_of_the_folds_training_part(processed, monkeypatch):
    labels = labels_for(processed.doc_ids)
    calls = []
    real = curve_module.fold_scores

    def recording(coders, theme, matrix, y, train, test, n_ngrams, hits):
        calls.append((theme, tuple(sorted(test)), tuple(train)))
        return real(coders, theme, matrix, y, train, test, n_ngrams, hits)

    monkeypatch.setattr(curve_module, "fold_scores", recording)
    learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED)
    by_fold: dict[tuple, list[tuple[int, ...]]] = {}
    for theme, test, train in calls:
        assert not set(train) & set(test) and list(train) == sorted(train)
        by_fold.setdefault((theme, test), []).append(train)
    assert len(by_fold) == 2 * 3  # two themes, three folds each
    for trains in by_fold.values():
        whole = set(trains[-1])  # the fold's whole training part comes last
        for repeat in range(3):
            nested = trains[3 * repeat:3 * repeat + 3]  # sizes 4, 8, 16 of one repeat
            assert [len(t) for t in nested] == [4, 8, 16]
            assert set(nested[0]) < set(nested[1]) < set(nested[2]) < whole
        assert len({trains[0], trains[3], trains[6]}) > 1  # repeats draw different subsamples


def test_the_whole_training_part_reproduces_the_runs_cross_validated_predictions(processed):
    labels = labels_for(processed.doc_ids)
    run = run_doc_themes(processed, labels).query("fold >= 0")
    curve = learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED)
    whole = curve[curve["size"] == WHOLE_TRAINING_PART_SIZE]
    key = ["model", "doc_id", "theme"]
    mine = whole.set_index(key).sort_index()[["fold", "score", "present"]]
    theirs = run.set_index(key).sort_index()[["fold", "score", "present"]].astype({"fold": int, "present": int})
    pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    # taking the last point from the run's doc_themes instead gives the same curve
    given = learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED,
                                       cross_validated=run_doc_themes(processed, labels))
    order = ["model", "size", "repeat", "theme", "doc_id"]
    pd.testing.assert_frame_equal(given.sort_values(order).reset_index(drop=True),
                                  curve.sort_values(order).reset_index(drop=True), check_dtype=False)


def test_the_runs_predictions_from_other_folds_are_refused(processed):
    labels = labels_for(processed.doc_ids)
    other_seed = run_doc_themes(processed, labels, random_state=SEED + 1)
    with pytest.raises(ValueError, match="outer folds"):
        learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED, cross_validated=other_seed)
    assert cross_validated_rows(other_seed.iloc[:0], list(processed.doc_ids), ["supervised"], {}).empty


def test_parallel_themes_give_the_serial_curve(processed):
    labels = labels_for(processed.doc_ids)
    serial = learning_curve_predictions(processed, labels, SETTINGS, random_state=SEED)
    parallel = learning_curve_predictions(processed, labels, ModelSettings(**{**vars(SETTINGS), "n_jobs": 2}), SEED)
    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)


def test_subsample_points_score_one_seeded_sample_when_the_coded_documents_exceed_the_cap(processed):
    labels = labels_for(processed.doc_ids)
    capped = ModelSettings(**{**vars(SETTINGS), "models": ("supervised",), "learning_max_scored": 7})
    full = learning_curve_predictions(processed, labels, ModelSettings(**{**vars(capped), "learning_max_scored": 10_000}),
                                      SEED)
    curve = learning_curve_predictions(processed, labels, capped, random_state=SEED)
    key = ["size", "repeat", "doc_id", "theme"]
    samples = set()
    for (size, repeat, theme), rows in curve.groupby(["size", "repeat", "theme"]):
        if size == WHOLE_TRAINING_PART_SIZE:  # the last point is the run's: every coded document
            assert rows["doc_id"].nunique() == len(processed.doc_ids)
            continue
        assert rows["doc_id"].nunique() == 7
        samples.add(tuple(sorted(rows["doc_id"])))
    assert len(samples) == 1  # the same documents at every size and repeat: the points compare like with like
    # the same fits as without the cap: the sampled documents score as they did there
    mine = curve.set_index(key).sort_index()[["score", "present"]]
    pd.testing.assert_frame_equal(mine, full.set_index(key).loc[mine.index, ["score", "present"]])


def test_no_learning_coder_no_curve(processed):
    labels = labels_for(processed.doc_ids)
    only_dictionary = ModelSettings(**{**vars(SETTINGS), "models": ("dictionary",)})
    assert learning_curve_predictions(processed, labels, only_dictionary, SEED).empty
    assert np.array_equal(learning_curve_predictions(processed, labels, only_dictionary, SEED).columns,
                          curve_module.CURVE_COLUMNS)

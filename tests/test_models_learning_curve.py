"""The learning curve's predictions: subsamples of the coding, held-out coded documents only, deterministic."""
from __future__ import annotations

import pandas as pd

from hkasean.models.learning_curve import learning_curve_predictions, learning_sizes
from hkasean.models.settings import ModelSettings
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents

SETTINGS = ModelSettings(models=("dictionary", "supervised", "ensemble"), learning_sizes=(4, 8, 16, 40),
                         learning_repeats=3, supervised_folds=3)


def labels_for(doc_ids):
    ship = [int(d.startswith("ship")) for d in doc_ids]
    return pd.DataFrame({"shipping": ship, "farming": [1 - s for s in ship]}, index=pd.Index(doc_ids, name="doc_id"))


def test_sizes_leave_a_quarter_to_score():
    assert learning_sizes((10, 20, 40, 80, 160), 88) == [10, 20, 40]
    assert learning_sizes((40, 10, 10), 40) == [10]


def test_curve_predicts_only_held_out_coded_documents_deterministically():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))
    coded = processed.doc_ids[:-4]  # 20 coded, 4 uncoded: never scored
    labels = labels_for(coded)
    curve = learning_curve_predictions(processed, labels, SETTINGS, random_state=3)
    again = learning_curve_predictions(processed, labels, SETTINGS, random_state=3)
    pd.testing.assert_frame_equal(curve, again)
    assert set(curve["model"]) == {"supervised", "ensemble"} and set(curve["n_coded"]) == {4, 8}  # 16 > 0.75 x 20
    assert set(curve["doc_id"]) <= set(coded)
    for (model, size, repeat), rows in curve.groupby(["model", "n_coded", "repeat"]):
        assert rows["doc_id"].nunique() == len(coded) - size and len(rows) == 2 * (len(coded) - size)
    assert sorted(curve["repeat"].unique()) == [0, 1, 2]


def test_each_fit_is_scored_on_a_seeded_sample_of_the_documents_left_out_when_they_exceed_the_cap():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))
    labels = labels_for(processed.doc_ids)
    capped = ModelSettings(models=("supervised",), learning_sizes=(4, 8), learning_repeats=2, supervised_folds=3,
                           learning_max_scored=5)
    full = learning_curve_predictions(processed, labels, ModelSettings(**{**vars(capped), "learning_max_scored": 10_000}), 3)
    curve = learning_curve_predictions(processed, labels, capped, random_state=3)
    pd.testing.assert_frame_equal(curve, learning_curve_predictions(processed, labels, capped, random_state=3))
    for (size, repeat), rows in curve.groupby(["n_coded", "repeat"]):
        every = full[(full["n_coded"] == size) & (full["repeat"] == repeat)].set_index(["doc_id", "theme"])
        assert rows["doc_id"].nunique() == 5 and set(rows["doc_id"]) < set(every.index.get_level_values("doc_id"))
        # the same fit (same training draw) as without the cap: the sampled documents score as they did there
        pd.testing.assert_frame_equal(rows.set_index(["doc_id", "theme"])[["score", "present"]],
                                      every.loc[rows.set_index(["doc_id", "theme"]).index, ["score", "present"]])
    assert curve.groupby(["n_coded", "repeat"])["doc_id"].agg(lambda ids: tuple(sorted(set(ids)))).nunique() > 1

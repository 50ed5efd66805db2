import logging

import pandas as pd
import pytest

from corpus.errors import InputError
from models.supervised import SupervisedCoder
from models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents


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

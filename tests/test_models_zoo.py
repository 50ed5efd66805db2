import logging
from dataclasses import replace

import nltk
import pandas as pd

from hkasean.models.text import TextSettings, process_documents
from hkasean.models.zoo import ModelSettings, build_model, fit_models
from synthetic_corpus import tiny_codebook, two_topic_documents

FAST = ModelSettings(k_grid=(2, 3), seeds=(0, 1), passes=3, iterations=30, n_free_topics=1, supervised_folds=3,
                     seeded_iterations=50, seeded_chains=2)


def labels_for(doc_ids):
    ship = [int(d.startswith("ship")) for d in doc_ids]
    return pd.DataFrame({"shipping": ship, "farming": [1 - s for s in ship]}, index=pd.Index(doc_ids, name="doc_id"))


def test_full_zoo_never_downloads_and_is_deterministic(monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("nltk.download must never be called")

    monkeypatch.setattr(nltk, "download", no_download)
    codebook = tiny_codebook()
    processed = process_documents(two_topic_documents(8), codebook, TextSettings(max_df=1.0))
    first = fit_models(processed, codebook, FAST, labels=labels_for(processed.doc_ids), progress=False)
    second = fit_models(processed, codebook, FAST, labels=labels_for(processed.doc_ids), progress=False)
    assert set(first.models) == {"lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble"}
    supervised = first.models["supervised"]  # learned in the ensemble's pass, with the supervised coder's parameters
    assert supervised is first.models["ensemble"].supervised_
    assert supervised.get_params() == build_model("supervised", FAST).get_params()
    for table in ("topics", "doc_themes", "doc_topics", "top_terms", "evidence", "selection"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    assert set(first.selection["model"]) == {"lda", "nmf"}
    assert first.doc_themes["present"].isin([0, 1]).all()


def test_supervised_skipped_without_labels(caplog):
    codebook = tiny_codebook()
    processed = process_documents(two_topic_documents(6), codebook, TextSettings(max_df=1.0))
    settings = ModelSettings(models=("dictionary", "supervised", "ensemble"))
    with caplog.at_level(logging.WARNING):
        run = fit_models(processed, codebook, settings, progress=False)
    assert list(run.models) == ["dictionary"] and "supervised and ensemble coders are skipped" in caplog.text


def test_k_grid_is_cut_to_what_a_small_corpus_supports(caplog):
    import pytest

    from hkasean.corpus.errors import InputError
    from hkasean.models.zoo import feasible_k_grid

    processed = process_documents(two_topic_documents(6), tiny_codebook(), TextSettings(max_df=1.0))
    n_units = len(processed)
    with caplog.at_level(logging.WARNING):
        assert feasible_k_grid((1, 2, n_units - 1, n_units, n_units + 5), processed) == [2, n_units - 1]
    assert "dropped from the grid" in caplog.text
    with pytest.raises(InputError, match="too small for topic models"):
        feasible_k_grid((n_units, n_units + 5), processed)


def test_learning_coders_read_the_topic_model_named_by_coder_topics(caplog):
    codebook = tiny_codebook()
    processed = process_documents(two_topic_documents(6), codebook, TextSettings(max_df=1.0))
    labels = labels_for(processed.doc_ids)
    coders_first = replace(FAST, models=("supervised", "nmf"), coder_topics="nmf")  # listed before the topic model it reads
    run = fit_models(processed, codebook, coders_first, labels=labels, progress=False)
    assert list(run.models) == ["nmf", "supervised"]
    assert any(str(name).startswith("topic:nmf_") for name in run.models["supervised"].feature_names_)
    with caplog.at_level(logging.WARNING):
        run = fit_models(processed, codebook, replace(FAST, models=("supervised",), coder_topics="lda"), labels=labels,
                         progress=False)
    assert "models.coder_topics is 'lda' but lda is not among the fitted models" in caplog.text
    assert not any(str(name).startswith("topic:") for name in run.models["supervised"].feature_names_)

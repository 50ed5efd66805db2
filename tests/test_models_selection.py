import numpy as np
import pandas as pd
import pytest

from hkasean.models.lda import LdaTopicModel
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.selection import best_match_jaccard, select_n_topics
from hkasean.models.settings import ModelSettings
from hkasean.models.text import TextSettings, process_documents
from hkasean.models.zoo import fit_models
from synthetic_corpus import tiny_codebook, two_topic_documents


@pytest.fixture(scope="module")
def processed():
    return process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))


def test_best_match_jaccard():
    assert best_match_jaccard([{"a", "b"}, {"c"}], [{"c"}, {"a", "b"}]) == 1.0
    assert best_match_jaccard([{"a", "b"}], [{"a", "c"}]) == 1 / 3


@pytest.mark.parametrize("backend", ["tomotopy", "gensim"])
def test_parallel_grid_equals_serial_and_picks_two_topics(processed, backend):
    prototype = LdaTopicModel(passes=5, iterations=50, backend=backend)
    serial = select_n_topics(prototype, processed, [2, 3], [0, 1], n_jobs=1)
    parallel = select_n_topics(prototype, processed, [2, 3], [0, 1], n_jobs=2)
    pd.testing.assert_frame_equal(serial.table, parallel.table)
    assert serial.reason == parallel.reason
    assert (serial.model.components_ == parallel.model.components_).all()
    pd.testing.assert_frame_equal(serial.model.doc_topics(), parallel.model.doc_topics())
    assert list(serial.table.columns) == ["model", "k", "seed", "c_npmi", "c_v", "stability", "diversity", "chosen"]
    nmf = select_n_topics(NmfTopicModel(), processed, [2, 4], [0, 1])
    assert nmf.chosen_k == 2 and "K=2" in nmf.reason


def test_the_reported_model_is_the_grids_fit_of_the_chosen_k_with_the_first_seed(processed):
    selection = select_n_topics(LdaTopicModel(passes=30), processed, [2, 3], [5, 6], n_jobs=1)
    assert selection.model.n_topics == selection.chosen_k and selection.model.random_state == 5
    row = selection.table[selection.table["chosen"] & (selection.table["seed"] == 5)]
    assert row["c_npmi"].item() == float(np.nanmean(selection.model.coherence_))


def test_every_grid_seed_derives_from_the_master_seed(processed):
    settings = ModelSettings(models=("lda", "nmf"), k_grid=(2, 3), passes=20, n_jobs=1)
    run = fit_models(processed, tiny_codebook(), settings, random_state=7, progress=False)
    assert run.resolved["derived_seeds"]["k_grid_seeds"] == [7, 8, 9] and sorted(set(run.selection["seed"])) == [7, 8, 9]
    assert run.models["lda"].random_state == 7 and run.models["nmf"].random_state == 7
    assert run.resolved["models"]["lda"] == {"passes": 20}  # tomotopy: no variational iterations


def test_the_grid_shows_its_fits_done_and_the_time_left(processed, capsys):
    select_n_topics(LdaTopicModel(passes=5), processed, [2, 3], [0, 1], n_jobs=1, progress=True)
    bar = capsys.readouterr().err
    assert "lda K grid" in bar and "4/4" in bar and "<" in bar  # tqdm: done/total [elapsed<remaining]

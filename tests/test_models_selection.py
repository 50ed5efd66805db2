import pandas as pd

from hkasean.models.lda import LdaTopicModel
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.selection import best_match_jaccard, select_n_topics
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents


def test_best_match_jaccard():
    assert best_match_jaccard([{"a", "b"}, {"c"}], [{"c"}, {"a", "b"}]) == 1.0
    assert best_match_jaccard([{"a", "b"}], [{"a", "c"}]) == 1 / 3


def test_parallel_grid_equals_serial_and_picks_two_topics():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False))
    prototype = LdaTopicModel(passes=5, iterations=50)
    serial = select_n_topics(prototype, processed, [2, 3], [0, 1], n_jobs=1)
    parallel = select_n_topics(prototype, processed, [2, 3], [0, 1], n_jobs=2)
    pd.testing.assert_frame_equal(serial.table, parallel.table)
    assert serial.reason == parallel.reason
    assert list(serial.table.columns) == ["model", "k", "seed", "c_npmi", "c_v", "stability", "diversity", "chosen"]
    nmf = select_n_topics(NmfTopicModel(), processed, [2, 4], [0, 1])
    assert nmf.chosen_k == 2 and "K=2" in nmf.reason

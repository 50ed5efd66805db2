import numpy as np

from hkasean.models.seeded_lda import SeededLdaTopicModel
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents


def test_seeded_topics_attract_their_seed_words():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False, normalizer="none"))
    model = SeededLdaTopicModel(n_free_topics=1, passes=10, iterations=50).fit(processed)
    topics = model.topics().set_index("topic")
    assert list(topics["mapped_theme"]) == ["shipping", "farming", ""]
    terms = model.top_terms(10)
    assert {"vessel", "cargo", "port"} <= set(terms[terms["topic"] == "seeded_lda_0"]["term"])
    assert {"wheat", "harvest", "tractor"} <= set(terms[terms["topic"] == "seeded_lda_1"]["term"])
    themes = model.doc_themes().query("present == 1")
    assert set(themes[themes["theme"] == "shipping"]["doc_id"]) == {d for d in processed.doc_ids if d.startswith("ship")}


def test_prior_boosts_seeds_and_stems_and_keeps_the_rest_small():
    processed = process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False, normalizer="none"))
    model = SeededLdaTopicModel(n_free_topics=1, seed_boost=10.0, stem_share=0.5, seed_background=0.01)
    model.theme_ids_ = list(processed.theme_ids)
    vocabulary = sorted({t for tokens in processed for t in tokens} | {"origin"})
    eta = model._eta(processed, vocabulary)
    column = {t: i for i, t in enumerate(vocabulary)}
    assert eta[0, column["vessel"]] == 10.0 and eta[1, column["wheat"]] == 10.0
    assert eta[1, column["origin"]] == 5.0 and eta[0, column["wheat"]] == 0.01
    assert np.allclose(eta[2], 1 / 3)

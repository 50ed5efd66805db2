import numpy as np
import pandas as pd

from hkasean.models.seeded_lda import SHARE_GRID, SeededLdaTopicModel
from hkasean.models.text import TextSettings, process_documents
from hkasean.seeds import derived_seed
from synthetic_corpus import tiny_codebook, two_topic_documents

FAST = dict(n_free_topics=1, iterations=200, n_chains=2)


def processed_docs():
    return process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False, normalizer="none"))


def labels_for(doc_ids):
    ship = [int(d.startswith("ship")) for d in doc_ids]
    return pd.DataFrame({"shipping": ship, "farming": [1 - s for s in ship]}, index=pd.Index(doc_ids, name="doc_id"))


def test_seeded_topics_attract_their_seed_words():
    processed = processed_docs()
    model = SeededLdaTopicModel(**FAST).fit(processed)
    topics = model.topics().set_index("topic")
    assert list(topics["mapped_theme"]) == ["shipping", "farming", ""]
    terms = model.top_terms(10)
    assert {"vessel", "cargo", "port"} <= set(terms[terms["topic"] == "seeded_lda_0"]["term"])
    assert {"wheat", "harvest", "tractor"} <= set(terms[terms["topic"] == "seeded_lda_1"]["term"])
    themes = model.doc_themes().query("present == 1")
    assert set(themes[themes["theme"] == "shipping"]["doc_id"]) == {d for d in processed.doc_ids if d.startswith("ship")}
    assert "fold" not in model.doc_themes() and model.thresholds().empty  # no labels: fixed threshold


def test_seed_topic_map_has_fixed_indices_whatever_the_seed():
    processed = processed_docs()
    for seed in (0, 5):
        table = SeededLdaTopicModel(**FAST, random_state=seed).fit(processed).seed_topic_map()
        assert list(table["theme"]) == ["shipping", "farming", ""]
        assert list(table["topic_index"]) == [0, 1, 2] and list(table["topic"]) == ["seeded_lda_0", "seeded_lda_1", "seeded_lda_2"]
        assert {"vessel", "cargo", "port"} <= set(table["seed_words"].iloc[0].split("; "))
        assert table["n_seed_words"].iloc[2] == 0


def test_priors_boost_seeds_and_stems_in_their_topic_only():
    processed = processed_docs()
    model = SeededLdaTopicModel(n_free_topics=1, seed_boost=2.0, stem_share=0.5, seed_background=0.01)
    priors = model.word_priors(processed, {"vessel", "wheat", "origin", "lorry"})
    assert priors["vessel"] == [2.0, 0.01, 0.01] and priors["wheat"] == [0.01, 2.0, 0.01]
    assert priors["origin"] == [0.01, 1.0, 0.01]  # a stem of "rules of origin"
    assert "lorry" not in priors  # every other word keeps the symmetric eta


def test_thresholds_are_learned_on_training_folds_and_deterministic():
    processed = processed_docs()
    labelled = processed.doc_ids[:-2]
    first = SeededLdaTopicModel(**FAST, n_folds=3).fit(processed, labels_for(labelled))
    second = SeededLdaTopicModel(**FAST, n_folds=3).fit(processed, labels_for(labelled))
    pd.testing.assert_frame_equal(first.doc_themes(), second.doc_themes())
    themes = first.doc_themes()
    assert set(themes.loc[themes["fold"] == -1, "doc_id"]) == set(processed.doc_ids[-2:])
    assert set(themes.loc[themes["fold"] >= 0, "doc_id"]) == set(labelled)
    thresholds = first.thresholds()
    assert list(thresholds.query("theme == 'shipping'")["fold"]) == [0, 1, 2, -1]
    assert thresholds["threshold"].isin(SHARE_GRID).all() and (thresholds["model"] == "seeded_lda").all()
    merged = themes.merge(labels_for(processed.doc_ids).reset_index().melt("doc_id", var_name="theme", value_name="truth"))
    assert (merged["present"] == merged["truth"]).all()  # two disjoint vocabularies: perfectly separable
    assert np.allclose(first.doc_topic_.sum(axis=1), 1.0)


def test_chain_shares_computed_in_chunks_equal_the_whole_matrix_formula(monkeypatch):
    """The chains' unit shares are summed a chunk of units at a time, in place; the result is exactly the mean over
    chains of each chain's whole (n_units x K) share matrix, empty units uniform."""
    import dataclasses

    import hkasean.models.seeded_lda as seeded_lda

    processed = processed_docs()
    tokens = [[] if i % 5 == 0 else list(t) for i, t in enumerate(processed.tokens)]  # some empty units
    processed = dataclasses.replace(processed, tokens=tokens)
    whole = SeededLdaTopicModel(n_free_topics=2, iterations=50, n_chains=3).fit(processed)
    monkeypatch.setattr(seeded_lda, "SHARE_CHUNK", 4)
    chunked = SeededLdaTopicModel(n_free_topics=2, iterations=50, n_chains=3).fit(processed)
    assert np.array_equal(chunked.doc_topic_, whole.doc_topic_)

    model = SeededLdaTopicModel(n_free_topics=2, iterations=50, n_chains=3)
    model.theme_ids_, model.iterations_ = list(processed.theme_ids), 50
    vocabulary = sorted(processed.dictionary().token2id)
    priors, n_topics = model.word_priors(processed, set(vocabulary)), 4
    matrices, reference_weights = [], None
    for c in range(3):
        chain = model._chain(processed, vocabulary, priors, n_topics, derived_seed(None, c))  # the chains' seeds
        order = model._match_free_topics(reference_weights, chain.weights) if c else list(range(n_topics))
        reference_weights = chain.weights if c == 0 else reference_weights
        full = np.full((len(processed), n_topics), 1.0 / n_topics)
        full[chain.fitted] = (chain.counts[:, order] + model.alpha) / (chain.lengths[:, None] + model.alpha * n_topics)
        matrices.append(full)
    expected, _, _ = SeededLdaTopicModel(n_free_topics=2, iterations=50, n_chains=3)._fit_units(processed)
    assert np.array_equal(expected, np.mean(matrices, axis=0))
    assert np.array_equal(expected[[i for i, t in enumerate(tokens) if not t]], np.full((len(tokens[::5]), n_topics), 0.25))


def test_chains_wait_for_memory_and_the_shares_do_not_change(caplog):
    """Under a memory budget too small for two chains at once, they run one after another (logged, recorded as
    ``chains_at_once_``); the topic shares are bitwise those of the chains run side by side."""
    processed = processed_docs()
    side_by_side = SeededLdaTopicModel(**FAST, n_jobs=2, memory_mb=100_000).fit(processed)
    with caplog.at_level("INFO", logger="hkasean.models.seeded_lda"):
        one_by_one = SeededLdaTopicModel(**FAST, n_jobs=2, memory_mb=1).fit(processed)
    assert (side_by_side.chains_at_once_, one_by_one.chains_at_once_) == (2, 1)
    assert "1 of 2 chains at a time" in caplog.text and "models.seeded_lda.memory_mb is 1" in caplog.text
    assert np.array_equal(one_by_one.doc_topic_, side_by_side.doc_topic_)
    assert SeededLdaTopicModel(**FAST, n_jobs=1).fit(processed).chains_at_once_ == 1


def test_vote_aggregation_counts_each_units_most_likely_topic():
    processed = processed_docs()
    units = np.full((len(processed.unit_doc_ids), 3), 1 / 3)  # every unit tied: votes for none
    first = processed.unit_doc_ids.index(processed.doc_ids[0])
    units[first] = [0.2, 0.7, 0.1]  # the first document's first unit votes for topic 1
    shares = processed.aggregate_units(units, "vote")
    assert np.allclose(shares[0], [0, 1, 0])  # its other units are tied: the one vote decides
    assert np.allclose(shares[1:], 1 / 3)  # no unit voted: equal shares, never a division by zero


def test_vote_aggregation_finds_the_seeded_themes():
    processed = processed_docs()
    model = SeededLdaTopicModel(**FAST, aggregation="vote").fit(processed)
    shares = model.doc_topics().pivot(index="doc_id", columns="topic", values="score")
    assert np.allclose(shares.sum(axis=1), 1)
    themes = model.doc_themes().query("present == 1")
    assert set(themes[themes["theme"] == "shipping"]["doc_id"]) == {d for d in processed.doc_ids if d.startswith("ship")}

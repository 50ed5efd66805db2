"""Coherence counted with numpy equals gensim's ``CoherenceModel`` on the same texts; ``topics.csv`` says how many
terms each coherence scored."""
from __future__ import annotations

import logging
import random

import numpy as np
import pytest
from gensim.models.coherencemodel import CoherenceModel

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook
from hkasean.models.coherence import scored_terms, topic_coherence
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import resampled_sample_documents


@pytest.fixture(scope="module", params=["sample", "paragraphs"])
def processed(request):
    if request.param == "sample":
        return process_documents(read_documents(sample_corpus_path()), load_codebook())
    return process_documents(resampled_sample_documents(60), load_codebook(), TextSettings(unit="paragraph"))


@pytest.mark.parametrize("measure", ["c_npmi", "c_v"])
def test_coherence_equals_gensims(processed, measure):
    dictionary = processed.dictionary()
    frequent = sorted(dictionary.token2id, key=lambda t: (-dictionary.cfs[dictionary.token2id[t]], t))[:200]
    rng = random.Random(0)
    topics = [rng.sample(frequent, 10) for _ in range(8)] + [frequent[:2], frequent[:3] + ["not-a-token"]]
    ours = topic_coherence(topics, processed, measure)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    known = [[t for t in topic if t in dictionary.token2id] for topic in topics]
    theirs = CoherenceModel(topics=known, texts=processed.coherence_texts(20_000), dictionary=dictionary,
                            coherence=measure, topn=10, processes=1).get_coherence_per_topic()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_a_topic_of_one_known_token_is_nan(processed):
    token = next(iter(processed.dictionary().token2id))
    assert np.isnan(topic_coherence([[token, "not-a-token"]], processed)).all()


def test_scored_terms_counts_the_corpus_tokens_a_coherence_rests_on(processed):
    tokens = list(processed.dictionary().token2id)[:4]
    topics = [tokens, tokens[:3] + ["not-a-token", "a word pair"], [tokens[0], "not-a-token"], []]
    assert scored_terms(topics, processed).tolist() == [4, 3, 0, 0]
    scores = topic_coherence(topics, processed)
    assert not np.isnan(scores[:2]).any() and np.isnan(scores[2:]).all()  # 0 scored terms: no coherence


def test_topics_say_how_many_of_their_top_terms_the_coherence_scored(processed):
    model = DictionaryCoder().fit(processed)
    topics = model.topics()
    assert list(topics.columns) == ["model", "topic", "top_terms", "coherence", "coherence_terms", "mapped_theme"]
    vocabulary = processed.dictionary().token2id
    expected = [sum(t in vocabulary for t in top) for top in model.top_tokens(model.coherence_topn)]
    assert topics["coherence_terms"].tolist() == [n if n >= 2 else 0 for n in expected]
    assert (topics["coherence"].isna() == (topics["coherence_terms"] == 0)).all()
    assert (topics["coherence_terms"] <= topics["top_terms"].str.split("; ").str.len()).all()

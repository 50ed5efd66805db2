"""Topic coherence (gensim ``CoherenceModel``) of term lists on the processed texts."""
from __future__ import annotations

import logging

import numpy as np
from gensim.models.coherencemodel import CoherenceModel

from hkasean.models.settings import ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus

COHERENCE_MEASURES = ("c_npmi", "c_v")


def topic_coherence(topics: list[list[str]], processed: ProcessedCorpus, measure: str = "c_npmi",
                    max_units: int = ModelSettings.coherence_max_units) -> np.ndarray:
    """Coherence of each topic (a list of tokens, best first), shape (n_topics,).

    ``c_npmi`` lies in [-1, 1] (0 = words co-occur as by chance); ``c_v`` in [0, 1]. Both use
    gensim's sliding windows over the processed unit texts, counting co-occurrences of the topic
    words only, in one process. On a large corpus the counts come from a seeded sample of
    ``max_units`` units (``ProcessedCorpus.coherence_texts``): cost is bounded, the estimate
    stable, and every model is scored on the same sample. Tokens missing from the corpus are
    skipped; a topic left with fewer than two tokens gets NaN.
    """
    dictionary = processed.dictionary()
    known = [[t for t in topic if t in dictionary.token2id] for topic in topics]
    scorable = [i for i, topic in enumerate(known) if len(topic) >= 2]
    scores = np.full(len(topics), np.nan)
    if not scorable:
        return scores
    gensim_logger = logging.getLogger("gensim")
    level = gensim_logger.level
    gensim_logger.setLevel(logging.WARNING)
    try:
        model = CoherenceModel(
            topics=[known[i] for i in scorable],
            texts=processed.coherence_texts(max_units),
            dictionary=dictionary,
            coherence=measure,
            topn=max(len(known[i]) for i in scorable),
            processes=1,
        )
        scores[scorable] = model.get_coherence_per_topic()
    finally:
        gensim_logger.setLevel(level)
    return scores

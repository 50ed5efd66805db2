"""Latent Dirichlet allocation with gensim, deterministic (fixed random_state, passes, iterations)."""
from __future__ import annotations

import logging
from typing import Iterator

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from gensim.utils import grouper

from models.base import TopicModel
from models.text import ProcessedCorpus

INFERENCE_CHUNK = 1000


class BowCorpus:
    """The processed units as gensim bag-of-words, streamed (one unit at a time, re-iterable)."""

    def __init__(self, processed: ProcessedCorpus, dictionary: Dictionary) -> None:
        self.processed = processed
        self.dictionary = dictionary

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for tokens in self.processed:
            yield self.dictionary.doc2bow(tokens)

    def __len__(self) -> int:
        return len(self.processed)


class LdaTopicModel(TopicModel):
    """gensim ``LdaModel`` with a symmetric prior, fitted in one process (no ``workers``).

    ``passes`` sweeps over the corpus with at most ``iterations`` variational steps per unit;
    same data + ``random_state`` -> identical topics, and unit topic shares are inferred once,
    right after fitting, so tables never depend on later calls.
    """

    def __init__(
        self,
        n_topics: int = 6,
        passes: int = 20,
        iterations: int = 200,
        theme_threshold: float = 0.25,
        map_min_weight: float = 0.01,
        aggregation: str = "mean",
        coherence_topn: int = 10,
        random_state: int = 0,
        name: str = "lda",
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.theme_threshold = theme_threshold
        self.map_min_weight = map_min_weight
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.random_state = random_state
        self.name = name

    def _eta(self, processed: ProcessedCorpus, vocabulary: list[str]) -> np.ndarray | str:
        """The topic-word prior: symmetric here; seeded LDA overrides it."""
        return "symmetric"

    def _n_components(self) -> int:
        return self.n_topics

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        dictionary = processed.dictionary()
        vocabulary = [dictionary[i] for i in range(len(dictionary))]
        bow = BowCorpus(processed, dictionary)
        gensim_logger = logging.getLogger("gensim")
        level = gensim_logger.level
        gensim_logger.setLevel(logging.WARNING)
        try:
            self.lda_ = LdaModel(
                corpus=bow,
                id2word=dictionary,
                num_topics=self._n_components(),
                alpha="symmetric",
                eta=self._eta(processed, vocabulary),
                passes=self.passes,
                iterations=self.iterations,
                random_state=self.random_state,
                eval_every=None,
                minimum_probability=0.0,
            )
            gammas = [self.lda_.inference([u for u in chunk if u is not None])[0] for chunk in grouper(bow, INFERENCE_CHUNK)]
        finally:
            gensim_logger.setLevel(level)
        unit_topics = np.vstack(gammas)
        unit_topics = unit_topics / unit_topics.sum(axis=1, keepdims=True)
        return unit_topics, self.lda_.get_topics(), vocabulary

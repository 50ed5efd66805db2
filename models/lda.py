"""Latent Dirichlet allocation with gensim, deterministic (fixed random_state, passes, iterations).

The corpus is the processed units' sparse count matrix (``ProcessedCorpus.bow_matrix``, built
once), streamed to gensim in chunks; topic shares are inferred chunk by chunk, so memory holds
the sparse counts, the K x V topics and the n_units x K shares, never a dense units x vocabulary
matrix.
"""
from __future__ import annotations

import logging

import numpy as np
from gensim.matutils import Sparse2Corpus
from gensim.models import LdaModel

from hkasean.corpus.errors import InputError
from hkasean.models.base import TopicModel
from hkasean.models.settings import COHERENCE_TOPN, DEFAULT_N_TOPICS, DEFAULT_RANDOM_STATE, LDA_ALPHAS, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus

INFERENCE_CHUNK = 2000
ALPHAS = LDA_ALPHAS


class LdaTopicModel(TopicModel):
    """gensim ``LdaModel``, fitted in one process (no ``workers``).

    ``passes`` sweeps over the corpus with at most ``iterations`` variational steps per unit.
    Short releases give few words per unit, so the defaults (from ``ModelSettings``, like every
    default here) are generous: many passes and iterations; on a small corpus a fit still takes
    seconds, and topics stop moving between seeds only once the variational updates have
    converged. ``alpha``: "symmetric" (default), "asymmetric" (fixed 1/(k+sqrt(K)) decay) or
    "auto" (learned from the data by a deterministic update); on the 88-document sample "auto"
    did not make topics more stable across seeds.
    Same data + ``random_state`` -> identical topics; unit topic shares are inferred once, right
    after fitting, so tables never depend on later calls.
    """

    def __init__(
        self,
        n_topics: int = DEFAULT_N_TOPICS,
        passes: int = ModelSettings.passes,
        iterations: int = ModelSettings.iterations,
        alpha: str = ModelSettings.lda_alpha,
        theme_threshold: float = ModelSettings.theme_threshold,
        map_min_weight: float = ModelSettings.map_min_weight,
        map_min_lift: float = ModelSettings.map_min_lift,
        aggregation: str = ModelSettings.aggregation,
        coherence_topn: int = COHERENCE_TOPN,
        coherence_max_units: int = ModelSettings.coherence_max_units,
        random_state: int = DEFAULT_RANDOM_STATE,
        name: str = "lda",
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.theme_threshold = theme_threshold
        self.map_min_weight = map_min_weight
        self.map_min_lift = map_min_lift
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def _eta(self, processed: ProcessedCorpus, vocabulary: list[str]) -> np.ndarray | str:
        """The topic-word prior: symmetric here; seeded LDA overrides it."""
        return "symmetric"

    def _n_components(self) -> int:
        return self.n_topics

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        if self.alpha not in ALPHAS:
            raise InputError(f"expected one of {', '.join(ALPHAS)}, got {self.alpha!r}", where=f"{self.name}: alpha")
        dictionary = processed.dictionary()
        vocabulary = [dictionary[i] for i in range(len(dictionary))]
        counts = processed.bow_matrix()
        gensim_logger = logging.getLogger("gensim")
        level = gensim_logger.level
        gensim_logger.setLevel(logging.WARNING)
        try:
            self.lda_ = LdaModel(
                corpus=Sparse2Corpus(counts, documents_columns=False),
                id2word=dictionary,
                num_topics=self._n_components(),
                alpha=self.alpha,
                eta=self._eta(processed, vocabulary),
                passes=self.passes,
                iterations=self.iterations,
                random_state=self.random_state,
                eval_every=None,
                minimum_probability=0.0,
            )
            gammas = [
                self.lda_.inference(list(Sparse2Corpus(counts[start:start + INFERENCE_CHUNK], documents_columns=False)))[0]
                for start in range(0, counts.shape[0], INFERENCE_CHUNK)
            ]
        finally:
            gensim_logger.setLevel(level)
        unit_topics = np.vstack(gammas)
        unit_topics = unit_topics / unit_topics.sum(axis=1, keepdims=True)
        return unit_topics, self.lda_.get_topics(), vocabulary

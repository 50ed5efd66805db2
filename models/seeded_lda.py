"""Seeded (guided) LDA: one topic per codebook theme, attracted to the theme's indicator tokens."""
from __future__ import annotations

import numpy as np

from models.lda import LdaTopicModel
from models.text import ProcessedCorpus


class SeededLdaTopicModel(LdaTopicModel):
    """gensim LDA whose topic-word prior ``eta`` (K x V) favours each theme's indicator tokens.

    Topic k < n_themes belongs to the k-th codebook theme: its prior on the theme's indicator
    tokens (phrase tokens included) is ``seed_boost`` instead of the symmetric 1/K; the
    ``n_free_topics`` extra topics keep the symmetric prior and absorb the rest of the talk.
    The theme <-> topic map is fixed by construction (free topics map to no theme).
    """

    def __init__(
        self,
        n_free_topics: int = 2,
        seed_boost: float = 5.0,
        passes: int = 20,
        iterations: int = 200,
        theme_threshold: float = 0.25,
        aggregation: str = "mean",
        coherence_topn: int = 10,
        random_state: int = 0,
        name: str = "seeded_lda",
    ) -> None:
        self.n_free_topics = n_free_topics
        self.seed_boost = seed_boost
        self.passes = passes
        self.iterations = iterations
        self.theme_threshold = theme_threshold
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.random_state = random_state
        self.name = name

    def _n_components(self) -> int:
        return len(self.theme_ids_) + self.n_free_topics

    def _eta(self, processed: ProcessedCorpus, vocabulary: list[str]) -> np.ndarray:
        index = {token: i for i, token in enumerate(vocabulary)}
        n_topics = self._n_components()
        eta = np.full((n_topics, len(vocabulary)), 1.0 / n_topics)
        for k, tokens in enumerate(processed.theme_seed_tokens().values()):
            ids = sorted(index[t] for t in tokens if t in index)
            eta[k, ids] = self.seed_boost
        return eta

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        self.theme_ids_ = list(processed.theme_ids)
        return super()._fit_units(processed)

    def _map_themes(self, processed: ProcessedCorpus) -> list[str]:
        return list(processed.theme_ids) + [""] * self.n_free_topics

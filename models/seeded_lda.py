"""Seeded (guided) LDA: one topic per codebook theme, attracted to the theme's vocabulary."""
from __future__ import annotations

import numpy as np

from hkasean.models.lda import LdaTopicModel
from hkasean.models.settings import COHERENCE_TOPN, DEFAULT_RANDOM_STATE, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus


class SeededLdaTopicModel(LdaTopicModel):
    """gensim LDA whose topic-word prior ``eta`` (K x V) ties topic k to the k-th codebook theme.

    In the topic of a theme, the prior is ``seed_boost`` on the theme's indicator tokens (phrase
    tokens and single-word indicators), ``seed_boost * stem_share`` on the content-word stems of
    its indicator phrases (``tariff``, ``origin``; weaker evidence than the full phrase) and
    ``seed_background`` on every other word. Indicator phrases are rare, so a boost of a few
    pseudo-counts is drowned by the counts of common words and the topic drifts to generic talk;
    a boost of tens of pseudo-counts and a sparse background keep the topic on its theme. The
    ``n_free_topics`` extra topics keep the symmetric prior 1/K and absorb the rest of the talk
    (trade statistics, travel, ceremonies). The theme <-> topic map is fixed by construction
    (free topics map to no theme).
    """

    def __init__(
        self,
        n_free_topics: int = ModelSettings.n_free_topics,
        seed_boost: float = ModelSettings.seed_boost,
        stem_share: float = ModelSettings.seed_stem_share,
        seed_background: float = ModelSettings.seed_background,
        passes: int = ModelSettings.passes,
        iterations: int = ModelSettings.iterations,
        alpha: str = ModelSettings.lda_alpha,
        theme_threshold: float = ModelSettings.theme_threshold,
        aggregation: str = ModelSettings.aggregation,
        coherence_topn: int = COHERENCE_TOPN,
        coherence_max_units: int = ModelSettings.coherence_max_units,
        random_state: int = DEFAULT_RANDOM_STATE,
        name: str = "seeded_lda",
    ) -> None:
        self.n_free_topics = n_free_topics
        self.seed_boost = seed_boost
        self.stem_share = stem_share
        self.seed_background = seed_background
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.theme_threshold = theme_threshold
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def _n_components(self) -> int:
        return len(self.theme_ids_) + self.n_free_topics

    def _eta(self, processed: ProcessedCorpus, vocabulary: list[str]) -> np.ndarray:
        """K x V prior: seeded rows as in the class docstring, free rows 1/K."""
        index = {token: i for i, token in enumerate(vocabulary)}
        n_topics = self._n_components()
        eta = np.full((n_topics, len(vocabulary)), 1.0 / n_topics)
        seeds = processed.theme_seed_tokens()
        for k, theme in enumerate(self.theme_ids_):
            eta[k] = self.seed_background
            eta[k, sorted(index[t] for t in processed.theme_terms.get(theme, ()) if t in index)] = self.seed_boost * self.stem_share
            eta[k, sorted(index[t] for t in seeds[theme] if t in index)] = self.seed_boost
        return eta

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        self.theme_ids_ = list(processed.theme_ids)
        return super()._fit_units(processed)

    def _map_themes(self, processed: ProcessedCorpus) -> list[str]:
        return list(processed.theme_ids) + [""] * self.n_free_topics

"""Non-negative matrix factorisation of the TF-IDF matrix (scikit-learn), sparse throughout."""
from __future__ import annotations

import numpy as np
from sklearn.decomposition import NMF

from hkasean.models.base import LEXICAL_TOPIC_CONSTRAINTS, TopicModel, rows_to_shares
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN, DEFAULT_N_TOPICS, MAP_MIN_LIFT
from hkasean.models.parameters import SWEEPS
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.tfidf import tfidf_vectorizer
from hkasean.seeds import master_seed


class NmfTopicModel(TopicModel):
    """scikit-learn ``NMF`` (init "nndsvda", ``random_state``) on the units' TF-IDF matrix.

    Unit topic shares are the rows of W scaled to sum to 1; topic term weights the rows of H
    scaled to sum to 1.
    """

    _parameter_constraints = {
        **TopicModel._parameter_constraints,
        **LEXICAL_TOPIC_CONSTRAINTS,
        "max_iter": [SWEEPS],
    }

    def __init__(
        self,
        n_topics: int = DEFAULT_N_TOPICS,
        max_iter: int = 500,
        theme_threshold: float = 0.25,
        map_min_weight: float = 0.01,
        map_min_lift: float = MAP_MIN_LIFT,
        aggregation: str = "mean",
        coherence_topn: int = COHERENCE_TOPN,
        coherence_max_units: int = COHERENCE_MAX_UNITS,
        random_state: int | None = None,
        name: str = "nmf",
    ) -> None:
        self.n_topics = n_topics
        self.max_iter = max_iter
        self.theme_threshold = theme_threshold
        self.map_min_weight = map_min_weight
        self.map_min_lift = map_min_lift
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        self.vectorizer_ = tfidf_vectorizer()
        matrix = self.vectorizer_.fit_transform(iter(processed))
        self.nmf_ = NMF(n_components=self.n_topics, init="nndsvda", max_iter=self.max_iter, random_state=master_seed(self.random_state))
        unit_weights = self.nmf_.fit_transform(matrix)
        vocabulary = [str(t) for t in self.vectorizer_.get_feature_names_out()]
        return rows_to_shares(unit_weights), rows_to_shares(self.nmf_.components_), vocabulary

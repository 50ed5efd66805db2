"""Latent Dirichlet allocation, deterministic per seed, with two engines (``backend``).

- ``tomotopy`` (default): collapsed Gibbs sampling in C++ (SIMD), one worker per fit, so the
  same data and ``random_state`` give the same topics; a run parallelises across fits instead
  (``models.selection``). ``passes`` Gibbs sweeps over every token. Unit topic shares are those
  of the final sample (document-topic counts plus alpha, normalised); a unit without tokens gets
  the normalised alpha.
- ``gensim``: online variational Bayes (``LdaModel``, one process). The corpus is the processed
  units' sparse count matrix (``ProcessedCorpus.bow_matrix``, built once), streamed to gensim in
  chunks; topic shares are inferred chunk by chunk, so memory holds the sparse counts, the K x V
  topics and the n_units x K shares, never a dense units x vocabulary matrix.

Both use the same priors: alpha "symmetric" = 1/K per topic, "asymmetric" = gensim's
1/(k + sqrt(K)) normalised, "auto" = learned (gensim's update; tomotopy's hyperparameter
optimisation every 10 sweeps); eta = 1/K. ``passes`` and ``iterations`` may be "auto": chosen
from the corpus size when fitting (``models.scaling``); the values used are ``passes_`` and
``iterations_``. With those rules tomotopy fitted 2,000 synthetic documents 3.5x faster than gensim;
on 10,000, where gensim's rule drops to 5 passes, about as fast (``benchmarks/RESULTS.md`` section 4).
"""
from __future__ import annotations

import logging

import numpy as np
import tomotopy as tp
from gensim.matutils import Sparse2Corpus
from gensim.models import LdaModel
from sklearn.utils._param_validation import StrOptions

from hkasean.models.base import LEXICAL_TOPIC_CONSTRAINTS, TopicModel, rows_to_shares
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN, DEFAULT_N_TOPICS, LDA_ALPHAS, LDA_BACKENDS, MAP_MIN_LIFT
from hkasean.models.parameters import AUTO, SWEEPS
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.scaling import Auto, corpus_size, resolve_iterations, resolve_passes
from hkasean.seeds import master_seed

INFERENCE_CHUNK = 2000
HYPERPARAMETER_INTERVAL = 10
"""tomotopy with alpha "auto": sweeps between updates of the document-topic prior."""


def alpha_prior(alpha: str, n_topics: int) -> np.ndarray:
    """The starting document-topic prior per topic: 1/K, or gensim's asymmetric 1/(k + sqrt(K)) normalised."""
    if alpha == "asymmetric":
        prior = 1.0 / (np.arange(n_topics) + np.sqrt(n_topics))
        return prior / prior.sum()
    return np.full(n_topics, 1.0 / n_topics)


class LdaTopicModel(TopicModel):
    """LDA fitted by ``backend`` ("tomotopy" or "gensim", module docstring), one seeded worker per fit.

    ``passes``: sweeps over the corpus (tomotopy: Gibbs sweeps; gensim: online passes with at
    most ``iterations`` variational steps per unit; ``iterations`` is unused by tomotopy).
    ``alpha``: "symmetric" (default), "asymmetric" or "auto" (learned); on the 88-document sample
    "auto" did not make topics more stable across seeds. Allowed values: ``_parameter_constraints``, checked by ``fit``.
    Same data + ``random_state`` + backend -> identical topics; unit topic shares are computed
    once, right after fitting, so tables never depend on later calls.
    """

    _parameter_constraints = {
        **TopicModel._parameter_constraints,
        **LEXICAL_TOPIC_CONSTRAINTS,
        "passes": [AUTO, SWEEPS],
        "iterations": [AUTO, SWEEPS],
        "alpha": [StrOptions(set(LDA_ALPHAS))],
        "backend": [StrOptions(set(LDA_BACKENDS))],
    }

    def __init__(
        self,
        n_topics: int = DEFAULT_N_TOPICS,
        passes: int | Auto = "auto",
        iterations: int | Auto = "auto",
        alpha: str = "symmetric",
        backend: str = "tomotopy",
        theme_threshold: float = 0.25,
        map_min_weight: float = 0.01,
        map_min_lift: float = MAP_MIN_LIFT,
        aggregation: str = "mean",
        coherence_topn: int = COHERENCE_TOPN,
        coherence_max_units: int = COHERENCE_MAX_UNITS,
        random_state: int | None = None,
        name: str = "lda",
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.backend = backend
        self.theme_threshold = theme_threshold
        self.map_min_weight = map_min_weight
        self.map_min_lift = map_min_lift
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        n_units, n_tokens = corpus_size(processed)
        self.passes_ = resolve_passes(self.passes, self.backend, n_units, n_tokens)
        self.iterations_ = resolve_iterations(self.iterations, n_units) if self.backend == "gensim" else None  # tomotopy: unused
        dictionary = processed.dictionary()
        vocabulary = [dictionary[i] for i in range(len(dictionary))]
        fit = self._fit_tomotopy if self.backend == "tomotopy" else self._fit_gensim
        unit_topics, components = fit(processed, vocabulary)
        return unit_topics, components, vocabulary

    def _fit_tomotopy(self, processed: ProcessedCorpus, vocabulary: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Gibbs sampling with tomotopy: (n_units x K shares, K x V term weights in ``vocabulary`` order)."""
        alpha = alpha_prior(self.alpha, self.n_topics)
        model = tp.LDAModel(k=self.n_topics, alpha=alpha.tolist(), eta=1.0 / self.n_topics, seed=master_seed(self.random_state))
        model.optim_interval = HYPERPARAMETER_INTERVAL if self.alpha == "auto" else 0
        added = np.array([model.add_doc(tokens) is not None for tokens in processed], dtype=bool)
        model.train(self.passes_, workers=1)
        unit_topics = np.tile(np.asarray(model.alpha, dtype=float), (len(added), 1))
        unit_topics[added] = np.array([doc.get_topic_dist() for doc in model.docs], dtype=float)
        position = {word: i for i, word in enumerate(model.used_vocabs)}
        order = np.array([position[word] for word in vocabulary])
        components = np.array([model.get_topic_word_dist(k) for k in range(self.n_topics)], dtype=float)[:, order]
        return rows_to_shares(unit_topics), rows_to_shares(components)

    def _fit_gensim(self, processed: ProcessedCorpus, vocabulary: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Online variational Bayes with gensim: (n_units x K shares, K x V term weights in ``vocabulary`` order)."""
        counts = processed.bow_matrix()
        gensim_logger = logging.getLogger("gensim")
        level = gensim_logger.level
        gensim_logger.setLevel(logging.WARNING)
        try:
            self.lda_ = LdaModel(
                corpus=Sparse2Corpus(counts, documents_columns=False),
                id2word=processed.dictionary(),
                num_topics=self.n_topics,
                alpha=self.alpha,
                eta="symmetric",
                passes=self.passes_,
                iterations=self.iterations_,
                random_state=master_seed(self.random_state),
                eval_every=None,
                minimum_probability=0.0,
            )
            gammas = [
                self.lda_.inference(list(Sparse2Corpus(counts[start:start + INFERENCE_CHUNK], documents_columns=False)))[0]
                for start in range(0, counts.shape[0], INFERENCE_CHUNK)
            ]
        finally:
            gensim_logger.setLevel(level)
        return rows_to_shares(np.vstack(gammas)), self.lda_.get_topics()

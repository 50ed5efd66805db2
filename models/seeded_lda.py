"""Keyword-assisted (seeded) LDA: one topic per codebook theme, seeded through word priors, fitted on
short units (sentences by default), with a presence threshold learned on training folds.

The anchors: keyword-assisted topic models (Eshima, Imai & Sasaki 2024) and seeded LDA on sentences
(Watanabe & Baturo 2023) recover human topic codes far better than plain LDA. Here tomotopy's
collapsed Gibbs LDA takes a word prior per topic (``set_word_prior``): a theme's indicator tokens
get ``seed_boost`` in the theme's topic and ``seed_background`` in every other topic, the content
stems of its indicator phrases ``seed_boost * stem_share``; every other word keeps the symmetric
``eta``. Topic k < n_themes serves the k-th theme, always (fixed indices, ``seed_topic_map``);
the ``n_free_topics`` after them absorb the subjects that frame nothing.
"""
from __future__ import annotations

import itertools
import logging
from array import array
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
import tomotopy as tp
from joblib import Parallel, delayed, effective_n_jobs
from scipy.optimize import linear_sum_assignment
from sklearn.utils._param_validation import Interval

from hkasean import contract
from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.models.base import TopicModel
from hkasean.models.decision_folds import (THRESHOLD_COLUMNS, best_f1_threshold, fold_doc_themes, outer_splits,
                                           predictions_frame, validate_labels)
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN, MAX_CHAINS, MAX_MEMORY_MB, MAX_PRIOR, MAX_TOPICS
from hkasean.models.parameters import AUTO, N_FOLDS, N_JOBS, SHARE, SWEEPS
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.scaling import (Auto, corpus_size, resolve_chains, resolve_chains_at_once, resolve_seeded_iterations,
                                    seeded_chain_memory_mb)
from hkasean.seeds import derived_seed

logger = logging.getLogger(__name__)

SHARE_GRID: tuple[float, ...] = tuple(round(0.01 * i, 2) for i in range(1, 10)) + tuple(round(0.1 + 0.025 * i, 3) for i in range(29))
"""Candidate thresholds on a document's share of a seeded topic: 0.01, ..., 0.09, 0.100, 0.125, ..., 0.800."""

SHARE_CHUNK = 100_000
"""Units whose topic counts or shares are computed at a time: on a large corpus no n_units x K temporary is made."""

PRIOR = Interval(Real, 0, MAX_PRIOR, closed="right")
"""A Dirichlet prior or a seed word prior: positive, at most ``MAX_PRIOR``."""


@dataclass(frozen=True)
class ChainCounts:
    """What one Gibbs chain hands back, compact: per non-empty unit (positions ``fitted`` in the corpus, token counts
    ``lengths``) its tokens on each topic (``counts``, n_fitted x K unsigned integers), and the K x V topic-word
    weights (rows sum to 1). The shares are computed from them by the process that averages the chains."""

    counts: np.ndarray
    fitted: np.ndarray
    lengths: np.ndarray
    weights: np.ndarray


class SeededLdaTopicModel(TopicModel):
    """tomotopy LDA whose word priors tie topic k to the k-th codebook theme (module docstring).

    ``n_chains`` Gibbs chains (seeds ``hkasean.seeds.derived_seed(random_state, c)``: the seed, the seed + 1, ...) of ``iterations``
    sweeps each, one worker per chain (deterministic), ``n_jobs`` chains at once, fewer when their estimated memory
    together would exceed ``memory_mb`` (``models.scaling.resolve_chains_at_once``; the number used is
    ``chains_at_once_``, and the shares do not depend on it); their unit-topic
    shares and topic-word weights are averaged, the free topics of each chain first matched to the
    first chain's (Hungarian, on topic-word similarity). A document's share of a topic is the mean
    over its units. ``iterations`` and ``n_chains`` may be ``"auto"``: chosen from the corpus size
    (``models.scaling``); the values used are ``iterations_`` and ``chains_``.

    Without labels a document carries a theme when its share of the theme's topic is at least
    ``theme_threshold``. With labels (``fit(processed, labels)``) the threshold is learned: each
    labelled document is decided by the F1-best ``SHARE_GRID`` threshold of the other folds
    (stratified, ``n_folds``; its ``fold`` in ``doc_themes()``), the unlabelled ones by the
    threshold of all labelled documents (``fold = -1``, never scored); ``thresholds()`` lists
    them. The topics themselves never see a label.
    """

    _parameter_constraints = {
        **TopicModel._parameter_constraints,
        "n_free_topics": [Interval(Integral, 0, MAX_TOPICS, closed="both")],
        "seed_boost": [PRIOR],
        "stem_share": [SHARE],
        "seed_background": [PRIOR],
        "alpha": [PRIOR],
        "eta": [PRIOR],
        "iterations": [AUTO, SWEEPS],
        "n_chains": [AUTO, Interval(Integral, 1, MAX_CHAINS, closed="both")],
        "n_folds": N_FOLDS,
        "n_jobs": N_JOBS,
        "memory_mb": [Interval(Integral, 1, MAX_MEMORY_MB, closed="both")],
    }

    def __init__(
        self,
        n_free_topics: int = 10,
        seed_boost: float = 1.0,
        stem_share: float = 0.5,
        seed_background: float = 0.01,
        alpha: float = 0.1,
        eta: float = 0.01,
        iterations: int | Auto = "auto",
        n_chains: int | Auto = "auto",
        n_folds: int = 5,
        theme_threshold: float = 0.25,
        aggregation: str = "mean",
        coherence_topn: int = COHERENCE_TOPN,
        coherence_max_units: int = COHERENCE_MAX_UNITS,
        n_jobs: int = -1,
        memory_mb: int = 3000,
        random_state: int | None = None,
        name: str = "seeded_lda",
    ) -> None:
        self.n_free_topics = n_free_topics
        self.seed_boost = seed_boost
        self.stem_share = stem_share
        self.seed_background = seed_background
        self.alpha = alpha
        self.eta = eta
        self.iterations = iterations
        self.n_chains = n_chains
        self.n_folds = n_folds
        self.theme_threshold = theme_threshold
        self.aggregation = aggregation
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.n_jobs = n_jobs
        self.memory_mb = memory_mb
        self.random_state = random_state
        self.name = name

    def word_priors(self, processed: ProcessedCorpus, vocabulary: set[str]) -> dict[str, list[float]]:
        """Token -> its prior in each of the K topics, for every seed token of ``vocabulary`` (other words: ``eta``).

        A token that seeds several themes keeps the prior of the first theme whose indicator it is, else of
        the first whose stems hold it.
        """
        n_topics = len(processed.theme_ids) + self.n_free_topics
        priors: dict[str, list[float]] = {}
        seeds = processed.theme_seed_tokens()
        for strength, tokens_of in ((self.seed_boost, lambda theme: seeds[theme]),
                                    (self.seed_boost * self.stem_share, lambda theme: processed.theme_terms.get(theme, ()))):
            for k, theme in enumerate(processed.theme_ids):
                for token in sorted(set(tokens_of(theme)) & vocabulary):
                    if token not in priors:
                        priors[token] = [self.seed_background] * n_topics
                        priors[token][k] = strength
        return priors

    def _fit_units(self, processed: ProcessedCorpus) -> tuple[np.ndarray, np.ndarray, list[str]]:
        self.theme_ids_ = list(processed.theme_ids)
        n_topics = len(self.theme_ids_) + self.n_free_topics
        vocabulary = sorted(processed.dictionary().token2id)  # every token of the units (the dictionary filters none)
        priors = self.word_priors(processed, set(vocabulary))
        self.seed_words_ = {theme: sorted(t for t, prior in priors.items() if int(np.argmax(prior)) == k)
                            for k, theme in enumerate(self.theme_ids_)}
        n_units, n_tokens = corpus_size(processed)
        self.iterations_ = resolve_seeded_iterations(self.iterations, n_tokens)
        self.chains_ = resolve_chains(self.n_chains, n_tokens, self.iterations_)
        self.chains_at_once_ = self._chains_at_once(n_units, n_tokens, n_topics)
        self.chain_seeds_ = [derived_seed(self.random_state, c) for c in range(self.chains_)]
        chains = Parallel(n_jobs=self.chains_at_once_, return_as="generator")(
            delayed(self._chain)(processed, vocabulary, priors, n_topics, seed) for seed in self.chain_seeds_)
        shares, components = None, []
        for chain in chains:  # one chain at a time: its shares are added to the sum, then it is let go
            order = self._match_free_topics(components[0], chain.weights) if components else list(range(n_topics))
            components.append(chain.weights[order])
            shares = self._add_chain_shares(shares, chain, order, len(processed))
        shares /= len(components)  # the mean over chains, exactly as np.mean(axis=0) computes it
        return shares, np.mean(components, axis=0), vocabulary

    def _chains_at_once(self, n_units: int, n_tokens: int, n_topics: int) -> int:
        """Chains to run at once: ``n_jobs``, fewer when their estimated memory together exceeds ``memory_mb`` (logged)."""
        jobs, chain_mb = effective_n_jobs(self.n_jobs), seeded_chain_memory_mb(n_units, n_tokens, n_topics)
        at_once = resolve_chains_at_once(jobs, self.chains_, chain_mb, self.memory_mb)
        if at_once < min(jobs, self.chains_):
            logger.info("seeded LDA: %d of %d chains at a time: each needs about %.0f MB and models.seeded_lda.memory_mb is %d",
                        at_once, self.chains_, chain_mb, self.memory_mb)
        return at_once

    def _chain(self, processed: ProcessedCorpus, vocabulary: list[str], priors: dict[str, list[float]], n_topics: int,
               seed: int) -> "ChainCounts":
        """One Gibbs chain: each non-empty unit's token count per topic and the K x V topic-word weights."""
        model = tp.LDAModel(k=n_topics, alpha=self.alpha, eta=self.eta, seed=seed, tw=tp.TermWeight.ONE)
        fitted = array("q")
        for u, tokens in enumerate(processed):
            if tokens:
                model.add_doc(tokens)
                fitted.append(u)
        for token, prior in priors.items():
            model.set_word_prior(token, prior)
        model.train(self.iterations_, workers=1)
        counts = np.zeros((len(fitted), n_topics), dtype=np.uint32)
        lengths = np.zeros(len(fitted), dtype=np.int64)
        documents = iter(model.docs)
        for start in range(0, len(fitted), SHARE_CHUNK):  # a chunk of units at a time: no n_units x K temporaries
            topics = [document.topics for document in itertools.islice(documents, SHARE_CHUNK)]
            size = len(topics)
            lengths[start:start + size] = [len(t) for t in topics]
            cells = np.repeat(np.arange(size) * n_topics, lengths[start:start + size]) + np.concatenate(topics).astype(np.int64)
            counts[start:start + size] = np.bincount(cells, minlength=size * n_topics).reshape(size, n_topics)
        column = {token: i for i, token in enumerate(model.used_vocabs)}
        index = [column[token] for token in vocabulary]
        weights = np.array([model.get_topic_word_dist(k)[index] for k in range(n_topics)], dtype=float)
        return ChainCounts(counts, np.frombuffer(fitted, dtype=np.int64), lengths, weights / weights.sum(axis=1, keepdims=True))

    def _add_chain_shares(self, total: np.ndarray | None, chain: "ChainCounts", order: list[int], n_units: int) -> np.ndarray:
        """``total`` plus the chain's n_units x K unit-topic shares (its topics in ``order``; ``total`` None: the shares
        alone). A unit's share of a topic is (its tokens on the topic + alpha) / (its tokens + alpha x K); an empty
        unit's is uniform. Added a chunk of units at a time, in place, with the same floating-point operations as
        adding the whole matrices."""
        n_topics = len(order)
        if total is None:
            total = np.full((n_units, n_topics), 1.0 / n_topics)
            assign = True
        else:
            unfitted = np.ones(n_units, dtype=bool)
            unfitted[chain.fitted] = False
            total[unfitted] += 1.0 / n_topics
            assign = False
        for start in range(0, len(chain.fitted), SHARE_CHUNK):
            rows = slice(start, start + SHARE_CHUNK)
            shares = (chain.counts[rows][:, order] + self.alpha) / (chain.lengths[rows, None] + self.alpha * n_topics)
            if assign:
                total[chain.fitted[rows]] = shares
            else:
                total[chain.fitted[rows]] += shares
        return total

    def _match_free_topics(self, reference: np.ndarray, weights: np.ndarray) -> list[int]:
        """Topic order of a chain that puts its free topics where the reference chain's most similar ones are."""
        n_seeded = len(self.theme_ids_)
        similarity = _unit_rows(reference[n_seeded:]) @ _unit_rows(weights[n_seeded:]).T
        _, match = linear_sum_assignment(similarity, maximize=True)
        return list(range(n_seeded)) + [n_seeded + int(j) for j in match]

    def _map_themes(self, processed: ProcessedCorpus) -> list[str]:
        return list(processed.theme_ids) + [""] * self.n_free_topics

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "SeededLdaTopicModel":
        """Fit the topics on ``processed`` (no label used); with ``labels`` (index doc_id, a 0/1 column per
        theme) learn each theme's share threshold on training folds (class docstring); return self."""
        super().fit(processed)
        self.predictions_ = None
        if labels is not None:
            self._learn_thresholds(validate_labels(labels, self.theme_ids_))
        return self

    def _learn_thresholds(self, labels: pd.DataFrame) -> None:
        scores = self.theme_scores()
        row = {doc_id: d for d, doc_id in enumerate(self.doc_ids_)}
        labelled = [d for d in self.doc_ids_ if d in labels.index]
        unlabelled = [d for d in self.doc_ids_ if d not in labels.index]
        rows, choices = [], []
        for j, theme in enumerate(self.theme_ids_):
            y = labels.loc[labelled, theme].to_numpy()
            theme_scores = scores[[row[d] for d in labelled], j]
            for fold, (train, test) in enumerate(outer_splits(y, self.n_folds, self.random_state, self.name, theme)):
                threshold, f1 = best_f1_threshold(y[train], theme_scores[train], SHARE_GRID)
                choices.append((theme, fold, threshold, f1, f"F1-best share on {len(train)} training docs"))
                rows.extend((labelled[i], theme, float(theme_scores[i]), fold, threshold) for i in test)
            if 0 < y.sum() < len(y):
                threshold, f1 = best_f1_threshold(y, theme_scores, SHARE_GRID)
                choices.append((theme, FINAL_MODEL_FOLD, threshold, f1, f"F1-best share on all {len(y)} labelled docs"))
                rows.extend((d, theme, float(scores[row[d], j]), FINAL_MODEL_FOLD, threshold) for d in unlabelled)
        self.predictions_ = predictions_frame(rows, self.doc_ids_, self.theme_ids_)
        self.thresholds_ = pd.DataFrame(choices, columns=THRESHOLD_COLUMNS)

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (share of the theme's topic, 0..1), present; with labels also fold.

        Without labels present = score >= ``theme_threshold``. With labels: fold >= 0 rows are decided by
        a threshold learned without the document's label; fold = -1 rows (unlabelled documents) by the
        threshold of all labelled ones.
        """
        if self.predictions_ is None:
            return super().doc_themes()
        return fold_doc_themes(self.predictions_, self.name)

    def thresholds(self) -> pd.DataFrame:
        """model, theme, fold, threshold (share 0..1), inner_f1 (training F1 at it), note: empty without labels."""
        if self.predictions_ is None:
            return pd.DataFrame(columns=contract.SUPERVISED_THRESHOLDS.column_list)
        frame = self.thresholds_.copy()
        frame.insert(0, "model", self.name)
        return frame

    def seed_topic_map(self) -> pd.DataFrame:
        """model, theme, topic, topic_index, n_seed_words, seed_words: the fixed theme -> topic map and the
        seed words (indicator tokens and stems, readable forms) whose prior ties the topic to the theme."""
        rows = [
            (self.name, theme, self.topic_labels_[k], k, len(words), "; ".join(self.surface_forms_.get(t, t) for t in words))
            for k, theme in enumerate(self.theme_ids_)
            for words in [sorted(self.seed_words_[theme])]
        ]
        rows += [(self.name, "", self.topic_labels_[k], k, 0, "") for k in range(len(self.theme_ids_), len(self.topic_labels_))]
        return pd.DataFrame(rows, columns=contract.SEED_TOPIC_MAP.column_list)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with every row scaled to unit length (cosine similarity is then a dot product)."""
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

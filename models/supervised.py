"""The supervised coder: logistic regression per theme on word n-grams and dictionary hits, reported by
cross-validation only.

``SupervisedCoder`` reads TF-IDF word 1..n-grams of each document plus the dictionary coder's hits
(``models.dictionary_coder.feature_tokens``: indicators found as phrases and the sentence scores of
their stems) and, when the corpus it is fitted on carries them (``models.coder_features.CoderCorpus``), a topic
model's document shares, counted once per fit (``models.coder_features``). The folds and thresholds follow
``models.decision_folds``; the per-theme fits are done by ``models.theme_learning``, which the ensemble coder
(``models.ensemble``) shares.
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, StrOptions

from hkasean.models.base import EVIDENCE_COLUMNS, ZooModel
from hkasean.models.coder_features import CoderCorpus, HitColumns, readable_term
from hkasean.models.decision_folds import fold_doc_themes, tuned_choice, usable_folds
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN, MAX_INVERSE_REGULARISATION, MAX_NGRAMS
from hkasean.models.parameters import N_FOLDS, N_JOBS, RANDOM_STATE, SHARE
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.theme_learning import Decision, LearnedThemes, learn_together

PREDICT_BATCH = 5_000
"""Default ``batch_size``: documents scored per batch (the unlabelled ones are streamed from the corpus in batches)."""


class SupervisedCoder(ZooModel):
    """One TF-IDF + ``LogisticRegression`` (balanced classes, liblinear) per theme.

    Features: TF-IDF (sublinear tf) of the document's word 1..``ngrams``-grams and log(1 + count) of its
    feature tokens (``dict:<theme>`` per indicator found as the phrase, ``dict~stems:<theme>`` per
    point of its sentence score, and when ``fit`` is given a ``CoderCorpus`` with topic shares ``topic:<topic>``
    per tenth of its share of a topic), so every theme's hits inform every theme's model.

    Labelled documents are scored only by cross-validation (``StratifiedKFold`` with ``n_folds``
    shuffled folds, the idf learned inside every fold), so every reported score comes from a
    model that never saw the document; ``doc_themes()`` carries the ``fold`` (0..n_folds-1). A
    theme with fewer positives (or negatives) than folds uses as many folds as it can (>= 2), with
    a warning; below 2 it is not cross-validated (warning, no rows). A final model fitted on all
    labelled documents scores the unlabelled ones, with ``fold = -1``: never use those for scoring.

    ``threshold``: a probability (fixed decision threshold) or ``"cv"``: inside each outer training
    fold an inner stratified CV (same seed, min(n_folds, positives, negatives) folds) gives
    out-of-fold probabilities of the training documents only, and the ``THRESHOLD_GRID`` value with
    the best F1 on them (ties: closest to 0.5) decides the outer test fold; the final model's
    threshold is chosen the same way on all labelled documents. With fewer than 2 positives (or
    negatives) to tune on, 0.5 is kept. ``thresholds()`` records every choice. ``batch_size``:
    documents scored at a time (the unlabelled ones are streamed from the corpus in batches).
    ``n_jobs``: themes learned at once (joblib processes, as liblinear seeds one C random generator per
    process; -1: every core, 1: serial). The ensemble coder learns a supervised coder in its own pass
    (``EnsembleCoder.supervised_``); the learning curve refits the outer folds on subsamples
    (``models.theme_learning.fold_scores``).
    """

    _parameter_constraints = {
        **ZooModel._parameter_constraints,
        "C": [Interval(Real, 0, MAX_INVERSE_REGULARISATION, closed="right")],
        "n_folds": N_FOLDS,
        "threshold": [StrOptions({"cv"}), SHARE],
        "ngrams": [Interval(Integral, 1, MAX_NGRAMS, closed="both")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": N_JOBS,
        "random_state": RANDOM_STATE,
    }

    def __init__(self, C: float = 1.0, n_folds: int = 5, threshold: float | str = "cv", ngrams: int = 2,
                 batch_size: int = PREDICT_BATCH, coherence_topn: int = COHERENCE_TOPN,
                 coherence_max_units: int = COHERENCE_MAX_UNITS, n_jobs: int = -1, random_state: int | None = None,
                 name: str = "supervised") -> None:
        self.C = C
        self.n_folds = n_folds
        self.threshold = threshold
        self.ngrams = ngrams
        self.batch_size = batch_size
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.name = name

    def fit(self, processed: ProcessedCorpus | CoderCorpus, labels: pd.DataFrame | None = None) -> SupervisedCoder:
        """Cross-validate and fit per theme on the labelled documents of ``processed`` (a processed corpus, or a
        ``CoderCorpus`` whose topic shares are read as features beside the words); return self.

        ``labels``: index doc_id, one 0/1 column per theme (required: ``InputError`` without)."""
        self._validate_params()
        (learned,) = learn_together([self], processed, labels)
        return self._keep(learned, CoderCorpus.of(processed).corpus)

    def decide(self, model: Pipeline, matrix: sparse.csr_matrix, y: np.ndarray, inner: np.ndarray,
               hit_columns: HitColumns) -> Decision:
        """The regression ``model`` (fitted on the feature rows ``matrix``, labels ``y``) at the F1-best threshold of
        its inner out-of-fold probabilities ``inner``."""
        return model, tuned_choice(y, inner, f"inner {usable_folds(y, self.n_folds)}-fold CV on {len(y)} training docs "
                                             f"({int(y.sum())} positive)")

    def _keep(self, learned: LearnedThemes, corpus: ProcessedCorpus) -> SupervisedCoder:
        """Keep what a pass learned for this coder on ``corpus`` (``learned``), then its coherence; return self."""
        self.theme_ids_ = self.topic_labels_ = list(corpus.theme_ids)
        self.topic_themes_ = list(corpus.theme_ids)
        self.doc_ids_ = list(corpus.doc_ids)
        self.feature_names_ = learned.feature_names
        self.training_ids_ = learned.training_ids
        self.final_models_ = learned.final_models
        self.predictions_ = learned.predictions
        self.thresholds_ = learned.thresholds
        self.evidence_ = learned.evidence.assign(model=self.name)[EVIDENCE_COLUMNS]
        self._finish_fit(corpus)
        readable = {term: readable_term(term, self.surface_forms_)
                    for k in range(len(self.theme_ids_)) for term, _ in self._ranked_terms(k)}
        self.surface_forms_.update(readable)  # word pairs and dictionary features of the top terms, readable
        return self

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        model = self.final_models_.get(self.theme_ids_[topic_index])
        if model is None:
            return []
        coef = model.named_steps["logit"].coef_.ravel()
        order = [j for j in np.lexsort((self.feature_names_, -coef)) if coef[j] > 0][:50]
        return [(str(self.feature_names_[j]), float(coef[j])) for j in order]

    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic (= theme id), score (predicted probability, cross-validated for labelled docs)."""
        frame = self.predictions_.rename(columns={"theme": "topic"})
        frame.insert(1, "model", self.name)
        return frame[["doc_id", "model", "topic", "score"]].copy()

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (probability 0..1), present (score >= the fold's threshold), fold.

        fold >= 0: cross-validated prediction (the model never saw the doc); fold = -1: the final
        model's prediction for an unlabelled document (not to be used for scoring). The threshold
        of each theme and fold is in ``thresholds()``.
        """
        return fold_doc_themes(self.predictions_, self.name)

    def thresholds(self) -> pd.DataFrame:
        """model, theme, fold, threshold (probability 0..1), inner_f1 (0..1; NaN if not tuned), note.

        One row per theme and outer fold (0..n_folds-1) plus fold -1 for the final model; the
        threshold of fold f was chosen on the training documents of fold f only.
        """
        frame = self.thresholds_.copy()
        frame.insert(0, "model", self.name)
        return frame

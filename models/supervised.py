"""Supervised coder: TF-IDF + logistic regression per theme, reported by cross-validation only."""
from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel
from hkasean.models.settings import COHERENCE_TOPN, DEFAULT_RANDOM_STATE, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.tfidf import tfidf_vectorizer

logger = logging.getLogger(__name__)

FINAL_MODEL_FOLD = -1
"""``fold`` of predictions made by the model fitted on all labelled documents (unlabelled docs only)."""

NEUTRAL_THRESHOLD = 0.5
"""The threshold kept when it cannot be tuned, and the one preferred among equally good thresholds."""

THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.1 + 0.05 * i, 2) for i in range(17))
"""Candidate probability thresholds of ``threshold="cv"``: 0.10, 0.15, ..., 0.90."""

THRESHOLD_COLUMNS = [c for c in contract.SUPERVISED_THRESHOLDS.columns if c != "model"]

PREDICT_BATCH = 5_000
"""Default ``batch_size``: documents scored per batch (the unlabelled ones are streamed from the corpus in batches)."""


def validate_labels(labels: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """Check a label table (index doc_id, one 0/1 column per theme) and return it as ints.

    Raises ``InputError`` naming the column (and row) at fault.
    """
    for theme in theme_ids:
        if theme not in labels.columns:
            raise InputError(f"missing column {theme!r}; expected one 0/1 column per theme", where="labels")
        values = pd.to_numeric(labels[theme], errors="coerce")
        bad = ~values.isin([0, 1])
        if bad.any():
            row = labels.index[np.flatnonzero(bad.to_numpy())[0]]
            raise InputError(f"expected 0 or 1, got {labels[theme][row]!r}", where=f"labels row {row!r}, column {theme!r}")
    if labels.index.has_duplicates:
        raise InputError(f"duplicate doc_id {labels.index[labels.index.duplicated()][0]!r}", where="labels index")
    return labels[theme_ids].apply(pd.to_numeric).astype(int)


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray, grid: tuple[float, ...] = THRESHOLD_GRID) -> tuple[float, float]:
    """(threshold, F1): the grid threshold whose predictions ``scores >= threshold`` have the best F1.

    ``y_true`` (0/1) and ``scores`` (probabilities) are length-n arrays. Ties go to the threshold
    closest to ``NEUTRAL_THRESHOLD`` (then the lower one), so a flat F1 (e.g. 0 everywhere) keeps 0.5.
    """
    y_true = np.asarray(y_true).astype(bool)
    candidates = sorted(grid, key=lambda t: (round(abs(t - NEUTRAL_THRESHOLD), 9), t))
    predicted = np.asarray(scores)[None, :] >= np.asarray(candidates)[:, None]
    true_pos = (predicted & y_true).sum(axis=1)
    wrong = (predicted != y_true).sum(axis=1)  # false positives + false negatives
    f1 = np.divide(2 * true_pos, 2 * true_pos + wrong, out=np.zeros(len(candidates)), where=(2 * true_pos + wrong) > 0)
    best = int(np.argmax(f1))  # first maximum = closest to 0.5
    return float(candidates[best]), float(f1[best])


@dataclass(frozen=True)
class ThresholdChoice:
    """A theme's decision threshold for one model: the value, the inner cross-validated F1 it reached
    (NaN when not tuned) and a note on how it was chosen."""

    threshold: float
    inner_f1: float
    note: str


def _pipeline(C: float, random_state: int) -> Pipeline:
    return Pipeline(
        [
            ("tfidf", tfidf_vectorizer()),
            ("logit", LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=random_state)),
        ]
    )


class SupervisedCoder(ZooModel):
    """One TF-IDF + ``LogisticRegression`` (balanced classes, liblinear) per theme.

    Labelled documents are scored only by cross-validation (``StratifiedKFold`` with ``n_folds``
    shuffled folds, TF-IDF refitted inside every fold), so every reported score comes from a
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
    """

    def __init__(self, C: float = ModelSettings.supervised_c, n_folds: int = ModelSettings.supervised_folds,
                 threshold: float | str = ModelSettings.supervised_threshold, batch_size: int = PREDICT_BATCH,
                 coherence_topn: int = COHERENCE_TOPN, coherence_max_units: int = ModelSettings.coherence_max_units,
                 random_state: int = DEFAULT_RANDOM_STATE, name: str = "supervised") -> None:
        self.C = C
        self.n_folds = n_folds
        self.threshold = threshold
        self.batch_size = batch_size
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.random_state = random_state
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "SupervisedCoder":
        """Cross-validate and fit per theme on the labelled documents of ``processed``; return self."""
        if labels is None:
            raise InputError("the supervised coder needs labels (a 0/1 column per theme, indexed by doc_id)", where="labels")
        self._check_threshold()
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        labels = validate_labels(labels, self.theme_ids_)
        self.doc_ids_ = list(processed.doc_ids)
        self.surface_forms_ = dict(processed.surface_forms)
        labelled_ids = set(labels.index)
        tokens = {d: t for d, t in zip(self.doc_ids_, processed.document_tokens()) if d in labelled_ids}
        labelled = [d for d in self.doc_ids_ if d in labelled_ids]
        unlabelled = [d for d in self.doc_ids_ if d not in labelled_ids]

        def unlabelled_tokens() -> Iterator[list[str]]:
            """The unlabelled documents' tokens, streamed from the corpus (never all in memory)."""
            return (t for d, t in zip(self.doc_ids_, processed.document_tokens()) if d not in labelled_ids)

        if not labelled:
            raise InputError("no document of the corpus has labels", where="labels index (doc_id)")
        self.training_ids_: dict[str, dict[int, frozenset[str]]] = {}
        self.final_models_: dict[str, Pipeline] = {}
        rows: list[tuple] = []
        evidence: list[tuple] = []
        choices: list[tuple] = []
        for theme in self.theme_ids_:
            y = labels.loc[labelled, theme].to_numpy()
            self.training_ids_[theme] = {}
            for fold, (train, test) in enumerate(self._outer_splits(theme, y)):
                train_ids = [labelled[i] for i in train]
                self.training_ids_[theme][fold] = frozenset(train_ids)
                model, choice = self._fit_with_threshold([tokens[d] for d in train_ids], y[train])
                choices.append((theme, fold, choice.threshold, choice.inner_f1, choice.note))
                test_ids = [labelled[i] for i in test]
                self._predict(model, theme, test_ids, [tokens[d] for d in test_ids], fold, choice.threshold, rows, evidence)
            if 0 < y.sum() < len(y):
                self.final_models_[theme], choice = self._fit_with_threshold([tokens[d] for d in labelled], y)
                choices.append((theme, FINAL_MODEL_FOLD, choice.threshold, choice.inner_f1, choice.note))
                self._predict(self.final_models_[theme], theme, unlabelled, unlabelled_tokens(), FINAL_MODEL_FOLD,
                              choice.threshold, rows, evidence)
        predictions = pd.DataFrame(rows, columns=["doc_id", "theme", "score", "fold", "threshold"])
        order = {d: i for i, d in enumerate(self.doc_ids_)}
        predictions["_doc"] = predictions["doc_id"].map(order)
        predictions["_theme"] = predictions["theme"].map(self.theme_ids_.index)
        self.predictions_ = predictions.sort_values(["_doc", "_theme"]).drop(columns=["_doc", "_theme"]).reset_index(drop=True)
        self.thresholds_ = pd.DataFrame(choices, columns=THRESHOLD_COLUMNS)
        self.evidence_ = pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS)
        self._finish_fit(processed)
        return self

    def _check_threshold(self) -> None:
        valid = self.threshold == "cv" or (
            isinstance(self.threshold, (int, float)) and not isinstance(self.threshold, bool) and 0 <= self.threshold <= 1
        )
        if not valid:
            raise InputError(f"expected 'cv' or a probability between 0 and 1, got {self.threshold!r}",
                             where="supervised coder: threshold")

    def _outer_splits(self, theme: str, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(train, test) index arrays of the outer folds of one theme; none if it cannot be cross-validated."""
        n_folds = min(self.n_folds, int(y.sum()), int(len(y) - y.sum()))
        if n_folds < 2:
            logger.warning("supervised: theme %r has %d positive(s) of %d labelled docs: too few to cross-validate, not scored",
                           theme, int(y.sum()), len(y))
            return []
        if n_folds < self.n_folds:
            logger.warning("supervised: theme %r has too few positives or negatives for %d folds; using %d",
                           theme, self.n_folds, n_folds)
        splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=self.random_state)
        return list(splitter.split(np.zeros(len(y)), y))

    def _fit_with_threshold(self, documents: list[list[str]], y: np.ndarray) -> tuple[Pipeline, ThresholdChoice]:
        """A model fitted on ``documents`` (token lists) and ``y`` (0/1), and its threshold chosen from them alone."""
        model = _pipeline(self.C, self.random_state).fit(documents, y)
        if self.threshold != "cv":
            return model, ThresholdChoice(float(self.threshold), math.nan, "fixed threshold")
        return model, self._inner_cv_threshold(documents, y)

    def _inner_cv_threshold(self, documents: list[list[str]], y: np.ndarray) -> ThresholdChoice:
        """The F1-best threshold on inner out-of-fold probabilities of ``documents`` (the training fold only)."""
        n_positive, n_negative = int(y.sum()), int(len(y) - y.sum())
        n_inner = min(self.n_folds, n_positive, n_negative)
        if n_inner < 2:
            return ThresholdChoice(NEUTRAL_THRESHOLD, math.nan,
                                   f"{n_positive} positive(s), {n_negative} negative(s) to tune on: too few for inner CV, kept 0.5")
        scores = np.empty(len(y))
        splitter = StratifiedKFold(n_splits=n_inner, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(len(y)), y):
            inner = _pipeline(self.C, self.random_state).fit([documents[i] for i in train], y[train])
            scores[test] = inner.predict_proba([documents[i] for i in test])[:, 1]
        threshold, f1 = best_f1_threshold(y, scores)
        note = f"inner {n_inner}-fold CV on {len(y)} training docs ({n_positive} positive)"
        if f1 == 0:
            note += "; F1 is 0 at every threshold, kept 0.5"
        return ThresholdChoice(threshold, f1, note)

    def _predict(self, model: Pipeline, theme: str, doc_ids: list[str], documents: Iterable[list[str]], fold: int,
                 threshold: float, rows: list, evidence: list) -> None:
        """Score ``documents`` (token lists aligned with ``doc_ids``), ``batch_size`` at a time, into ``rows`` and ``evidence``."""
        documents = iter(documents)
        for start in range(0, len(doc_ids), self.batch_size):
            batch_ids = doc_ids[start:start + self.batch_size]
            batch = list(itertools.islice(documents, len(batch_ids)))
            self._predict_batch(model, theme, batch_ids, batch, fold, threshold, rows, evidence)

    def _predict_batch(self, model: Pipeline, theme: str, doc_ids: list[str], documents: list[list[str]], fold: int,
                       threshold: float, rows: list, evidence: list) -> None:
        features = model.named_steps["tfidf"].transform(documents)
        scores = model.named_steps["logit"].predict_proba(features)[:, 1]
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["tfidf"].get_feature_names_out()
        for i, doc_id in enumerate(doc_ids):
            rows.append((doc_id, theme, float(scores[i]), fold, threshold))
            row = features.getrow(i)
            contributions = row.data * coef[row.indices]
            positive = [(c, vocabulary[j]) for c, j in zip(contributions, row.indices) if c > 0]
            top = sorted(positive, key=lambda item: (-item[0], item[1]))[:EVIDENCE_TERMS]
            evidence.append((doc_id, self.name, theme, "; ".join(self.surface_forms_.get(str(t), str(t)) for _, t in top)))

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        model = self.final_models_.get(self.theme_ids_[topic_index])
        if model is None:
            return []
        coef = model.named_steps["logit"].coef_.ravel()
        vocabulary = model.named_steps["tfidf"].get_feature_names_out()
        order = [j for j in np.lexsort((vocabulary, -coef)) if coef[j] > 0][:50]
        return [(str(vocabulary[j]), float(coef[j])) for j in order]

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
        frame = self.predictions_.copy()
        frame.insert(1, "model", self.name)
        frame["present"] = (frame["score"] >= frame["threshold"]).astype(int)
        return frame[["doc_id", "model", "theme", "score", "present", "fold"]]

    def thresholds(self) -> pd.DataFrame:
        """model, theme, fold, threshold (probability 0..1), inner_f1 (0..1; NaN if not tuned), note.

        One row per theme and outer fold (0..n_folds-1) plus fold -1 for the final model; the
        threshold of fold f was chosen on the training documents of fold f only.
        """
        frame = self.thresholds_.copy()
        frame.insert(0, "model", self.name)
        return frame

"""The fold and threshold policy of every model that learns a decision from labels (the supervised and ensemble
coders, the seeded LDA's threshold).

Labels are checked (``validate_labels``), split per theme into stratified outer folds (``outer_splits``) whose
held-out documents are scored by a model of the other folds, and a decision threshold is the F1-best value of
``THRESHOLD_GRID`` on the training documents alone (``best_f1_threshold``, ``tuned_choice``). The predictions carry
their ``fold`` (``predictions_frame``, ``fold_doc_themes``), so only held-out ones are ever scored.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.seeds import master_seed

logger = logging.getLogger(__name__)

NEUTRAL_THRESHOLD = 0.5
"""The threshold kept when it cannot be tuned, and the one preferred among equally good thresholds."""

THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.1 + 0.05 * i, 2) for i in range(17))
"""Candidate probability thresholds of ``threshold="cv"``: 0.10, 0.15, ..., 0.90."""

THRESHOLD_COLUMNS = [c for c in contract.SUPERVISED_THRESHOLDS.columns if c != "model"]


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


def tuned_choice(y: np.ndarray, scores: np.ndarray, note: str) -> ThresholdChoice:
    """The F1-best grid threshold of ``scores`` for labels ``y``, with ``note`` saying what the scores were."""
    threshold, f1 = best_f1_threshold(y, scores)
    if f1 == 0:
        note += "; F1 is 0 at every threshold, kept 0.5"
    return ThresholdChoice(threshold, f1, note)


def usable_folds(y: np.ndarray, n_folds: int) -> int:
    """How many stratified folds the 0/1 labels ``y`` allow: ``n_folds`` at most, and no more than their positives
    or negatives."""
    return min(n_folds, int(y.sum()), int(len(y) - y.sum()))


def stratified_splits(y: np.ndarray, n_splits: int, random_state: int | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of ``n_splits`` shuffled stratified folds of the 0/1 labels ``y``, seeded from the
    master seed of ``random_state``."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=master_seed(random_state))
    return list(splitter.split(np.zeros(len(y)), y))


def outer_splits(y: np.ndarray, n_folds: int, random_state: int | None, who: str, theme: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays of the stratified outer folds of one theme's 0/1 labels ``y``.

    A theme with fewer positives (or negatives) than ``n_folds`` uses as many folds as it can
    (warning); below 2 it is not cross-validated (warning, no folds). ``who`` names the model in the warnings.
    """
    usable = usable_folds(y, n_folds)
    if usable < 2:
        logger.warning("%s: theme %r has %d positive(s) of %d labelled docs: too few to cross-validate, not scored",
                       who, theme, int(y.sum()), len(y))
        return []
    if usable < n_folds:
        logger.warning("%s: theme %r has too few positives or negatives for %d folds; using %d", who, theme, n_folds, usable)
    return stratified_splits(y, usable, random_state)


def in_corpus_order(frame: pd.DataFrame, doc_ids: list[str], theme_ids: list[str], theme_column: str) -> pd.DataFrame:
    """``frame`` (a doc_id column and the theme column ``theme_column``) sorted by corpus, then theme, order."""
    order = (frame["doc_id"].map({d: i for i, d in enumerate(doc_ids)}) * len(theme_ids)
             + frame[theme_column].map(theme_ids.index))
    return frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)


def predictions_frame(rows: list[tuple], doc_ids: list[str], theme_ids: list[str]) -> pd.DataFrame:
    """Prediction rows (doc_id, theme, score, fold, threshold) as a frame in corpus and theme order."""
    return in_corpus_order(pd.DataFrame(rows, columns=["doc_id", "theme", "score", "fold", "threshold"]), doc_ids, theme_ids,
                           "theme")


def fold_doc_themes(predictions: pd.DataFrame, model: str) -> pd.DataFrame:
    """doc_id, model, theme, score, present (score >= the row's threshold), fold: a ``predictions_frame`` as doc_themes."""
    frame = predictions.copy()
    frame.insert(1, "model", model)
    frame["present"] = (frame["score"] >= frame["threshold"]).astype(int)
    return frame[["doc_id", "model", "theme", "score", "present", "fold"]]

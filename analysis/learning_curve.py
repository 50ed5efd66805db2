"""How far would coding more documents help? The learning curve of the coders that learn from the coding.

``models.learning_curve`` gives, for every point, cross-validated predictions in the run's own protocol: in
each outer fold of the run, a coder trained on n documents of the fold's training part (nested random
subsamples, seeded repeats) scores the fold's test documents; the last point trains on each fold's whole
training part and is the run's cross-validated predictions. Here each repeat's predictions, pooled over the
folds (every coded document scored once, as in ``agreement``), get a macro-F1 (the mean of the themes' F1, a
theme skipped when neither the standard nor the model marks any scored document); a subsample point reports
the mean over repeats with a percentile interval over the repeats. The last point's macro-F1 is the run's
cross-validated one (the macro row of ``agreement``, computed from the same predictions); it has one repeat
(its training documents are not drawn), so its interval is the agreement's bootstrap interval over
documents. Every point is scored on the same documents with the same folds: the curve compares like with
like, and ``n_coded`` is the number of documents each fit learned from (the last point: the mean training
part over the themes' folds, rounded).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.agreement import MACRO
from hkasean.analysis.resampling import percentile_interval
from hkasean.analysis.scored_predictions import presence_matrix, require_columns
from hkasean.analysis.validation_settings import DEFAULT_VALIDATION
from hkasean.constants import WHOLE_TRAINING_PART_SIZE

CURVE_COLUMNS = contract.LEARNING_CURVE.column_list
SUBSAMPLES = ("each outer fold's test documents, the fold trained on n_coded random documents of its training part "
              "(nested subsamples); mean and percentile interval over repeats")
WHOLE_TRAINING_PART = ("each outer fold's test documents, the fold trained on its whole training part (n_coded: mean "
                       "over the themes' folds, rounded): the run's cross-validated score; bootstrap interval over documents, "
                       "as in agreement")


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over themes of F1 of n_docs x n_themes 0/1 arrays; a theme with no positive on either side is skipped (NaN if all are)."""
    true_positive = (gold & predicted).sum(axis=0)
    denominator = gold.sum(axis=0) + predicted.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(np.where(denominator > 0, 2 * true_positive / np.maximum(denominator, 1), np.nan)))


def learning_curve_table(curve: pd.DataFrame, agreement: pd.DataFrame, standard: pd.DataFrame,
                         level: float = DEFAULT_VALIDATION.level) -> pd.DataFrame:
    """Macro-F1 against the number of documents a coder was trained on, per model, one protocol for every point.

    ``curve``: ``models.learning_curve.CURVE_COLUMNS`` (size, n_train, repeat, fold, doc_id, theme, present, ...);
    ``agreement``: the agreement table (its macro rows give the last point's bootstrap interval over documents);
    ``standard``: index doc_id, one 0/1 column per theme. Returns the contract's ``learning_curve`` columns,
    models in order of appearance, sizes ascending, each model's whole training part last.
    """
    require_columns(curve, ["model", "size", "n_train", "repeat", "fold", "doc_id", "theme", "present"],
                    "learning curve predictions")
    theme_ids = list(standard.columns)
    records = []
    for model in pd.unique(curve["model"]):
        rows = curve[curve["model"] == model]
        sizes = sorted(pd.unique(rows["size"]), key=lambda size: (size == WHOLE_TRAINING_PART_SIZE, size))
        for size in sizes:
            point = rows[rows["size"] == size]
            scores, n_scored = [], []
            for _, repeat in point.groupby("repeat", sort=True):  # pooled over the folds: each document once
                predicted = presence_matrix(repeat, theme_ids)
                gold = standard.loc[predicted.index, theme_ids].to_numpy(dtype=bool)
                scores.append(macro_f1(gold, predicted.to_numpy(dtype=bool)))
                n_scored.append(len(predicted))
            n_coded = float(point.drop_duplicates(["theme", "fold", "repeat"])["n_train"].mean())
            if size == WHOLE_TRAINING_PART_SIZE:
                macro = agreement[(agreement["model"] == model) & (agreement["theme"] == MACRO)]
                low, high = ((float(macro["f1_low"].iloc[0]), float(macro["f1_high"].iloc[0])) if len(macro)
                             else (float("nan"), float("nan")))
                scoring = WHOLE_TRAINING_PART
            else:
                low, high = percentile_interval(np.asarray(scores), level)
                scoring = SUBSAMPLES
            records.append((model, int(round(n_coded)), len(scores), int(round(np.mean(n_scored))), float(np.nanmean(scores)),
                            low, high, scoring))
    return pd.DataFrame(records, columns=CURVE_COLUMNS)


def still_rising(table: pd.DataFrame, model: str) -> bool | None:
    """True when the model's last point (each fold's whole training part) is above the upper interval bound of the
    point before it (the largest subsample, its interval over repeats), False when it is inside it, None with
    fewer than two points: would training on more documents still help? Both points are scored on the same
    documents with the same folds, so the step compares like with like."""
    rows = table[table["model"] == model].sort_values("n_coded")
    if len(rows) < 2:
        return None
    return bool(rows["macro_f1"].iloc[-1] > rows["macro_f1_high"].iloc[-2])

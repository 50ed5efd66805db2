"""How far would coding more documents help? The learning curve of the coders that learn from the coding.

``models.learning_curve`` trains the supervised and ensemble coders on random subsamples of the
coded documents and predicts the coded documents left out; here each repeat's held-out
predictions get a macro-F1 (the mean of the themes' F1, a theme skipped when neither the standard
nor the model marks any held-out document), and each size its mean over repeats with a
percentile interval over the repeats. The last point, all coded documents, is the run's own
cross-validated agreement (macro row of ``agreement``, bootstrap interval over documents).
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

CURVE_COLUMNS = contract.LEARNING_CURVE.column_list
HELD_OUT = "held-out coded documents; interval over repeats"
CROSS_VALIDATED = "all coded documents, cross-validated; bootstrap interval over documents"


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over themes of F1 of n_docs x n_themes 0/1 arrays; a theme with no positive on either side is skipped (NaN if all are)."""
    true_positive = (gold & predicted).sum(axis=0)
    denominator = gold.sum(axis=0) + predicted.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(np.where(denominator > 0, 2 * true_positive / np.maximum(denominator, 1), np.nan)))


def learning_curve_table(curve: pd.DataFrame, agreement: pd.DataFrame, standard: pd.DataFrame,
                         level: float = DEFAULT_VALIDATION.level) -> pd.DataFrame:
    """Macro-F1 against the number of coded documents a coder learned from, per model.

    ``curve``: DataFrame[model, n_coded, repeat, doc_id, theme, score, present] (held-out predictions);
    ``agreement``: the agreement table (its macro rows give the all-documents point of the curve's
    models); ``standard``: index doc_id, one 0/1 column per theme. Returns the contract's
    ``learning_curve`` columns, models in order of appearance, sizes ascending.
    """
    require_columns(curve, ["model", "n_coded", "repeat", "doc_id", "theme", "present"], "learning curve predictions")
    theme_ids = list(standard.columns)
    records = []
    for model in pd.unique(curve["model"]):
        rows = curve[curve["model"] == model]
        for size in sorted(pd.unique(rows["n_coded"])):
            scores, n_scored = [], []
            for _, repeat in rows[rows["n_coded"] == size].groupby("repeat", sort=True):
                predicted = presence_matrix(repeat, theme_ids)
                gold = standard.loc[predicted.index, theme_ids].to_numpy(dtype=bool)
                scores.append(macro_f1(gold, predicted.to_numpy(dtype=bool)))
                n_scored.append(len(predicted))
            low, high = percentile_interval(np.asarray(scores), level)
            records.append((model, int(size), len(scores), float(np.mean(n_scored)), float(np.nanmean(scores)), low, high, HELD_OUT))
        macro = agreement[(agreement["model"] == model) & (agreement["theme"] == MACRO)]
        for row in macro.itertuples():
            records.append((model, int(row.n), 1, float(row.n), float(row.f1), float(row.f1_low), float(row.f1_high),
                            CROSS_VALIDATED))
    return pd.DataFrame(records, columns=CURVE_COLUMNS)


def still_rising(table: pd.DataFrame, model: str) -> bool | None:
    """True when the model's last point is above the upper interval bound of the point before it, False when it is
    inside it, None with fewer than two points: would coding more still help?"""
    rows = table[table["model"] == model].sort_values("n_coded")
    if len(rows) < 2:
        return None
    return bool(rows["macro_f1"].iloc[-1] > rows["macro_f1_high"].iloc[-2])

"""Mapping unsupervised topics to codebook themes without peeking at the documents scored.

Each coded document's prediction comes from a topic-to-theme map and threshold learned on the
other cross-validation folds only. Within a training set, for every (topic, theme) pair the
threshold on the topic share that maximises F1 is picked from a small grid; topics and themes
are then paired one-to-one by maximum total training F1 (Hungarian assignment), and a pair is
kept only when its training F1 reaches ``min_f1`` (so topics and themes may stay unmapped).
The folds are stratified on the number of themes a document carries and are identical for
every model. A map learned on all coded documents (``full_map``) is for reporting only; it also
predicts documents without a manual coding, marked ``fold = -1`` so they are never scored.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.model_selection import StratifiedKFold

from hkasean import contract
from hkasean.analysis.scored_predictions import require_columns
from hkasean.analysis.validation_settings import DEFAULT_VALIDATION
from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.corpus.errors import InputError
from hkasean.seeds import master_seed

TOPIC_COLUMNS = contract.DOC_TOPICS.column_list
MAP_COLUMNS = contract.TOPIC_THEME_MAP.column_list
PREDICTION_COLUMNS = contract.DOC_THEMES.column_list
FULL_MAP_SCOPE = "in-sample (all coded documents): for reporting only, never for scoring"


@dataclass(frozen=True)
class TopicMapResult:
    """Cross-validated topic-to-theme predictions and the maps behind them.

    ``predictions``: DataFrame[doc_id, model, theme, score (share 0-1 of the mapped topic; NaN
    when the theme is unmapped), present (0/1), fold (-1 = uncoded document, predicted by the
    full map, never scored)]; one row per document, model and theme.
    ``maps``: DataFrame[model, fold, theme, topic, threshold, train_f1], the mapped pairs of each
    fold's training map. ``full_map``: the same columns (fold = -1) plus ``scope``, learned on all
    coded documents, for reporting only. ``folds``: DataFrame[doc_id, fold] of the coded documents.
    """

    predictions: pd.DataFrame
    maps: pd.DataFrame
    full_map: pd.DataFrame
    folds: pd.DataFrame


def assign_folds(standard: pd.DataFrame, n_folds: int, random_state: int | None) -> pd.Series:
    """Seeded stratified folds of the standard's documents: Series doc_id (sorted) -> fold 0..n_folds-1.

    Strata are the number of themes per document, capped at the largest value for which every
    stratum still holds at least ``n_folds`` documents (cap 0 = plain shuffled folds).
    """
    if len(standard) < n_folds:
        raise InputError(f"{len(standard)} coded document(s) cannot be split into {n_folds} folds", where="mapping")
    ordered = standard.sort_index()
    n_themes = ordered.sum(axis=1).to_numpy()
    for cap in range(int(n_themes.max()), -1, -1):
        strata = np.minimum(n_themes, cap)
        if cap == 0 or np.unique(strata, return_counts=True)[1].min() >= n_folds:
            break
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=master_seed(random_state))
    fold = np.empty(len(ordered), dtype=int)
    for number, (_, test) in enumerate(splitter.split(np.zeros(len(ordered)), strata)):
        fold[test] = number
    return pd.Series(fold, index=ordered.index, name="fold")


def learn_topic_map(
    shares: np.ndarray, labels: np.ndarray, thresholds: Sequence[float], min_f1: float
) -> list[tuple[int, int, float, float]]:
    """One-to-one topic-to-theme map from training data.

    ``shares``: n_docs x n_topics topic shares; ``labels``: n_docs x n_themes 0/1. Returns
    ``(topic_index, theme_index, threshold, train_f1)`` for each kept pair, sorted by theme.
    """
    grid = np.asarray(thresholds, dtype=float)
    marked = shares[:, :, None] >= grid[None, None, :]  # docs x topics x thresholds
    true_positive = np.einsum("ntg,nj->tjg", marked.astype(float), labels.astype(float))
    denominator = marked.sum(axis=0)[:, None, :] + labels.sum(axis=0)[None, :, None]
    f1 = np.divide(2 * true_positive, denominator, out=np.zeros_like(true_positive), where=denominator > 0)
    best = f1.argmax(axis=2)  # first maximum: the smallest best threshold
    best_f1 = np.take_along_axis(f1, best[:, :, None], axis=2)[:, :, 0]
    topics, themes = linear_sum_assignment(best_f1, maximize=True)
    pairs = [
        (int(t), int(j), float(grid[best[t, j]]), float(best_f1[t, j]))
        for t, j in zip(topics, themes)
        if best_f1[t, j] >= min_f1 and best_f1[t, j] > 0
    ]
    return sorted(pairs, key=lambda pair: pair[1])


def cross_validated_topic_map(
    doc_topics: pd.DataFrame,
    standard: pd.DataFrame,
    n_folds: int = DEFAULT_VALIDATION.n_folds,
    random_state: int | None = None,
    min_f1: float = DEFAULT_VALIDATION.min_f1,
    thresholds: Sequence[float] = DEFAULT_VALIDATION.thresholds,
) -> TopicMapResult:
    """Map each topic model's topics to themes by cross-validation (see the module docstring).

    ``doc_topics``: DataFrame[doc_id, model, topic, score] (per document the shares of a model
    sum to 1); ``standard``: index doc_id, columns theme ids (0/1).
    """
    require_columns(doc_topics, TOPIC_COLUMNS, "doc_topics")
    repeated = doc_topics.duplicated(["model", "doc_id", "topic"])
    if repeated.any():
        first = doc_topics[repeated].iloc[0]
        raise ValueError(
            f"model {first['model']!r} gives topic {first['topic']!r} twice for document {first['doc_id']!r}"
        )
    theme_ids = list(standard.columns)
    folds = assign_folds(standard.loc[standard.index.isin(doc_topics["doc_id"])], n_folds, random_state)
    predictions, maps, full_maps = [], [], []
    for model in pd.unique(doc_topics["model"]):
        rows = doc_topics[doc_topics["model"] == model]
        shares = rows.pivot(index="doc_id", columns="topic", values="score")
        shares = shares.reindex(columns=pd.unique(rows["topic"])).fillna(0.0).sort_index()
        doc_fold = folds.reindex(shares.index).fillna(FINAL_MODEL_FOLD).astype(int)
        for fold in [*range(n_folds), FINAL_MODEL_FOLD]:
            train = shares.index[(doc_fold != fold) & (doc_fold != FINAL_MODEL_FOLD)]
            pairs = learn_topic_map(
                shares.loc[train].to_numpy(), standard.loc[train, theme_ids].to_numpy(), thresholds, min_f1
            )
            fold_map = pd.DataFrame(
                [(model, fold, theme_ids[j], shares.columns[t], threshold, f1) for t, j, threshold, f1 in pairs],
                columns=MAP_COLUMNS,
            )
            (full_maps if fold == FINAL_MODEL_FOLD else maps).append(fold_map)
            predicted_docs = shares.loc[doc_fold.index[doc_fold == fold]]
            predictions.append(_predict(predicted_docs, fold_map, theme_ids, model, fold))
    full_map = _concat(full_maps, MAP_COLUMNS).assign(scope=FULL_MAP_SCOPE)
    return TopicMapResult(
        predictions=_concat(predictions, PREDICTION_COLUMNS),
        maps=_concat(maps, MAP_COLUMNS),
        full_map=full_map,
        folds=folds.rename_axis("doc_id").reset_index(),
    )


def _predict(shares: pd.DataFrame, fold_map: pd.DataFrame, theme_ids: list[str], model: str, fold: int) -> pd.DataFrame:
    """Rows of ``PREDICTION_COLUMNS`` for ``shares`` (docs x topics) under one fold's map."""
    mapped = fold_map.set_index("theme")
    frames = []
    for theme in theme_ids:
        if theme in mapped.index:
            score = shares[mapped.at[theme, "topic"]].to_numpy(dtype=float)
            present = (score >= mapped.at[theme, "threshold"]).astype(int)
        else:
            score = np.full(len(shares), np.nan)
            present = np.zeros(len(shares), dtype=int)
        frames.append(pd.DataFrame({
            "doc_id": shares.index, "model": model, "theme": theme, "score": score, "present": present, "fold": fold,
        }))
    return _concat(frames, PREDICTION_COLUMNS)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]

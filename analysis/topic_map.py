"""The topic map of LDAvis (Sievert & Shirley 2014): where topics sit, how large they are, which terms are relevant.

Pure numerical functions of a topic model's topic-term weights and the documents' topic shares:
topic prevalence weighted by document length, the intertopic distance map (classical scaling of
Jensen-Shannon distances) and each topic's relevant terms over a grid of relevance weights.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

LAMBDA_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))
"""The relevance weights whose top terms each topic keeps (the page re-ranks them for any lambda in 0..1)."""
RELEVANT_TERMS = 30
"""Terms shown per topic, and kept per lambda of ``LAMBDA_GRID`` (their union is stored)."""


def topic_prevalence(doc_topics: pd.DataFrame, documents: pd.DataFrame | None, model: str,
                     topics: Sequence[str]) -> np.ndarray:
    """Each topic's share of the corpus's words: the documents' topic shares weighted by their length in words
    (``documents.n_words``; equal weights without it), in the order of ``topics``; sums to 1."""
    rows = doc_topics[doc_topics["model"] == model]
    if rows.empty:
        return np.full(len(topics), 1.0 / max(len(topics), 1))
    weights = pd.Series(1.0, index=pd.unique(rows["doc_id"]))
    if documents is not None and "n_words" in documents:
        lengths = pd.to_numeric(documents.set_index("doc_id")["n_words"], errors="coerce")
        weights = lengths.reindex(weights.index).fillna(0).clip(lower=0).astype(float)
        if weights.sum() <= 0:
            weights[:] = 1.0
    mass = (rows["score"].astype(float).to_numpy() * rows["doc_id"].map(weights).fillna(0).to_numpy())
    totals = pd.Series(mass).groupby(rows["topic"].to_numpy()).sum().reindex(list(topics)).fillna(0).to_numpy()
    total = totals.sum()
    return totals / total if total > 0 else np.full(len(topics), 1.0 / max(len(topics), 1))


def topic_positions(weights: np.ndarray) -> np.ndarray:
    """K x 2 coordinates of the topics: classical multidimensional scaling (principal coordinates) of the
    Jensen-Shannon distances (base 2, 0..1) between their term distributions, as LDAvis does.

    Deterministic: each axis is signed so that its largest coordinate (in absolute value) is positive.
    Fewer than three topics get the coordinates their distances allow (zeros elsewhere).
    """
    k = weights.shape[0]
    if k == 0:
        return np.zeros((0, 2))
    distances = np.zeros((k, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(weights > 0, np.log2(np.where(weights > 0, weights, 1.0)), 0.0)
        for i in range(k - 1):
            others = weights[i + 1:]
            middle = 0.5 * (weights[i] + others)
            log_middle = np.log2(np.where(middle > 0, middle, 1.0))
            divergence = 0.5 * ((logs[i] - log_middle) @ weights[i]) + 0.5 * ((others * (logs[i + 1:] - log_middle)).sum(axis=1))
            distances[i, i + 1:] = distances[i + 1:, i] = np.sqrt(np.clip(divergence, 0.0, None))
    centring = np.eye(k) - np.full((k, k), 1.0 / k)
    gram = -0.5 * centring @ (distances ** 2) @ centring
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:2]
    coords = np.zeros((k, 2))
    for axis, index in enumerate(order):
        if values[index] > 1e-12:
            column = vectors[:, index] * math.sqrt(values[index])
            if column[np.argmax(np.abs(column))] < 0:
                column = -column
            coords[:, axis] = column
    return coords


def relevant_terms(weights: np.ndarray, marginal: np.ndarray, n_terms: int = RELEVANT_TERMS,
                   lambdas: Sequence[float] = LAMBDA_GRID) -> list[np.ndarray]:
    """Per topic, the indices of every term among its ``n_terms`` most relevant for some lambda of ``lambdas``.

    Relevance (Sievert & Shirley 2014): lambda * log p(w|t) + (1 - lambda) * log(p(w|t) / p(w)). Terms with
    p(w|t) = 0 are never relevant. Ties go to the lower term index.
    """
    kept = []
    log_marginal = np.log(np.where(marginal > 0, marginal, np.finfo(float).tiny))
    for row in weights:
        support = np.flatnonzero(row > 0)
        log_phi = np.log(row[support])
        lift = log_phi - log_marginal[support]
        candidates: set[int] = set()
        for lam in lambdas:
            relevance = lam * log_phi + (1.0 - lam) * lift
            if relevance.size > n_terms:  # the n-th largest value, then every term reaching it (ties kept)
                cut = np.partition(relevance, relevance.size - n_terms)[relevance.size - n_terms]
                near = np.flatnonzero(relevance >= cut)
            else:
                near = np.arange(relevance.size)
            top = near[np.lexsort((support[near], -relevance[near]))][:n_terms]
            candidates.update(int(i) for i in support[top])
        kept.append(np.array(sorted(candidates), dtype=int))
    return kept

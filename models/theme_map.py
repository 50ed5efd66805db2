"""Unsupervised map from topics to codebook themes through the codebook's vocabulary.

A theme's vocabulary is its indicator tokens (``belt_and_road``, ``gateway``) plus the stems of
the content words of its indicator phrases (``tariff``, ``origin`` from ``rules of origin``;
``ProcessedCorpus.theme_vocabulary``), so a topic about tariffs and origin rules can reach
``made_in_hk`` even when the exact phrases are rare. Raw weight shares favour themes with common
words, so the map compares each topic with the average topic (lift). Only the codebook and the
fitted topics are used, never a manual coding.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from hkasean.models.limits import MAP_MIN_LIFT


def theme_weights(components: np.ndarray, vocabulary: list[str], seed_tokens: Mapping[str, set[str]]) -> np.ndarray:
    """n_topics x n_themes: the share of each topic's term weight carried by each theme's tokens.

    ``components`` is n_topics x n_vocabulary with rows summing to 1; themes in ``seed_tokens`` order.
    """
    index = {token: i for i, token in enumerate(vocabulary)}
    columns = []
    for tokens in seed_tokens.values():
        ids = sorted(index[t] for t in tokens if t in index)
        columns.append(components[:, ids].sum(axis=1) if ids else np.zeros(components.shape[0]))
    return np.column_stack(columns) if columns else np.zeros((components.shape[0], 0))


def theme_lift(weights: np.ndarray) -> np.ndarray:
    """n_topics x n_themes: each topic's theme weight divided by the mean over topics (0 where the mean is 0)."""
    mean = weights.mean(axis=0, keepdims=True)
    return np.divide(weights, mean, out=np.zeros_like(weights), where=mean > 0)


def lexical_theme_map(
    components: np.ndarray,
    vocabulary: list[str],
    seed_tokens: Mapping[str, set[str]],
    min_weight: float,
    min_lift: float = MAP_MIN_LIFT,
) -> list[str]:
    """The theme each topic serves, or "" when it serves none.

    A topic serves the theme with the largest lift (its weight share on the theme's tokens over
    the mean share of all topics; ties go to the earlier theme in codebook order), provided the
    lift is at least ``min_lift`` (the topic leans clearly towards the theme, 1.5 = 50% more than
    the average topic) and the share itself at least ``min_weight`` (the theme's words are
    visible in the topic, not a few stray tokens). Several topics may serve one theme.
    """
    weights = theme_weights(components, vocabulary, seed_tokens)
    lift = theme_lift(weights)
    themes = list(seed_tokens)
    mapped = []
    for weight_row, lift_row in zip(weights, lift):
        best = int(np.argmax(lift_row)) if lift_row.size else -1
        serves = best >= 0 and lift_row[best] >= min_lift and weight_row[best] >= min_weight
        mapped.append(themes[best] if serves else "")
    return mapped

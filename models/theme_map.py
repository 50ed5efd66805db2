"""Unsupervised map from topics to codebook themes through the codebook's indicator tokens."""
from __future__ import annotations

from typing import Mapping

import numpy as np


def theme_weights(components: np.ndarray, vocabulary: list[str], seed_tokens: Mapping[str, set[str]]) -> np.ndarray:
    """n_topics x n_themes: the share of each topic's term weight carried by each theme's indicator tokens.

    ``components`` is n_topics x n_vocabulary with rows summing to 1; themes in ``seed_tokens`` order.
    """
    index = {token: i for i, token in enumerate(vocabulary)}
    columns = []
    for tokens in seed_tokens.values():
        ids = sorted(index[t] for t in tokens if t in index)
        columns.append(components[:, ids].sum(axis=1) if ids else np.zeros(components.shape[0]))
    return np.column_stack(columns) if columns else np.zeros((components.shape[0], 0))


def lexical_theme_map(
    components: np.ndarray, vocabulary: list[str], seed_tokens: Mapping[str, set[str]], min_weight: float
) -> list[str]:
    """The theme each topic serves, or "" when none reaches ``min_weight``.

    A topic serves the theme whose indicator tokens carry the largest share of its term weight
    (ties go to the earlier theme in codebook order), provided that share is at least
    ``min_weight``. Only the codebook is used, never a manual coding.
    """
    weights = theme_weights(components, vocabulary, seed_tokens)
    themes = list(seed_tokens)
    mapped = []
    for row in weights:
        best = int(np.argmax(row)) if row.size else -1
        mapped.append(themes[best] if best >= 0 and row[best] >= min_weight else "")
    return mapped

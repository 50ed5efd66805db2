"""Seeded bootstrap helpers shared by the agreement, prevalence and correlation tables."""
from __future__ import annotations

import zlib

import numpy as np


def bootstrap_indices(n: int, n_boot: int, random_state: int | np.random.Generator) -> np.ndarray:
    """``n_boot x n`` array of row indices drawn with replacement (seeded, reproducible)."""
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    return rng.integers(0, n, size=(n_boot, n))


def percentile_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates, ignoring NaN replicates; (nan, nan) if none."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return (float(low), float(high))


def keyed_generator(random_state: int, *key: str) -> np.random.Generator:
    """A generator seeded by ``random_state`` and a text key (e.g. source, theme, period).

    Each cell of a table gets its own stream, so adding rows to a table leaves the other rows'
    random draws (and hence their intervals and p-values) unchanged.
    """
    spawn_key = tuple(zlib.crc32(part.encode("utf-8")) for part in key)
    return np.random.default_rng(np.random.SeedSequence(random_state, spawn_key=spawn_key))

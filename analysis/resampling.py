"""Seeded bootstrap helpers shared by the agreement, prevalence and correlation tables."""
from __future__ import annotations

import numpy as np

from hkasean.seeds import random_generator


def bootstrap_indices(n: int, n_boot: int, random_state: int | np.random.Generator | None) -> np.ndarray:
    """``n_boot x n`` array of row indices drawn with replacement (seeded, reproducible)."""
    rng = random_state if isinstance(random_state, np.random.Generator) else random_generator(random_state)
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

"""Agreement statistics for 0/1 decisions, vectorised over bootstrap resamples.

Every function takes a ``weights`` matrix of shape ``n_resamples x n_units``: how many times each
unit (document, or document-theme decision) appears in each resample. A row of ones is the
original sample, so the point estimate and the bootstrap replicates share one formula. Undefined
values (zero denominators) come back as NaN.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from hkasean.analysis.resampling import bootstrap_indices
from hkasean.seeds import random_generator


def resample_weights(n: int, n_boot: int, random_state: int | np.random.Generator | None) -> np.ndarray:
    """``n_boot x n`` counts of each unit in each seeded bootstrap resample (rows sum to ``n``)."""
    draws = bootstrap_indices(n, n_boot, random_state)
    offsets = np.arange(n_boot)[:, None] * n
    counts = np.bincount((draws + offsets).ravel(), minlength=n_boot * n)
    return counts.reshape(n_boot, n).astype(float)


def weight_chunks(
    n: int, n_boot: int, random_state: int | np.random.Generator | None, max_cells: int = 4_000_000
) -> Iterator[np.ndarray]:
    """The sample's weights row, then the ``n_boot`` resample rows in chunks of at most ``max_cells`` cells.

    Memory stays bounded however many documents there are; the rows are the same as
    ``resample_weights`` (one seeded generator drawn chunk after chunk).
    """
    yield identity_weights(n)
    rng = random_state if isinstance(random_state, np.random.Generator) else random_generator(random_state)
    rows_per_chunk = max(1, max_cells // max(n, 1))
    for start in range(0, n_boot, rows_per_chunk):
        yield resample_weights(n, min(rows_per_chunk, n_boot - start), rng)


def identity_weights(n: int) -> np.ndarray:
    """``1 x n`` weights of the original sample."""
    return np.ones((1, n))


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def confusion_counts(reference: np.ndarray, rated: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Weighted ``tp, fp, fn, tn`` (each of length ``n_resamples``) of ``rated`` against ``reference``."""
    reference = np.asarray(reference, dtype=bool)
    rated = np.asarray(rated, dtype=bool)
    return {
        "tp": weights @ (reference & rated),
        "fp": weights @ (~reference & rated),
        "fn": weights @ (reference & ~rated),
        "tn": weights @ (~reference & ~rated),
    }


def precision(counts: dict[str, np.ndarray]) -> np.ndarray:
    """tp / (tp + fp); NaN when nothing is rated positive."""
    return _divide(counts["tp"], counts["tp"] + counts["fp"])


def recall(counts: dict[str, np.ndarray]) -> np.ndarray:
    """tp / (tp + fn); NaN when the reference has no positive."""
    return _divide(counts["tp"], counts["tp"] + counts["fn"])


def f1(counts: dict[str, np.ndarray]) -> np.ndarray:
    """2 tp / (2 tp + fp + fn), symmetric in the two raters; NaN when neither rates anything positive."""
    return _divide(2 * counts["tp"], 2 * counts["tp"] + counts["fp"] + counts["fn"])


def percent_agreement(counts: dict[str, np.ndarray]) -> np.ndarray:
    """Share of units on which the two raters agree (0-1)."""
    total = counts["tp"] + counts["fp"] + counts["fn"] + counts["tn"]
    return _divide(counts["tp"] + counts["tn"], total)


def cohen_kappa(counts: dict[str, np.ndarray]) -> np.ndarray:
    """Cohen's kappa (po - pe) / (1 - pe); NaN when pe == 1 (both raters constant and equal)."""
    total = counts["tp"] + counts["fp"] + counts["fn"] + counts["tn"]
    observed = _divide(counts["tp"] + counts["tn"], total)
    share_reference = _divide(counts["tp"] + counts["fn"], total)
    share_rated = _divide(counts["tp"] + counts["fp"], total)
    expected = share_reference * share_rated + (1 - share_reference) * (1 - share_rated)
    return _divide(observed - expected, 1 - expected)


def krippendorff_alpha_binary(ratings: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha (nominal) for 0/1 ratings, ``n_units x n_raters`` with NaN for missing.

    alpha = 1 - (n - 1) * sum_u [n_u0 n_u1 / (m_u - 1)] / (n_0 n_1), over units with m_u >= 2
    ratings (n = pairable values, n_c = pairable values equal to c). NaN when only one value occurs.
    """
    ratings = np.asarray(ratings, dtype=float)
    rated = ~np.isnan(ratings)
    pairable = rated.sum(axis=1) >= 2
    per_unit = np.where(pairable, rated.sum(axis=1), 0).astype(float)
    ones = np.where(pairable, (rated & (ratings == 1)).sum(axis=1), 0).astype(float)
    zeros = per_unit - ones
    disagreement = np.nan_to_num(_divide(ones * zeros, per_unit - 1.0))
    n_values = weights @ per_unit
    n_ones = weights @ ones
    n_zeros = weights @ zeros
    observed = weights @ disagreement
    return 1 - _divide((n_values - 1) * observed, n_ones * n_zeros)

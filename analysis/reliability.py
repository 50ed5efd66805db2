"""Inter-coder reliability of the manual coding: percent agreement, Cohen's kappa, Krippendorff's alpha.

Reliability is computed among the independent coders only (never ``gold``: it is adjudicated from
them). Conventions:

- With two coders, kappa is Cohen's kappa; with more, the mean of the pairwise Cohen's kappas
  (``kappa_method`` says which). Percent agreement and positive agreement are pairwise means too.
  A pair is compared on the documents both coded.
- ``positive_agreement`` is 2 n11 / (2 n11 + n10 + n01): the F1 of one coder against the other
  (symmetric), the human ceiling for the models' F1.
- Alpha is Krippendorff's nominal alpha over all coders (missing ratings allowed), computed with
  the ``krippendorff`` package; bootstrap replicates use the same formula vectorised.
- When every decision of a theme has the same value (e.g. nobody codes the theme), chance
  agreement is 1 and kappa and alpha are undefined: they are NaN, and ``note`` says why. Bootstrap
  resamples in which a statistic is undefined are dropped from its interval.
- The ``overall`` row pools all theme decisions (units = document x theme); its bootstrap resamples
  documents, keeping each document's decisions together.
"""
from __future__ import annotations

import itertools
import warnings

import krippendorff
import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis import binary_statistics as stats
from hkasean.analysis.coding import GOLD, Coding
from hkasean.analysis.resampling import percentile_interval
from hkasean.analysis.validation_settings import DEFAULT_VALIDATION
from hkasean.corpus.errors import InputError

OVERALL = "overall"
RELIABILITY_COLUMNS = contract.RELIABILITY.column_list


def krippendorff_alpha(ratings: np.ndarray) -> float:
    """Nominal Krippendorff's alpha of ``n_units x n_raters`` ratings (NaN = missing); NaN if one value only."""
    ratings = np.asarray(ratings, dtype=float)
    try:
        return float(krippendorff.alpha(reliability_data=ratings.T, level_of_measurement="nominal"))
    except ValueError:  # a single value in the whole table: expected disagreement is zero
        return float("nan")


def reliability_table(
    coding: Coding,
    n_boot: int = DEFAULT_VALIDATION.n_boot,
    random_state: int | None = None,
    level: float = DEFAULT_VALIDATION.level,
) -> pd.DataFrame:
    """Reliability of the independent coders, one row per theme plus an ``overall`` row.

    Returns DataFrame[theme, coders ("coder_a+coder_b"), n (units rated by >= 2 coders: documents,
    or document-theme decisions for ``overall``), percent_agreement (0-1), kappa, alpha,
    kappa_low, kappa_high, alpha_low, alpha_high (percentile bootstrap over documents at ``level``),
    positive_agreement (0-1), kappa_method, note]. Raises ``InputError`` with fewer than two
    non-gold coders.
    """
    coders = coding.independent_coders
    if len(coders) < 2:
        raise InputError(
            f"reliability needs at least two coders besides '{GOLD}'; found {', '.join(coders) or 'none'}",
            path=coding.path or None,
        )
    rows = coding.long[coding.long["coder"].isin(coders)]
    cube = rows.pivot_table(index="doc_id", columns=["theme", "coder"], values="value", aggfunc="first")
    doc_ids = cube.index
    per_theme = {theme: cube[theme].reindex(columns=list(coders)).to_numpy(dtype=float) for theme in coding.theme_ids}
    units = {theme: (ratings, np.arange(len(doc_ids))) for theme, ratings in per_theme.items()}
    units[OVERALL] = (
        np.vstack(list(per_theme.values())),
        np.tile(np.arange(len(doc_ids)), len(per_theme)),
    )
    chunks: dict[str, list[dict[str, np.ndarray]]] = {theme: [] for theme in units}
    for doc_weights in stats.weight_chunks(len(doc_ids), n_boot, random_state):  # bounded memory
        for theme, (ratings, unit_doc) in units.items():
            chunks[theme].append(_replicates(ratings, doc_weights[:, unit_doc], len(coders)))
    records = [
        _reliability_row(theme, units[theme][0], _concatenate(chunks[theme]), coders, level) for theme in units
    ]
    return pd.DataFrame(records, columns=RELIABILITY_COLUMNS)


def _replicates(ratings: np.ndarray, weights: np.ndarray, n_coders: int) -> dict[str, np.ndarray]:
    """Percent agreement, kappa, positive agreement (means over coder pairs) and alpha for each weights row."""
    pairwise: dict[str, list[np.ndarray]] = {"percent": [], "kappa": [], "positive": []}
    for first, second in itertools.combinations(range(n_coders), 2):
        both = ~np.isnan(ratings[:, first]) & ~np.isnan(ratings[:, second])
        counts = stats.confusion_counts(ratings[both, first], ratings[both, second], weights[:, both])
        pairwise["percent"].append(stats.percent_agreement(counts))
        pairwise["kappa"].append(stats.cohen_kappa(counts))
        pairwise["positive"].append(stats.f1(counts))
    values = {key: _mean_over_pairs(pairwise[key]) for key in ("percent", "kappa", "positive")}
    values["alpha"] = stats.krippendorff_alpha_binary(ratings, weights)
    return values


def _concatenate(chunks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([chunk[key] for chunk in chunks]) for key in chunks[0]}


def _reliability_row(
    theme: str, ratings: np.ndarray, replicates: dict[str, np.ndarray], coders: tuple[str, ...], level: float
) -> dict[str, object]:
    """One table row; element 0 of each replicate array is the original sample, the others bootstrap resamples."""
    percent, kappa, positive = replicates["percent"], replicates["kappa"], replicates["positive"]
    alpha = krippendorff_alpha(ratings)
    kappa_low, kappa_high = percentile_interval(kappa[1:], level)
    alpha_low, alpha_high = percentile_interval(replicates["alpha"][1:], level)
    two = len(coders) == 2
    notes = [] if two else [f"kappa is the mean of {len(coders) * (len(coders) - 1) // 2} pairwise Cohen's kappas"]
    if np.isnan(kappa[0]) or np.isnan(alpha):
        notes.append("kappa/alpha undefined: every decision has the same value (chance agreement is 1)")
    return {
        "theme": theme,
        "coders": "+".join(coders),
        "n": int((np.sum(~np.isnan(ratings), axis=1) >= 2).sum()),
        "percent_agreement": float(percent[0]),
        "kappa": float(kappa[0]),
        "alpha": alpha,
        "kappa_low": kappa_low,
        "kappa_high": kappa_high,
        "alpha_low": alpha_low,
        "alpha_high": alpha_high,
        "positive_agreement": float(positive[0]),
        "kappa_method": "cohen" if two else "mean_pairwise_cohen",
        "note": "; ".join(notes),
    }


def _mean_over_pairs(values: list[np.ndarray]) -> np.ndarray:
    """Element-wise mean over coder pairs, ignoring pairs where the statistic is undefined."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all pairs undefined -> NaN, on purpose
        return np.nanmean(np.vstack(values), axis=0)

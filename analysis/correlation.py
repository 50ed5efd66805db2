"""Correlation of theme prevalence with trade series, with permutation p-values and BH q-values.

Every (theme, source) prevalence series is paired with every trade series, for each transform
(``level`` or first ``diff``), lag and method (``pearson`` or ``spearman``). The whole table is one
family for the Benjamini-Hochberg false discovery rate.

Lag convention: ``lag = k`` pairs the theme share of year ``t`` with the trade value of year ``t + k``.
A positive lag asks whether the narrative *leads* trade; a negative lag whether it *follows* trade.

Gaps stay gaps: a pair is used only when both values exist, and a first difference exists only for two
consecutive years that both have a value (a gap breaks the difference). ``n`` counts the pairs used.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np
import pandas as pd
from scipy import stats

from hkasean import contract
from hkasean.analysis.resampling import bootstrap_indices, percentile_interval
from hkasean.seeds import random_generator

CORRELATION_COLUMNS = contract.CORRELATION.column_list
EXACT_MAX_N = 8
"""Up to this many pairs the permutation p-value enumerates all n! permutations."""
MIN_N_COMPUTED = 3
MIN_N_INTERVAL = 4


TRANSFORMS = ("level", "diff")
METHODS = ("pearson", "spearman")


def check_choices(*checks: tuple[str, tuple[str, ...], tuple[str, ...]]) -> None:
    """Raise ``ValueError`` naming the first value not allowed; each check is (name, values, allowed)."""
    for name, values, allowed in checks:
        for value in values:
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


@dataclass(frozen=True)
class CorrelationSettings:
    """Tunable parameters of the theme-trade correlation table (config keys = field names)."""

    lags: tuple[int, ...] = field(default=(-1, 0, 1), metadata={"help": "lags k in years: theme share of year t vs trade of year t+k", "min_items": 1, "at_least": -50, "at_most": 50, "max_items": 101})
    transforms: tuple[str, ...] = field(default=("level", "diff"), metadata={"help": "level and/or first difference (consecutive years only)", "choices": ("level", "diff"), "min_items": 1, "max_items": 2})
    methods: tuple[str, ...] = field(default=("pearson", "spearman"), metadata={"help": "correlation coefficients to compute", "choices": ("pearson", "spearman"), "min_items": 1, "max_items": 2})
    n_perm: int = field(default=10000, metadata={"help": "Monte Carlo permutations when n > 8 (exact enumeration otherwise)", "at_least": 1, "at_most": 1_000_000})
    n_boot: int = field(default=2000, metadata={"help": "bootstrap resamples of the pairs for the interval of r", "at_least": 1, "at_most": 100_000})
    min_n: int = field(default=8, metadata={"help": "fewer pairs than this are marked 'exploratory only'", "at_least": 1, "at_most": 1000})
    level: float = field(default=0.95, metadata={"help": "coverage of the bootstrap interval of r", "above": 0, "below": 1})
    monthly_lags: tuple[int, ...] = field(default=(-3, -2, -1, 0, 1, 2, 3), metadata={"help": "monthly analysis (prevalence.freq: month): lags k in months, theme share of month t vs trade of month t+k", "at_least": -24, "at_most": 24, "min_items": 1, "max_items": 49})
    seasonal: tuple[str, ...] = field(default=("month_of_year",), metadata={"help": "monthly analysis: month_of_year subtracts each calendar month's mean from both series; none leaves them", "choices": ("none", "month_of_year"), "min_items": 1, "max_items": 2})
    block_length: int = field(default=0, metadata={"help": "monthly analysis: block length in months of the block permutation and block bootstrap (0 = automatic rule, see analysis/monthly_correlation.py)", "at_least": 0, "at_most": 240})
    monthly_n_perm: int = field(default=999, metadata={"help": "monthly analysis: block permutations per correlation", "at_least": 1, "at_most": 100_000})
    monthly_n_boot: int = field(default=999, metadata={"help": "monthly analysis: moving-block bootstrap resamples for the interval of r", "at_least": 1, "at_most": 100_000})
    monthly_min_n: int = field(default=24, metadata={"help": "monthly analysis: fewer month pairs than this are marked 'exploratory only'", "at_least": 1, "at_most": 1200})
    min_month_coverage: float = field(default=0.5, metadata={"help": "monthly analysis: below this share of months with a pair, a row is marked 'sparse'", "at_least": 0, "at_most": 1})

    def annual(self) -> dict:
        """The keyword arguments of ``correlation_table`` (the yearly analysis)."""
        return {name: getattr(self, name) for name in ("lags", "transforms", "methods", "n_perm", "n_boot", "min_n", "level")}

    def monthly(self) -> dict:
        """The keyword arguments of ``monthly_correlation_table`` taken from these settings."""
        return {"lags": self.monthly_lags, "transforms": self.transforms, "seasonal": self.seasonal,
                "methods": self.methods, "n_perm": self.monthly_n_perm, "n_boot": self.monthly_n_boot,
                "block_length": self.block_length, "min_n": self.monthly_min_n,
                "min_coverage": self.min_month_coverage, "level": self.level}


def correlation_table(
    prevalence: pd.DataFrame,
    trade_series: pd.DataFrame,
    lags: tuple[int, ...] = CorrelationSettings.lags,
    transforms: tuple[str, ...] = CorrelationSettings.transforms,
    methods: tuple[str, ...] = CorrelationSettings.methods,
    n_perm: int = CorrelationSettings.n_perm,
    n_boot: int = CorrelationSettings.n_boot,
    random_state: int | None = None,
    min_n: int = CorrelationSettings.min_n,
    level: float = CorrelationSettings.level,
) -> pd.DataFrame:
    """Correlate annual theme shares with annual trade series.

    ``prevalence`` is an annual ``prevalence_table`` (period labels ``"2019"``; uses ``theme, source,
    period, share``); ``trade_series`` is ``trade_series_for_correlation`` output (``trade_series, period,
    value``).

    Per row: ``r`` (NaN when n < 3 or a series is constant), a two-sided permutation ``p_value`` of |r|
    (exact over all n! permutations when n <= 8, else Monte Carlo with ``n_perm`` draws and the +1
    correction), ``q_value`` (Benjamini-Hochberg over all rows with a p-value), a percentile bootstrap
    interval ``ci_low, ci_high`` over resampled pairs (NaN when n < 4), ``n`` pairs used, and
    ``warning`` ("n < 3: not computed", "n < 8: exploratory only", "constant series: r undefined", or "").

    Returns DataFrame with columns ``CORRELATION_COLUMNS``, one row per
    theme x source x trade_series x transform x lag x method.
    """
    check_choices(("transform", transforms, TRANSFORMS), ("method", methods, METHODS))
    shares = prevalence.assign(year=_annual_periods(prevalence["period"], "prevalence"))
    trade = trade_series.assign(year=_annual_periods(trade_series["period"], "trade_series"))

    rows = []
    for (theme, source), share_rows in shares.groupby(["theme", "source"], sort=True):
        theme_by_year = share_rows.set_index("year")["share"].astype(float)
        for trade_name, trade_rows in trade.groupby("trade_series", sort=True):
            trade_by_year = trade_rows.set_index("year")["value"].astype(float)
            for transform in transforms:
                x_series, y_series = _transformed(theme_by_year, transform), _transformed(trade_by_year, transform)
                for lag in lags:
                    x, y = aligned_pairs(x_series, y_series, lag)
                    for method in methods:
                        key = (theme, source, trade_name, transform, str(lag), method)
                        rng = random_generator(random_state, *key)
                        result = correlation_test(x, y, method, n_perm, n_boot, rng, min_n, level)
                        rows.append(dict(zip(CORRELATION_COLUMNS[:6], (theme, source, trade_name, transform, lag, method))) | result)
    table = pd.DataFrame(rows, columns=CORRELATION_COLUMNS)
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy(dtype=float))
    return table.astype({"n": int, "lag": int})


def _annual_periods(periods: pd.Series, what: str) -> pd.Series:
    text = periods.astype(str)
    if not text.str.fullmatch(r"\d{4}").all():
        bad = text[~text.str.fullmatch(r"\d{4}")].iloc[0]
        raise ValueError(f"{what} periods must be calendar years (YYYY) for the correlation, got {bad!r}")
    return text.astype(int)


def _transformed(by_year: pd.Series, transform: str) -> pd.Series:
    """The series on a complete run of years; ``diff`` is NaN wherever either year is missing."""
    by_year = by_year.groupby(level=0).first()
    if by_year.empty:
        return by_year
    full = by_year.reindex(range(int(by_year.index.min()), int(by_year.index.max()) + 1))
    return full.diff() if transform == "diff" else full


def aligned_pairs(x_by_year: pd.Series, y_by_year: pd.Series, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(x[t], y[t + lag])`` for the years where both exist, in year order."""
    shifted = y_by_year.copy()
    shifted.index = shifted.index - lag  # y of year t+lag now sits at t
    joined = pd.concat([x_by_year.rename("x"), shifted.rename("y")], axis=1).dropna().sort_index()
    return joined["x"].to_numpy(dtype=float), joined["y"].to_numpy(dtype=float)


def correlation_test(
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    n_perm: int,
    n_boot: int,
    rng: np.random.Generator,
    min_n: int = CorrelationSettings.min_n,
    level: float = CorrelationSettings.level,
) -> dict:
    """r, two-sided permutation p-value, bootstrap interval, n and warning for one pair of series.

    Returns a dict with keys ``r, p_value, ci_low, ci_high, n, warning`` (q_value is set over the family).
    """
    n = len(x)
    empty = {"r": np.nan, "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": n}
    if n < MIN_N_COMPUTED:
        return empty | {"warning": f"n < {MIN_N_COMPUTED}: not computed"}
    if method == "spearman":
        x, y = stats.rankdata(x), stats.rankdata(y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return empty | {"warning": "constant series: r undefined"}
    r = float(_pearson_rows(x, y[None, :])[0])
    p_value = permutation_p_value(x, y, r, n_perm, rng)
    ci_low, ci_high = (np.nan, np.nan)
    if n >= MIN_N_INTERVAL:
        draws = bootstrap_indices(n, n_boot, rng)
        replicates = _pearson_paired_rows(x[draws], y[draws], method)
        ci_low, ci_high = percentile_interval(replicates, level)
    warning = f"n < {min_n}: exploratory only" if n < min_n else ""
    return {"r": r, "p_value": p_value, "ci_low": ci_low, "ci_high": ci_high, "n": n, "warning": warning}


def permutation_p_value(x: np.ndarray, y: np.ndarray, r_observed: float, n_perm: int, rng: np.random.Generator) -> float:
    """Two-sided permutation p-value of |r| (Pearson r of ``x`` and ``y``, which may be ranks).

    Exact when ``len(x) <= 8``: the share of all n! permutations of ``y`` whose |r| is at least the
    observed |r| (the identity is one of them, so p >= 1/n!). Otherwise Monte Carlo:
    ``(1 + #{|r_perm| >= |r_obs|}) / (n_perm + 1)``.
    """
    n = len(x)
    if n <= EXACT_MAX_N:
        permuted = y[np.array(list(permutations(range(n))))]
    else:
        permuted = y[np.argsort(rng.random((n_perm, n)), axis=1)]
    r_permuted = _pearson_rows(x, permuted)
    extreme = np.count_nonzero(np.abs(r_permuted) >= abs(r_observed) - 1e-12)
    if n <= EXACT_MAX_N:
        return extreme / math.factorial(n)
    return (1 + extreme) / (n_perm + 1)


def _pearson_rows(x: np.ndarray, y_rows: np.ndarray) -> np.ndarray:
    """Pearson r of ``x`` (length n) with each row of ``y_rows`` (k x n)."""
    xc = x - x.mean()
    yc = y_rows - y_rows.mean(axis=1, keepdims=True)
    return (yc @ xc) / np.sqrt((xc @ xc) * np.einsum("ij,ij->i", yc, yc))


def _pearson_paired_rows(x_rows: np.ndarray, y_rows: np.ndarray, method: str) -> np.ndarray:
    """Row-wise r of two k x n arrays (ranks re-taken per row for Spearman); NaN for constant rows."""
    if method == "spearman":
        x_rows, y_rows = stats.rankdata(x_rows, axis=1), stats.rankdata(y_rows, axis=1)
    xc = x_rows - x_rows.mean(axis=1, keepdims=True)
    yc = y_rows - y_rows.mean(axis=1, keepdims=True)
    denominator = np.sqrt(np.einsum("ij,ij->i", xc, xc) * np.einsum("ij,ij->i", yc, yc))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, np.einsum("ij,ij->i", xc, yc) / denominator, np.nan)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (step-up FDR adjustment); NaN p-values stay NaN and are not counted.

    With the m non-NaN p-values sorted ascending, q_(i) = min over j >= i of p_(j) * m / j, capped at 1.
    """
    p_values = np.asarray(p_values, dtype=float)
    q_values = np.full_like(p_values, np.nan)
    valid = np.flatnonzero(~np.isnan(p_values))
    m = len(valid)
    if m == 0:
        return q_values
    order = valid[np.argsort(p_values[valid], kind="stable")]
    scaled = p_values[order] * m / np.arange(1, m + 1)
    q_values[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q_values

"""Monthly correlation: block inference keeps its size on autocorrelated noise; alignment, seasonality, warnings."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from hkasean import contract
from hkasean.analysis.monthly_correlation import (
    aligned_window, automatic_block_length, block_correlation_test, block_permutation_indices, masked_correlation,
    monthly_correlation_table,
)

SIMULATIONS, MONTHS, PERMUTATIONS = 300, 60, 199


def ar1(rng: np.random.Generator, rows: int, months: int, phi: float) -> np.ndarray:
    noise = rng.normal(size=(rows, months + 50))
    return lfilter([1.0], [1.0, -phi], noise, axis=1)[:, 50:]  # 50 months of burn-in dropped


def test_block_permutation_keeps_its_size_where_the_naive_permutation_does_not():
    """Two independent AR(1) series (phi 0.6): the i.i.d. permutation rejects far too often, the block test near 5%.

    300 replications: a true rate of 5% gives 15 +- 3.8 rejections (binomial SD); the band [1%, 10%] allows
    the block test's known slight liberality at 60 months (about 6-7%) and still catches the naive test (about 17%).
    """
    rng = np.random.default_rng(20240601)
    x, y = ar1(rng, SIMULATIONS, MONTHS, 0.6), ar1(rng, SIMULATIONS, MONTHS, 0.6)
    block = np.array([block_correlation_test(x[i], y[i], "pearson", PERMUTATIONS, 1, np.random.default_rng(i))["p_value"]
                      for i in range(SIMULATIONS)])
    shuffled = np.argsort(rng.random((SIMULATIONS, PERMUTATIONS, MONTHS)), axis=2)
    y_permuted = np.take_along_axis(np.repeat(y[:, None, :], PERMUTATIONS, axis=1), shuffled, axis=2)
    r_permuted = masked_correlation(np.repeat(x[:, None, :], PERMUTATIONS, axis=1).reshape(-1, MONTHS),
                                    y_permuted.reshape(-1, MONTHS), "pearson").reshape(SIMULATIONS, PERMUTATIONS)
    r_observed = masked_correlation(x, y, "pearson")
    naive = (1 + (np.abs(r_permuted) >= np.abs(r_observed)[:, None] - 1e-12).sum(axis=1)) / (PERMUTATIONS + 1)
    block_rate, naive_rate = (block <= 0.05).mean(), (naive <= 0.05).mean()
    assert 0.01 <= block_rate <= 0.10
    assert naive_rate >= 0.11 and naive_rate > block_rate + 0.04


def test_block_permutation_rows_are_permutations_and_keep_blocks():
    indices = block_permutation_indices(23, 5, 50, np.random.default_rng(0))
    assert (np.sort(indices, axis=1) == np.arange(23)).all()
    steps = np.diff(indices[:, :5], axis=1) % 23
    assert (steps == 1).all()  # the first block is 5 consecutive (circular) months


def test_block_length_rule_grows_with_autocorrelation():
    rng = np.random.default_rng(3)
    white = rng.normal(size=(2, 96))
    persistent = ar1(rng, 2, 96, 0.8)
    assert automatic_block_length(*white) <= 6  # ceil(96^(1/3)) = 5 give or take the estimate
    assert automatic_block_length(*persistent) > automatic_block_length(*white)
    assert automatic_block_length(*persistent) <= 96 // 3


def test_lag_alignment_in_months():
    months = pd.period_range("2020-01", periods=6, freq="M")
    x = pd.Series([1.0, 2, 3, 4, 5, 6], index=months)
    y = pd.Series([10.0, 20, 30, 40, 50, 60], index=months)
    x_window, y_window, _ = aligned_window(x, y, lag=2)
    assert list(x_window) == [1, 2, 3, 4] and list(y_window) == [30, 40, 50, 60]  # share of t with trade of t+2


def synthetic(months: int = 72, seasonal_trade: bool = True, sparse: bool = False):
    rng = np.random.default_rng(5)
    periods = pd.period_range("2018-01", periods=months, freq="M")
    season = np.tile(np.arange(12) == 0, months // 12) * 50.0 if seasonal_trade else 0.0
    trade = pd.DataFrame({"trade_series": "t", "period": periods.strftime("%Y-%m"),
                          "value": 100 + rng.normal(size=months) + season})
    share = rng.uniform(size=months)
    docs = np.full(months, 6)
    if sparse:
        empty = np.arange(months) % 3 != 0  # documents in one month of three
        share[empty], docs[empty] = np.nan, 0
    prevalence = pd.DataFrame({"period": periods.strftime("%Y-%m"), "theme": "th", "source": "gold",
                               "share": share, "n_docs": docs})
    return prevalence, trade


def test_table_rows_name_method_inference_and_n_with_bh_over_the_family():
    prevalence, trade = synthetic()
    table = monthly_correlation_table(prevalence, trade, lags=(-1, 0, 1), seasonal=("none", "month_of_year"),
                                      n_perm=99, n_boot=99, random_state=1)
    assert list(table.columns) == contract.MONTHLY_CORRELATION.column_list
    assert len(table) == 2 * 2 * 3 * 2  # transforms x seasonal x lags x methods
    assert table["inference"].str.startswith("circular block permutation").all()
    assert set(table["method"]) == {"pearson", "spearman"} and (table["n"] > 60).all()
    assert table["q_value"].notna().all() and (table["q_value"] >= table["p_value"] - 1e-12).all()
    again = monthly_correlation_table(prevalence, trade, lags=(-1, 0, 1), seasonal=("none", "month_of_year"),
                                      n_perm=99, n_boot=99, random_state=1)
    pd.testing.assert_frame_equal(table, again)  # seeded: identical on a rerun


def test_month_of_year_demeaning_removes_a_fixed_seasonal_pattern():
    prevalence, trade = synthetic()
    january = prevalence["period"].str.endswith("-01")
    prevalence.loc[january, "share"] += 5.0  # the theme peaks every January, as trade does
    table = monthly_correlation_table(prevalence, trade, lags=(0,), transforms=("level",), methods=("pearson",),
                                      seasonal=("none", "month_of_year"), n_perm=99, n_boot=99)
    by_seasonal = table.set_index("seasonal")["r"]
    assert by_seasonal["none"] > 0.9 and abs(by_seasonal["month_of_year"]) < 0.3


def test_sparse_and_short_windows_warn():
    prevalence, trade = synthetic(months=36, sparse=True)
    table = monthly_correlation_table(prevalence, trade, lags=(0,), transforms=("level",), methods=("pearson",),
                                      n_perm=99, n_boot=99)
    warning = table["warning"].iloc[0]
    assert "n < 24: exploratory only" in warning and "sparse: 12 of 36 months" in warning
    with pytest.raises(ValueError, match="months"):
        monthly_correlation_table(prevalence.assign(period="2019"), trade)

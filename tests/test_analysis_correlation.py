"""Permutation p-values, BH q-values and the correlation table on cases with known answers."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.correlation import aligned_pairs, benjamini_hochberg, correlation_table, correlation_test, permutation_p_value


def test_perfect_correlation_exact_p_is_two_over_n_factorial():
    rng = np.random.default_rng(0)
    x = np.arange(5.0)
    result = correlation_test(x, 3 * x + 1, "pearson", n_perm=10, n_boot=50, rng=rng)
    assert result["r"] == pytest.approx(1.0)
    assert result["p_value"] == pytest.approx(2 / math.factorial(5))  # identity and reversal
    assert result["warning"] == "n < 8: exploratory only"


def test_n3_exact_p_by_hand():
    # x=1,2,3 vs y=2,4,6: of the 6 orderings of y only (2,4,6) and (6,4,2) reach |r| = 1 -> p = 2/6
    result = correlation_test(np.array([1.0, 2, 3]), np.array([2.0, 4, 6]), "pearson", 10, 10, np.random.default_rng(0))
    assert result["p_value"] == pytest.approx(1 / 3)
    assert np.isnan(result["ci_low"])  # no interval below n = 4
    assert result["warning"] == "n < 8: exploratory only"


def test_n4_exact_p_by_hand():
    # r(1234, 1243) = 0.8; |r| >= 0.8 for the identity, 3 adjacent swaps, the reversal and its 3 swaps: 8 of 24
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 4, 3])
    assert permutation_p_value(x, y, 0.8, 0, np.random.default_rng(0)) == pytest.approx(8 / 24)


def test_independent_series_not_significant_monte_carlo():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=30), rng.normal(size=30)
    result = correlation_test(x, y, "spearman", n_perm=500, n_boot=200, rng=np.random.default_rng(2))
    assert result["p_value"] > 0.05
    assert result["p_value"] >= 1 / 501  # the +1 correction
    assert result["ci_low"] < result["r"] < result["ci_high"]
    assert result["warning"] == ""


def test_small_and_constant_series_warn_not_crash():
    rng = np.random.default_rng(0)
    tiny = correlation_test(np.array([1.0, 2]), np.array([3.0, 4]), "pearson", 10, 10, rng)
    assert np.isnan(tiny["r"]) and tiny["warning"] == "n < 3: not computed"
    flat = correlation_test(np.ones(5), np.arange(5.0), "pearson", 10, 10, rng)
    assert np.isnan(flat["r"]) and flat["warning"] == "constant series: r undefined"


def test_benjamini_hochberg_hand_example():
    # sorted p: .01 .03 .04 .20 (m=4) -> p*m/rank: .04 .06 .0533 .20 -> running min from the top
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.20, np.nan]))
    assert q[:4] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert np.isnan(q[4])


def test_lag_sign_and_gaps():
    x = pd.Series([1.0, 2.0, 3.0, np.nan], index=[2019, 2020, 2021, 2022])
    y = pd.Series([10.0, 20.0, 30.0, 40.0], index=[2019, 2020, 2021, 2022])
    pairs = aligned_pairs(x, y, lag=1)  # share of t with trade of t+1
    assert list(pairs[0]) == [1.0, 2.0, 3.0] and list(pairs[1]) == [20.0, 30.0, 40.0]


def test_table_diff_breaks_at_gaps_and_counts_pairs():
    years = list(range(2015, 2024))
    share = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    prevalence = pd.DataFrame({"period": [str(y) for y in years], "theme": "t", "source": "gold", "share": share})
    trade = pd.DataFrame({"trade_series": "s", "period": years,
                          "value": [1.0, 2, np.nan, 4, 5, 6, 7, 8, 9]})
    table = correlation_table(prevalence, trade, lags=(0,), methods=("pearson",), n_perm=200, n_boot=100)
    level = table[table["transform"] == "level"].iloc[0]
    diff = table[table["transform"] == "diff"].iloc[0]
    assert level["n"] == 8 and level["r"] == pytest.approx(1.0) and level["warning"] == ""
    assert diff["n"] == 6  # 8 differences minus the two touching the 2017 gap
    assert np.isnan(diff["r"]) and diff["warning"] == "constant series: r undefined"
    assert list(table.columns)[-1] == "warning" and "q_value" in table.columns

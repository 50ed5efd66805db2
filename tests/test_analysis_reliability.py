"""Inter-coder reliability: kappa and alpha against hand arithmetic, degenerate cases, the bundled coding."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask

from hkasean.analysis import binary_statistics as stats
from hkasean.analysis.coding import Coding, load_coding
from hkasean.analysis.reliability import RELIABILITY_COLUMNS, krippendorff_alpha, reliability_table
from hkasean.corpus.bundled import sample_coding_path
from hkasean.models.codebook import load_codebook

# A 10-document, 2-coder table for one theme:
#                 coder_b=1  coder_b=0
#   coder_a=1         3          1
#   coder_a=0         2          4
# po = (3 + 4) / 10 = 0.7; p(a=1) = 0.4, p(b=1) = 0.5
# pe = 0.4 * 0.5 + 0.6 * 0.5 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
# Coincidence matrix (each unit adds both ordered pairs): o11 = 2*3 = 6, o00 = 2*4 = 8,
# o01 = o10 = 1 + 2 = 3; n = 20, n1 = 9, n0 = 11.
# alpha = 1 - (n - 1) * o01 / (n0 * n1) = 1 - 19 * 3 / 99 = 42 / 99
# positive agreement = 2 * 3 / (2 * 3 + 1 + 2) = 2 / 3
CODER_A = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
CODER_B = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]


def make_coding(ratings: dict[str, dict[str, list[int]]]) -> Coding:
    """Coding from {coder: {theme: values per document d0, d1, ...}}."""
    records = [
        (f"d{i}", coder, theme, value)
        for coder, themes in ratings.items()
        for theme, values in themes.items()
        for i, value in enumerate(values)
    ]
    long = pd.DataFrame(records, columns=["doc_id", "coder", "theme", "value"])
    theme_ids = tuple(next(iter(ratings.values())))
    return Coding(long=long, coders=tuple(ratings), theme_ids=theme_ids)


def row(table: pd.DataFrame, theme: str) -> pd.Series:
    return table.set_index("theme").loc[theme]


def test_hand_worked_two_coder_table():
    coding = make_coding({"coder_a": {"t": CODER_A}, "coder_b": {"t": CODER_B}})
    table = reliability_table(coding, n_boot=200, random_state=0)
    assert list(table.columns) == RELIABILITY_COLUMNS
    result = row(table, "t")
    assert result["coders"] == "coder_a+coder_b"
    assert result["n"] == 10
    assert result["percent_agreement"] == pytest.approx(0.7)
    assert result["kappa"] == pytest.approx(0.4)
    assert result["alpha"] == pytest.approx(42 / 99)
    assert result["positive_agreement"] == pytest.approx(2 / 3)
    assert result["kappa_method"] == "cohen"
    assert result["kappa_low"] <= result["kappa"] <= result["kappa_high"]
    assert result["alpha_low"] <= result["alpha"] <= result["alpha_high"]


def test_perfect_agreement_is_one():
    coding = make_coding({"a": {"t": CODER_A}, "b": {"t": CODER_A}})
    result = row(reliability_table(coding, n_boot=50), "t")
    assert (result["percent_agreement"], result["kappa"], result["alpha"]) == (1.0, 1.0, 1.0)


def test_chance_agreement_is_zero_kappa():
    # a = 1 1 0 0, b = 1 0 1 0: po = 0.5, pe = 0.5*0.5 + 0.5*0.5 = 0.5 -> kappa = 0.
    # Coincidences: o11 = 2, o00 = 2, o01 = o10 = 2; n = 8, n0 = n1 = 4;
    # alpha = 1 - 7 * 2 / 16 = 0.125 (alpha's small-sample correction keeps it above 0).
    coding = make_coding({"a": {"t": [1, 1, 0, 0]}, "b": {"t": [1, 0, 1, 0]}})
    result = row(reliability_table(coding, n_boot=50), "t")
    assert result["kappa"] == pytest.approx(0.0)
    assert result["alpha"] == pytest.approx(0.125)


def test_theme_nobody_codes_gives_nan_with_note_not_a_crash():
    coding = make_coding({"a": {"t": CODER_A, "never": [0] * 10}, "b": {"t": CODER_B, "never": [0] * 10}})
    table = reliability_table(coding, n_boot=50)
    never = row(table, "never")
    assert never["percent_agreement"] == 1.0
    assert np.isnan(never["kappa"]) and np.isnan(never["alpha"])
    assert np.isnan(never["kappa_low"]) and np.isnan(never["alpha_high"])
    assert "undefined" in never["note"]
    assert row(table, "t")["note"] == ""


def test_overall_row_pools_theme_decisions():
    # Pooled over two themes: theme t as above plus a theme where both agree on 10 zeros.
    # 20 decisions: 3 both-1, 1 + 2 disagreements, 14 both-0. po = 17/20 = 0.85;
    # p(a=1) = 4/20 = 0.2, p(b=1) = 5/20 = 0.25; pe = 0.2*0.25 + 0.8*0.75 = 0.65;
    # kappa = (0.85 - 0.65) / 0.35 = 4/7.
    coding = make_coding({"a": {"t": CODER_A, "never": [0] * 10}, "b": {"t": CODER_B, "never": [0] * 10}})
    overall = row(reliability_table(coding, n_boot=50), "overall")
    assert overall["n"] == 20
    assert overall["percent_agreement"] == pytest.approx(0.85)
    assert overall["kappa"] == pytest.approx(4 / 7)


def test_three_coders_report_mean_pairwise_kappa_and_say_so():
    # pairs: (a, b) kappa 0.4 (above); (a, c) identical -> 1; (b, c) = (b, a) -> 0.4. Mean = 0.6.
    coding = make_coding({"a": {"t": CODER_A}, "b": {"t": CODER_B}, "c": {"t": CODER_A}, "gold": {"t": CODER_A}})
    result = row(reliability_table(coding, n_boot=50), "t")
    assert result["coders"] == "a+b+c"  # gold is excluded
    assert result["kappa"] == pytest.approx(0.6)
    assert result["kappa_method"] == "mean_pairwise_cohen"
    assert "mean of 3 pairwise" in result["note"]
    expected_alpha = AnnotationTask(
        data=[(coder, str(i), v) for coder, values in (("a", CODER_A), ("b", CODER_B), ("c", CODER_A)) for i, v in enumerate(values)]
    ).alpha()
    assert result["alpha"] == pytest.approx(expected_alpha)


def test_vectorised_alpha_matches_krippendorff_package_and_nltk():
    rng = np.random.default_rng(3)
    ratings = rng.integers(0, 2, size=(30, 3)).astype(float)
    task = AnnotationTask(data=[(str(c), str(u), int(ratings[u, c])) for u in range(30) for c in range(3)])
    assert stats.krippendorff_alpha_binary(ratings, stats.identity_weights(30))[0] == pytest.approx(task.alpha())
    ratings[rng.random(ratings.shape) < 0.2] = np.nan  # missing ratings
    assert stats.krippendorff_alpha_binary(ratings, stats.identity_weights(30))[0] == pytest.approx(krippendorff_alpha(ratings))


def test_vectorised_kappa_matches_nltk():
    counts = stats.confusion_counts(np.array(CODER_A), np.array(CODER_B), stats.identity_weights(10))
    task = AnnotationTask(data=[("a", str(i), v) for i, v in enumerate(CODER_A)] + [("b", str(i), v) for i, v in enumerate(CODER_B)])
    assert stats.cohen_kappa(counts)[0] == pytest.approx(task.kappa())


def test_bootstrap_is_reproducible_with_the_seed():
    coding = make_coding({"a": {"t": CODER_A}, "b": {"t": CODER_B}})
    first = reliability_table(coding, n_boot=300, random_state=5)
    pd.testing.assert_frame_equal(first, reliability_table(coding, n_boot=300, random_state=5))
    assert not first.equals(reliability_table(coding, n_boot=300, random_state=6))


def test_bundled_coding_reliability():
    coding = load_coding(sample_coding_path(), load_codebook().theme_ids)
    table = reliability_table(coding, n_boot=200)
    assert list(table["theme"]) == [*load_codebook().theme_ids, "overall"]
    assert set(table["coders"]) == {"coder_a+coder_b"}
    assert table.set_index("theme")["n"].to_dict()["overall"] == 88 * 5
    assert table["kappa"].between(0.5, 1.0).all()
    assert (table["kappa_low"] <= table["kappa"]).all() and (table["kappa"] <= table["kappa_high"]).all()

"""Agreement with the standard: hand-worked metrics, scoring rules, bootstrap, prevalence, humans."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis import binary_statistics as stats
from hkasean.analysis.agreement import (
    AGREEMENT_COLUMNS,
    agreement_table,
    human_agreement_rows,
    prevalence_agreement,
    prevalence_agreement_summary,
)
from hkasean.analysis.coding import Coding, load_coding
from hkasean.analysis.resampling import bootstrap_indices, percentile_interval
from hkasean.corpus.bundled import sample_coding_path
from hkasean.models.codebook import load_codebook

# Theme "t", 8 documents:
#   gold  = 1 1 1 0 0 0 0 0
#   model = 1 1 0 1 0 0 0 0
# tp = 2, fp = 1, fn = 1, tn = 4 -> precision = 2/3, recall = 2/3, F1 = 4 / (4 + 1 + 1) = 2/3.
# po = 6/8 = 0.75; p(gold=1) = p(model=1) = 3/8; pe = 9/64 + 25/64 = 34/64;
# kappa = (48/64 - 34/64) / (30/64) = 14/30 = 7/15.
# alpha: n = 16 values, o01 = 2 (two disagreeing units), n1 = 2*2 + 2 = 6, n0 = 2*4 + 2 = 10:
# alpha = 1 - 15 * 2 / 60 = 0.5.
GOLD_T = [1, 1, 1, 0, 0, 0, 0, 0]
MODEL_T = [1, 1, 0, 1, 0, 0, 0, 0]
# Theme "u": gold 1 1 0 0 0 0 0 0, model 1 1 1 1 0 0 0 0: tp = 2, fp = 2, fn = 0 ->
# precision 1/2, recall 1, F1 = 2*2 / (2*2 + 2 + 0) = 2/3. Macro F1 over t and u = 2/3;
# macro precision = (2/3 + 1/2) / 2.
GOLD_U = [1, 1, 0, 0, 0, 0, 0, 0]
MODEL_U = [1, 1, 1, 1, 0, 0, 0, 0]
DOCS = [f"d{i}" for i in range(8)]


def standard() -> pd.DataFrame:
    return pd.DataFrame({"t": GOLD_T, "u": GOLD_U}, index=pd.Index(DOCS, name="doc_id"))


def predictions(model: str = "m", t: list[int] = MODEL_T, u: list[int] = MODEL_U, fold: int = 0) -> pd.DataFrame:
    rows = [(doc, model, theme, float(v), int(v), fold) for theme, values in (("t", t), ("u", u)) for doc, v in zip(DOCS, values)]
    return pd.DataFrame(rows, columns=["doc_id", "model", "theme", "score", "present", "fold"])


def by_theme(table: pd.DataFrame, model: str = "m") -> pd.DataFrame:
    return table[table["model"] == model].set_index("theme")


def test_hand_worked_precision_recall_f1_kappa_alpha():
    table = agreement_table(predictions(), standard(), n_boot=200)
    assert list(table.columns) == AGREEMENT_COLUMNS
    t = by_theme(table).loc["t"]
    assert (t["precision"], t["recall"], t["f1"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert t["kappa"] == pytest.approx(7 / 15)
    assert t["alpha"] == pytest.approx(0.5)
    assert (t["n"], t["n_positive_gold"], t["n_positive_model"]) == (8, 3, 3)
    u = by_theme(table).loc["u"]
    assert (u["precision"], u["recall"], u["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
    macro = by_theme(table).loc["macro"]
    assert macro["precision"] == pytest.approx((2 / 3 + 0.5) / 2)
    assert macro["f1"] == pytest.approx(2 / 3)
    assert (macro["n_positive_gold"], macro["n_positive_model"]) == (5, 7)


def test_bootstrap_contains_point_and_is_reproducible():
    first = agreement_table(predictions(), standard(), n_boot=300, random_state=11)
    for metric in ("f1", "kappa", "precision", "recall"):
        assert (first[f"{metric}_low"] <= first[metric] + 1e-12).all()
        assert (first[metric] <= first[f"{metric}_high"] + 1e-12).all()
    pd.testing.assert_frame_equal(first, agreement_table(predictions(), standard(), n_boot=300, random_state=11))
    assert not first.equals(agreement_table(predictions(), standard(), n_boot=300, random_state=12))


def test_vectorised_bootstrap_equals_the_plain_loop():
    # The same seeded index draws, scored one resample at a time.
    gold, model = np.array(GOLD_T, dtype=bool), np.array(MODEL_T, dtype=bool)
    draws = bootstrap_indices(8, 200, 4)
    loop = []
    for idx in draws:
        g, m = gold[idx], model[idx]
        tp, fp, fn = np.sum(g & m), np.sum(~g & m), np.sum(g & ~m)
        loop.append(2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else np.nan)
    table = agreement_table(predictions(), standard(), n_boot=200, random_state=4)
    assert tuple(by_theme(table).loc["t", ["f1_low", "f1_high"]]) == pytest.approx(percentile_interval(np.array(loop)))
    weights = stats.resample_weights(8, 200, 4)
    assert (weights.sum(axis=1) == 8).all()


def test_excludes_fold_minus_one_and_unknown_documents_and_fills_missing_themes():
    leaky = predictions(t=[1] * 8, u=[1] * 8, fold=-1)  # in-sample rows: must never be scored
    extra = predictions(t=[1] * 8, u=[1] * 8).assign(doc_id=lambda f: f["doc_id"] + "x")  # not in the standard
    only_t = predictions()[lambda f: f["theme"] == "t"]  # no rows for u -> counts as 0
    table = agreement_table(pd.concat([leaky, extra, only_t]), standard(), n_boot=50)
    rows = by_theme(table)
    assert rows.loc["t", "f1"] == pytest.approx(2 / 3)
    assert rows.loc["t", "n"] == 8
    assert (rows.loc["u", "recall"], rows.loc["u", "n_positive_model"]) == (0.0, 0)
    assert np.isnan(rows.loc["u", "precision"])  # nothing marked: precision undefined


def test_repeated_predictions_raise():
    doubled = pd.concat([predictions(), predictions()])
    with pytest.raises(ValueError, match="more than once"):
        agreement_table(doubled, standard(), n_boot=10)


def test_prevalence_agreement_by_year():
    doc_frame = pd.DataFrame({"doc_id": DOCS, "year": [2020] * 4 + [2021] * 4})
    table = prevalence_agreement(predictions(), standard(), doc_frame)
    t2020 = table[(table["theme"] == "t") & (table["year"] == 2020)].iloc[0]
    # 2020 = d0..d3: gold t 1 1 1 0 -> 0.75; model t 1 1 0 1 -> 0.75
    assert (t2020["gold_share"], t2020["model_share"], t2020["difference"], t2020["n_docs"]) == (0.75, 0.75, 0.0, 4)
    u2020 = table[(table["theme"] == "u") & (table["year"] == 2020)].iloc[0]
    assert u2020["difference"] == pytest.approx(1.0 - 0.5)
    summary = prevalence_agreement_summary(table).set_index(["model", "theme"])
    # u: differences 0.5 (2020) and 0 (2021) -> mean absolute difference 0.25; 2 years -> no correlation
    assert summary.loc[("m", "u"), "mean_abs_difference"] == pytest.approx(0.25)
    assert np.isnan(summary.loc[("m", "u"), "correlation"])
    assert summary.loc[("m", "all"), "n_years"] == 4


def test_human_rows_on_bundled_coding():
    coding = load_coding(sample_coding_path(), load_codebook().theme_ids)
    table = human_agreement_rows(coding, n_boot=100, random_state=0)
    assert set(table["model"]) == {"human:coder_a", "human:coder_b"}
    assert list(table.columns) == AGREEMENT_COLUMNS
    assert table["note"].str.contains("adjudicated").all()
    assert (table["n"] == 88).all()
    assert table["f1"].between(0.5, 1.0).all()


def test_human_rows_against_majority_warn_about_inflation(caplog):
    long = pd.DataFrame(
        [(doc, coder, "t", v) for coder, values in (("a", GOLD_T), ("b", MODEL_T)) for doc, v in zip(DOCS, values)],
        columns=["doc_id", "coder", "theme", "value"],
    )
    coding = Coding(long=long, coders=("a", "b"), theme_ids=("t",))
    with caplog.at_level(logging.WARNING), pytest.warns(UserWarning, match="tied"):
        table = human_agreement_rows(coding, n_boot=20)
    assert table["note"].str.contains("inflated").all()
    assert "inflated" in caplog.text


def test_weight_chunks_equal_one_big_draw():
    big = np.vstack([stats.identity_weights(13), stats.resample_weights(13, 50, 3)])
    chunked = np.vstack(list(stats.weight_chunks(13, 50, 3, max_cells=13 * 7)))
    assert np.array_equal(big, chunked)

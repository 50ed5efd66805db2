"""Prevalence counts, flags and intervals on a tiny frame."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean.analysis.prevalence import prevalence_table, wilson_interval


def tiny_frames():
    dates = ["2019-03-01"] * 6 + ["2021-05-01"] * 2
    doc_frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)], "date": pd.to_datetime(dates)})
    present = [1, 1, 0, 0, 1, 0, 1, 1]
    doc_themes = pd.DataFrame({
        "doc_id": doc_frame["doc_id"], "model": "gold", "theme": "hub_status", "score": present, "present": present,
    })
    return doc_themes, doc_frame


def test_counts_shares_and_flags():
    doc_themes, doc_frame = tiny_frames()
    table = prevalence_table(doc_themes, doc_frame, n_boot=200, min_docs=5)
    assert list(table["period"]) == ["2019", "2020", "2021"]
    assert list(table["n_docs"]) == [6, 0, 2]
    assert table["share"].iloc[0] == pytest.approx(0.5)
    assert np.isnan(table["share"].iloc[1]) and table["flag"].iloc[1] == "no documents"
    assert table["flag"].iloc[2].startswith("few documents (n=2)")
    assert table["share"].iloc[2] == 1.0
    assert table["low"].iloc[0] <= 0.5 <= table["high"].iloc[0]


def test_deterministic_and_quarterly():
    doc_themes, doc_frame = tiny_frames()
    first = prevalence_table(doc_themes, doc_frame, n_boot=100, random_state=3)
    pd.testing.assert_frame_equal(first, prevalence_table(doc_themes, doc_frame, n_boot=100, random_state=3))
    quarterly = prevalence_table(doc_themes, doc_frame, freq="quarter", n_boot=50)
    assert quarterly["period"].iloc[0] == "2019Q1" and len(quarterly) == 10


def test_out_of_fold_prediction_preferred_over_in_sample():
    doc_themes, doc_frame = tiny_frames()
    with_folds = pd.concat([
        doc_themes.assign(fold=0),
        doc_themes.assign(fold=-1, present=1 - doc_themes["present"]),
    ])
    table = prevalence_table(with_folds, doc_frame, n_boot=50)
    assert table["share"].iloc[0] == pytest.approx(0.5)


def test_wilson_interval_known_value():
    low, high = wilson_interval(5, 10, 0.95)  # textbook value: 0.2366 - 0.7634
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 4)[0] == 0.0


def test_unknown_documents_rejected():
    doc_themes, doc_frame = tiny_frames()
    with pytest.raises(ValueError, match="not in doc_frame"):
        prevalence_table(doc_themes, doc_frame.iloc[:3], n_boot=10)


def test_documents_dated_far_outside_add_their_own_periods_only():
    doc_themes, doc_frame = tiny_frames()
    doc_frame.loc[0, "date"] = pd.Timestamp("0001-01-01")
    doc_frame.loc[7, "date"] = pd.Timestamp("9999-12-31")
    table = prevalence_table(doc_themes, doc_frame, n_boot=50)
    assert list(table["period"]) == ["0001", "2019", "2020", "2021", "9999"]
    assert list(table["n_docs"]) == [1, 5, 0, 1, 1]
    quarterly = prevalence_table(doc_themes, doc_frame, n_boot=50, freq="quarter")
    assert len(quarterly) == 2 + 10  # the two outliers' quarters, then 2019Q1..2021Q2


def small_period_frames(n_docs: int = 20, n_present: int = 2):
    """One year of ``n_docs`` documents, ``n_present`` of them carrying the theme."""
    doc_frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)],
                              "date": pd.to_datetime(["2020-06-01"] * n_docs)})
    present = [1] * n_present + [0] * (n_docs - n_present)
    doc_themes = pd.DataFrame({"doc_id": doc_frame["doc_id"], "model": "gold", "theme": "hub_status",
                               "score": present, "present": present})
    return doc_themes, doc_frame


@pytest.mark.parametrize("n_docs,n_present", [(8, 1), (12, 1), (20, 2), (24, 3), (60, 5)])
def test_default_interval_never_reaches_zero_under_a_positive_share(n_docs, n_present):
    doc_themes, doc_frame = small_period_frames(n_docs, n_present)
    row = prevalence_table(doc_themes, doc_frame).iloc[0]
    assert row["interval"] == "wilson"
    assert 0 < row["low"] < row["share"] < row["high"]
    assert (row["low"], row["high"]) == pytest.approx(wilson_interval(n_present, n_docs))


def test_bootstrap_interval_still_available_and_named():
    doc_themes, doc_frame = small_period_frames(20, 2)
    row = prevalence_table(doc_themes, doc_frame, interval="bootstrap", n_boot=2000, random_state=1).iloc[0]
    assert row["interval"] == "bootstrap"
    assert row["low"] == 0.0  # the under-coverage the Wilson default avoids: 2 of 20 often resample to 0
    doc_themes, doc_frame = small_period_frames(20, 0)
    assert prevalence_table(doc_themes, doc_frame, interval="bootstrap").iloc[0]["interval"] == "wilson"


def test_unknown_interval_method_rejected():
    doc_themes, doc_frame = tiny_frames()
    with pytest.raises(ValueError, match="interval must be one of"):
        prevalence_table(doc_themes, doc_frame, interval="percentile")

"""What to code next: uncertainty sampling over the uncoded documents, spread over years, and its template."""
from __future__ import annotations

import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.code_next import code_next_table, coding_template, uncertainty

THEMES = ["a", "b"]


def fit_tables():
    """Predictions of 'ensemble' for 6 uncoded documents (fold -1) over 3 years, and 2 coded ones (fold 0)."""
    scores = {"u1": (0.50, 0.1), "u2": (0.45, 0.9), "u3": (0.05, 0.1), "u4": (0.9, 0.52), "u5": (0.3, 0.3), "u6": (0.1, 0.05),
              "c1": (0.5, 0.5), "c2": (0.5, 0.5)}
    rows = [(doc, "ensemble", theme, score, int(score >= 0.5), 0 if doc.startswith("c") else -1)
            for doc, pair in scores.items() for theme, score in zip(THEMES, pair)]
    doc_themes = pd.DataFrame(rows, columns=contract.DOC_THEMES.column_list)
    thresholds = pd.DataFrame([("ensemble", theme, -1, 0.5, 0.8, "") for theme in THEMES],
                              columns=contract.SUPERVISED_THRESHOLDS.column_list)
    years = {"u1": 2019, "u2": 2019, "u3": 2019, "u4": 2020, "u5": 2021, "u6": 2021, "c1": 2019, "c2": 2020}
    doc_frame = pd.DataFrame({"doc_id": list(years), "date": [f"{y}-01-01" for y in years.values()],
                              "year": list(years.values()), "title": [f"title {d}" for d in years]})
    return doc_themes, thresholds, doc_frame


def test_uncertainty_is_one_on_the_threshold_and_zero_at_the_ends():
    assert list(uncertainty(pd.Series([0.5, 0.0, 1.0, 0.25]).to_numpy(), pd.Series([0.5] * 4).to_numpy())) == [1.0, 0.0, 0.0, 0.5]
    assert uncertainty(pd.Series([0.1]).to_numpy(), pd.Series([0.2]).to_numpy())[0] == pytest.approx(0.5)


def test_code_next_excludes_coded_documents_and_spreads_years():
    table = code_next_table(*fit_tables(), size=3)
    assert list(table.columns) == contract.CODE_NEXT.column_list
    assert not set(table["doc_id"]) & {"c1", "c2"}
    assert list(table["doc_id"]) == ["u1", "u4", "u5"]  # the most doubtful of each year before a second one of 2019
    assert list(table["year"]) == [2019, 2020, 2021] and list(table["rank"]) == [1, 2, 3]
    assert table.loc[0, "closest_theme"] == "a" and table.loc[1, "closest_theme"] == "b"
    everything = code_next_table(*fit_tables(), size=10)
    assert list(everything["doc_id"]) == ["u1", "u4", "u5", "u2", "u6", "u3"]


def test_code_next_is_empty_when_everything_is_coded():
    doc_themes, thresholds, doc_frame = fit_tables()
    coded = doc_themes.assign(fold=0)
    assert code_next_table(coded, thresholds, doc_frame, size=5).empty


def test_template_has_one_empty_column_per_theme():
    table = code_next_table(*fit_tables(), size=2)
    template = coding_template(table, THEMES)
    assert list(template.columns) == ["doc_id", "coder", "a", "b"]
    assert list(template["doc_id"]) == ["u1", "u4"] and (template[["coder", "a", "b"]] == "").all().all()

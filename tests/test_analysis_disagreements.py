"""Disagreement table: which documents, which kind, and the evidence of the right topic or theme."""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean.analysis.disagreements import DISAGREEMENT_COLUMNS, disagreement_table

DOCS = ["d1", "d2", "d3"]


def standard() -> pd.DataFrame:
    return pd.DataFrame({"t": [1, 0, 1], "u": [0, 0, 1]}, index=pd.Index(DOCS, name="doc_id"))


def doc_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": DOCS,
        "date": pd.to_datetime(["2020-01-01", "2021-02-02", "2022-03-03"]),
        "title": ["First", "Second", "Third"],
        "year": [2020, 2021, 2022],
    })


def test_coder_disagreements_with_theme_evidence():
    # dictionary coder: t = 1 1 0 (gold 1 0 1) -> d2 false positive, d3 false negative; u = 0 0 1 agrees
    rows = [(d, "dictionary", theme, float(v), v) for theme, values in (("t", [1, 1, 0]), ("u", [0, 0, 1])) for d, v in zip(DOCS, values)]
    predictions = pd.DataFrame(rows, columns=["doc_id", "model", "theme", "score", "present"])
    evidence = pd.DataFrame(
        [("d2", "dictionary", "t", "tap into; emerging market"), ("d2", "dictionary", "u", "other")],
        columns=["doc_id", "model", "topic_or_theme", "terms"],
    )
    table = disagreement_table(predictions, standard(), doc_frame(), evidence=evidence)
    assert list(table.columns) == DISAGREEMENT_COLUMNS
    assert table[["doc_id", "theme", "gold", "model_value", "kind"]].values.tolist() == [
        ["d3", "t", 1, 0, "false_negative"],
        ["d2", "t", 0, 1, "false_positive"],
    ]
    assert table.set_index("doc_id").loc["d2", "evidence_terms"] == "tap into; emerging market"
    assert table.set_index("doc_id").loc["d3", "evidence_terms"] == ""
    assert table.set_index("doc_id").loc["d2", "title"] == "Second"


def test_topic_model_evidence_comes_from_the_topic_mapped_in_the_documents_fold():
    # lda: t predicted 1 1 0 -> d2 FP (fold 1), d3 FN (fold 0). In fold 1, t is mapped to lda_0;
    # in fold 0 to lda_2. Unscored in-sample rows (fold -1) must not show up.
    rows = [
        ("d1", "lda", "t", 0.6, 1, 0), ("d2", "lda", "t", 0.5, 1, 1), ("d3", "lda", "t", 0.1, 0, 0),
        ("d1", "lda", "u", np.nan, 0, 0), ("d2", "lda", "u", np.nan, 0, 1), ("d3", "lda", "u", np.nan, 0, 0),
        ("d3", "lda", "t", 0.9, 1, -1),
    ]
    predictions = pd.DataFrame(rows, columns=["doc_id", "model", "theme", "score", "present", "fold"])
    maps = pd.DataFrame(
        [("lda", 0, "t", "lda_2", 0.2, 0.8), ("lda", 1, "t", "lda_0", 0.3, 0.7)],
        columns=["model", "fold", "theme", "topic", "threshold", "train_f1"],
    )
    evidence = pd.DataFrame(
        [
            ("d2", "lda", "lda_0", "hub; gateway"), ("d2", "lda", "lda_2", "wrong topic"),
            ("d3", "lda", "lda_2", "market; potential"), ("d3", "lda", "lda_0", "wrong topic"),
        ],
        columns=["doc_id", "model", "topic_or_theme", "terms"],
    )
    table = disagreement_table(predictions, standard(), doc_frame(), evidence=evidence, topic_maps=maps)
    by_doc = table.set_index("doc_id")
    # d3's u: gold 1, unmapped -> false negative with no evidence
    assert sorted(zip(table["doc_id"], table["theme"], table["kind"])) == [
        ("d2", "t", "false_positive"), ("d3", "t", "false_negative"), ("d3", "u", "false_negative"),
    ]
    assert by_doc.loc["d2", "evidence_terms"] == "hub; gateway"
    d3 = table[table["doc_id"] == "d3"].set_index("theme")
    assert d3.loc["t", "evidence_terms"] == "market; potential"
    assert d3.loc["t", "score"] == 0.1
    assert d3.loc["u", "evidence_terms"] == ""


def test_no_disagreement_gives_empty_table_with_columns():
    rows = [(d, "perfect", theme, 1.0, v) for theme in ("t", "u") for d, v in zip(DOCS, standard()[theme])]
    predictions = pd.DataFrame(rows, columns=["doc_id", "model", "theme", "score", "present"])
    table = disagreement_table(predictions, standard(), doc_frame())
    assert table.empty
    assert list(table.columns) == DISAGREEMENT_COLUMNS

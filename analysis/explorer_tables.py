"""The explorer's documents, decisions, prevalence, trade and claims tabs: the run's tables, compact and column-wise.

Per-document metadata is stored column-wise with codes for repeated strings; the standard coding and
each model's decisions as one character per document and a whole-number score.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from hkasean.analysis.explorer_values import SCORE_DIGITS, cell_number, cell_texts, column_wise

SCORE_SCALE = 10 ** SCORE_DIGITS
"""Decision scores are stored as whole numbers: the score times this."""


def documents_payload(documents: pd.DataFrame) -> dict[str, Any]:
    """Per document, column-wise: id, date, year, title, n_words; type, source and speaker coded (the url travels with
    the text, in the detail chunks)."""
    frame = documents.copy()
    if "date" in frame:
        frame["date"] = cell_texts(frame["date"])
        frame["date"] = [d[:10] for d in frame["date"]]
    out = column_wise(frame, text=("doc_id", "date", "title"), numbers=("year", "n_words"),
                      codes=("doc_type", "source", "speaker"), digits=0)
    return out


def gold_payload(gold: pd.DataFrame | None, doc_ids: Sequence[str], theme_ids: Sequence[str]) -> dict[str, str] | None:
    """Per theme, one character per document: "1" / "0" as the standard codes it, "-" when it is not coded."""
    if gold is None:
        return None
    out = {}
    for theme in theme_ids:
        if theme not in gold:
            continue
        column = gold[theme].reindex(list(doc_ids))
        out[theme] = "".join("-" if pd.isna(v) else ("1" if int(v) else "0") for v in column)
    return out


def decisions_payload(doc_themes: pd.DataFrame | None, doc_ids: Sequence[str], theme_ids: Sequence[str]) -> dict[str, Any]:
    """Per model (``doc_themes`` order) and theme: ``present`` (one character per document: "1", "0", or "-" for no
    decision), ``score`` (times ``SCORE_SCALE``, rounded to a whole number) and ``fold`` (one character: "c"
    cross-validated, "L" predicted by a model that saw the document's label, never scored, "." no labels used)."""
    if doc_themes is None or doc_themes.empty:
        return {"models": [], "by_model": {}, "score_scale": SCORE_SCALE}
    models = list(dict.fromkeys(doc_themes["model"].astype(str)))
    position = pd.Index(list(doc_ids))
    by_model: dict[str, Any] = {}
    n = len(doc_ids)
    for model in models:
        rows = doc_themes[doc_themes["model"].astype(str) == model]
        per_theme = {}
        for theme in theme_ids:
            part = rows[rows["theme"] == theme]
            if part.empty:
                continue
            part = part.drop_duplicates("doc_id", keep="last")
            where = position.get_indexer(part["doc_id"])
            keep = where >= 0
            where = where[keep]
            present = np.full(n, "-", dtype="<U1")
            present[where] = np.where(part["present"].to_numpy()[keep].astype(int) == 1, "1", "0")
            scores: list[Any] = [None] * n
            for i, value in zip(where, part["score"].to_numpy()[keep]):
                scores[i] = cell_number(float(value) * SCORE_SCALE, 0)
            fold = np.full(n, ".", dtype="<U1")
            if "fold" in part:
                folds = pd.to_numeric(part["fold"], errors="coerce").to_numpy()[keep]
                fold[where] = np.where(np.isnan(folds), ".", np.where(folds < 0, "L", "c"))
            per_theme[theme] = {"present": "".join(present), "score": scores, "fold": "".join(fold)}
        by_model[model] = per_theme
    return {"models": models, "by_model": by_model, "score_scale": SCORE_SCALE}


def prevalence_payload(prevalence: pd.DataFrame | None) -> dict[str, Any] | None:
    """The prevalence table column-wise (source, theme and flag coded)."""
    if prevalence is None or prevalence.empty:
        return None
    frame = prevalence.copy()
    frame["period_start"] = ([d[:10] for d in cell_texts(frame["period_start"])] if "period_start" in frame
                             else cell_texts(frame["period"]))
    return column_wise(frame, text=("period", "period_start"), numbers=("share", "low", "high", "n_docs"),
                       codes=("theme", "source", "flag", "interval"), digits=5)


def trade_payload(trade_series: pd.DataFrame | None) -> dict[str, Any] | None:
    """The trade series correlated with prevalence, column-wise (gaps are rows without a value)."""
    if trade_series is None or trade_series.empty:
        return None
    return column_wise(trade_series, text=("period",), numbers=("value",),
                       codes=("trade_series", "unit", "flag", "source_class"), digits=6)


CLAIM_COLUMNS_TEXT = ("doc_id", "date", "claim_text", "value", "official_source", "note")
CLAIM_COLUMNS_CODED = ("claim_type", "unit", "subject", "official_unit", "verdict", "reference_independence",
                       "reference_source_class")
CLAIM_COLUMNS_NUMBERS = ("year", "official_value", "difference", "relative_difference")


def claims_payload(claims: pd.DataFrame | None) -> dict[str, Any] | None:
    """The claims audit column-wise (repeated strings coded)."""
    if claims is None:
        return None
    frame = claims.copy()
    if "date" in frame:
        frame["date"] = [d[:10] for d in cell_texts(frame["date"])]
    return column_wise(frame, text=CLAIM_COLUMNS_TEXT, numbers=CLAIM_COLUMNS_NUMBERS, codes=CLAIM_COLUMNS_CODED, digits=6)

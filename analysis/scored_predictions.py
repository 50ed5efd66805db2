"""Which model predictions may be scored against the manual standard, and in what shape.

Rules shared by the agreement, prevalence-agreement and disagreement tables:

- rows with ``fold == -1`` (fitted on all labelled documents, so they have seen the label) are
  never scored;
- only documents present in both the predictions and the standard are scored;
- a model may predict each (document, theme) once; a repeat is a bug upstream and raises;
- a theme a model gives no row for, on a document it does predict, counts as absent (0).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from hkasean import contract
from hkasean.constants import FINAL_MODEL_FOLD
from hkasean.corpus.errors import InputError

PREDICTION_COLUMNS = list(contract.DOC_THEMES.required)


def require_columns(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    """Raise ``InputError`` naming the table and the missing columns, if any."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}, "
            f"got {', '.join(map(str, frame.columns))}",
            where=name,
        )


def scored_predictions(predictions: pd.DataFrame, standard: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``predictions`` (doc_themes shape) that may be scored against ``standard``.

    ``standard``: index doc_id, columns theme ids (0/1). Returns the kept rows, same columns,
    restricted to the standard's themes. Raises ``ValueError`` when a model predicts a
    (document, theme) twice.
    """
    require_columns(predictions, PREDICTION_COLUMNS, "predictions")
    kept = predictions
    if "fold" in kept.columns:
        kept = kept[kept["fold"] != FINAL_MODEL_FOLD]
    kept = kept[kept["doc_id"].isin(standard.index) & kept["theme"].isin(standard.columns)]
    repeated = kept.duplicated(["model", "doc_id", "theme"], keep=False)
    if repeated.any():
        first = kept[repeated].iloc[0]
        raise ValueError(
            f"model {first['model']!r} predicts document {first['doc_id']!r} theme {first['theme']!r} "
            f"more than once ({int(repeated.sum())} repeated rows); each document must be scored once"
        )
    return kept.reset_index(drop=True)


def presence_matrix(rows: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """One model's scored rows as index doc_id (sorted) x ``theme_ids`` 0/1 ints (missing -> 0)."""
    table = rows.pivot(index="doc_id", columns="theme", values="present")
    return table.reindex(columns=theme_ids).fillna(0).astype(int).sort_index().rename_axis(columns=None)


def theme_order_key(theme_ids: Sequence[str]) -> Callable[[pd.Series], pd.Series]:
    """``sort_values`` key putting the ``theme`` column in codebook order (other columns sort as they are)."""
    rank = {theme: position for position, theme in enumerate(theme_ids)}
    return lambda column: column.map(rank) if column.name == "theme" else column

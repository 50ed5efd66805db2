"""What should be coded next? The uncoded documents a learning coder is least sure about, spread over years.

Uncertainty sampling (Lewis & Gale 1994) across themes: for an uncoded document, each theme's
probability (or share) is compared with the theme's decision threshold learned on all coded
documents (``fold = -1`` rows of ``doc_themes`` and of ``supervised_thresholds``); its distance is
scaled to 0-1 (0 at the threshold, 1 at 0 or 1), and the document's ``uncertainty`` is one minus its
smallest distance, i.e. how close its most doubtful theme is to flipping. Documents are then
taken year by year in turn (each round the most uncertain remaining document of every year,
years with the most uncertain candidate first), so a batch is not all from one busy year. Ties
go to the smaller doc_id: the same inputs always propose the same batch.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.scored_predictions import require_columns
from hkasean.constants import FINAL_MODEL_FOLD

CODE_NEXT_COLUMNS = contract.CODE_NEXT.column_list
PROPOSING_MODELS = ("ensemble", "supervised", "seeded_lda")
"""The coders whose doubts choose the batch, best first: the first with predictions for uncoded documents serves."""
TEMPLATE_CODER = ""
"""The coder cell of the template: left for the coder to fill in with their name."""


def uncertainty(score: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """1 - the distance of ``score`` from ``threshold``, scaled to 0-1 on the threshold's side (1 = on the threshold)."""
    room = np.where(score < threshold, threshold, 1.0 - threshold)
    return 1.0 - np.clip(np.abs(score - threshold) / np.maximum(room, 1e-12), 0.0, 1.0)


def code_next_table(doc_themes: pd.DataFrame, thresholds: pd.DataFrame, doc_frame: pd.DataFrame, size: int) -> pd.DataFrame:
    """The ``size`` uncoded documents to code next (module docstring), with why.

    ``doc_themes``: the fit's doc_themes (fold -1 rows are uncoded documents' predictions);
    ``thresholds``: the ``supervised_thresholds`` table; ``doc_frame``: the documents table (doc_id,
    date, year, title). Returns the contract's ``code_next`` columns (rank 1 = code first); empty when
    every document is coded or no learning coder predicted the uncoded ones.
    """
    require_columns(doc_themes, ["doc_id", "model", "theme", "score", "fold"], "doc_themes")
    uncoded = doc_themes[doc_themes["fold"] == FINAL_MODEL_FOLD]
    model = next((m for m in PROPOSING_MODELS if (uncoded["model"] == m).any()), None)
    if model is None or size < 1:
        return pd.DataFrame(columns=CODE_NEXT_COLUMNS)
    final = thresholds[(thresholds["model"] == model) & (thresholds["fold"] == FINAL_MODEL_FOLD)]
    rows = uncoded[uncoded["model"] == model].merge(final[["theme", "threshold"]], on="theme", how="inner")
    rows = rows.assign(uncertainty=uncertainty(rows["score"].to_numpy(float), rows["threshold"].to_numpy(float)))
    closest = (rows.sort_values(["doc_id", "uncertainty", "theme"], ascending=[True, False, True], kind="mergesort")
               .drop_duplicates("doc_id"))
    documents = doc_frame.set_index("doc_id")[["date", "year", "title"]]
    closest = closest.join(documents, on="doc_id").sort_values(["uncertainty", "doc_id"], ascending=[False, True],
                                                                kind="mergesort")
    closest["round"] = closest.groupby("year").cumcount()
    year_order = closest.groupby("year")["uncertainty"].max().sort_values(ascending=False, kind="mergesort")
    closest["year_rank"] = closest["year"].map({year: i for i, year in enumerate(year_order.index)})
    chosen = closest.sort_values(["round", "year_rank"], kind="mergesort").head(size)
    table = pd.DataFrame({
        "rank": np.arange(1, len(chosen) + 1), "doc_id": chosen["doc_id"].to_numpy(), "date": chosen["date"].to_numpy(),
        "year": chosen["year"].to_numpy(), "title": chosen["title"].to_numpy(), "model": model,
        "uncertainty": chosen["uncertainty"].to_numpy(), "closest_theme": chosen["theme"].to_numpy(),
        "score": chosen["score"].to_numpy(), "threshold": chosen["threshold"].to_numpy(),
    })
    return table[CODE_NEXT_COLUMNS]


def coding_template(code_next: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """A coding file to fill in: doc_id, coder (empty), one empty column per theme, rows in ``code_next`` rank order.

    Filled with the coder's name and 0/1 cells, its rows can be appended to the coding CSV as they are.
    """
    template = pd.DataFrame({"doc_id": code_next["doc_id"].to_numpy(), "coder": TEMPLATE_CODER})
    for theme in theme_ids:
        template[theme] = ""
    return template


def write_coding_template(template: pd.DataFrame, path: Path) -> None:
    """Write ``template`` as UTF-8 CSV (the coding file's format) to ``path``."""
    template.to_csv(path, index=False, encoding="utf-8")

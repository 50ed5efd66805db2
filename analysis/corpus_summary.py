"""What the corpus holds: the documents table as written and documents per year, type and source."""
from __future__ import annotations

import pandas as pd

from hkasean import contract


def documents_table(doc_frame: pd.DataFrame) -> pd.DataFrame:
    """The documents table (contract ``documents``) with dates as ``YYYY-MM-DD`` text."""
    frame = doc_frame.copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame[contract.DOCUMENTS.column_list]


def corpus_overview(doc_frame: pd.DataFrame) -> pd.DataFrame:
    """Documents per year, doc_type and source (contract ``corpus_overview``)."""
    return (
        doc_frame.groupby(["year", "doc_type", "source"], dropna=False)
        .size()
        .rename("n_docs")
        .reset_index()
        .sort_values(["year", "doc_type", "source"], kind="mergesort")
    )[contract.CORPUS_OVERVIEW.column_list]

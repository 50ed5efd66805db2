"""Documents as a tidy metadata table, the form the models and the analysis join on."""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from hkasean.corpus.document import Document

DOCUMENT_COLUMNS = ["doc_id", "date", "year", "title", "source", "doc_type", "speaker", "url", "n_words"]


def documents_frame(documents: Iterable[Document]) -> pd.DataFrame:
    """One row per document: ``doc_id, date (datetime64), year, title, source, doc_type, speaker, url, n_words``."""
    rows = [
        {
            "doc_id": d.id,
            "date": d.date,
            "year": d.year,
            "title": d.title,
            "source": d.source,
            "doc_type": d.doc_type,
            "speaker": d.speaker,
            "url": d.url,
            "n_words": len(d.text.split()),
        }
        for d in documents
    ]
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame

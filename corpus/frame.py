"""Documents as a tidy metadata table, the form the models and the analysis join on, and the corpus hash."""
from __future__ import annotations

import hashlib
from typing import Iterable

import pandas as pd

from hkasean import contract
from hkasean.corpus.document import Document

CONTENT_HASH = "content_hash"
"""Column of the documents frame (not of the written table) with each document's ``content_hash()``."""


def documents_frame(documents: Iterable[Document]) -> pd.DataFrame:
    """One row per document, in the documents' order: the columns of the contract table ``documents``
    (``date`` as datetime64) plus ``content_hash``. One pass over the documents."""
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
            "n_words": d.n_words,
            CONTENT_HASH: d.content_hash(),
        }
        for d in documents
    ]
    frame = pd.DataFrame(rows, columns=[*contract.DOCUMENTS.columns, CONTENT_HASH])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def corpus_hash(frame: pd.DataFrame) -> str:
    """SHA-256 over the documents' content hashes in id order (from a ``documents_frame``): the same
    corpus gives the same hash, whatever the order it is stored in."""
    digest = hashlib.sha256()
    for doc_id, content in sorted(zip(frame["doc_id"], frame[CONTENT_HASH])):
        digest.update(f"{doc_id}\t{content}".encode())
    return digest.hexdigest()

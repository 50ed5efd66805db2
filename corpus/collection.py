"""Re-iterable document collections: a corpus read one document at a time, as often as needed.

A run reads a corpus several times (input checks, fingerprint, tokens, claims). A
collection streams the documents afresh on every ``iter()`` instead of holding them all, so a
corpus larger than memory can be processed: ``StoredDocuments`` reads a ``DocumentStore`` (SQLite),
``JsonlDocuments`` a JSONL exchange file. Both are validated when made, so a bad input is
reported before any work starts, and both know their length.
"""
from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path
from typing import Iterator, Protocol

from hkasean.corpus.document import PLAUSIBLE_YEARS, Document, implausible_dates_message
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import check_documents, iter_unique_documents
from hkasean.corpus.store import DocumentStore

LOG = logging.getLogger(__name__)


class DocumentCollection(Protocol):
    """What every stage needs of a corpus: its size and a fresh pass over its documents."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Document]: ...


class StoredDocuments:
    """The documents of a ``DocumentStore`` file in (date, id) order, streamed from SQLite on each pass.

    Every pass sees the store as it was when the collection was made (a read snapshot held until
    ``close()`` or garbage collection), so a crawl writing to the same store meanwhile cannot make
    one pass disagree with another. The store is opened read-only: it must exist, and is never
    created or changed. Documents dated outside ``PLAUSIBLE_YEARS`` are logged as one warning naming them.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._store = DocumentStore(self.path, read_only=True)
        weakref.finalize(self, self._store.close)
        self._store.hold_snapshot()
        self._count = len(self._store)
        if not self._count:
            self.close()
            raise InputError("the document store holds no documents (run `hkasean scrape` or `hkasean corpus import` first)",
                             path=self.path)
        implausible = [f"id {doc_id}: {date}" for doc_id, date in self._store.dates_outside(*PLAUSIBLE_YEARS)]
        if implausible:
            LOG.warning("%s: %s", self.path, implausible_dates_message(implausible))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Document]:
        return self._store.iter_documents()

    def close(self) -> None:
        """Release the snapshot and the connection (idempotent)."""
        self._store.close()


class JsonlDocuments:
    """The documents of a JSONL file, validated in one streamed pass when made, then streamed on each pass.

    Errors name ``file:line`` and the field (``corpus.jsonl``); duplicate ids and an empty file are errors;
    documents dated outside ``PLAUSIBLE_YEARS`` are logged as one warning naming their lines.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._count = check_documents(self.path)
        if not self._count:
            raise InputError("the corpus file holds no documents", path=self.path)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Document]:
        return iter_unique_documents(self.path)

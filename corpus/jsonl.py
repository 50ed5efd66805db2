"""JSONL exchange files: one document per line, validated with file:line and field in every error."""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from hkasean.corpus.document import Document, DocumentError, implausible_dates_message, is_plausible_date
from hkasean.corpus.errors import InputError
from hkasean.corpus.permissions import make_like_new_file
from hkasean.corpus.textfile import iter_lines

LOG = logging.getLogger(__name__)


def iter_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Yield the documents of a JSONL file one at a time (blank lines are skipped).

    Raises ``InputError`` naming ``path:line`` and the field at fault on the first bad line.
    """
    for _, document in _numbered_documents(path):
        yield document


def _numbered_documents(path: str | os.PathLike[str]) -> Iterator[tuple[int, Document]]:
    """``(line number, document)`` for each non-blank line (UTF-8, a BOM accepted)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("corpus file not found", path=path)
    for line_no, line in enumerate(iter_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, where=f"line {line_no}") from None
        try:
            yield line_no, Document.from_dict(record)
        except DocumentError as exc:
            raise InputError(str(exc), path=path, where=f"line {line_no}") from None


def iter_unique_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """``iter_documents`` plus a check that ids are unique (a repeated id names both positions)."""
    for _, document in _numbered_unique_documents(path):
        yield document


def _numbered_unique_documents(path: str | os.PathLike[str]) -> Iterator[tuple[int, Document]]:
    first_seen: dict[str, int] = {}
    for position, (line_no, document) in enumerate(_numbered_documents(path), start=1):
        if document.id in first_seen:
            raise InputError(
                f"duplicate id {document.id!r} (document {first_seen[document.id]} and document {position})",
                path=path,
            )
        first_seen[document.id] = position
        yield line_no, document


def check_documents(path: str | os.PathLike[str]) -> int:
    """Validate a JSONL file in one streamed pass and return its number of documents.

    Errors as ``iter_unique_documents``; documents dated outside ``PLAUSIBLE_YEARS`` are kept and
    logged as one warning naming their lines.
    """
    count = 0
    implausible: list[str] = []
    for line_no, document in _numbered_unique_documents(path):
        count += 1
        if not is_plausible_date(document.date):
            implausible.append(f"line {line_no}: {document.date}")
    if implausible:
        LOG.warning("%s: %s", path, implausible_dates_message(implausible))
    return count


def read_documents(path: str | os.PathLike[str]) -> list[Document]:
    """Read and validate a whole JSONL file; duplicate ids are an error (both lines named)."""
    documents = list(iter_unique_documents(path))
    if not documents:
        raise InputError("the corpus file holds no documents", path=path)
    return documents


def write_documents(documents: Iterable[Document], path: str | os.PathLike[str]) -> int:
    """Write documents as JSONL atomically (a temporary file renamed into place); return the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp_name = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for document in documents:
                handle.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
                count += 1
        make_like_new_file(tmp_name)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count

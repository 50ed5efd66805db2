"""JSONL exchange files: one document per line, validated with file:line and field in every error.

A line is refused (``InputError`` naming ``file:line N``, and the field for a surrogate) not only when it is not JSON
or not a valid document, but also when it parses into something the store and the exports could not
keep exactly as it came:

- a lone UTF-16 surrogate (``"\\ud800"`` escaped in JSON, in a value or a key): it cannot be encoded
  as UTF-8, so SQLite and files cannot hold it (an escaped *pair*, ``"\\ud83d\\ude00"``, is one
  character and is fine);
- JSON nested deeper than ``MAX_JSON_DEPTH`` levels (the document object is level 1);
- ``NaN``, ``Infinity``, ``-Infinity`` or a number too large for a float (``1e400``): not JSON, or
  not written back as it came; an integer with more digits than Python converts (4,300);
- a key repeated in one object: only the last value would be kept.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from hkasean.corpus.document import Document, DocumentError, implausible_dates_message, is_plausible_date
from hkasean.corpus.errors import InputError
from hkasean.corpus.permissions import make_like_new_file
from hkasean.corpus.textfile import iter_lines

LOG = logging.getLogger(__name__)

MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays and objects a corpus line may have; the document object itself is level 1."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how a surrogate gets into a line of valid UTF-8


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
            document = Document.from_dict(parse_line(line))
        except (DocumentError, _LineError) as exc:
            raise InputError(str(exc), path=path, where=f"line {line_no}") from None
        yield line_no, document


class _LineError(ValueError):
    """A line that is JSON-like but cannot be kept; the message is what the user reads after ``file:line N:``."""


def _constant(name: str) -> Any:
    raise _LineError(f"{name} is not a JSON number; expected a finite number (or a string such as \"{name}\")")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise _LineError(f"duplicate key {key!r} in one JSON object (only the last value would be kept); "
                             "expected each key once")
        record[key] = value
    return record


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        shown = literal if len(literal) <= 30 else f"{literal[:20]}... ({len(literal)} characters)"
        raise _LineError(f"the number {shown} is too large to be a finite number; expected a finite number (or a string)")
    return value


def parse_line(line: str) -> Any:
    """One JSONL line as Python values, or ``_LineError`` saying why it cannot be kept (see the module notes)."""
    try:
        value = json.loads(line, object_pairs_hook=_object, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _LineError(_too_deep_message()) from None
    except _LineError:
        raise
    except ValueError:  # an integer with more digits than int() converts (sys.get_int_max_str_digits())
        raise _LineError("a number with more than 4,300 digits, too long to read; expected a number of at most "
                         "4,300 digits (or a string)") from None
    # the walk is needed only when the line could nest too deep or holds an escaped surrogate
    if line.count("[") + line.count("{") > MAX_JSON_DEPTH or _SURROGATE_ESCAPE.search(line):
        _check_keepable(value)
    return value


def _too_deep_message() -> str:
    return (f"JSON nested deeper than {MAX_JSON_DEPTH} levels (arrays or objects inside one another); "
            f"expected at most {MAX_JSON_DEPTH}, the document object being level 1")


def _check_keepable(value: Any) -> None:
    """Walk the parsed line without recursion: depth and lone surrogates."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, field = stack.pop()
        if isinstance(item, str):
            _check_text(item, field, "value")
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _LineError(_too_deep_message())
            if isinstance(item, dict):
                for key, member in item.items():
                    inner = field or key
                    _check_text(key, inner, "key")
                    stack.append((member, depth + 1, inner))
            else:
                stack.extend((member, depth + 1, field) for member in item)


def _field(field: str) -> str:
    return f"field {field!r}: " if field else ""


def _check_text(text: str, field: str, what: str) -> None:
    bad = _SURROGATE.search(text)
    if bad is not None:
        code = ord(bad.group())
        raise _LineError(
            f"{_field(field)}the {what} holds a lone surrogate \\u{code:04x} (a JSON escape of half a UTF-16 pair) at "
            f"character {bad.start() + 1}; it cannot be stored as UTF-8: expected valid Unicode text "
            "(escape a character outside the BMP as a pair such as \\ud83d\\ude00, or write it unescaped)"
        )


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

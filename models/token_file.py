"""Token lists kept on disk: one unit per line, read back lazily, so a corpus need not fit in memory.

A ``TokenFile`` is a read-only sequence of token lists (``len``, iteration, ``tf[i]``, slices)
backed by a UTF-8 text file: line i holds the tokens of unit i separated by single spaces
(tokens never contain whitespace: the tokeniser splits on it). Only the line offsets stay in
memory (8 bytes per unit). Iterating streams the file, so gensim and scikit-learn read it as
they would a list, one unit at a time.

Pickling keeps the path and the offsets, not the tokens: a pickled corpus (the run's stage
cache, joblib workers of the K search) stays small and points at the same file. Unpickling
checks that the file is still there with the size it had, so a deleted or rewritten token file
fails loudly instead of feeding the models other text.

A token file in a temporary folder can be tied to its ``TokenFile`` (``delete_folder_with``): the
folder goes when the object is garbage collected; copies made by unpickling never delete anything.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import weakref
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Iterable, Iterator, overload

import numpy as np

SEPARATOR = " "


class TokenFileError(RuntimeError):
    """The file behind a ``TokenFile`` is missing or no longer the one written."""


class TokenFile(Sequence):
    """A read-only sequence of token lists stored one per line in ``path`` (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str], offsets: np.ndarray | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise TokenFileError(f"token file not found: {self.path}")
        self._offsets = _line_offsets(self.path) if offsets is None else np.asarray(offsets, dtype=np.int64)
        self._check_size()

    @classmethod
    def write(cls, path: str | os.PathLike[str], token_lists: Iterable[list[str]]) -> "TokenFile":
        """Write ``token_lists`` to ``path`` (atomically: a temporary file renamed into place) and open it."""
        path = Path(path)
        offsets = array("q", [0])
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                for tokens in token_lists:
                    line = (SEPARATOR.join(tokens) + "\n").encode("utf-8")
                    out.write(line)
                    offsets.append(offsets[-1] + len(line))
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return cls(path, np.frombuffer(offsets, dtype=np.int64))

    def move_to(self, path: str | os.PathLike[str]) -> "TokenFile":
        """Move the file to ``path`` (same file system: a rename) and return the ``TokenFile`` there."""
        path = Path(path)
        os.replace(self.path, path)
        return TokenFile(path, self._offsets)

    def delete_folder_with(self, folder: str | os.PathLike[str]) -> "TokenFile":
        """Delete ``folder`` (which holds this file) when this object is garbage collected; return self.

        For token files in a temporary folder: copies made by unpickling never delete anything.
        """
        weakref.finalize(self, shutil.rmtree, str(folder), ignore_errors=True)
        return self

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"unit {index} out of range ({n} units)")
        index %= n
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        with self.path.open("rb") as handle:
            handle.seek(start)
            return _split(handle.read(end - start).decode("utf-8"))

    def __iter__(self) -> Iterator[list[str]]:
        with self.path.open("r", encoding="utf-8", newline="\n") as handle:
            for line in handle:
                yield _split(line)

    def __repr__(self) -> str:
        return f"TokenFile({str(self.path)!r}, units={len(self)})"

    def __getstate__(self) -> dict:
        return {"path": str(self.path), "offsets": self._offsets}

    def __setstate__(self, state: dict) -> None:
        self.path = Path(state["path"])
        self._offsets = state["offsets"]
        self._check_size()

    def _check_size(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            raise TokenFileError(f"token file not found: {self.path}") from None
        if size != int(self._offsets[-1]):
            raise TokenFileError(f"token file {self.path} has {size} bytes, expected {int(self._offsets[-1])}: it was changed")


def _split(line: str) -> list[str]:
    """The tokens of one line, interned: token lists a caller keeps cost a pointer per token."""
    line = line.rstrip("\n")
    return list(map(sys.intern, line.split(SEPARATOR))) if line else []


def _line_offsets(path: Path) -> np.ndarray:
    """Byte offset of every line start plus the file size (one streamed pass)."""
    offsets = array("q", [0])
    with path.open("rb") as handle:
        for line in handle:
            offsets.append(offsets[-1] + len(line))
    return np.frombuffer(offsets, dtype=np.int64)

"""Token lists kept on disk: one unit per line, read back lazily, so a corpus need not fit in memory.

A ``TokenFile`` is a read-only sequence of token lists (``len``, iteration, ``tf[i]``, slices)
backed by a UTF-8 text file: line i holds the tokens of unit i separated by single spaces
(tokens never contain whitespace: the tokeniser splits on it). Only the line offsets stay in
memory (8 bytes per unit). Iterating streams the file, so gensim and scikit-learn read it as
they would a list, one unit at a time.

Pickling keeps the path, the offsets and the file's SHA-256, not the tokens: a pickled corpus
(the run's stage cache, joblib workers of the K search) stays small and points at the same file.
Unpickling checks that the file is still there with the size and the SHA-256 it had (hashed once
per process while the file's inode, size and times stay the same), so a deleted, rewritten or
edited-in-place token file fails loudly instead of feeding the models other text.

A ``TokenFile`` holds its file open with a shared ``flock`` (Linux, macOS) for as long as it
lives, and reads through that descriptor. Clean-up in any process goes through
``remove_if_unused``, which deletes a file only when it can take an exclusive lock on it, so a
token file one run still uses is never removed by another run's clean-up, and (given a ``check``)
only when the check proves, under that lock, that the suite wrote it.

A token file in a temporary folder can be tied to its ``TokenFile`` (``delete_folder_with``): the
folder goes when the object is garbage collected; copies made by unpickling never delete anything.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
import sys
import tempfile
import weakref
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Iterable, Iterator, overload

import numpy as np

SEPARATOR = " "
BLOCK = 1 << 20

_VERIFIED: dict[tuple[int, ...], str] = {}
"""File signature (device, inode, size, mtime, ctime) -> SHA-256 this process hashed it to."""


class TokenFileError(RuntimeError):
    """The file behind a ``TokenFile`` is missing, being removed, or no longer the one written."""


def open_shared(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of the regular file ``path`` holding a shared lock (close it to release).

    Raises ``FileNotFoundError`` when the file is absent (or was removed or replaced while it was
    being opened), ``BlockingIOError`` when another process is removing it (``remove_if_unused``),
    and ``OSError`` for a symbolic link or anything but a regular file.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise OSError(f"{path} is not a regular file")
        if not os.path.samestat(opened, os.stat(path)):
            raise FileNotFoundError(f"{path} was replaced while it was being opened")
    except BaseException:
        os.close(fd)
        raise
    return fd


def remove_if_unused(path: str | os.PathLike[str], *companions: str | os.PathLike[str],
                     check: Callable[[int], bool] | None = None) -> bool:
    """Delete the regular file ``path`` (and then its ``companions``) unless someone holds it; True if deleted.

    "Someone holds it": a live ``TokenFile`` or stage-cache entry in any process (``open_shared``).
    The file is deleted only while this call holds an exclusive lock on it, only if it is a regular
    file owned by this user and still the file at ``path``; symbolic links are left alone. The
    companions (e.g. the JSON describing a token file) are deleted first, under the same lock.
    ``check``: called with the locked descriptor just before deleting; the file is kept unless it
    returns True (an exception in it keeps the file too). Clean-up passes the proof that the suite wrote the file (a signature
    that verifies), so a file that only looks like a cache entry is never deleted.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        held = os.fstat(fd)
        try:
            current = os.lstat(path)
        except FileNotFoundError:
            return False
        if not (stat.S_ISREG(held.st_mode) and held.st_uid == os.geteuid() and os.path.samestat(held, current)):
            return False
        if check is not None:
            try:
                if not check(fd):
                    return False
            except Exception:  # noqa: BLE001 - no proof, no deletion
                return False
        for companion in companions:
            Path(companion).unlink(missing_ok=True)
        os.unlink(path)
        return True
    finally:
        os.close(fd)


class TokenFile(Sequence):
    """A read-only sequence of token lists stored one per line in ``path`` (see the module docstring).

    ``digest``: the SHA-256 the file must have (``TokenFileError`` if it has another).
    """

    def __init__(self, path: str | os.PathLike[str], digest: str | None = None) -> None:
        self._attach(Path(path))
        offsets, actual = _scan(self._fd)
        if digest is not None and actual != digest:
            raise TokenFileError(f"token file {self.path} has SHA-256 {actual[:12]}..., expected {digest[:12]}...: it was changed")
        self._offsets, self.digest = offsets, actual
        _remember(self._fd, actual)

    @classmethod
    def write(cls, path: str | os.PathLike[str], token_lists: Iterable[list[str]]) -> "TokenFile":
        """Write ``token_lists`` to ``path`` (atomically: a temporary file renamed into place) and open it.

        The file is locked before its name appears, so no clean-up can take it in between.
        """
        path = Path(path)
        offsets = array("q", [0])
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "wb") as out:
                for tokens in token_lists:
                    line = (SEPARATOR.join(tokens) + "\n").encode("utf-8")
                    out.write(line)
                    digest.update(line)
                    offsets.append(offsets[-1] + len(line))
            os.replace(tmp, path)
        except BaseException:
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
            raise
        _remember(fd, digest.hexdigest())
        return cls._opened(path, fd, np.frombuffer(offsets, dtype=np.int64), digest.hexdigest())

    @classmethod
    def _opened(cls, path: Path, fd: int, offsets: np.ndarray, digest: str) -> "TokenFile":
        """A ``TokenFile`` over the already locked descriptor ``fd`` of ``path`` (it takes ``fd`` over)."""
        self = cls.__new__(cls)
        self.path, self._fd, self._offsets, self.digest = path, fd, offsets, digest
        weakref.finalize(self, os.close, fd)
        return self

    def move_to(self, path: str | os.PathLike[str]) -> "TokenFile":
        """Move the file to ``path`` (same file system: a rename) and return the ``TokenFile`` there.

        The new object shares this one's lock, so the file is held without a gap.
        """
        path = Path(path)
        os.replace(self.path, path)
        return TokenFile._opened(path, os.dup(self._fd), self._offsets, self.digest)

    def delete_folder_with(self, folder: str | os.PathLike[str]) -> "TokenFile":
        """Delete ``folder`` (which holds this file) when this object is garbage collected; return self.

        For token files in a temporary folder this process created (``tempfile.mkdtemp``): copies
        made by unpickling never delete anything.
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
        return _split(os.pread(self._fd, end - start, start).decode("utf-8"))

    def __iter__(self) -> Iterator[list[str]]:
        for line in _lines(self._fd, int(self._offsets[-1])):
            yield _split(line.decode("utf-8"))

    def __repr__(self) -> str:
        return f"TokenFile({str(self.path)!r}, units={len(self)})"

    def __getstate__(self) -> dict:
        return {"path": str(self.path), "offsets": self._offsets, "digest": self.digest}

    def __setstate__(self, state: dict) -> None:
        self._attach(Path(state["path"]))
        self._offsets, self.digest = state["offsets"], state["digest"]
        size = os.fstat(self._fd).st_size
        if size != int(self._offsets[-1]):
            raise TokenFileError(f"token file {self.path} has {size} bytes, expected {int(self._offsets[-1])}: it was changed")
        signature = _signature(self._fd)
        if _VERIFIED.get(signature) != self.digest:
            if _scan(self._fd)[1] != self.digest:
                raise TokenFileError(f"token file {self.path} has another SHA-256 than when it was written: it was changed")
            _VERIFIED[signature] = self.digest

    def _attach(self, path: Path) -> None:
        """Open and lock ``path`` for this object (released when it is garbage collected)."""
        self.path = path
        try:
            self._fd = open_shared(path)
        except FileNotFoundError:
            raise TokenFileError(f"token file not found: {path}") from None
        except BlockingIOError:
            raise TokenFileError(f"token file {path} is being removed by another run") from None
        except OSError as exc:
            raise TokenFileError(f"cannot open token file {path}: {exc}") from None
        weakref.finalize(self, os.close, self._fd)


def _signature(fd: int) -> tuple[int, ...]:
    info = os.fstat(fd)
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _remember(fd: int, digest: str) -> None:
    """Record that the file behind ``fd``, as it is now, hashes to ``digest``."""
    _VERIFIED[_signature(fd)] = digest


def _lines(fd: int, size: int) -> Iterator[bytes]:
    """The first ``size`` bytes of ``fd`` as lines without their newline (positioned reads: no shared offset)."""
    position, pending = 0, b""
    while position < size:
        block = os.pread(fd, min(BLOCK, size - position), position)
        if not block:
            break
        position += len(block)
        *lines, pending = (pending + block).split(b"\n")
        yield from lines
    if pending:
        yield pending


def _split(line: str) -> list[str]:
    """The tokens of one line, interned: token lists a caller keeps cost a pointer per token."""
    line = line.rstrip("\n")
    return list(map(sys.intern, line.split(SEPARATOR))) if line else []


def file_sha256(fd: int) -> str:
    """SHA-256 of the whole file behind ``fd`` (positioned reads: no shared offset moves)."""
    digest = hashlib.sha256()
    position = 0
    while block := os.pread(fd, BLOCK, position):
        digest.update(block)
        position += len(block)
    return digest.hexdigest()


def _scan(fd: int) -> tuple[np.ndarray, str]:
    """Byte offset of every line start plus the file size, and the file's SHA-256 (one streamed pass)."""
    offsets = array("q", [0])
    digest = hashlib.sha256()
    position = 0
    while block := os.pread(fd, BLOCK, position):
        digest.update(block)
        start = 0
        while (newline := block.find(b"\n", start)) != -1:
            offsets.append(position + newline + 1)
            start = newline + 1
        position += len(block)
    if offsets[-1] != position:  # a last line without its newline is still a unit
        offsets.append(position)
    return np.frombuffer(offsets, dtype=np.int64), digest.hexdigest()

"""Stage results cached on disk by a key of everything they depend on, signed and locked.

A stage's key hashes its name, the suite's code, the config sections it reads, the content of
its input files and the keys of the stages before it. A rerun with nothing changed loads every
stage from the cache; changing one setting recomputes only the stages that read it and those
downstream of them.

**Integrity.** An entry is ``<stage>-<key>.joblib``: a header, an HMAC-SHA256 tag and the joblib
payload. The tag is keyed with a per-user secret kept in the cache folder (``.hkasean-cache-key``,
32 random bytes, mode 0600, created race-free) and covers the stage name, the key and every
payload byte. An entry is read into memory, its tag checked, and only then unpickled: a planted
or edited file is never unpickled; it is ignored with a warning naming it and the stage
recomputed. A key file that is a symbolic link, not the user's own, not a regular file or
readable by group or others disables the cache for the run (with a warning naming it and saying
how to fix it). The processed corpora in ``processed/`` and ``processed-units/`` are signed with
the same key (``models.processed_corpus``); token files carry their own SHA-256 (``models.token_file``).

**Whose folder.** The key file marks a folder as a stage cache of ours. ``StageCache(folder)``
refuses (``InputError``, exit status 2, before any stage runs) a folder that holds files but no
key file: a folder of the user's, never to be written into or cleaned up. A new or empty folder
(empty sub-folders allowed) becomes a cache: its key is made at once. In a cache, clean-up deletes
only entries whose signature verifies under its key (files the suite wrote); a file merely named
like an entry (``fit-final.joblib``), an edited entry or one signed with another key stays.

**Concurrency.** Runs sharing a cache folder hold a shared ``flock`` on every entry they wrote or
loaded for as long as their ``StageCache`` lives; older entries of a stage are deleted only
when an exclusive lock can be taken on them (``remove_if_unused``), i.e. when no live run in any
process holds them, and their signature is checked under that lock. Entries are written to a
temporary file that is locked before it is renamed into place.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any

from hkasean.corpus.errors import InputError
from hkasean.integrity import CACHE_KEY_NAME, dump_signed, load_signed, read_key, signed_file_verifies
from hkasean.models.token_file import open_shared, remove_if_unused

LOG = logging.getLogger(__name__)
PACKAGES = ("corpus", "models", "analysis", "scripts")
KEY_NAME = CACHE_KEY_NAME
MAGIC = b"hkasean stage cache v1\n"
CACHE_HOW_TO = "give --cache-dir a new or empty folder, or run with --no-cache"
FILES_SHOWN = 5
"""How many of a refused folder's files the message names."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the suite's Python sources: any code change invalidates every cached stage."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for package in PACKAGES:
        for source in sorted((root / package).rglob("*.py")):
            digest.update(str(source.relative_to(root)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def file_fingerprint(path: str | os.PathLike[str] | None) -> str | None:
    """SHA-256 of a file's bytes, or None for no file."""
    if path is None:
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage_key(name: str, parts: dict[str, Any]) -> str:
    """Key of one stage run: its name, the code fingerprint and its JSON-serialisable parts."""
    payload = json.dumps({"stage": name, "code": code_fingerprint(), **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


class StageCache:
    """A folder of signed ``<stage>-<key>.joblib`` entries; ``None`` as folder disables caching.

    The entries this object wrote or loaded stay locked (kept from other runs' clean-up) until it
    is garbage collected.
    """

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        """``InputError`` if ``folder`` is not a stage cache of ours (``check_cache_folder``); otherwise its
        key is read, or made for a new or empty folder (an unusable key disables the cache, with a warning)."""
        self.folder = Path(folder) if folder is not None else None
        self._secret: bytes | None = None
        self._held: list[int] = []
        weakref.finalize(self, _close_all, self._held)
        if self.folder is not None:
            check_cache_folder(self.folder)
            self._key()  # made now: the folder is ours before anything is written into it

    def _path(self, name: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}-{key}.joblib"

    def _key(self) -> bytes | None:
        """The folder's HMAC key; None (and the cache disabled, with a warning) when it cannot be trusted."""
        assert self.folder is not None
        if self._secret is None:
            try:
                self._secret = read_key(self.folder / KEY_NAME)
            except OSError as exc:  # the message names the key file and the fix
                LOG.warning("stage cache %s disabled for this run: %s", self.folder, exc)
                self.folder = None
        return self._secret

    def load(self, name: str, key: str) -> Any | None:
        """The cached result, or None when absent, unverifiable or unreadable (then the stage recomputes).

        Nothing is unpickled before its HMAC tag has been checked.
        """
        if self.folder is None:
            return None
        path = self._path(name, key)
        try:
            fd = open_shared(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            LOG.warning("ignoring cache entry %s (%s); recomputing the stage", path, exc)
            return None
        secret = self._key()
        if secret is None:
            os.close(fd)
            return None
        try:
            with os.fdopen(os.dup(fd), "rb") as handle:
                result = load_signed(handle.read(), secret, MAGIC, _label(name, key))
        except Exception as exc:  # an untrusted or corrupt entry is recomputed, never fatal
            os.close(fd)
            LOG.warning("ignoring cache entry %s (%s); recomputing the stage", path, exc)
            return None
        self._held.append(fd)
        return result

    def save(self, name: str, key: str, result: Any) -> None:
        """Store a result atomically and signed; older entries of the same stage no run holds are removed."""
        if self.folder is None:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = self._key()
        if secret is None:
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=self.folder)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # held before the entry has its name: no clean-up can take it
            with os.fdopen(os.dup(fd), "w+b") as handle:
                dump_signed(result, handle, secret, MAGIC, _label(name, key))
            os.replace(tmp, self._path(name, key))
        except BaseException:
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
            raise
        self._held.append(fd)
        self._remove_older(name, key, secret)

    def _remove_older(self, name: str, key: str, secret: bytes) -> None:
        """Delete the other entries of stage ``name`` that no run holds and whose signature verifies under ``secret``.

        An entry's signature binds its stage name and key (from its file name), so only files this
        cache wrote go; anything else named like an entry is left alone.
        """
        assert self.folder is not None
        entry = re.compile(rf"{re.escape(name)}-([0-9A-Za-z]+)\.joblib")
        for old in self.folder.glob(f"{name}-*.joblib"):
            match = entry.fullmatch(old.name)
            if match and match[1] != key:
                label = _label(name, match[1])
                if not remove_if_unused(old, check=lambda fd, label=label: signed_file_verifies(fd, secret, MAGIC, label)):
                    LOG.debug("kept %s: held by a run, or not an entry this cache wrote", old)


def check_cache_folder(folder: str | os.PathLike[str]) -> None:
    """Raise ``InputError`` unless ``folder`` may be used as a stage cache: it does not exist, holds no
    file (empty sub-folders allowed), or holds the cache key file ``.hkasean-cache-key`` (a cache of ours).

    Anything else is a folder of the user's: the suite neither writes into it nor cleans it up.
    """
    folder = Path(folder)
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise InputError(f"refusing the cache folder {folder} (--cache-dir): it exists and is not a folder; {CACHE_HOW_TO}")
    if os.path.lexists(folder / KEY_NAME):
        return  # ours; the key itself is checked when it is read
    found = _some_files(folder)
    if found:
        shown = ", ".join(found[:FILES_SHOWN]) + (" ..." if len(found) > FILES_SHOWN else "")
        raise InputError(f"refusing the cache folder {folder} (--cache-dir): it holds files ({shown}) but no "
                         f"{KEY_NAME}, so it is not an hkasean stage cache, and hkasean writes into and cleans up "
                         f"only its own; {CACHE_HOW_TO}")


def _some_files(folder: Path) -> list[str]:
    """Up to ``FILES_SHOWN + 1`` paths (relative to ``folder``) of anything in its tree but folders."""
    found: list[str] = []
    pending = [folder]
    while pending and len(found) <= FILES_SHOWN:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            found.append(current.relative_to(folder).as_posix() + "/ (unreadable)")
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                found.append(Path(entry.path).relative_to(folder).as_posix())
    return found


def _label(name: str, key: str) -> bytes:
    """What an entry's tag binds it to: its stage name and key (a renamed entry does not verify)."""
    return json.dumps([name, key]).encode()


def _close_all(descriptors: list[int]) -> None:
    """Close the held entries' descriptors, releasing their locks."""
    for fd in descriptors:
        os.close(fd)
    descriptors.clear()

"""Stage results cached on disk by a key of everything they depend on.

A stage's key hashes its name, the suite's code, the config sections it reads, the content of
its input files and the keys of the stages before it. A rerun with nothing changed loads every
stage from the cache; changing one setting recomputes only the stages that read it and those
downstream of them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib

LOG = logging.getLogger(__name__)
PACKAGES = ("corpus", "models", "analysis", "scripts")


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
    """A folder of ``<stage>-<key>.joblib`` files; ``None`` as folder disables caching."""

    def __init__(self, folder: str | os.PathLike[str] | None) -> None:
        self.folder = Path(folder) if folder is not None else None

    def _path(self, name: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}-{key}.joblib"

    def load(self, name: str, key: str) -> Any | None:
        """The cached result, or None when absent or unreadable (then the stage recomputes)."""
        if self.folder is None:
            return None
        path = self._path(name, key)
        if not path.is_file():
            return None
        try:
            return joblib.load(path)
        except Exception as exc:  # a corrupt cache entry is recomputed, never fatal
            LOG.warning("ignoring unreadable cache entry %s (%s)", path, exc)
            return None

    def save(self, name: str, key: str, result: Any) -> None:
        """Store a result atomically; older entries of the same stage are removed."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=self.folder)
        os.close(fd)
        try:
            joblib.dump(result, tmp)
            os.replace(tmp, self._path(name, key))
        finally:
            Path(tmp).unlink(missing_ok=True)
        for old in self.folder.glob(f"{name}-*.joblib"):
            if old.name != self._path(name, key).name:
                old.unlink(missing_ok=True)

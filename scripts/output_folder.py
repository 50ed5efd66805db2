"""The run's output folder, written whole or not at all, and never over anything the suite did not write.

Everything goes to a hidden sibling folder first; only when the run succeeds is it moved into
place. A run that fails leaves the previous folder untouched and no half-written one behind.

**What may be replaced.** The suite marks each folder it writes with ``.hkasean-output``: a JSON
manifest of every file (size and SHA-256) and sub-folder it wrote. ``--out`` may name a folder
that does not exist yet, an empty folder, or a folder whose marker lists exactly what is in it,
unchanged. Anything else is refused with an ``InputError`` (exit status 2) before any work starts:
a folder holding anything the marker does not list (a corpus, notes, an older run's folder
without a marker), a file the suite wrote but someone edited, a file, a symbolic link, the
working directory or a folder holding it, the home folder or a folder holding it, ``/``, a
top-level folder (``/etc``, ``/tmp``, ``/home`` ...) and anything under a system tree
(``/usr``, ``/bin``, ``/boot`` ...). The check runs again just before the swap; the previous
folder is then moved aside and only the files its marker lists are deleted, one by one.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path
from types import TracebackType

import pandas as pd

from hkasean.corpus.errors import InputError
from hkasean.corpus.permissions import make_like_new_folder

MARKER = ".hkasean-output"
MARKER_FORMAT = 1
SYSTEM_TREES = tuple(Path(p) for p in (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr",
    "/System", "/Library", "/Applications", "/private/etc",
))
"""Folders that are the operating system's: no output folder at or under them."""
LOG = logging.getLogger(__name__)
HOW_TO = "give --out a new folder name (it is created) or an empty folder"


def stable_floats(frame: pd.DataFrame, decimals: int = 10) -> pd.DataFrame:
    """Float columns rounded to ``decimals`` places and negative zero made zero.

    Rounding noise (a kappa of -5e-16 on one machine, 0 on another) would otherwise make equal
    results print differently.
    """
    floats = frame.select_dtypes(include="float").columns
    if len(floats) == 0:
        return frame
    out = frame.copy()
    out[floats] = out[floats].round(decimals) + 0.0
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse(folder: Path, why: str) -> InputError:
    return InputError(f"refusing --out {folder}: {why}; {HOW_TO}")


def _refuse_place(folder: Path) -> None:
    """Refuse the working directory, the home folder, ``/``, top-level and system folders (and what holds them)."""
    if folder.is_symlink():
        raise _refuse(folder, "it is a symbolic link (name the real folder)")
    resolved = folder.resolve()
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise _refuse(folder, "it is the working directory or holds it")
    if resolved == home or resolved in home.parents:
        raise _refuse(folder, "it is your home folder or holds it")
    if len(resolved.parts) <= 2:
        raise _refuse(folder, "it is / or a top-level system folder")
    if any(resolved == tree or tree in resolved.parents for tree in SYSTEM_TREES):
        raise _refuse(folder, "it is in a system folder")


def _read_marker(folder: Path) -> tuple[dict, set[str]]:
    """The files (relative path -> size and SHA-256) and sub-folders the marker of ``folder`` lists."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker.get("written_by") != "hkasean" or marker.get("format") != MARKER_FORMAT:
            raise ValueError("not an hkasean output marker")
        files, folders = marker["files"], marker["folders"]
        if not (isinstance(files, dict) and all(isinstance(v, dict) for v in files.values()) and isinstance(folders, list)):
            raise ValueError("malformed")
        return files, set(folders)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _refuse(folder, f"its {MARKER} marker cannot be read ({exc})") from None


def _suite_contents(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and sub-folders of ``folder``, all found there and listed unchanged by its marker.

    ``InputError`` if ``folder`` holds anything its marker does not list (or has no marker) or a
    listed file was changed. Only what is found is returned: a marker cannot name paths elsewhere.
    """
    if not (folder / MARKER).is_file():
        raise _refuse(folder, f"it holds files hkasean did not write ({_some(sorted(p.name for p in folder.iterdir()))})")
    listed_files, listed_folders = _read_marker(folder)
    files, folders, foreign, changed = [], [], [], []
    for root, dirnames, filenames in os.walk(folder):
        base = Path(root)
        for name in sorted(dirnames + filenames):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode) and relative in listed_folders:
                folders.append(path)
            elif stat.S_ISREG(mode) and relative == MARKER:
                continue
            elif not (stat.S_ISREG(mode) and relative in listed_files):
                foreign.append(relative + ("/" if stat.S_ISDIR(mode) else ""))
            elif path.stat().st_size != listed_files[relative].get("size") or _sha256(path) != listed_files[relative].get("sha256"):
                changed.append(relative)
            else:
                files.append(path)
        dirnames[:] = [d for d in dirnames if base / d in folders]
    if foreign:
        raise _refuse(folder, f"it holds files hkasean did not write ({_some(foreign)})")
    if changed:
        raise _refuse(folder, f"files hkasean wrote there were changed since ({_some(changed)}); "
                              "move the folder away, or delete it yourself if the changes may go")
    return files, folders


def _some(names: list[str], limit: int = 5) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_output_target(folder: str | os.PathLike[str]) -> None:
    """Raise ``InputError`` unless ``folder`` may be (created or) replaced by the run's output.

    Allowed: a folder that does not exist, an empty folder, or a folder holding exactly what its
    ``.hkasean-output`` marker lists, unchanged (see the module docstring for what is refused).
    """
    folder = Path(os.path.abspath(folder))
    _refuse_place(folder)
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise _refuse(folder, "it exists and is not a folder")
    if next(folder.iterdir(), None) is not None:
        _suite_contents(folder)


def _write_marker(folder: Path) -> None:
    """List every file (size, SHA-256) and sub-folder under ``folder`` in its marker."""
    files, folders = {}, []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            folders.append(relative)
        else:
            files[relative] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    marker = {"written_by": "hkasean", "format": MARKER_FORMAT, "files": files, "folders": folders}
    (folder / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _discard_previous(folder: Path) -> None:
    """Delete the previous output folder (moved aside to ``folder``) if it is still only what the suite wrote.

    Its verified files are unlinked one by one and its folders removed with ``rmdir``, which fails
    on anything that arrived meanwhile; then, or if the check fails, the folder is kept with a warning.
    """
    try:
        if any(folder.iterdir()):
            files, folders = _suite_contents(folder)
            for path in files:
                path.unlink()
            (folder / MARKER).unlink()
            for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
                path.rmdir()
        folder.rmdir()
    except (InputError, OSError) as problem:
        LOG.warning("the previous output folder was kept as %s: %s", folder, problem)


class OutputFolder:
    """Context manager: ``with OutputFolder(out) as folder: folder.table(df, "agreement")``.

    ``InputError`` on entering if ``out`` must not be replaced (``check_output_target``); the
    check is repeated just before the finished folder is moved into place, and if it fails then,
    the finished folder is kept under its hidden name (the error says where).
    """

    def __init__(self, final: str | os.PathLike[str]) -> None:
        self.final = Path(os.path.abspath(final))
        self.path: Path | None = None

    def __enter__(self) -> "OutputFolder":
        check_output_target(self.final)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))
        make_like_new_folder(self.path)
        (self.path / "tables").mkdir()
        (self.path / "figures").mkdir()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.path is not None
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)  # made by mkdtemp in __enter__: only this run wrote into it
            return
        _write_marker(self.path)
        try:
            check_output_target(self.final)
        except InputError as refusal:
            raise InputError(f"{refusal}. This run's output was kept in {self.path}") from None
        backup = None
        if os.path.lexists(self.final):
            backup = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
            os.replace(self.final, backup)
        os.replace(self.path, self.final)
        if backup is not None:
            _discard_previous(backup)

    @property
    def tables(self) -> Path:
        assert self.path is not None
        return self.path / "tables"

    @property
    def figures(self) -> Path:
        assert self.path is not None
        return self.path / "figures"

    def table(self, frame: pd.DataFrame, name: str) -> Path:
        """Write ``tables/<name>.csv`` (UTF-8, no index, fixed float format for stable files)."""
        path = self.tables / f"{name}.csv"
        stable_floats(frame).to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
        return path

    def figure_path(self, name: str) -> Path:
        """Where ``figures/<name>.png`` goes."""
        return self.figures / f"{name}.png"

    def file(self, name: str) -> Path:
        """A path at the folder's top level (report.html, manifest.json ...)."""
        assert self.path is not None
        return self.path / name

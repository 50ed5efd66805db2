"""The run's output folder, written whole or not at all, and never over anything the suite did not write.

Everything goes to a hidden sibling folder first; only when the run succeeds is it moved into
place. A run that fails leaves the previous folder untouched and no half-written one behind.

``--out`` may name a folder that does not exist yet and can be made (``output_paths`` checks the
place and the whole path), an empty folder, or a folder the same command wrote, unchanged
(``output_marker``). Anything else is refused with an ``InputError`` (exit status 2) before any
work starts. The check runs again just before the swap; the previous folder is then moved aside
and only the files its marker lists are deleted, one by one. The finished folder gets the previous
folder's modes (``output_modes``); partial folders that dead runs left are deleted on entering
(``partial_folders``).
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path
from types import TracebackType

import pandas as pd

from hkasean.corpus.errors import InputError
from hkasean.scripts.output_marker import COMMANDS, MARKER, RUN, check_command, suite_contents, write_marker
from hkasean.scripts.output_modes import give_mode, new_folder_mode
from hkasean.scripts.output_paths import check_path, refusal, refuse_place
from hkasean.scripts.partial_folders import PARTIAL_MARKER, claim_partial, remove_dead_partials

LOG = logging.getLogger(__name__)


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


def check_output_target(folder: str | os.PathLike[str], command: str = RUN) -> None:
    """Raise ``InputError`` unless ``folder`` may be (created or) replaced by the output of ``command``.

    Allowed: a folder that does not exist and can be made (the place and the whole path are checked,
    see ``output_paths``), an empty folder, or a folder holding exactly what its ``.hkasean-output``
    marker lists, unchanged, written by the same ``command`` (``run`` or ``codebook suggest``).
    """
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")
    folder = Path(os.path.abspath(folder))
    refuse_place(folder)
    check_path(folder)
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise refusal(folder, "it exists and is not a folder")
    if next(folder.iterdir(), None) is not None:
        suite_contents(folder)
        check_command(folder, command)


def _discard_previous(folder: Path) -> None:
    """Delete the previous output folder (moved aside to ``folder``) if it is still only what the suite wrote.

    Its verified files are unlinked one by one and its folders removed with ``rmdir``, which fails
    on anything that arrived meanwhile; then, or if the check fails, the folder is kept with a warning.
    """
    try:
        if any(folder.iterdir()):
            files, folders = suite_contents(folder)
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

    ``InputError`` on entering if ``out`` must not be replaced by ``command``'s output
    (``check_output_target``); the check is repeated just before the finished folder is moved into
    place, and if it fails then, the finished folder is kept under its hidden name (the error says
    where; it loses its partial marker, so no later run deletes it). Entering also deletes the
    partial folders dead runs left for ``out`` (``remove_dead_partials``).
    """

    def __init__(self, final: str | os.PathLike[str], command: str = RUN) -> None:
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")
        self.final = Path(os.path.abspath(final))
        self.command = command
        self.path: Path | None = None
        self._lock: int | None = None

    def __enter__(self) -> "OutputFolder":
        check_output_target(self.final, self.command)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        remove_dead_partials(self.final)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))  # 0700 while written
        try:
            self._lock = claim_partial(self.path, self.command, self.final)
            (self.path / "tables").mkdir()
            (self.path / "figures").mkdir()
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.path is not None
        try:
            if exc_type is not None:
                shutil.rmtree(self.path, ignore_errors=True)  # made by mkdtemp in __enter__: only this run wrote into it
                return
            (self.path / PARTIAL_MARKER).unlink()  # its lock stays held until the folder has its final name
            write_marker(self.path, self.command)
            try:
                check_output_target(self.final, self.command)
            except InputError as late_refusal:
                raise InputError(f"{late_refusal}. This run's output was kept in {self.path}") from None
            try:
                previous = self.final.lstat()
                give_mode(self.path, stat.S_IMODE(previous.st_mode), previous.st_gid)
            except FileNotFoundError:
                give_mode(self.path, new_folder_mode(), None)
            backup = None
            if os.path.lexists(self.final):
                backup = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
                os.replace(self.final, backup)
            os.replace(self.path, self.final)
            if backup is not None:
                _discard_previous(backup)
        finally:
            self._release()

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

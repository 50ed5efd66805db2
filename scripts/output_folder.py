"""The run's output folder, written whole or not at all.

Everything goes to a hidden sibling folder first; only when the run succeeds is it moved into
place (replacing an earlier run's folder). A run that fails leaves the previous folder untouched
and no half-written one behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import pandas as pd

from hkasean.corpus.permissions import make_like_new_folder


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


class OutputFolder:
    """Context manager: ``with OutputFolder(out) as folder: folder.table(df, "agreement")``."""

    def __init__(self, final: str | os.PathLike[str]) -> None:
        self.final = Path(final).resolve()
        self.path: Path | None = None

    def __enter__(self) -> "OutputFolder":
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))
        make_like_new_folder(self.path)
        (self.path / "tables").mkdir()
        (self.path / "figures").mkdir()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.path is not None
        if exc_type is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        backup = None
        if self.final.exists():
            backup = self.final.with_name(f".{self.final.name}.old-{os.getpid()}")
            os.replace(self.final, backup)
        os.replace(self.path, self.final)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)

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

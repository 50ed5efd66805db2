"""What a run hands back: its tables as DataFrames, its figures as PNG images, the manifest."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class FigureImage:
    """One figure of a run as PNG bytes; shows itself in a Jupyter notebook."""

    name: str
    png: bytes
    caption: str = ""

    def _repr_png_(self) -> bytes:
        return self.png

    def save(self, path: str | Path) -> Path:
        """Write the PNG to ``path`` (a new file; an existing one is refused) and return the path."""
        path = Path(path)
        with open(path, "xb") as handle:
            handle.write(self.png)
        return path


@dataclass
class RunResult:
    """The run's results: ``tables`` (contract name -> DataFrame), ``figures`` (name -> ``FigureImage``),
    ``manifest`` (what ``manifest.json`` holds), ``out`` (the output folder, or None when nothing was
    written) and ``models`` (the fitted models by name)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, FigureImage] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None
    models: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        """``result["agreement"]``: one table by its contract name."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r} in this run; it has: {', '.join(sorted(self.tables))}") from None

"""What the stages of a run share: the run context, a stage's declaration and what it outputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from hkasean.scripts.config import RunConfig
from hkasean.scripts.inputs import LoadedInputs

FigureDrawer = Callable[[Path], object]
"""Draws one figure into the PNG path it is given."""
FileWriter = Callable[[Path], object]
"""Writes one file into the path it is given."""


@dataclass
class StageOutputs:
    """What a stage contributes to the run's output: tables, figures and other files, by name.

    ``tables``: contract table name -> DataFrame; ``figures``: contract figure name -> drawer;
    ``files``: path relative to the output folder -> writer (e.g. the fitted models).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, FigureDrawer] = field(default_factory=dict)
    files: dict[str, FileWriter] = field(default_factory=dict)


@dataclass
class StageRecord:
    """How one stage went: seconds taken, whether it came from the cache, its key."""

    name: str
    seconds: float
    cached: bool
    key: str


@dataclass
class RunContext:
    """What the stages share: the config, the loaded inputs and the results so far."""

    config: RunConfig
    inputs: LoadedInputs
    progress: bool = True
    cache_dir: Path | None = None
    results: dict[str, Any] = field(default_factory=dict)
    records: list[StageRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Stage:
    """One step of the run: the config sections it reads, the stages it follows, how it computes and outputs.

    ``compute(context)`` returns plain data (cached by the stage's key); ``outputs(context, result)``
    turns it into the tables, figures and files of the output folder.
    """

    name: str
    sections: tuple[str, ...]
    after: tuple[str, ...]
    compute: Callable[[RunContext], Any]
    outputs: Callable[[RunContext, Any], StageOutputs]
    needs_coding: bool = False
    description: str = ""

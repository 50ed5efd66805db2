"""The study as one call: ``hkasean.run(...)`` for notebooks and scripts; the CLI's ``run`` calls it too.

    import hkasean
    result = hkasean.run()                                    # the bundled sample, nothing written
    result = hkasean.run(corpus="corpus.jsonl", coding="coding.csv", config="config.yaml", out="results")
    result["agreement"]                                       # a table as a DataFrame
    result.figures["agreement_f1"]                            # a figure (shows itself in Jupyter)
"""
from __future__ import annotations

import os
from pathlib import Path

from hkasean.corpus.locations import data_home
from hkasean.scripts.config import RunConfig, load_config, override
from hkasean.scripts.inputs import RunInputs
from hkasean.scripts.pipeline import REPORT, run_pipeline
from hkasean.scripts.run_result import RunResult

PathLike = str | os.PathLike[str]


def default_stage_cache_dir() -> Path:
    """Where stage results are cached by their inputs unless told otherwise."""
    return data_home() / "stage-cache"


def study_config(config: PathLike | RunConfig | None = None, *, seed: int | None = None, jobs: int | None = None) -> RunConfig:
    """A run's config: a YAML file, a ``RunConfig`` or the defaults, with ``seed`` and ``jobs`` applied on top."""
    loaded = config if isinstance(config, RunConfig) else load_config(None if config is None else Path(config))
    if seed is not None:
        loaded = override(loaded, "seed", seed, "--seed")
    if jobs is not None:
        loaded = override(loaded, "models.n_jobs", jobs, "--jobs")
    return loaded


def _path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


def run_study(
    corpus: PathLike | None = None,
    coding: PathLike | None = None,
    *,
    db: PathLike | None = None,
    codebook: PathLike | None = None,
    trade: PathLike | None = None,
    config: PathLike | RunConfig | None = None,
    out: PathLike | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    no_coding: bool = False,
    cache_dir: PathLike | None = None,
    until: str = REPORT,
    progress: bool = False,
    argv: list[str] | None = None,
) -> RunResult:
    """Run the study and return its tables and figures; write the output folder too when ``out`` is given.

    ``corpus`` (JSONL) or ``db`` (a document store) is the corpus (default: the bundled sample);
    ``coding`` the manual coding CSV (default: the bundled coding with the bundled sample; none
    otherwise; ``no_coding=True`` ignores any); ``codebook``, ``trade``: the codebook YAML and the
    trade CSV (default: the bundled ones); ``config``: a YAML file or a ``RunConfig`` (default: every
    setting's default), with ``seed`` and ``jobs`` on top; ``cache_dir``: where stage results are
    cached (None: no cache; the CLI uses ``default_stage_cache_dir()``); ``until``: the last stage
    (default: everything and the report).

    The inputs are validated exactly as on the command line (an ``InputError`` names the file and
    the place); the same inputs and seed give the same tables. Returns a ``RunResult``:
    ``result.tables`` (name -> DataFrame, names and columns as in ``hkasean.contract``),
    ``result.figures`` (name -> ``FigureImage``), ``result.manifest``, ``result.models``.
    """
    run_config = study_config(config, seed=seed, jobs=jobs)
    inputs = RunInputs(corpus=_path(corpus), db=_path(db), coding=_path(coding), codebook=_path(codebook),
                       trade=_path(trade), no_coding=no_coding)
    return run_pipeline(run_config, inputs, _path(out), until=until, cache_dir=_path(cache_dir),
                        progress=progress, argv=argv)

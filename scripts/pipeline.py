"""The staged batch run: corpus -> process -> tfidf -> fit -> evaluate -> timeseries -> claims -> report.

``run_pipeline`` loads and validates the inputs, runs each stage of ``stages.STAGES`` (results
cached by their inputs, ``stage_cache``), gathers every stage's tables and figures, checks each
table against ``hkasean.contract``, and hands back a ``RunResult``. Given an output folder it
writes it whole or not at all: tables, figures, fitted models, manifest and the report, which
is built from the run's own results in memory.

``run_suggestions`` (``hkasean codebook suggest``) runs only the stages of ``SUGGEST_STAGES`` the
same way (same stage keys and cache, so it reuses what a run computed and the reverse) and writes
their two tables and a manifest listing only those stages into a folder of its own.
"""
from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from hkasean import contract
from hkasean.analysis.figures import apply_style
from hkasean.analysis.report import write_report_files
from hkasean.analysis.report_data import ReportInput
from hkasean.models.base import check_model_key
from hkasean.scripts.config import RunConfig, config_to_dict
from hkasean.scripts.inputs import RunInputs, load_inputs
from hkasean.scripts.manifest import WarningCollector, build_manifest, write_manifest
from hkasean.scripts.output_folder import OutputFolder, check_output_target, stable_floats
from hkasean.scripts.output_marker import RUN, SUGGEST
from hkasean.scripts.run_context import RunContext, Stage, StageOutputs, StageRecord
from hkasean.scripts.run_result import FigureImage, RunResult
from hkasean.scripts.stage_cache import StageCache, check_cache_folder, stage_key
from hkasean.scripts.stages import STAGES, corpus_outputs, write_explorer_file

LOG = logging.getLogger(__name__)

REPORT = "report"
"""The last step of a full run; ``until=REPORT`` runs every stage and writes the report."""
SUGGEST_STAGES = ("process", "suggest")
"""The stages ``codebook suggest`` runs: the text processing and the indicator suggestions."""


class ContractError(RuntimeError):
    """A stage produced a table that is not the one ``hkasean.contract`` declares (a bug, not bad input)."""


def stages_until(last: str) -> tuple[Stage, ...]:
    """The stages up to and including ``last`` (``report`` means all)."""
    if last == REPORT:
        return STAGES
    names = [stage.name for stage in STAGES]
    if last not in names:
        raise ValueError(f"unknown stage {last!r}; expected one of {', '.join(names + [REPORT])}")
    return STAGES[: names.index(last) + 1]


def conform_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` checked against the contract table ``name``, in its declared columns.

    An empty frame gets the declared columns; a frame without some optional (not ``required``)
    columns gets them empty. Any other difference (an undeclared column, a required one missing,
    another order) is a ``ContractError``.
    """
    spec = contract.WRITTEN_TABLES.get(name)
    if spec is None:
        raise ContractError(f"table {name!r} is not declared in hkasean.contract")
    columns = list(frame.columns)
    if frame.empty and columns != spec.column_list:
        return pd.DataFrame(columns=spec.column_list)
    in_order = [c for c in spec.columns if c in columns] == columns
    if not in_order or not set(spec.required) <= set(columns):
        raise ContractError(f"table {name!r} has columns {columns}; the contract declares {spec.column_list} "
                            f"(required: {list(spec.required)})")
    return stable_floats(frame.reindex(columns=spec.column_list))


def gather_outputs(context: RunContext, stages: list[Stage], *, with_corpus: bool = True) -> StageOutputs:
    """Every table, figure and file of the given stages and (``with_corpus``) of the corpus overview, tables checked
    against the contract."""
    gathered = StageOutputs()
    overview = [corpus_outputs(context)] if with_corpus else []
    for outputs in overview + [s.outputs(context, context.results[s.name]) for s in stages]:
        for name, frame in outputs.tables.items():
            gathered.tables[name] = conform_table(name, frame)
        for name in outputs.figures:
            if name not in contract.FIGURES:
                raise ContractError(f"figure {name!r} is not declared in hkasean.contract")
        gathered.figures.update(outputs.figures)
        gathered.files.update(outputs.files)
    return gathered


def run_stages(context: RunContext, stages: list[Stage]) -> None:
    """Compute (or load from the cache) each stage's result into ``context.results``."""
    cache = StageCache(context.cache_dir)
    keys: dict[str, str] = {}
    config_dict = config_to_dict(context.config)
    bar = tqdm(stages, desc="hkasean", unit="stage", disable=not context.progress, leave=False)
    for stage in bar:
        bar.set_postfix_str(stage.name)
        parts = {
            "inputs": context.inputs.fingerprint,
            "config": {section: config_dict[section] for section in stage.sections},
            "after": {name: keys[name] for name in stage.after},
        }
        key = keys[stage.name] = stage_key(stage.name, parts)
        t0 = time.perf_counter()
        result = cache.load(stage.name, key)
        cached = result is not None
        if not cached:
            result = stage.compute(context)
            cache.save(stage.name, key, result)
        context.results[stage.name] = result
        seconds = time.perf_counter() - t0
        context.records.append(StageRecord(stage.name, seconds, cached, key))
        LOG.info("stage %-10s %6.1f s%s", stage.name, seconds, " (cached)" if cached else "")


def compute_stages(config: RunConfig, run_inputs: RunInputs, stages: tuple[Stage, ...], *, cache_dir: Path | None,
                   progress: bool) -> tuple[RunContext, list[Stage]]:
    """Load and validate the inputs, then compute (or load from the cache in ``cache_dir``) each of ``stages``
    but those that need a manual coding when there is none (skipped with a warning).

    Returns the context (results and a record of each step, the inputs' first) and the stages that ran.
    """
    t0 = time.perf_counter()
    loaded = load_inputs(run_inputs)
    context = RunContext(config=config, inputs=loaded, progress=progress, cache_dir=cache_dir)
    context.records.append(StageRecord("inputs", time.perf_counter() - t0, False, loaded.fingerprint))
    selected = [s for s in stages if not (s.needs_coding and loaded.coding is None)]
    skipped = [s.name for s in stages if s.needs_coding and loaded.coding is None]
    if skipped:
        LOG.warning("no manual coding given: skipping %s", ", ".join(skipped))
    run_stages(context, selected)
    return context, selected


def _check_targets(out: Path | None, command: str, stages: tuple[Stage, ...], cache_dir: Path | None) -> None:
    """Refuse, before any work, an output folder ``command`` may not replace, an unusable model key when ``stages``
    fit models (they are saved signed) and a cache folder of the user's."""
    if out is not None:
        check_output_target(out, command)  # a folder the suite did not write, or another command's, is refused at once
        if any(stage.name == "fit" for stage in stages):
            check_model_key()  # the models are saved signed: an unusable key stops the run now, not after every stage
    if cache_dir is not None:
        check_cache_folder(cache_dir)  # a folder of the user's is refused before the inputs are read


def _write_tables(folder: OutputFolder, tables: dict[str, pd.DataFrame]) -> None:
    """Write every table as ``tables/<name>.csv``."""
    for name, frame in tables.items():
        folder.table(frame, name)


def run_pipeline(
    config: RunConfig,
    run_inputs: RunInputs,
    out: Path | None,
    *,
    until: str = REPORT,
    cache_dir: Path | None = None,
    progress: bool = True,
    argv: list[str] | None = None,
) -> RunResult:
    """Run the stages up to ``until``; write the output folder ``out`` (whole or not at all) unless it is None.

    Inputs are loaded and validated before anything is computed or written: a bad corpus line,
    an unknown theme, coding for missing documents or an empty trade file stops the run with an
    ``InputError`` and leaves ``out`` as it was.
    """
    _check_targets(out, RUN, stages_until(until), cache_dir)
    started = time.perf_counter()
    with WarningCollector() as warnings:
        context, selected = compute_stages(config, run_inputs, stages_until(until), cache_dir=cache_dir, progress=progress)
        outputs = gather_outputs(context, selected)
        fit = context.results.get("fit")
        result = RunResult(tables=outputs.tables, models=dict(fit.models) if fit is not None else {}, out=out)
        if out is None:
            with tempfile.TemporaryDirectory(prefix="hkasean-figures-") as scratch:
                _draw_figures(context, outputs, Path(scratch), result)
            result.manifest = _manifest(context, warnings.messages, started, argv)
            return result
        with OutputFolder(out) as folder:
            t0 = time.perf_counter()
            _write_tables(folder, outputs.tables)
            figure_paths = _draw_figures(context, outputs, folder.figures, result)
            for relative, write in outputs.files.items():
                path = folder.file(relative)
                path.parent.mkdir(parents=True, exist_ok=True)
                write(path)
            write_explorer_file(context, result.tables, folder.file(contract.EXPLORER))
            context.records.append(StageRecord("write", time.perf_counter() - t0, False, ""))
            result.manifest = _manifest(context, warnings.messages, started, argv)
            if until == REPORT:
                t0 = time.perf_counter()
                write_report_files(ReportInput(manifest=result.manifest, tables=result.tables, figures=figure_paths),
                                   folder.file("report.html"), folder.file("report.md"))
                result.manifest["stages"].append({"name": REPORT, "seconds": time.perf_counter() - t0, "cached": False, "key": ""})
            write_manifest(result.manifest, folder.file("manifest.json"))
    return result


def run_suggestions(
    config: RunConfig,
    run_inputs: RunInputs,
    out: Path,
    *,
    cache_dir: Path | None = None,
    progress: bool = False,
    argv: list[str] | None = None,
) -> RunResult:
    """``codebook suggest``: the stages of ``SUGGEST_STAGES`` (needs a manual coding), cached as in a run; their
    tables written to ``out`` (whole or not at all; a new folder or one ``codebook suggest`` wrote) with a
    ``manifest.json`` that lists only these stages. Returns their tables and the manifest.
    """
    stages = tuple(stage for stage in STAGES if stage.name in SUGGEST_STAGES)
    _check_targets(out, SUGGEST, stages, cache_dir)
    started = time.perf_counter()
    with WarningCollector() as warnings:
        context, selected = compute_stages(config, run_inputs, stages, cache_dir=cache_dir, progress=progress)
        result = RunResult(tables=gather_outputs(context, selected, with_corpus=False).tables, out=out)
        with OutputFolder(out, SUGGEST) as folder:
            t0 = time.perf_counter()
            _write_tables(folder, result.tables)
            context.records.append(StageRecord("write", time.perf_counter() - t0, False, ""))
            result.manifest = _manifest(context, warnings.messages, started, argv)
            write_manifest(result.manifest, folder.file("manifest.json"))
    return result


def _draw_figures(context: RunContext, outputs: StageOutputs, folder: Path, result: RunResult) -> dict[str, Path]:
    """Draw every figure into ``folder`` (``<name>.png``), keep each as a ``FigureImage`` in ``result``."""
    apply_style()
    paths: dict[str, Path] = {}
    for name in sorted(outputs.figures, key=list(contract.FIGURES).index):
        path = folder / f"{name}.png"
        outputs.figures[name](path)
        paths[name] = path
        result.figures[name] = FigureImage(name, path.read_bytes(), contract.FIGURES[name].caption)
    return paths


def _manifest(context: RunContext, warnings: list[str], started: float, argv: list[str] | None) -> dict[str, Any]:
    return build_manifest(
        config=config_to_dict(context.config),
        inputs=context.inputs,
        records=[dataclasses.asdict(r) for r in context.records],
        warnings=warnings,
        total_seconds=time.perf_counter() - started,
        argv=argv,
        resolved=context.results["fit"].resolved if "fit" in context.results else None,
    )

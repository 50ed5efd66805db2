"""The staged batch run: corpus -> process -> tfidf -> fit -> evaluate -> timeseries -> claims -> report.

Each stage is a small object with the config sections it reads, the stages it follows, a
``compute`` that returns plain data (DataFrames, small dataclasses) and a ``write`` that puts its
tables and figures in the output folder. Results are cached by their inputs (``stage_cache``).
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tqdm.auto import tqdm

from hkasean.scripts.config import RunConfig, config_to_dict
from hkasean.scripts.inputs import RunInputs, LoadedInputs, load_inputs
from hkasean.scripts.manifest import WarningCollector, build_manifest, write_manifest
from hkasean.scripts.output_folder import OutputFolder
from hkasean.scripts.stage_cache import StageCache, stage_key
from hkasean.scripts import stages

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    """One step of the run."""

    name: str
    sections: tuple[str, ...]
    after: tuple[str, ...]
    compute: Callable[["RunContext"], Any]
    write: Callable[["RunContext", Any, OutputFolder], None]
    needs_coding: bool = False
    description: str = ""


STAGES: tuple[Stage, ...] = (
    Stage("process", ("text",), (), stages.compute_process, stages.write_nothing,
          description="tokenise, stopwords, phrases"),
    Stage("tfidf", ("text",), ("process",), stages.compute_tfidf, stages.write_tfidf,
          description="distinctive terms and indicator frequencies"),
    Stage("fit", ("models", "seed"), ("process",), stages.compute_fit, stages.write_fit,
          description="topic models and coders"),
    Stage("evaluate", ("validation", "seed"), ("fit",), stages.compute_evaluate, stages.write_evaluate,
          needs_coding=True, description="agreement with the manual coding"),
    Stage("timeseries", ("prevalence", "trade", "correlation", "seed"), ("fit",), stages.compute_timeseries, stages.write_timeseries,
          description="theme prevalence, trade and correlation"),
    Stage("claims", ("claims", "trade"), (), stages.compute_claims, stages.write_claims,
          description="audit of numeric trade claims"),
)
STAGE_NAMES = tuple(stage.name for stage in STAGES)


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


def stages_until(last: str) -> tuple[Stage, ...]:
    """The stages up to and including ``last`` (``report`` means all)."""
    if last == "report":
        return STAGES
    names = [stage.name for stage in STAGES]
    if last not in names:
        raise ValueError(f"unknown stage {last!r}; expected one of {', '.join(names + ['report'])}")
    return STAGES[: names.index(last) + 1]


def run_pipeline(
    config: RunConfig,
    run_inputs: RunInputs,
    out: Path,
    *,
    until: str = "report",
    cache_dir: Path | None = None,
    progress: bool = True,
    argv: list[str] | None = None,
) -> RunContext:
    """Run the stages up to ``until`` and write the output folder ``out`` (whole or not at all).

    Inputs are loaded and validated before anything is computed or written: a bad corpus line,
    an unknown theme, coding for missing documents or an empty trade file stops the run with an
    ``InputError`` and leaves ``out`` as it was.
    """
    started = time.perf_counter()
    with WarningCollector() as warnings:
        t0 = time.perf_counter()
        loaded = load_inputs(run_inputs)
        context = RunContext(config=config, inputs=loaded, progress=progress, cache_dir=cache_dir)
        context.records.append(StageRecord("inputs", time.perf_counter() - t0, False, loaded.fingerprint))
        cache = StageCache(cache_dir)
        selected = [s for s in stages_until(until) if not (s.needs_coding and loaded.coding is None)]
        skipped = [s.name for s in stages_until(until) if s.needs_coding and loaded.coding is None]
        if skipped:
            LOG.warning("no manual coding given: skipping %s", ", ".join(skipped))
        keys: dict[str, str] = {}
        config_dict = config_to_dict(config)
        bar = tqdm(selected, desc="hkasean", unit="stage", disable=not progress, leave=False)
        for stage in bar:
            bar.set_postfix_str(stage.name)
            parts = {
                "inputs": loaded.fingerprint,
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
        with OutputFolder(out) as folder:
            t0 = time.perf_counter()
            stages.write_corpus(context, folder)
            for stage in selected:
                stage.write(context, context.results[stage.name], folder)
            context.records.append(StageRecord("write", time.perf_counter() - t0, False, ""))
            manifest = build_manifest(
                config=config_dict,
                inputs=loaded,
                records=[dataclasses.asdict(r) for r in context.records],
                warnings=warnings.messages,
                total_seconds=time.perf_counter() - started,
                argv=argv,
            )
            if until == "report":
                t0 = time.perf_counter()
                stages.write_report(context, folder, manifest)
                manifest["stages"].append({"name": "report", "seconds": time.perf_counter() - t0, "cached": False, "key": ""})
            write_manifest(manifest, folder.file("manifest.json"))
    return context

"""Pipeline benchmark: stage timings of ``run`` on the bundled sample, and the pipeline's overhead.

Each repeat runs the whole batch (``scripts.pipeline.run_pipeline``, no stage cache, the default
config unless ``--config``) into a fresh temporary folder, then times the bare library fits it
contains: ``models.zoo.fit_models`` called directly on the same processed corpus with the same
settings, labels and seed. Overhead ratio = whole run / bare fits (everything the pipeline does
around the model fits: input checks, processing, TF-IDF tables, evaluation, time series, claims,
tables, figures and the report). Medians over ``--repeats`` (default 3) are printed.

Run: ``python benchmarks/bench_pipeline.py [--repeats 3] [--config FILE]``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import machine_description, median  # noqa: E402
from hkasean.models.zoo import fit_models  # noqa: E402
from hkasean.scripts.config import RunConfig, load_config  # noqa: E402
from hkasean.scripts.inputs import RunInputs  # noqa: E402
from hkasean.scripts.pipeline import run_pipeline  # noqa: E402

REPORT_AND_OTHER = "report+other"


@dataclass
class PipelineBenchSettings:
    """Tunable parameters of the pipeline benchmark (config keys = field names)."""

    repeats: int = field(default=3, metadata={"help": "runs of the whole pipeline; medians are reported"})
    config: str | None = field(default=None, metadata={"help": "run config YAML file (None: the defaults)"})


@dataclass
class RepeatTiming:
    """One repeat: seconds per stage (``report+other`` = total minus the recorded stages),
    the whole run, and the bare ``fit_models`` call."""

    stages: dict[str, float]
    total: float
    bare_fit: float

    @property
    def overhead_ratio(self) -> float:
        return self.total / self.bare_fit


def time_one_repeat(config: RunConfig, out: Path) -> RepeatTiming:
    """Run the pipeline into ``out`` and then the bare fits on its processed corpus."""
    started = time.perf_counter()
    context = run_pipeline(config, RunInputs(), out, cache_dir=None, progress=False)
    total = time.perf_counter() - started
    stages = {record.name: record.seconds for record in context.records}
    stages[REPORT_AND_OTHER] = total - sum(stages.values())
    coding = context.inputs.coding
    started = time.perf_counter()
    fit_models(
        context.results["process"],
        context.inputs.codebook,
        config.models,
        labels=coding.standard() if coding is not None else None,
        random_state=config.seed,
        progress=False,
    )
    return RepeatTiming(stages=stages, total=total, bare_fit=time.perf_counter() - started)


def timings_table(repeats: list[RepeatTiming]) -> str:
    """Markdown table: every stage's seconds in each repeat and their median, then the totals."""
    header = "| stage | " + " | ".join(f"run {i + 1} (s)" for i in range(len(repeats))) + " | median (s) |"
    lines = [header, "|---|" + "---:|" * (len(repeats) + 1)]

    def row(name: str, values: list[float], bold: bool = False) -> str:
        cells = [f"{v:.2f}" for v in values] + [f"{median(values):.2f}"]
        if bold:
            name, cells = f"**{name}**", [f"**{c}**" for c in cells]
        return f"| {name} | " + " | ".join(cells) + " |"

    for name in repeats[0].stages:
        lines.append(row(name, [r.stages[name] for r in repeats]))
    lines.append(row("whole run", [r.total for r in repeats], bold=True))
    lines.append(row("bare fit_models", [r.bare_fit for r in repeats], bold=True))
    lines.append(row("fit stage / bare fits", [r.stages["fit"] / r.bare_fit for r in repeats]))
    lines.append(row("whole run / bare fits", [r.overhead_ratio for r in repeats], bold=True))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    defaults = PipelineBenchSettings()
    parser = argparse.ArgumentParser(description="Stage timings of `run` on the bundled sample and its overhead over the bare fits.")
    parser.add_argument("--repeats", type=int, default=defaults.repeats, help="number of runs (median reported)")
    parser.add_argument("--config", default=defaults.config, help="run config YAML (default: built-in defaults)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    config = load_config(args.config)
    print(machine_description())
    print(f"config: {args.config or 'defaults'}; seed {config.seed}; k_grid {config.models.k_grid}; "
          f"seeds {config.models.seeds}; passes {config.models.passes}", flush=True)
    repeats = []
    with tempfile.TemporaryDirectory(prefix="hkasean-bench-") as tmp:
        for i in range(args.repeats):
            repeats.append(time_one_repeat(config, Path(tmp) / f"run{i}"))
            print(f"run {i + 1}: whole {repeats[-1].total:.1f} s, bare fits {repeats[-1].bare_fit:.1f} s", flush=True)
    print()
    print(timings_table(repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

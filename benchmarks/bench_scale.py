"""Scale benchmark: the library steps of a run on synthetic corpora of growing size.

For each size N a synthetic corpus (``benchmarks/synthetic.py``: the sample's paragraphs
resampled, seeded) is written to a temporary folder, then ONE fresh child process runs, timing
each step and reading its own peak RSS after it:

  store_write   stream the JSONL into a fresh ``DocumentStore`` (one upsert per document)
  store_scan    one streamed pass over ``corpus.collection.StoredDocuments`` (what every pass of
                ``run --db`` over the store costs; the documents are never held together)
  process       ``models.text.process_documents`` on that collection (default ``TextSettings``):
                streamed from the store, tokens written to a ``TokenFile``
  lda           ``LdaTopicModel`` fit, ONE K and ONE seed (``n_topics``, ``passes``, ``iterations``)
  nmf           ``NmfTopicModel`` fit, ONE K and ONE seed
  seeded_lda    ``SeededLdaTopicModel`` fit, one seed
  dictionary    ``DictionaryCoder`` fit
  coding        ``analysis.coding.load_coding`` of the synthetic coding + ``standard()``
  supervised    ``SupervisedCoder`` fit (cross-validated, ``supervised_folds`` folds)
  tables        every model's doc_themes/doc_topics/top_terms/topics/evidence (what fit_models stacks)
  topic_map     ``analysis.mapping.cross_validated_topic_map`` of LDA and NMF
  agreement     ``analysis.agreement.agreement_table`` of every model (``n_boot`` resamples)

The pipeline's K grid multiplies the LDA and NMF times by |k_grid| x |seeds| (5 x 3 = 15 fits
with the defaults) and its ``passes`` (default 20) the LDA times by passes / ``passes`` here.

The child gets ``budget_seconds``; a size that does not finish is reported with the steps it did.
Run: ``python benchmarks/bench_scale.py [--sizes 10000 30000 100000] [--quick]``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import growth_exponent, machine_description, peak_rss_mb  # noqa: E402
from benchmarks.synthetic import SyntheticSettings, load_sample_pool, write_synthetic_corpus  # noqa: E402

TARGET_EXPONENT = 1.1
TARGET_PEAK_MB = 4096.0
TARGET_SIZE = 100_000


@dataclass
class ScaleSettings:
    """Tunable parameters of the scale benchmark (config keys = field names)."""

    sizes: tuple[int, ...] = field(default=(10_000, 30_000, 100_000), metadata={"help": "numbers of synthetic documents"})
    n_topics: int = field(default=6, metadata={"help": "K of LDA and NMF (one K, no grid)"})
    passes: int = field(default=2, metadata={"help": "LDA passes (the seeded LDA keeps its auto schedule)"})
    iterations: int = field(default=50, metadata={"help": "LDA variational iterations per unit (gensim backend)"})
    nmf_max_iter: int = field(default=200, metadata={"help": "maximum NMF iterations"})
    supervised_folds: int = field(default=5, metadata={"help": "cross-validation folds of the supervised coder"})
    n_boot: int = field(default=1000, metadata={"help": "bootstrap resamples of the agreement table (pipeline default 1000)"})
    map_folds: int = field(default=5, metadata={"help": "cross-validation folds of the topic-to-theme map"})
    seed: int = field(default=0, metadata={"help": "seed of the synthetic corpus and of every model"})
    budget_seconds: float = field(default=1500.0, metadata={"help": "wall-time budget of one size's child process"})
    until: str = field(default="agreement", metadata={"help": "last step to run (e.g. 'process' to measure processing alone on a large size)"})


QUICK = ScaleSettings(sizes=(500, 1000, 2000), passes=1, iterations=20, nmf_max_iter=100, n_boot=100, budget_seconds=300.0)
"""A short version (a minute or two) that checks the benchmark runs end to end."""


# ------------------------------------------------------------------ child: one size, timed steps
class LastStepDone(Exception):
    """Raised after the step ``ScaleSettings.until``: the child stops there, successfully."""


class StepTimer:
    """Times named steps and prints one JSON line per step (seconds, peak RSS so far) as it ends."""

    def __init__(self, size: int, until: str) -> None:
        self.size = size
        self.until = until

    def run(self, step: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        record = {"size": self.size, "step": step, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}
        print(json.dumps(record), flush=True)
        if step == self.until:
            raise LastStepDone(step)
        return result


def _write_store(corpus_path: Path, db_path: Path) -> None:
    from hkasean.corpus.jsonl import iter_documents
    from hkasean.corpus.store import DocumentStore

    with DocumentStore(db_path) as store:
        for document in iter_documents(corpus_path):
            store.upsert(document)


def _scan_store(db_path: Path) -> Any:
    from hkasean.corpus.collection import StoredDocuments

    documents = StoredDocuments(db_path)
    count = sum(1 for _ in documents)
    assert count == len(documents)
    return documents


def _model_tables(models: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    return {
        "doc_themes": pd.concat([m.doc_themes() for m in models.values()], ignore_index=True),
        "doc_topics": pd.concat([m.doc_topics() for m in models.values()], ignore_index=True),
        "top_terms": pd.concat([m.top_terms(10) for m in models.values()], ignore_index=True),
        "topics": pd.concat([m.topics() for m in models.values()], ignore_index=True),
        "evidence": pd.concat([m.evidence() for m in models.values()], ignore_index=True),
    }


def run_size(size: int, data_dir: Path, settings: ScaleSettings) -> None:
    """The child's work: every step on the corpus in ``data_dir``, one JSON line per step on stdout."""
    import pandas as pd

    from hkasean.analysis.agreement import agreement_table
    from hkasean.analysis.coding import load_coding
    from hkasean.analysis.mapping import cross_validated_topic_map
    from hkasean.models.codebook import load_codebook
    from hkasean.models.dictionary_coder import DictionaryCoder
    from hkasean.models.lda import LdaTopicModel
    from hkasean.models.nmf import NmfTopicModel
    from hkasean.models.seeded_lda import SeededLdaTopicModel
    from hkasean.models.supervised import SupervisedCoder
    from hkasean.models.text import TextSettings, process_documents

    timer = StepTimer(size, settings.until)
    seed = settings.seed
    db_path = data_dir / "store.sqlite"
    codebook = load_codebook()
    timer.run("store_write", lambda: _write_store(data_dir / "corpus.jsonl", db_path))
    documents = timer.run("store_scan", lambda: _scan_store(db_path))
    processed = timer.run("process", lambda: process_documents(documents, codebook, TextSettings()))
    topic_args = {"n_topics": settings.n_topics, "random_state": seed}
    lda_args = {"passes": settings.passes, "iterations": settings.iterations}
    models: dict[str, Any] = {}
    models["lda"] = timer.run("lda", lambda: LdaTopicModel(**topic_args, **lda_args).fit(processed))
    models["nmf"] = timer.run("nmf", lambda: NmfTopicModel(**topic_args, max_iter=settings.nmf_max_iter).fit(processed))
    models["seeded_lda"] = timer.run("seeded_lda", lambda: SeededLdaTopicModel(random_state=seed).fit(processed))  # auto schedule
    models["dictionary"] = timer.run("dictionary", lambda: DictionaryCoder().fit(processed))
    doc_ids = set(processed.doc_ids)
    standard = timer.run(
        "coding", lambda: load_coding(data_dir / "coding.csv", codebook.theme_ids, doc_ids=doc_ids).standard()
    )
    models["supervised"] = timer.run(
        "supervised",
        lambda: SupervisedCoder(n_folds=settings.supervised_folds, random_state=seed).fit(processed, standard),
    )
    tables = timer.run("tables", lambda: _model_tables(models))
    doc_topics = tables["doc_topics"]
    mapped = timer.run(
        "topic_map",
        lambda: cross_validated_topic_map(
            doc_topics[doc_topics["model"].isin(["lda", "nmf"])], standard, n_folds=settings.map_folds, random_state=seed
        ),
    )
    predictions = tables["doc_themes"]
    mapped_predictions = mapped.predictions.assign(model=mapped.predictions["model"] + "+cv_map")
    all_predictions = pd.concat([predictions, mapped_predictions], ignore_index=True)
    timer.run("agreement", lambda: agreement_table(all_predictions, standard, n_boot=settings.n_boot, random_state=seed))


# ------------------------------------------------------------------ parent: sizes, table, exponents
@dataclass
class SizeResult:
    """The steps one size's child finished, and how it ended."""

    size: int
    steps: list[dict[str, Any]]
    finished: bool
    note: str
    generate_seconds: float
    peak_rss_mb_seen: float = 0.0


def _child_peak_mb(pid: int) -> float:
    """The child's peak RSS so far (``VmHWM`` of /proc/<pid>/status) in MB; 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return 0.0


def measure_size(size: int, settings: ScaleSettings, work_dir: Path) -> SizeResult:
    """Generate the corpus of ``size`` documents, run the child on it under the budget.

    The child's step lines are echoed as they come; its peak RSS is also polled every second, so
    a child killed at the budget still reports how much memory the unfinished step had reached.
    """
    data_dir = work_dir / f"n{size}"
    started = time.perf_counter()
    write_synthetic_corpus(size, data_dir, SyntheticSettings(seed=settings.seed), pool=load_sample_pool())
    generate_seconds = time.perf_counter() - started
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(size), str(data_dir),
               "--settings", json.dumps(asdict(settings))]
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+") as errors:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)

        def echo() -> None:
            for line in child.stdout:
                lines.append(line)
                print(f"  {line.strip()}", flush=True)

        reader = threading.Thread(target=echo, daemon=True)
        reader.start()
        deadline = time.monotonic() + settings.budget_seconds
        peak_seen, timed_out = 0.0, False
        while child.poll() is None:
            peak_seen = max(peak_seen, _child_peak_mb(child.pid))
            if time.monotonic() > deadline:
                timed_out = True
                child.kill()
                break
            time.sleep(1.0)
        child.wait()
        reader.join()
        errors.seek(0)
        last_error = errors.read().strip().splitlines()[-1:]
    steps = [json.loads(line) for line in lines if line.startswith("{")]
    peak_seen = max([peak_seen] + [step["peak_rss_mb"] for step in steps])
    finished = child.returncode == 0 and not timed_out
    note = ""
    if timed_out:
        note = f"did not finish within the budget of {settings.budget_seconds:.0f} s"
    elif not finished:
        note = f"child failed (exit {child.returncode}): {last_error}"
    if not finished:
        expected = STEP_NAMES[len(steps)] if len(steps) < len(STEP_NAMES) else "?"
        note += f"; stopped during step {expected!r} (peak RSS reached {peak_seen:.0f} MB)"
    return SizeResult(size=size, steps=steps, finished=finished, note=note, generate_seconds=generate_seconds,
                      peak_rss_mb_seen=peak_seen)


STEP_NAMES = ("store_write", "store_scan", "process", "lda", "nmf", "seeded_lda", "dictionary", "coding",
              "supervised", "tables", "topic_map", "agreement")


def results_table(results: list[SizeResult]) -> str:
    """Markdown table: size, step, seconds, peak RSS (MB) after the step, plus each size's total."""
    lines = ["| size | step | seconds | peak RSS MB (so far) |", "|---:|---|---:|---:|"]
    for result in results:
        for step in result.steps:
            lines.append(f"| {result.size} | {step['step']} | {step['seconds']:.2f} | {step['peak_rss_mb']:.0f} |")
        total = sum(step["seconds"] for step in result.steps)
        peak = max((step["peak_rss_mb"] for step in result.steps), default=float("nan"))
        status = "total" if result.finished else "total (INCOMPLETE)"
        lines.append(f"| {result.size} | **{status}** | **{total:.2f}** | **{peak:.0f}** |")
    return "\n".join(lines)


def exponent_table(results: list[SizeResult]) -> str:
    """Markdown table: seconds per size and the growth exponent (slope of log time on log size) of
    each step, over the sizes that finished the step; the total only over sizes that finished."""
    sizes = [r.size for r in results]
    lines = ["| step | " + " | ".join(f"{size} (s)" for size in sizes) + " | exponent | target <= 1.1 |",
             "|---|" + "---:|" * (len(sizes) + 1) + "---|"]
    rows = []
    for name in STEP_NAMES:
        rows.append((name, [next((s["seconds"] for s in r.steps if s["step"] == name), None) for r in results]))
    rows.append(("total", [sum(s["seconds"] for s in r.steps) if r.finished else None for r in results]))
    for name, seconds in rows:
        measured = [(size, t) for size, t in zip(sizes, seconds) if t is not None]
        exponent = growth_exponent([size for size, _ in measured], [t for _, t in measured])
        verdict = "n/a" if exponent != exponent else ("met" if exponent <= TARGET_EXPONENT else "MISSED")
        cells = " | ".join("-" if t is None else f"{t:.2f}" for t in seconds)
        lines.append(f"| {name} | {cells} | {exponent:.2f} | {verdict} |")
    return "\n".join(lines)


def memory_verdict(results: list[SizeResult]) -> str:
    """One line on the 4 GB target at 100k documents (or at the largest size measured)."""
    measured = [r for r in results if r.steps]
    if not measured:
        return "no size measured"
    largest = max(measured, key=lambda r: r.size)
    peak = max([largest.peak_rss_mb_seen] + [step["peak_rss_mb"] for step in largest.steps])
    scope = "" if largest.finished else " (incomplete run)"
    verdict = "met" if peak <= TARGET_PEAK_MB else "MISSED"
    extrapolated = ""
    if largest.size != TARGET_SIZE:
        extrapolated = " (target is stated at 100k; this size is the largest measured)"
    return f"peak RSS at {largest.size} documents{scope}: {peak:.0f} MB vs target {TARGET_PEAK_MB:.0f} MB: {verdict}{extrapolated}"


def print_report(results: list[SizeResult]) -> None:
    """Print the step table, the growth exponents and the memory verdict."""
    print()
    print(results_table(results))
    print()
    print(exponent_table(results))
    print()
    print(memory_verdict(results))
    for result in results:
        if not result.finished:
            print(f"size {result.size}: {result.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time and measure the library steps on synthetic corpora of growing size.")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of documents (default 10000 30000 100000)")
    parser.add_argument("--quick", action="store_true", help="small sizes and few passes: checks the benchmark runs")
    parser.add_argument("--budget", type=float, help="seconds allowed per size (default 1500)")
    parser.add_argument("--until", choices=STEP_NAMES, help="stop each size after this step (default: run every step)")
    parser.add_argument("--work-dir", type=Path, help="where synthetic corpora go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the raw step records to this JSON file")
    parser.add_argument("--combine", type=Path, nargs="+", help="print the tables of earlier --json files together (no run)")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "DATA_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        raw = json.loads(args.settings)
        settings = ScaleSettings(**{**raw, "sizes": tuple(raw["sizes"])})
        try:
            run_size(int(args.child[0]), Path(args.child[1]), settings)
        except LastStepDone:
            pass
        return 0
    if args.combine:
        results = [SizeResult(**record) for path in args.combine for record in json.loads(path.read_text(encoding="utf-8"))]
        print_report(sorted(results, key=lambda r: r.size))
        return 0
    settings = QUICK if args.quick else ScaleSettings()
    if args.sizes:
        settings = replace(settings, sizes=tuple(args.sizes))
    if args.budget:
        settings = replace(settings, budget_seconds=args.budget)
    if args.until:
        settings = replace(settings, until=args.until)
    print(machine_description())
    print(f"settings: {asdict(settings)}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="hkasean-scale-", dir=args.work_dir) as tmp:
        for size in sorted(settings.sizes):
            result = measure_size(size, settings, Path(tmp))
            print(f"size {size}: generated in {result.generate_seconds:.1f} s; "
                  f"{'finished' if result.finished else 'NOT FINISHED: ' + result.note}", flush=True)
            results.append(result)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

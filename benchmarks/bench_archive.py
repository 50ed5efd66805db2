"""Archive benchmark: the default ``hkasean run`` on synthetic corpora against a bare baseline script.

For each size N (default 2,000 and 10,000 documents of about 800 words; ``benchmarks/synthetic.py``,
seeded, with a coding by three coders) the benchmark times, each in a fresh child process:

  run        ``hkasean run --corpus corpus.jsonl --coding coding.csv --no-cache --out DIR``: the default
             configuration (full K grid and seeds, every model, agreement, prevalence, correlation,
             claims, report), ``--jobs`` left at its default (every core);
  baseline   what a researcher's own short script does on the same tokens (the corpus processed once by
             ``models.text.process_documents`` beforehand, not timed): gensim ``LdaModel`` K=10
             passes=10 + scikit-learn ``NMF`` K=10 on the TF-IDF matrix, one process;
  engines    the suite's ``LdaTopicModel`` K=10, one seed, settings by rule (``models.scaling``), once
             with ``backend="gensim"`` and once with ``backend="tomotopy"``, on the same tokens, with the
             mean c_npmi coherence of each: the two engines side by side.

Per child: wall seconds, CPU seconds (user + system of the child and everything it started: joblib
workers included), the peak RSS of its largest process (``ru_maxrss``) and the peak of the summed
RSS of the whole process tree (sampled every 0.2 s from /proc). Then the ratio run / baseline (goal
<= 5), the run against the 15-minute goal at 10,000 documents, and, with three or more sizes, the
growth exponent of the run. The results, the command, the commit and the machine are appended to
``benchmarks/RESULTS.md`` (``--no-append`` to only print). CI does not run this.

``--config FILE`` runs ``hkasean run --config FILE`` instead of the defaults (e.g. a shorter model list,
to time parts of the run); the results say which.

Command: ``python benchmarks/bench_archive.py [--sizes 2000 10000] [--config FILE] [--no-append] [--skip-run]``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import growth_exponent, machine_description  # noqa: E402
from benchmarks.synthetic import SyntheticSettings, load_sample_pool, write_synthetic_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
TARGET_RATIO = 5.0
TARGET_SECONDS = 15 * 60
TARGET_SIZE = 10_000
BASELINE_K = 10
BASELINE_PASSES = 10

_BASELINE = """
import json, sys, time
from pathlib import Path
from gensim.matutils import Sparse2Corpus
from gensim.models import LdaModel
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from hkasean.models.processed_corpus import ProcessedCorpus
processed = ProcessedCorpus.load(Path(sys.argv[1]), sys.argv[2])
start = time.perf_counter()
texts = [list(tokens) for tokens in processed]
dictionary = processed.dictionary()
bow = processed.bow_matrix()
LdaModel(corpus=Sparse2Corpus(bow, documents_columns=False), id2word=dictionary, num_topics={k}, passes={passes}, random_state=0)
tfidf = TfidfVectorizer(analyzer=lambda tokens: tokens).fit_transform(texts)
NMF(n_components={k}, init="nndsvda", random_state=0).fit(tfidf)
print(json.dumps({{"seconds": time.perf_counter() - start}}))
""".format(k=BASELINE_K, passes=BASELINE_PASSES)

_ENGINES = """
import json, sys, time
from pathlib import Path
import numpy as np
from hkasean.models.lda import LdaTopicModel
from hkasean.models.processed_corpus import ProcessedCorpus
processed = ProcessedCorpus.load(Path(sys.argv[1]), sys.argv[2])
processed.dictionary(), processed.bow_matrix()
out = {{}}
for backend in ("gensim", "tomotopy"):
    start = time.perf_counter()
    model = LdaTopicModel(n_topics={k}, backend=backend).fit(processed)
    out[backend] = {{"seconds": time.perf_counter() - start, "passes": model.passes_, "iterations": model.iterations_,
                    "c_npmi": float(np.nanmean(model.coherence_))}}
print(json.dumps(out))
""".format(k=BASELINE_K)


@dataclass
class ChildResult:
    """How one child process went: wall and CPU seconds, peak RSS of its largest process and of its whole tree (MB)."""

    wall: float
    cpu: float
    peak_process_mb: float
    peak_tree_mb: float
    stdout: str


def _tree_rss_mb(root: int) -> float:
    """Summed RSS (MB) of ``root`` and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 1024.0


def run_child(command: list[str], env: dict[str, str] | None = None) -> ChildResult:
    """Run ``command``, sampling its process tree's RSS; raise if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ChildResult(wall=wall, cpu=cpu, peak_process_mb=after.ru_maxrss / 1024.0, peak_tree_mb=peak[0], stdout=stdout)


def _processed_cache(corpus: Path, coding: Path, folder: Path) -> str:
    """Process the corpus once (default text settings) into ``folder``; its fingerprint."""
    script = ("import sys; from pathlib import Path; from hkasean.corpus.jsonl import read_documents; "
              "from hkasean.models.codebook import load_codebook; from hkasean.models.text import process_documents; "
              "print(process_documents(read_documents(sys.argv[1]), load_codebook(), cache_dir=Path(sys.argv[2])).fingerprint)")
    return subprocess.run([sys.executable, "-c", script, str(corpus), str(folder)], check=True, capture_output=True,
                          text=True, cwd=REPO).stdout.strip().splitlines()[-1]


def measure_size(n_docs: int, work: Path, skip_run: bool, config: Path | None = None, n_coded: int | None = None) -> dict:
    """Write the corpus of ``n_docs`` documents (coded: all, or a seeded sample of ``n_coded``) and time the run
    (with ``config``, else the defaults), the baseline and the two engines on it."""
    folder = work / f"n{n_docs}"
    corpus, coding = write_synthetic_corpus(n_docs, folder, SyntheticSettings(seed=0, n_coded=n_coded), load_sample_pool())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result: dict = {"n_docs": n_docs, "n_coded": min(n_coded or n_docs, n_docs)}
    if not skip_run:
        hkasean = str(Path(sys.executable).with_name("hkasean"))
        options = ["--config", str(config.resolve())] if config is not None else []
        run = run_child([hkasean, "-q", "run", "--corpus", str(corpus), "--coding", str(coding), "--no-cache",
                         "--out", str(folder / "out"), *options], env)
        manifest = json.loads((folder / "out" / "manifest.json").read_text())
        result["run"] = run.__dict__ | {"stages": {s["name"]: round(s["seconds"], 1) for s in manifest["stages"]},
                                         "resolved": manifest.get("resolved_settings", {})}
        del result["run"]["stdout"]
        print(f"  run      {run.wall:8.1f} s wall {run.cpu:8.1f} s CPU  peak {run.peak_process_mb:6.0f} MB/process "
              f"{run.peak_tree_mb:6.0f} MB/tree  stages {result['run']['stages']}", flush=True)
    fingerprint = _processed_cache(corpus, coding, folder / "processed")
    baseline = run_child([sys.executable, "-c", _BASELINE, str(folder / "processed"), fingerprint], env)
    result["baseline"] = baseline.__dict__ | {"fit_seconds": json.loads(baseline.stdout.splitlines()[-1])["seconds"]}
    del result["baseline"]["stdout"]
    print(f"  baseline {baseline.wall:8.1f} s wall {baseline.cpu:8.1f} s CPU  peak {baseline.peak_process_mb:6.0f} MB", flush=True)
    engines = run_child([sys.executable, "-c", _ENGINES, str(folder / "processed"), fingerprint], env)
    result["engines"] = json.loads(engines.stdout.splitlines()[-1])
    print(f"  engines  {result['engines']}", flush=True)
    return result


def _table(results: list[dict]) -> str:
    """Markdown tables of the results."""
    lines = ["| documents | coded | run wall (s) | run CPU (s) | peak RSS largest process / tree (MB) | baseline wall (s) | run / baseline "
             "| goal <= 5x | goal <= 15 min at 10k |", "|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in results:
        run, base = r.get("run"), r["baseline"]
        ratio = run["wall"] / base["wall"] if run else float("nan")
        met_ratio = "met" if ratio <= TARGET_RATIO else "not met"
        met_time = ("met" if run["wall"] <= TARGET_SECONDS else "not met") if run and r["n_docs"] == TARGET_SIZE else "-"
        coded = f"{r.get('n_coded', r['n_docs']):,}"
        lines.append(f"| {r['n_docs']:,} | {coded} | {run['wall']:.1f} | {run['cpu']:.1f} | {run['peak_process_mb']:.0f} / "
                     f"{run['peak_tree_mb']:.0f} | {base['wall']:.1f} | {ratio:.2f} | {met_ratio} | {met_time} |" if run else
                     f"| {r['n_docs']:,} | {coded} | - | - | - | {base['wall']:.1f} | - | - | - |")
    lines += ["", "| documents | stage seconds (run) |", "|---:|---|"]
    lines += [f"| {r['n_docs']:,} | {', '.join(f'{k} {v}' for k, v in r['run']['stages'].items())} |" for r in results if r.get("run")]
    lines += ["", "| documents | gensim LDA K=10 (s) | passes / iterations | c_npmi | tomotopy LDA K=10 (s) | passes | c_npmi | gensim / tomotopy |",
              "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        g, t = r["engines"]["gensim"], r["engines"]["tomotopy"]
        lines.append(f"| {r['n_docs']:,} | {g['seconds']:.1f} | {g['passes']} / {g['iterations']} | {g['c_npmi']:.3f} | "
                     f"{t['seconds']:.1f} | {t['passes']} | {t['c_npmi']:.3f} | {g['seconds'] / t['seconds']:.1f} |")
    runs = [r for r in results if r.get("run")]
    if len(runs) >= 3:
        exponent = growth_exponent([r["n_docs"] for r in runs], [r["run"]["wall"] for r in runs])
        lines += ["", f"Growth exponent of the run over {', '.join(str(r['n_docs']) for r in runs)} documents: {exponent:.2f} (goal <= 1.1)."]
    return "\n".join(lines)


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=REPO, check=True).stdout.strip()
        return head + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000], help="numbers of synthetic documents")
    parser.add_argument("--no-append", action="store_true", help=f"print only; do not append to {RESULTS.name}")
    parser.add_argument("--skip-run", action="store_true", help="time only the baseline and the engines (not the whole run)")
    parser.add_argument("--config", type=Path, help="run with this config instead of the defaults")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--coded", type=int, metavar="N", help="code only a seeded sample of N documents of each corpus "
                        "(as a researcher codes a sample; default: every document, the worst case)")
    args = parser.parse_args(argv)
    command = "python benchmarks/bench_archive.py " + " ".join(argv if argv is not None else sys.argv[1:])
    results = []
    with tempfile.TemporaryDirectory(prefix="hkasean-bench-archive-") as work:
        for n_docs in args.sizes:
            print(f"{n_docs} documents", flush=True)
            results.append(measure_size(n_docs, Path(work), args.skip_run, args.config, args.coded))
    table = _table(results)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as out:
            configured = (f"config {args.config.name}: `{' '.join(args.config.read_text().split())}`" if args.config
                          else "default config")
            out.write(f"\n## Archive benchmark (`bench_archive.py`)\n\nCommand: `{command.strip()}`; code: {_commit()}; "
                      f"{configured}.\n\n{machine_description()}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Memory of one keyword-assisted LDA chain against the estimate that decides how many chains run at once.

Each case runs ``SeededLdaTopicModel._chain`` (what a worker runs: tomotopy's model of every unit, a few Gibbs
sweeps, then the chain's compact topic counts) in a fresh child process on random units: ``units`` units of
``length`` tokens drawn (Zipf-like, seeded) from 5,000 words, ``K`` topics. The child measures its RSS after the
imports and the units are built, and its peak RSS (``ru_maxrss``) after the chain; the difference is the
chain's own memory, printed beside ``models.scaling.seeded_chain_memory_mb`` without the process part
(``CHAIN_PROCESS_MB``, printed separately as the child's RSS after its imports). Sweeps do not change the memory,
so each chain samples 3 of them.

Command: ``python benchmarks/seeded_chain_memory.py [--cases UNITS:LENGTH:K ...]``
(default: 250,000 to 3.2 million units, the sentence units of about 10,000 to 130,000 synthetic documents, at
K = 10 and 20).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import machine_description  # noqa: E402
from hkasean.models.scaling import CHAIN_PROCESS_MB, seeded_chain_memory_mb  # noqa: E402

DEFAULT_CASES = ("250000:8:20", "750000:8:20", "3200000:6:20", "3200000:6:10", "500000:30:20")
VOCABULARY = 5_000

_CHILD = """
import json, os, sys
import numpy as np
sys.path.insert(0, %(repo)r)
from benchmarks.measure import peak_rss_mb
from hkasean.models.seeded_lda import SeededLdaTopicModel

def rss_mb():
    with open(f"/proc/{os.getpid()}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))

imported = rss_mb()
n_units, length, n_topics = (int(v) for v in sys.argv[1:4])
rng = np.random.default_rng(0)
vocabulary = [f"w{i}" for i in range(%(vocabulary)d)]
weights = 1.0 / np.arange(1, len(vocabulary) + 1)
draws = rng.choice(len(vocabulary), size=(n_units, length), p=weights / weights.sum())
units = [[vocabulary[i] for i in row] for row in draws.tolist()]
del draws
before = rss_mb()
model = SeededLdaTopicModel(n_free_topics=n_topics - 1)
model.iterations_ = 3
chain = model._chain(units, vocabulary, {}, n_topics, 0)
print(json.dumps({"imported_mb": imported, "chain_mb": peak_rss_mb() - before, "units": len(chain.fitted)}))
""" % {"vocabulary": VOCABULARY, "repo": str(Path(__file__).resolve().parents[1])}


def measure(n_units: int, length: int, n_topics: int) -> dict:
    """The child's figures for one case."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n_units), str(length), str(n_topics)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(DEFAULT_CASES), metavar="UNITS:LENGTH:K")
    args = parser.parse_args(argv)
    print(machine_description())
    print(f"\nprocess part of the estimate (CHAIN_PROCESS_MB): {CHAIN_PROCESS_MB} MB\n")
    print("| units | tokens per unit | K | child RSS after imports (MB) | chain measured (MB) | chain estimated (MB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for case in args.cases:
        n_units, length, n_topics = (int(v) for v in case.split(":"))
        figures = measure(n_units, length, n_topics)
        estimate = seeded_chain_memory_mb(n_units, n_units * length, n_topics) - CHAIN_PROCESS_MB
        print(f"| {n_units:,} | {length} | {n_topics} | {figures['imported_mb']:.0f} | {figures['chain_mb']:.0f} | "
              f"{estimate:.0f} |", flush=True)


if __name__ == "__main__":
    main()

"""Small measuring helpers shared by the benchmarks: peak RSS, growth exponents, machine facts, held-out agreement."""
from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import subprocess
import sys
from importlib import metadata

import numpy as np
import pandas as pd

from hkasean.analysis.binary_statistics import confusion_counts, f1, identity_weights
from hkasean.analysis.scored_predictions import presence_matrix, scored_predictions

PACKAGES = ("numpy", "scipy", "pandas", "scikit-learn", "gensim", "nltk", "requests", "beautifulsoup4", "lxml")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def growth_exponent(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size): time ~ size ** slope. NaN with < 2 points."""
    points = [(s, t) for s, t in zip(sizes, seconds) if t > 0]
    if len(points) < 2:
        return float("nan")
    x = np.log([s for s, _ in points])
    y = np.log([t for _, t in points])
    return float(np.polyfit(x, y, 1)[0])


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total_gb() -> str:
    try:
        out = subprocess.run(["free", "-g"], capture_output=True, text=True, check=True).stdout
        return out.splitlines()[1].split()[1] + " GB"
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def machine_description() -> str:
    """Markdown lines: date, CPU model and count, memory, OS, Python and package versions."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return "\n".join([
        f"- date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- CPU: {_cpu_model()}, nproc = {os.cpu_count()}",
        f"- memory (free -g total): {_memory_total_gb()}",
        f"- OS: {platform.platform()}",
        f"- Python {sys.version.split()[0]}; " + ", ".join(versions),
    ])


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    return float(np.median(values))


if __name__ == "__main__":
    print(machine_description())


def held_out_macro_f1(doc_themes: pd.DataFrame, standard: pd.DataFrame) -> float:
    """Macro-F1 of one model's scorable (held-out) decisions ``doc_themes`` against ``standard`` (doc_id x theme 0/1),
    selected as ``analysis.agreement`` selects them."""
    theme_ids = list(standard.columns)
    predicted = presence_matrix(scored_predictions(doc_themes, standard), theme_ids)
    gold = standard.loc[predicted.index, theme_ids]
    weights = identity_weights(len(predicted))
    return float(np.nanmean([f1(confusion_counts(gold[theme].to_numpy(dtype=int), predicted[theme].to_numpy(dtype=int),
                                                 weights))[0] for theme in theme_ids]))

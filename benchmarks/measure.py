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


def held_out_macro_f1(doc_themes: pd.DataFrame, standard: pd.DataFrame) -> float:
    """Macro-F1 of one model's scorable (held-out) decisions ``doc_themes`` against ``standard`` (doc_id x theme 0/1),
    selected as ``analysis.agreement`` selects them."""
    return _macro_f1(presence_matrix(scored_predictions(doc_themes, standard), list(standard.columns)), standard)


def macro_f1_on(doc_themes: pd.DataFrame, standard: pd.DataFrame, doc_ids: pd.Index) -> float:
    """Macro-F1 of one model's decisions ``doc_themes`` on the documents ``doc_ids`` against ``standard``, whatever
    their fold: meant for documents whose labels the model never received (so every decision of theirs is held out)."""
    rows = doc_themes[doc_themes["doc_id"].isin(doc_ids)]
    return _macro_f1(presence_matrix(rows, list(standard.columns)), standard)


SPLITS = ("halves", "years")
"""How ``split_coded`` divides the coded documents into a part that chooses a setting and a part that reports it."""


def split_coded(standard: pd.DataFrame, years: pd.Series, how: str, seed: int) -> tuple[pd.Index, pd.Index]:
    """(choose, report): the coded documents of ``standard`` in two disjoint parts. ``halves``: a random half (``seed``)
    chooses, the other reports; ``years`` (``years``: doc_id -> year): the earlier years up to the median document's
    year choose, the later ones report (the same split for every seed)."""
    ids = standard.index
    if how == "halves":
        order = np.random.default_rng(seed).permutation(len(ids))
        half = len(ids) // 2
        return ids[np.sort(order[:half])], ids[np.sort(order[half:])]
    if how == "years":
        year = years.reindex(ids)
        early = year <= year.median()
        return ids[early.to_numpy()], ids[~early.to_numpy()]
    raise ValueError(f"split: expected one of {SPLITS}, got {how!r}")


def selection_report(scores: dict[str, list[tuple[float, float]]]) -> list[str]:
    """Lines comparing settings on documents not used to choose. ``scores``: setting name -> per repeat (F1 on the
    choosing part, cross-validated; F1 on the reporting part, whose labels the model never saw). Each setting's mean
    F1 on the reporting parts (and its paired difference to the first setting, with the repeats it did better in),
    then the row that matters for a setting picked by comparing them: per repeat, the setting with the best F1 on
    the choosing part, scored on the reporting part (the cost of choosing included)."""
    names = list(scores)
    report = {name: np.array([r for _, r in scores[name]]) for name in names}
    lines = []
    for name in names:
        spread = np.std(report[name], ddof=1) if len(report[name]) > 1 else 0.0
        choose = np.mean([c for c, _ in scores[name]])
        line = (f"  {name:24s} reporting part: mean {report[name].mean():.3f}  sd {spread:.3f}  "
                f"min {report[name].min():.3f}  max {report[name].max():.3f}   (choosing part, CV: {choose:.3f})")
        if name != names[0]:
            difference = report[name] - report[names[0]]
            line += f"  vs {names[0]}: {difference.mean():+.3f}, better in {int((difference > 0).sum())} of {len(difference)}"
        lines.append(line)
    picked = [max(names, key=lambda name: scores[name][r][0]) for r in range(len(scores[names[0]]))]
    chosen = np.array([scores[name][r][1] for r, name in enumerate(picked)])
    counts = ", ".join(f"{name} {picked.count(name)}x" for name in names if name in picked)
    lines.append(f"  {'chosen on the choosing part':24s} reporting part: mean {chosen.mean():.3f}  "
                 f"min {chosen.min():.3f}  max {chosen.max():.3f}   (picked: {counts})")
    return lines


def _macro_f1(predicted: pd.DataFrame, standard: pd.DataFrame) -> float:
    """Mean over themes of the F1 of ``predicted`` (doc_id x theme 0/1) against the same rows of ``standard``."""
    theme_ids = list(standard.columns)
    gold = standard.loc[predicted.index, theme_ids]
    weights = identity_weights(len(predicted))
    return float(np.nanmean([f1(confusion_counts(gold[theme].to_numpy(dtype=int), predicted[theme].to_numpy(dtype=int),
                                                 weights))[0] for theme in theme_ids]))


if __name__ == "__main__":
    print(machine_description())

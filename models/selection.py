"""Choosing the number of topics K: coherence, stability across seeds and diversity over a grid.

For every K in the grid and every seed, the model is fitted once (in parallel with joblib, across
fits: each fit is seeded and single-threaded, so results equal a serial run). The model a run
reports for the chosen K is the grid's own fit with the first seed (by default the master seed,
``models.scaling.grid_seeds``): no fit outside the grid. Per run: mean c_npmi and c_v coherence of the
topics' top-10 terms; diversity = share of unique words among the top-25 terms of all topics;
stability = mean over the other seeds' runs at the same K of the mean best-match Jaccard
overlap of top-10 term sets (each topic matched to its most similar topic of the other run).

Rule: among the K whose mean stability (over seeds) is at least ``min_stability``, choose the
one with the highest mean c_npmi (ties: the smaller K); if no K is stable enough, choose the
most stable K.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from tqdm.auto import tqdm

from hkasean import contract
from hkasean.models.base import TopicModel
from hkasean.models.coherence import topic_coherence
from hkasean.models.limits import COHERENCE_TOPN
from hkasean.models.settings import ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.token_file import TokenFile

DIVERSITY_TOPN = 25
SELECTION_COLUMNS = [c for c in contract.K_SELECTION.columns if c != "reason"]
"""The grid table of one model; the run adds ``reason`` (contract ``k_selection``)."""


@dataclass(frozen=True)
class KSelection:
    """The grid table (``SELECTION_COLUMNS``, one row per K x seed), the chosen K and why, and ``model``:
    the grid's fit of the chosen K with the first seed."""

    table: pd.DataFrame
    chosen_k: int
    reason: str
    model: TopicModel


_PROCESS_CORPUS: dict[tuple[str, str, str], ProcessedCorpus] = {}
"""The corpus the fits of this process share (one entry): a worker unpickles the corpus for every
fit it runs, and would otherwise rebuild its dictionary and coherence sample each time."""


def _shared_corpus(processed: ProcessedCorpus) -> ProcessedCorpus:
    """The copy of ``processed`` this process already holds (same token file), or ``processed`` itself."""
    if not isinstance(processed.tokens, TokenFile):
        return processed
    key = (processed.fingerprint, str(processed.tokens.path), processed.tokens.digest)
    if key not in _PROCESS_CORPUS:
        _PROCESS_CORPUS.clear()
        _PROCESS_CORPUS[key] = processed
    return _PROCESS_CORPUS[key]


def _evaluate_run(prototype: TopicModel, processed: ProcessedCorpus, k: int, seed: int, keep_model: bool) -> dict:
    """One fit of the grid and its scores; the fitted model itself when ``keep_model``."""
    processed = _shared_corpus(processed)
    model = clone(prototype).set_params(n_topics=k, random_state=seed).fit(processed)
    top10 = model.top_tokens(COHERENCE_TOPN)
    top25 = model.top_tokens(DIVERSITY_TOPN)
    return {
        "k": k,
        "seed": seed,
        "c_npmi": float(np.nanmean(model.coherence_)),
        "c_v": float(np.nanmean(topic_coherence(top10, processed, "c_v", prototype.coherence_max_units))),
        "diversity": len({t for topic in top25 for t in topic}) / sum(len(topic) for topic in top25),
        "top10": [set(topic) for topic in top10],
        "model": model if keep_model else None,
    }


def best_match_jaccard(topics_a: list[set[str]], topics_b: list[set[str]]) -> float:
    """Mean over the topics of ``topics_a`` of the Jaccard overlap with their best match in ``topics_b``."""
    return float(np.mean([max(len(a & b) / len(a | b) for b in topics_b) for a in topics_a]))


def select_n_topics(
    prototype: TopicModel,
    processed: ProcessedCorpus,
    k_grid: list[int],
    seeds: list[int],
    min_stability: float = ModelSettings.min_stability,
    n_jobs: int = ModelSettings.n_jobs,
    progress: bool = False,
) -> KSelection:
    """Fit ``prototype`` (cloned) for every K x seed and choose K by the rule in the module docstring.

    ``n_jobs`` fits run at once (joblib; -1: every core); ``progress`` shows a bar with the fits
    done and the time left.
    """
    fits = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_evaluate_run)(prototype, processed, k, s, s == seeds[0]) for k in k_grid for s in seeds)
    runs = list(tqdm(fits, total=len(k_grid) * len(seeds), desc=f"{prototype.name} K grid", unit="fit", disable=not progress))
    for run in runs:
        others = [o["top10"] for o in runs if o["k"] == run["k"] and o["seed"] != run["seed"]]
        run["stability"] = float(np.mean([best_match_jaccard(run["top10"], o) for o in others])) if others else np.nan
    table = pd.DataFrame([{c: run[c] for c in SELECTION_COLUMNS[1:-1]} for run in runs])
    table.insert(0, "model", prototype.name)
    per_k = table.groupby("k")[["c_npmi", "stability"]].mean()
    stable = per_k[per_k["stability"] >= min_stability] if len(seeds) > 1 else per_k
    chosen = int(stable["c_npmi"].idxmax()) if len(stable) else int(per_k["stability"].idxmax())
    table["chosen"] = table["k"] == chosen
    model = next(run["model"] for run in runs if run["k"] == chosen and run["model"] is not None)
    return KSelection(table=table, chosen_k=chosen, reason=_reason(prototype.name, per_k, stable, chosen, min_stability, len(seeds)),
                      model=model)


def _reason(name: str, per_k: pd.DataFrame, stable: pd.DataFrame, chosen: int, min_stability: float, n_seeds: int) -> str:
    """One sentence saying which K was chosen, by which rule, with the per-K means behind it."""
    summary = "; ".join(f"K={k}: c_npmi {row.c_npmi:.3f}" + ("" if np.isnan(row.stability) else f", stability {row.stability:.2f}")
                        for k, row in per_k.iterrows())
    if len(stable) and n_seeds > 1:
        rule = (f"K={chosen} has the highest mean c_npmi among the K whose topics recur across {n_seeds} seeds "
                f"(mean top-10 Jaccard >= {min_stability}: K={', '.join(str(k) for k in stable.index)})")
    elif len(stable):
        rule = f"K={chosen} has the highest mean c_npmi (one seed: stability not measured)"
    else:
        rule = f"no K reaches stability {min_stability}; K={chosen} is the most stable"
    return f"{name}: {rule} [{summary}]"

"""Agreement of automatic theme decisions (and of each human coder) with the manual standard.

Scoring rules (fold == -1 never scored, shared documents only, no repeats) are those of
``analysis.scored_predictions``. Every interval is a seeded percentile bootstrap that resamples
documents; the same resamples serve all themes of a model, so the ``macro`` row's interval is
the macro average recomputed in each resample. Undefined values are NaN: precision when the
model marks nothing, recall when the standard has no positive, F1 when neither has a positive,
kappa and alpha when every decision is the same. Macro averages skip a theme's NaN.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis import binary_statistics as stats
from hkasean.analysis.coding import GOLD, Coding
from hkasean.analysis.reliability import krippendorff_alpha
from hkasean.analysis.resampling import percentile_interval
from hkasean.analysis.scored_predictions import presence_matrix, require_columns, scored_predictions, theme_order_key
from hkasean.analysis.validation_settings import DEFAULT_VALIDATION
from hkasean.corpus.errors import InputError

LOGGER = logging.getLogger(__name__)
MACRO = "macro"
ALL_THEMES = "all"
METRICS = ["precision", "recall", "f1", "kappa", "alpha"]
AGREEMENT_COLUMNS = contract.AGREEMENT.column_list
PREVALENCE_COLUMNS = contract.PREVALENCE_AGREEMENT.column_list
PREVALENCE_SUMMARY_COLUMNS = contract.PREVALENCE_AGREEMENT_SUMMARY.column_list


def agreement_table(
    predictions: pd.DataFrame,
    standard: pd.DataFrame,
    n_boot: int = DEFAULT_VALIDATION.n_boot,
    random_state: int | None = None,
    level: float = DEFAULT_VALIDATION.level,
) -> pd.DataFrame:
    """Precision, recall, F1, kappa and alpha of each model against ``standard``, per theme and macro.

    ``predictions``: DataFrame[doc_id, model, theme, present (0/1), optional fold];
    ``standard``: index doc_id, columns theme ids (0/1). Returns DataFrame[model, theme,
    precision, recall, f1, kappa, alpha, f1_low, f1_high, kappa_low, kappa_high, alpha_low,
    alpha_high, precision_low, precision_high, recall_low, recall_high, n (documents scored),
    n_positive_gold, n_positive_model], themes in the standard's order then ``macro``.
    Metrics are 0-1 (kappa and alpha may be negative). Each model's resamples are drawn with
    ``random_state``.
    """
    scored = scored_predictions(predictions, standard)
    theme_ids = list(standard.columns)
    records: list[dict[str, object]] = []
    for model in pd.unique(predictions["model"]):
        rows = scored[scored["model"] == model]
        if rows.empty:
            warnings.warn(
                f"model {model!r} has no scorable prediction (none cross-validated on coded documents)", stacklevel=2
            )
            continue
        predicted = presence_matrix(rows, theme_ids)
        gold = standard.loc[predicted.index, theme_ids].to_numpy(dtype=int)
        records.extend(_model_rows(str(model), gold, predicted.to_numpy(), theme_ids, n_boot, random_state, level))
    return pd.DataFrame(records, columns=AGREEMENT_COLUMNS)


def _model_rows(
    model: str, gold: np.ndarray, predicted: np.ndarray, theme_ids: list[str],
    n_boot: int, random_state: int, level: float,
) -> list[dict[str, object]]:
    """Rows of one model: ``gold`` and ``predicted`` are n_docs x n_themes 0/1 arrays."""
    n_docs = gold.shape[0]
    pairs = [np.column_stack([gold[:, column], predicted[:, column]]) for column in range(len(theme_ids))]
    chunks: list[list[dict[str, np.ndarray]]] = [[] for _ in theme_ids]
    for weights in stats.weight_chunks(n_docs, n_boot, random_state):  # bounded memory on large corpora
        for column, pair in enumerate(pairs):
            chunks[column].append(_metric_replicates(pair, weights))
    per_theme = [{metric: np.concatenate([c[metric] for c in theme_chunks]) for metric in METRICS} for theme_chunks in chunks]
    rows = []
    for theme, pair, values in zip(theme_ids, pairs, per_theme):
        point_alpha = krippendorff_alpha(pair)
        rows.append(_row(model, theme, values, point_alpha, level, n_docs, pair[:, 0].sum(), pair[:, 1].sum()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample where every theme is undefined -> NaN
        macro = {metric: np.nanmean(np.vstack([v[metric] for v in per_theme]), axis=0) for metric in METRICS}
    rows.append(_row(model, MACRO, macro, float(macro["alpha"][0]), level, n_docs, gold.sum(), predicted.sum()))
    return rows


def _metric_replicates(pair: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Each metric for every weights row (row 0 = the sample): ``pair`` is n_docs x [gold, model]."""
    counts = stats.confusion_counts(pair[:, 0], pair[:, 1], weights)
    return {
        "precision": stats.precision(counts),
        "recall": stats.recall(counts),
        "f1": stats.f1(counts),
        "kappa": stats.cohen_kappa(counts),
        "alpha": stats.krippendorff_alpha_binary(pair, weights),
    }


def _row(
    model: str, theme: str, values: dict[str, np.ndarray], alpha: float, level: float,
    n_docs: int, n_positive_gold: int, n_positive_model: int,
) -> dict[str, object]:
    row: dict[str, object] = {"model": model, "theme": theme}
    for metric in METRICS:
        row[metric] = alpha if metric == "alpha" else float(values[metric][0])
        row[f"{metric}_low"], row[f"{metric}_high"] = percentile_interval(values[metric][1:], level)
    row.update(n=int(n_docs), n_positive_gold=int(n_positive_gold), n_positive_model=int(n_positive_model))
    return row


def human_agreement_rows(
    coding: Coding,
    n_boot: int = DEFAULT_VALIDATION.n_boot,
    random_state: int | None = None,
    level: float = DEFAULT_VALIDATION.level,
) -> pd.DataFrame:
    """Each independent coder scored like a model against the standard (model = ``"human:<coder>"``).

    Returns the ``agreement_table`` columns, ``note`` filled in. The standard is not independent of
    these coders (gold is adjudicated from them; a majority standard *is* them), so human
    agreement is an upper bound; with a majority standard a warning is logged too.
    """
    standard = coding.standard()
    predictions = pd.concat([coding.as_doc_themes(coder) for coder in coding.independent_coders], ignore_index=True)
    table = agreement_table(predictions, standard, n_boot=n_boot, random_state=random_state, level=level)
    if coding.standard_name == GOLD:
        note = "gold was adjudicated from these coders (agreements kept): not independent, optimistic"
    else:
        note = "standard is the majority of these same coders: human agreement is inflated"
        LOGGER.warning("human agreement is scored against the majority of the same coders; it is inflated")
    return table.assign(note=note)


def prevalence_agreement(predictions: pd.DataFrame, standard: pd.DataFrame, doc_frame: pd.DataFrame) -> pd.DataFrame:
    """Yearly theme prevalence by each model vs the standard, on the scored documents.

    ``doc_frame``: the corpus document table (doc_id, year). Returns DataFrame[model, theme,
    year, model_share, gold_share, difference (model - gold), n_docs]; shares are the fraction
    (0-1) of that year's scored documents carrying the theme.
    """
    require_columns(doc_frame, ["doc_id", "year"], "doc_frame")
    scored = scored_predictions(predictions, standard)
    years = doc_frame.set_index("doc_id")["year"]
    theme_ids = list(standard.columns)
    frames = []
    for model in pd.unique(scored["model"]):
        predicted = presence_matrix(scored[scored["model"] == model], theme_ids)
        unknown = predicted.index.difference(years.index)
        if len(unknown):
            raise InputError(f"document(s) without a year: {', '.join(unknown[:5])}", where="doc_frame")
        by_year = years.loc[predicted.index].to_numpy()
        model_share = predicted.groupby(by_year).mean()
        gold_share = standard.loc[predicted.index, theme_ids].groupby(by_year).mean()
        counts = predicted.groupby(by_year).size()
        long = pd.DataFrame({
            "model_share": model_share.stack(),
            "gold_share": gold_share.stack(),
        }).rename_axis(["year", "theme"]).reset_index()
        long["n_docs"] = long["year"].map(counts).astype(int)
        long["model"] = model
        frames.append(long.sort_values(["theme", "year"], key=theme_order_key(theme_ids), kind="stable"))
    if not frames:
        return pd.DataFrame(columns=PREVALENCE_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["difference"] = table["model_share"] - table["gold_share"]
    return table[PREVALENCE_COLUMNS]



def prevalence_agreement_summary(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Per model and theme (plus theme ``all``: every theme-year cell pooled) how well yearly shares match.

    Returns DataFrame[model, theme, n_years (cells compared), mean_abs_difference (shares, 0-1),
    correlation (Pearson r of model vs gold shares; NaN with < 3 cells or a constant series)].
    """
    records = []
    for model, rows in prevalence.groupby("model", sort=False):
        groups = [(theme, cells) for theme, cells in rows.groupby("theme", sort=False)] + [(ALL_THEMES, rows)]
        for theme, cells in groups:
            records.append({
                "model": model,
                "theme": theme,
                "n_years": len(cells),
                "mean_abs_difference": float(cells["difference"].abs().mean()),
                "correlation": _pearson(cells["model_share"].to_numpy(float), cells["gold_share"].to_numpy(float)),
            })
    return pd.DataFrame(records, columns=PREVALENCE_SUMMARY_COLUMNS)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def best_model_per_theme(agreement: pd.DataFrame, reliability: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per theme (and macro) the model with the highest F1, beside the human ceiling, and whether the data rank it.

    ``agreement``: the agreement table (``human:`` rows are left out of the contest); ``reliability``:
    the reliability table (``positive_agreement``, the F1 of the coders against each other, is the
    ceiling; the macro ceiling is its mean over themes). ``ranked`` is False when another model's
    interval reaches the best one's lower bound: the data cannot yet say which model is best there.
    Returns DataFrame[theme, best_model, f1, f1_low, f1_high, runner_up, runner_up_f1, human_ceiling,
    n_positive_gold, ranked], themes in the agreement table's order.
    """
    models = agreement[~agreement["model"].astype(str).str.startswith("human:")].dropna(subset=["f1"])
    ceiling = pd.Series(dtype=float)
    if reliability is not None and not reliability.empty:
        ceiling = reliability[reliability["theme"] != "overall"].set_index("theme")["positive_agreement"].astype(float)
        ceiling[MACRO] = ceiling.mean()
    rows = []
    for theme in pd.unique(models["theme"]):
        ranked = models[models["theme"] == theme].sort_values(["f1", "model"], ascending=[False, True], kind="mergesort")
        best = ranked.iloc[0]
        rivals = ranked.iloc[1:]
        overlapping = rivals[rivals["f1_high"] >= best["f1_low"]]
        runner = rivals.iloc[0] if len(rivals) else None
        rows.append({
            "theme": theme, "best_model": best["model"], "f1": best["f1"], "f1_low": best["f1_low"], "f1_high": best["f1_high"],
            "runner_up": runner["model"] if runner is not None else "", "runner_up_f1": runner["f1"] if runner is not None else np.nan,
            "human_ceiling": float(ceiling.get(theme, np.nan)), "n_positive_gold": best.get("n_positive_gold", np.nan),
            "ranked": bool(overlapping.empty),
        })
    return pd.DataFrame(rows, columns=["theme", "best_model", "f1", "f1_low", "f1_high", "runner_up", "runner_up_f1",
                                       "human_ceiling", "n_positive_gold", "ranked"])

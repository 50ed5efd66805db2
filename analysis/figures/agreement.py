"""Figures of the validation: model (and human) F1 per theme, topic-theme alignment, reliability."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from hkasean.analysis.agreement import MACRO
from hkasean.analysis.figures import DIVERGING, PALETTE, apply_style, save_figure
from hkasean.analysis.reliability import OVERALL


def _categories(themes: pd.Series, last: str) -> list[str]:
    """Themes in order of appearance, with ``last`` (macro/overall) moved to the end."""
    ordered = [theme for theme in pd.unique(themes) if theme != last]
    return ordered + ([last] if last in set(themes) else [])


def _point_with_interval(ax: plt.Axes, table: pd.DataFrame, value: str, group: str, categories: list[str]) -> None:
    """Dodged points with percentile-interval error bars, one colour per ``group``."""
    groups = list(pd.unique(table[group]))
    colours = sns.color_palette(PALETTE, len(groups))
    width = 0.8 / max(len(groups), 1)
    for number, (name, colour) in enumerate(zip(groups, colours)):
        rows = table[table[group] == name].set_index("theme").reindex(categories)
        x = np.arange(len(categories)) - 0.4 + width * (number + 0.5)
        low = (rows[value] - rows[f"{value}_low"]).clip(lower=0)
        high = (rows[f"{value}_high"] - rows[value]).clip(lower=0)
        marker = "s" if str(name).startswith("human:") else "o"
        ax.errorbar(x, rows[value], yerr=[low.to_numpy(), high.to_numpy()], fmt=marker, color=colour,
                    capsize=3, label=str(name))


def draw_f1_by_model(agreement: pd.DataFrame, reliability: pd.DataFrame) -> plt.Figure:
    """F1 (0-1) of every model and human coder against the standard, per theme and macro, with bootstrap interval bars.

    ``agreement``: ``agreement_table`` rows (models, and ``human_agreement_rows`` when given);
    ``reliability``: ``reliability_table``. One series per model (circles) or human coder ("human:"
    rows, squares); the black dashes mark the human ceiling: the F1 of the independent coders
    against each other (``positive_agreement``; for macro, its mean over themes).
    """
    apply_style()
    categories = _categories(agreement["theme"], MACRO)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.6 * len(categories)), 4.5))
    _point_with_interval(ax, agreement, "f1", "model", categories)
    themes = reliability[reliability["theme"] != OVERALL].set_index("theme")["positive_agreement"]
    ceiling = themes.reindex(categories)
    if MACRO in categories:
        ceiling[MACRO] = themes.mean()
    coders = " vs ".join(str(reliability["coders"].iloc[0]).split("+")) if len(reliability) else "coders"
    ax.hlines(ceiling.to_numpy(), np.arange(len(categories)) - 0.45, np.arange(len(categories)) + 0.45,
              colors="black", linestyles="dashed", label=f"human ceiling: F1 {coders}")
    ax.set_xticks(np.arange(len(categories)), categories, rotation=20, ha="right")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("theme")
    ax.set_ylabel("F1 against the standard (0-1)")
    ax.set_title("Agreement with the manual coding")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def plot_f1_by_model(agreement: pd.DataFrame, reliability: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_f1_by_model`` as PNG at ``path``; return the path."""
    return save_figure(draw_f1_by_model(agreement, reliability), path)


def topic_theme_association(doc_topics: pd.DataFrame, standard: pd.DataFrame, model: str) -> pd.DataFrame:
    """Mean topic share among documents coded with a theme minus among those without it.

    Returns DataFrame index topic (as in ``doc_topics``), columns theme ids, values in share
    units (-1..1); NaN for a theme whose coded documents are all positive or all negative.
    """
    rows = doc_topics[doc_topics["model"] == model]
    if rows.empty:
        raise ValueError(f"no topics for model {model!r}")
    shares = rows.pivot(index="doc_id", columns="topic", values="score")
    shares = shares.reindex(columns=pd.unique(rows["topic"])).fillna(0.0)
    shares = shares.loc[shares.index.intersection(standard.index)]
    labels = standard.loc[shares.index].astype(bool)
    columns = {}
    for theme in standard.columns:
        positive = labels[theme].to_numpy()
        if positive.all() or not positive.any():
            columns[theme] = pd.Series(np.nan, index=shares.columns)
        else:
            columns[theme] = shares[positive].mean() - shares[~positive].mean()
    return pd.DataFrame(columns).rename_axis(index="topic", columns="theme")


def draw_topic_theme_alignment(doc_topics: pd.DataFrame, standard: pd.DataFrame, model: str) -> plt.Figure:
    """Annotated heatmap (topics x themes) of ``topic_theme_association`` for one topic model (diverging, centred on 0)."""
    apply_style()
    association = topic_theme_association(doc_topics, standard, model)
    fig, ax = plt.subplots(figsize=(1.3 * association.shape[1] + 2.5, 0.45 * association.shape[0] + 1.8))
    limit = float(np.nanmax(np.abs(association.to_numpy()))) if association.notna().any().any() else 1.0
    sns.heatmap(association, ax=ax, cmap=DIVERGING, center=0.0, vmin=-limit, vmax=limit, annot=True, fmt=".2f",
                cbar_kws={"label": "mean topic share: coded docs minus others"})
    ax.set_xlabel("theme (manual standard)")
    ax.set_ylabel(f"{model} topic")
    ax.set_title(f"Which {model} topics carry which themes")
    return fig


def plot_topic_theme_alignment(
    doc_topics: pd.DataFrame, standard: pd.DataFrame, path: str | os.PathLike[str], model: str
) -> Path:
    """Write ``draw_topic_theme_alignment`` as PNG at ``path``; return the path."""
    return save_figure(draw_topic_theme_alignment(doc_topics, standard, model), path)


def draw_reliability(reliability: pd.DataFrame) -> plt.Figure:
    """Cohen's kappa and Krippendorff's alpha (two series) of the independent coders, per theme and overall, with bootstrap bars."""
    apply_style()
    categories = _categories(reliability["theme"], OVERALL)
    long = pd.concat(
        [
            reliability[["theme", statistic, f"{statistic}_low", f"{statistic}_high"]]
            .rename(columns=lambda c: c.replace(statistic, "value"))
            .assign(statistic=name)
            for statistic, name in (("kappa", "Cohen's kappa"), ("alpha", "Krippendorff's alpha"))
        ],
        ignore_index=True,
    )
    fig, ax = plt.subplots(figsize=(max(7.0, 1.4 * len(categories)), 4.0))
    _point_with_interval(ax, long, "value", "statistic", categories)
    ax.set_xticks(np.arange(len(categories)), categories, rotation=20, ha="right")
    ax.set_ylim(min(-0.05, float(np.nanmin(long["value_low"].to_numpy(dtype=float), initial=0.0))), 1.05)
    ax.set_xlabel("theme")
    ax.set_ylabel("chance-corrected agreement (1 = perfect)")
    ax.set_title(f"Inter-coder reliability ({' vs '.join(str(reliability['coders'].iloc[0]).split('+'))})")
    ax.legend(frameon=False)
    return fig


def plot_reliability(reliability: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_reliability`` as PNG at ``path``; return the path."""
    return save_figure(draw_reliability(reliability), path)


def draw_learning_curve(curve: pd.DataFrame) -> plt.Figure:
    """Macro-F1 (0-1, with interval bars) of each learning coder against the documents each outer fold was trained on.

    ``curve``: the ``learning_curve`` table; one line per model, every point scored on the folds' test documents;
    the last point of each (each fold's whole training part: the run's cross-validated score) is drawn hollow,
    its interval being a bootstrap over documents (the others': over repeats).
    """
    apply_style()
    fig, ax = plt.subplots(figsize=(7.0, 4.5))
    models = list(pd.unique(curve["model"]))
    for model, colour in zip(models, sns.color_palette(PALETTE, len(models))):
        rows = curve[curve["model"] == model].sort_values("n_coded")
        low = (rows["macro_f1"] - rows["macro_f1_low"]).clip(lower=0).to_numpy()
        high = (rows["macro_f1_high"] - rows["macro_f1"]).clip(lower=0).to_numpy()
        ax.errorbar(rows["n_coded"], rows["macro_f1"], yerr=[low, high], fmt="-o", color=colour, capsize=3, label=str(model))
        last = rows.iloc[-1]
        ax.plot([last["n_coded"]], [last["macro_f1"]], "o", markerfacecolor="white", color=colour, zorder=4)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(pd.unique(curve["n_coded"])), [str(n) for n in sorted(pd.unique(curve["n_coded"]))])
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("documents each outer fold was trained on (log scale)")
    ax.set_ylabel("macro-F1, held-out folds (0-1)")
    ax.set_title("How much coding is enough? (hollow: the run's cross-validated score)")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_learning_curve(curve: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """``draw_learning_curve`` saved as PNG at ``path``."""
    return save_figure(draw_learning_curve(curve), path)

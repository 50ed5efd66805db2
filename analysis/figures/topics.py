"""Figures of the model zoo: top terms per topic, themes by year, and the choice of K."""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Mapping

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from hkasean.analysis.figures import PALETTE, SEQUENTIAL, apply_style, save_figure

PANEL_COLUMNS = 3


def draw_top_terms(top_terms: pd.DataFrame, model: str, themes: Mapping[str, str] | None = None) -> plt.Figure:
    """One horizontal bar panel per topic of ``model`` (top_terms columns: model, topic, rank, term, weight).

    Bars are the terms by rank (strongest on top, "_" shown as a space); ``ValueError`` if ``model`` has no rows.
    ``themes`` (topic id -> theme id) names the theme a topic serves in its panel's title, "seeded_lda_3
    (made_in_hk)" (topics it maps to '' or lacks keep their bare id).
    """
    apply_style()
    frame = top_terms[top_terms["model"] == model]
    if frame.empty:
        raise ValueError(f"no top terms for model {model!r}")
    topics = list(dict.fromkeys(frame["topic"]))
    n_cols = min(PANEL_COLUMNS, len(topics))
    n_rows = math.ceil(len(topics) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 0.32 * frame["rank"].max() * n_rows + 1.2 * n_rows), squeeze=False)
    colour = sns.color_palette(PALETTE)[0]
    for ax, topic in zip(axes.flat, topics):
        terms = frame[frame["topic"] == topic].sort_values("rank")
        ax.barh(terms["term"].str.replace("_", " "), terms["weight"], color=colour)
        ax.invert_yaxis()
        theme = (themes or {}).get(topic, "")
        ax.set_title(f"{topic} ({theme})" if theme else str(topic), fontsize=10)
        ax.set_xlabel("term weight")
        ax.tick_params(axis="y", labelsize=9)
    for ax in list(axes.flat)[len(topics):]:
        ax.set_visible(False)
    fig.suptitle(f"Top terms per topic: {model}")
    fig.tight_layout(rect=(0, 0, 1, 1 - min(0.45 / fig.get_figheight(), 0.1)))  # the title clear of the first row
    return fig


def plot_top_terms(top_terms: pd.DataFrame, model: str, path: str | os.PathLike[str],
                   themes: Mapping[str, str] | None = None) -> Path:
    """Write ``draw_top_terms`` as PNG at ``path``; return the path."""
    return save_figure(draw_top_terms(top_terms, model, themes), path)


def draw_theme_by_year(doc_themes: pd.DataFrame, doc_frame: pd.DataFrame, model: str | None = None) -> plt.Figure:
    """Heatmap theme x year of the share of documents carrying each theme (0..1, annotated).

    One panel per model (or only ``model``). Rows of ``doc_themes`` with ``fold < 0`` (supervised
    predictions that were not cross-validated) are left out.
    """
    apply_style()
    frame = doc_themes if model is None else doc_themes[doc_themes["model"] == model]
    if "fold" in frame.columns:
        frame = frame[frame["fold"].isna() | (frame["fold"] >= 0)]
    frame = frame.merge(doc_frame[["doc_id", "year"]], on="doc_id", how="inner")
    if frame.empty:
        raise ValueError("no document themes to plot")
    models = list(dict.fromkeys(frame["model"]))
    fig, axes = plt.subplots(len(models), 1, figsize=(1.0 * frame["year"].nunique() + 3, 2.6 * len(models)), squeeze=False)
    for ax, name in zip(axes.flat, models):
        shares = frame[frame["model"] == name].pivot_table(index="theme", columns="year", values="present", aggfunc="mean")
        shares = shares.reindex(list(dict.fromkeys(frame["theme"])))
        sns.heatmap(shares, ax=ax, cmap=SEQUENTIAL, vmin=0, vmax=1, annot=True, fmt=".2f",
                    cbar_kws={"label": "share of documents"}, annot_kws={"size": 8})
        ax.set_title(str(name))
        ax.set_xlabel("year")
        ax.set_ylabel("theme")
    fig.tight_layout()
    return fig


def plot_theme_by_year(doc_themes: pd.DataFrame, doc_frame: pd.DataFrame, path: str | os.PathLike[str], model: str | None = None) -> Path:
    """Write ``draw_theme_by_year`` as PNG at ``path``; return the path."""
    return save_figure(draw_theme_by_year(doc_themes, doc_frame, model), path)


def draw_k_selection(selection: pd.DataFrame) -> plt.Figure:
    """Mean c_npmi coherence (left) and stability (right) over seeds against K, one line per model.

    The chosen K of each model is ringed (hollow black circle, legend entry "chosen K").
    ``selection``: the K grid table (``models.selection.SELECTION_COLUMNS``).
    """
    apply_style()
    if selection.empty:
        raise ValueError("empty K selection table")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, metric, label in zip(axes, ["c_npmi", "stability"], ["c_npmi coherence (-1..1)", "stability (top-10 Jaccard, 0..1)"]):
        sns.lineplot(data=selection, x="k", y=metric, hue="model", marker="o", errorbar=None, palette=PALETTE, ax=ax)
        chosen = selection[selection["chosen"]].groupby("model")[metric].mean().reset_index()
        k_chosen = selection[selection["chosen"]].groupby("model")["k"].first().reset_index()
        marks = chosen.merge(k_chosen, on="model")
        ax.scatter(marks["k"], marks[metric], s=150, facecolors="none", edgecolors="black", label="chosen K")
        ax.legend(title="model")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("number of topics K")
        ax.set_ylabel(label)
    fig.suptitle("Choosing the number of topics K")
    fig.tight_layout()
    return fig


def plot_k_selection(selection: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``draw_k_selection`` as PNG at ``path``; return the path."""
    return save_figure(draw_k_selection(selection), path)

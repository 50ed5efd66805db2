"""Evidence for candidate indicator terms: judged on coded documents their discovery never saw.

For each theme the coded documents are split into K folds; candidates are found on the K-1
training folds (``models.indicator_candidates``) and counted on the held-out fold. Per candidate,
summed over the folds whose training documents also produced it:

- ``precision``: of the held-out coded documents containing the term, the share coded with the
  theme (NaN when no held-out document contains it);
- ``recall_gain``: held-out documents of the theme that contain the term and that no current
  indicator of the theme catches, over all documents of the theme (a fold that did not find the
  term adds nothing): the recall the dictionary coder would gain, at threshold 1.

``docs_with_theme`` / ``docs_without_theme`` are plain counts over all coded documents (what a
reader checks the term against); ``folds_found`` says in how many of the ``n_folds`` training
sets the term came up again (a term found only on all documents is likely noise);
``in_definition`` (1/0) whether the theme's own label, definition or include notes use its words,
a hint of what a human reading the codebook would accept. Nothing here
decides: the table is for a human to read, and nothing is added to any codebook.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean import contract

ALL_CODED = -1
"""``fold`` of the candidates found on every coded document (the ones reported)."""
SOURCE_ORDER = ("log_odds", "word_vectors")


def _ratio(numerator: np.ndarray, denominator: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(denominator) > 0, numerator / np.maximum(denominator, 1), np.nan)


def _theme_evidence(theme: str, reported: pd.DataFrame, candidates: pd.DataFrame, folds: pd.DataFrame,
                    matches: pd.DataFrame, caught: pd.Series, positive: pd.Series) -> pd.DataFrame:
    """The evidence columns for one theme's reported candidates (rows of ``reported``)."""
    doc_ids = positive.index
    fold_of = folds[folds["theme"] == theme].set_index("doc_id")["fold"].reindex(doc_ids).to_numpy()
    n_folds = int(folds.loc[folds["theme"] == theme, "fold"].max()) + 1
    keys = list(zip(reported["source"], reported["term"]))
    column = {term: j for j, term in enumerate(dict.fromkeys(reported["term"]))}
    contains = np.zeros((len(doc_ids), len(column)), dtype=bool)
    theme_matches = matches[(matches["theme"] == theme) & matches["term"].isin(column) & matches["doc_id"].isin(doc_ids)]
    contains[doc_ids.get_indexer(theme_matches["doc_id"]), theme_matches["term"].map(column).to_numpy()] = True
    contains = contains[:, [column[term] for _, term in keys]]
    found = np.zeros((n_folds, len(keys)), dtype=bool)
    in_folds = candidates[(candidates["theme"] == theme) & (candidates["fold"] != ALL_CODED)]
    key_index = {key: j for j, key in enumerate(keys)}
    for fold, source, term in zip(in_folds["fold"], in_folds["source"], in_folds["term"]):
        if (source, term) in key_index:
            found[fold, key_index[source, term]] = True
    pos = positive.to_numpy().astype(bool)[:, None]
    missed = ~caught.reindex(doc_ids).fillna(0).to_numpy().astype(bool)[:, None]
    held_out = contains & found[fold_of]
    return pd.DataFrame({
        "docs_with_theme": (contains & pos).sum(axis=0),
        "docs_without_theme": (contains & ~pos).sum(axis=0),
        "precision": _ratio((held_out & pos).sum(axis=0), held_out.sum(axis=0)),
        "recall_gain": _ratio((held_out & pos & missed).sum(axis=0), float(pos.sum())),
        "folds_found": found.sum(axis=0),
        "n_folds": n_folds,
    }, index=reported.index)


def indicator_suggestions(candidates: pd.DataFrame, folds: pd.DataFrame, matches: pd.DataFrame, caught: pd.DataFrame,
                          examples: pd.DataFrame, standard: pd.DataFrame) -> pd.DataFrame:
    """The ``indicator_suggestions`` table: every candidate found on all coded documents, with its evidence.

    ``candidates``: DataFrame[fold, theme, term, source, score, ...] (``fold = -1``: found on all
    coded documents, the rows reported; 0..K-1: found on the other folds); ``folds``:
    DataFrame[theme, doc_id, fold]; ``matches``: DataFrame[theme, term, doc_id], coded documents
    containing each term; ``caught``: index doc_id, columns theme ids, 1 where a current indicator
    occurs; ``examples``: DataFrame[theme, term, example]; ``standard``: index doc_id, columns theme
    ids, 0/1 (the coding the candidates were found on). Rows in theme (``standard``'s column order),
    source and rank order (rank 1 = highest score); columns as ``contract.INDICATOR_SUGGESTIONS``.
    """
    columns = contract.INDICATOR_SUGGESTIONS.column_list
    reported = candidates[candidates["fold"] == ALL_CODED]
    frames = []
    for theme in standard.columns:
        rows = reported[reported["theme"] == theme]
        if rows.empty:
            continue
        evidence = _theme_evidence(theme, rows, candidates, folds, matches, caught[theme], standard[theme])
        frames.append(rows[["theme", "term", "source", "score", "in_definition"]].join(evidence))
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames).merge(examples, on=["theme", "term"], how="left")
    table["example"] = table["example"].fillna("")
    table["in_definition"] = table["in_definition"].astype(int)
    table["theme_order"] = table["theme"].map({t: i for i, t in enumerate(standard.columns)})
    table["source_order"] = table["source"].map({s: i for i, s in enumerate(SOURCE_ORDER)})
    table = table.sort_values(["theme_order", "source_order", "score", "term"], ascending=[True, True, False, True],
                              kind="mergesort")
    table["rank"] = table.groupby(["theme", "source"]).cumcount() + 1
    return table[columns].reset_index(drop=True)

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
a hint of what a human reading the codebook would accept; ``proper_noun`` (1/0) whether the term
is written as a name (``models.proper_nouns``).

``recommended`` (1/0) and ``reason`` say what a careful reader of the table would conclude. The
rule was fixed from what such a reader checks, before it was measured; a term is recommended
when it passes every check, and ``reason`` lists each check it fails (or, when recommended, its
out-of-fold evidence):

1. not a proper noun: a place, person, organisation or nationality accompanies a theme in the
   coded documents (the city a trade mission visited) without expressing it;
2. ``in_definition``: the theme's own words are the only mechanical evidence that a term
   expresses the theme rather than co-occurring with it (``trip``, ``partner``);
3. support: at least ``MIN_SUPPORT`` (3) coded documents with the theme contain it; fewer is an
   anecdote, and a term found on two documents can rarely be confirmed on a held-out one;
4. out-of-fold gain: on held-out folds it newly caught documents of the theme (that no current
   indicator catches), and the share of the theme among all the held-out documents it newly
   caught is above half the theme's current dictionary F1 on the coded documents. That bar is
   exact, not tuned: a term that newly catches ``a`` documents with the theme and ``b`` without
   raises F1 = 2 TP / (2 TP + FP + FN) at threshold 1 if and only if a / (a + b) > F1 / 2. (A bar
   at the current indicators' precision would keep the precision but reject every term of a
   dictionary that catches few documents, precisely, as the sample's untapped_market does.)

Rows stay in rank order: the rule marks terms, it does not rank them. Measured on the bundled
sample (88 coded documents, 11 with untapped_market), adding the recommended terms does not raise
untapped_market's dictionary F1 out of fold: see ``tests/test_analysis_indicator_loop.py``. Nothing
here decides: the table is for a human to read, and nothing is added to any codebook.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.binary_statistics import confusion_counts, f1, identity_weights
from hkasean.constants import ALL_CODED_FOLD

SOURCE_ORDER = ("log_odds", "word_vectors")
MIN_SUPPORT = 3
"""Coded documents with the theme that must contain a term before it is recommended."""


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
    in_folds = candidates[(candidates["theme"] == theme) & (candidates["fold"] != ALL_CODED_FOLD)]
    key_index = {key: j for j, key in enumerate(keys)}
    for fold, source, term in zip(in_folds["fold"], in_folds["source"], in_folds["term"]):
        if (source, term) in key_index:
            found[fold, key_index[source, term]] = True
    pos = positive.to_numpy().astype(bool)[:, None]
    missed = ~caught.reindex(doc_ids).fillna(0).to_numpy().astype(bool)[:, None]
    held_out = contains & found[fold_of]
    new_with = (held_out & pos & missed).sum(axis=0)
    return pd.DataFrame({
        "docs_with_theme": (contains & pos).sum(axis=0),
        "docs_without_theme": (contains & ~pos).sum(axis=0),
        "precision": _ratio((held_out & pos).sum(axis=0), held_out.sum(axis=0)),
        "recall_gain": _ratio(new_with, float(pos.sum())),
        "folds_found": found.sum(axis=0),
        "n_folds": n_folds,
        "new_with": new_with,
        "new_without": (held_out & ~pos & missed).sum(axis=0),
    }, index=reported.index)


def dictionary_f1(caught: pd.Series, positive: pd.Series) -> float:
    """F1 of the current indicators (present = at least one occurs) against the coding; 0 when undefined."""
    counts = confusion_counts(positive.to_numpy(), caught.reindex(positive.index).fillna(0).to_numpy(),
                              identity_weights(len(positive)))
    score = float(f1(counts)[0])
    return 0.0 if np.isnan(score) else score


def out_of_fold_gain(new_with: int, new_without: int, current_f1: float) -> tuple[bool, str]:
    """Whether the held-out documents a term newly caught, ``new_with`` with the theme and ``new_without``
    without, raise the dictionary's F1 (their share with the theme above ``current_f1`` / 2), and the
    evidence in words."""
    if new_with + new_without == 0:
        return False, "out of fold it newly caught no document"
    bar, share = current_f1 / 2, new_with / (new_with + new_without)
    raises = new_with > 0 and share > bar
    return raises, (f"out of fold it newly caught {new_with} document(s) with the theme and {new_without} without: "
                    f"precision {share:.2f} {'>' if raises else '<='} {bar:.2f}, half the dictionary's F1")


def recommendation(row: pd.Series, current_f1: float) -> tuple[int, str]:
    """(1 if recommended else 0, why) for one suggestion row, by the rule of the module docstring.

    ``row`` holds ``proper_noun``, ``in_definition``, ``docs_with_theme`` and the held-out documents the
    term newly caught with (``new_with``) and without (``new_without``) the theme; ``current_f1``: the
    theme's dictionary F1 on the coded documents."""
    raises, evidence = out_of_fold_gain(int(row["new_with"]), int(row["new_without"]), current_f1)
    failed = [reason for fails, reason in (
        (row["proper_noun"], "a proper noun: names accompany a theme without expressing it"),
        (not row["in_definition"], "the theme's definition does not use its words: judge it from the examples"),
        (row["docs_with_theme"] < MIN_SUPPORT,
         f"in {row['docs_with_theme']} coded document(s) with the theme, fewer than {MIN_SUPPORT}"),
        (not raises, evidence),
    ) if fails]
    return (0, "; ".join(failed)) if failed else (1, evidence)


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
    reported = candidates[candidates["fold"] == ALL_CODED_FOLD]
    frames = []
    for theme in standard.columns:
        rows = reported[reported["theme"] == theme]
        if rows.empty:
            continue
        evidence = _theme_evidence(theme, rows, candidates, folds, matches, caught[theme], standard[theme])
        judged = rows[["theme", "term", "source", "score", "in_definition", "proper_noun"]].join(evidence)
        current_f1 = dictionary_f1(caught[theme], standard[theme])
        verdicts = [recommendation(row, current_f1) for _, row in judged.iterrows()]
        judged["recommended"], judged["reason"] = zip(*verdicts)
        frames.append(judged)
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames).merge(examples, on=["theme", "term"], how="left")
    table["example"] = table["example"].fillna("")
    for flag in ("in_definition", "proper_noun"):
        table[flag] = table[flag].astype(int)
    table["theme_order"] = table["theme"].map({t: i for i, t in enumerate(standard.columns)})
    table["source_order"] = table["source"].map({s: i for i, s in enumerate(SOURCE_ORDER)})
    table = table.sort_values(["theme_order", "source_order", "score", "term"], ascending=[True, True, False, True],
                              kind="mergesort")
    table["rank"] = table.groupby(["theme", "source"]).cumcount() + 1
    return table[columns].reset_index(drop=True)

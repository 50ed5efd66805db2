"""The codebook loop on the bundled sample, over fold seeds: suggest, pick, edit a copy of the codebook, rerun the
dictionary coder.

Scored out of fold: for each fold seed in ``SEEDS`` the coded documents are split into 5 folds
(stratified on ``untapped_market``); for each fold the suggestion table is built from the coding of
the OTHER folds only (checked below), the terms it recommends are written into a copy of the
codebook YAML, and the dictionary coder run with that copy codes the held-out fold. No held-out
label reaches the terms that code it. F1 of the looped coding against the standard is compared
with the bundled codebook's (0.31 for every seed: the dictionary coder learns nothing).

The pick rule stands in for a human reader who follows the table: the theme's rows with
``recommended == 1`` (the rule of ``analysis.indicator_evidence``: not a proper noun, words of the
theme's definition, at least 3 coded documents with the theme, an out-of-fold precision on newly
caught documents above half the dictionary's F1), in table order, at most ``N_PICKED``.

Measured (``cd /work/main && .venv/bin/python -m pytest -q tests/test_analysis_indicator_loop.py
--runxfail`` prints the per-seed figures of ``SEEDS``; seeds 10-19 with ``SEEDS = range(10, 20)``):

- recommended terms, seeds 0-9: F1 0.308 -> 0.308, 0.200, 0.250, 0.250, 0.250, 0.308, 0.308,
  0.267, 0.286, 0.308 (mean 0.273); seeds 0-19: mean 0.264, none above 0.308, 4 equal, 16 below.
- the earlier pick rule (``in_definition`` log-odds rows with ``docs_with_theme >
  docs_without_theme``, no proper-noun, support or out-of-fold check): seeds 0-9 mean 0.289;
  seeds 0-19 mean 0.314, range 0.19-0.50, 7 above 0.308, 2 equal, 11 below: no gain either.
- the earlier rule plus only the support check (``docs_with_theme >= 3``), seeds 0-19: mean 0.260,
  none above 0.308.

Why it does not rise: the terms a reader would accept are rare in the sample. ``enter`` is in 3
of the 11 documents with the theme (and in 1 without); the training folds show it in 3 documents
with the theme only when all 3 are in training, and then the held-out fold holds none of them,
at most the one without the theme. A term that just meets the support check on the training
folds can add held-out false positives but no held-out true positive, which the third line above
confirms. So the done-criterion of issue #16 (mean F1 over seeds rises) is NOT met on this
sample, and the test that states it is a strict xfail: it fails the suite as soon as it passes,
so that the figures above get updated.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from hkasean.analysis.binary_statistics import confusion_counts, f1, identity_weights
from hkasean.analysis.coding import load_coding
from hkasean.analysis.indicator_evidence import indicator_suggestions
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import default_codebook_path, load_codebook
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.candidate_folds import theme_folds
from hkasean.models.indicator_candidates import find_candidates
from hkasean.models.text import process_documents

THEME = "untapped_market"
SEEDS = range(10)
N_FOLDS = 5
N_PICKED = 3


def picked_terms(table: pd.DataFrame, theme: str, n: int = N_PICKED) -> list[str]:
    """The pick rule of the module docstring (the table is in source and rank order)."""
    return list(table.loc[(table["theme"] == theme) & (table["recommended"] == 1), "term"].head(n))


def edited_codebook(folder: Path, theme: str, terms: tuple[str, ...]) -> Path:
    """A copy of the bundled codebook YAML with ``terms`` added to the theme's indicators (as a user would)."""
    raw = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    for entry in raw["themes"]:
        if entry["id"] == theme:
            entry["indicators"] += list(terms)
    path = folder / f"{theme}-{'-'.join(terms).replace(' ', '_')}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def dictionary_presence(documents, codebook_path: Path, theme: str) -> pd.Series:
    """doc_id -> 0/1: the dictionary coder's decision on ``theme`` with that codebook."""
    codebook = load_codebook(codebook_path)
    doc_themes = DictionaryCoder().fit(process_documents(documents, codebook)).doc_themes()
    return doc_themes[doc_themes["theme"] == theme].set_index("doc_id")["present"]


def theme_f1(gold: pd.Series, predicted: pd.Series) -> float:
    counts = confusion_counts(gold.to_numpy(), predicted.reindex(gold.index).to_numpy(), identity_weights(len(gold)))
    return float(f1(counts)[0])


@dataclass
class Loop:
    """The loop's outcome: F1 before, F1 after per seed, the picks per seed and fold, and the held-out
    documents whose labels the suggestions of their own fold were built from (must be none)."""

    before: float
    after: dict[int, float] = field(default_factory=dict)
    picks: dict[int, dict[int, list[str]]] = field(default_factory=dict)
    leaked: set[str] = field(default_factory=set)

    def figures(self) -> str:
        """Per-seed and mean F1, for a failure message."""
        rows = [f"seed {seed}: {self.before:.3f} -> {after:.3f} {self.picks[seed]}"
                for seed, after in self.after.items()]
        return "\n".join(rows + [f"mean: {self.before:.3f} -> {np.mean(list(self.after.values())):.3f}"])


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> Loop:
    folder = tmp_path_factory.mktemp("codebooks")
    documents = read_documents(sample_corpus_path())
    codebook = load_codebook()
    processed = process_documents(documents, codebook)
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    coded_with: dict[tuple[str, ...], pd.Series] = {}  # the same picks code the same way: run the coder once

    def presence(terms: tuple[str, ...]) -> pd.Series:
        if terms not in coded_with:
            coded_with[terms] = dictionary_presence(documents, edited_codebook(folder, THEME, terms), THEME)
        return coded_with[terms]

    result = Loop(before=theme_f1(standard[THEME], presence(())))
    for seed in SEEDS:
        folds = theme_folds(standard, N_FOLDS, seed)
        fold_of = folds[folds["theme"] == THEME].set_index("doc_id")["fold"].reindex(standard.index)
        looped = pd.Series(0, index=standard.index)
        result.picks[seed] = {}
        for fold in range(N_FOLDS):
            training, held_out = standard[fold_of != fold], fold_of.index[fold_of == fold]
            found = find_candidates(processed, documents, codebook, training, random_state=seed)
            table = indicator_suggestions(found.candidates, found.folds, found.matches, found.caught, found.examples,
                                          training)
            result.leaked |= set(held_out) & (set(found.folds["doc_id"]) | set(found.caught.index))
            result.picks[seed][fold] = picked_terms(table, THEME)
            looped[held_out] = presence(tuple(result.picks[seed][fold]))[held_out]
        result.after[seed] = theme_f1(standard[THEME], looped)
    return result


def test_each_fold_is_coded_by_terms_picked_without_its_labels(loop):
    assert not loop.leaked
    assert any(terms for picks in loop.picks.values() for terms in picks.values()), loop.figures()


@pytest.mark.xfail(strict=True, reason="measured: mean untapped_market F1 over fold seeds 0-9 falls from 0.308 to "
                                       "0.273 when the recommended terms are added (module docstring)")
def test_adding_the_recommended_suggestions_raises_untapped_market_f1_out_of_fold_on_average(loop):
    assert np.mean(list(loop.after.values())) > loop.before, loop.figures()

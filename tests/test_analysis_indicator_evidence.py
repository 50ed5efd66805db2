"""Out-of-fold evidence for candidate indicator terms (analysis.indicator_evidence) and its report section."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.coding import load_coding
from hkasean.analysis.indicator_evidence import indicator_suggestions
from hkasean.analysis.report import SUGGESTIONS_SHOWN, ReportInput, build_sections
from hkasean.analysis.report_render import Table
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook
from hkasean.models.indicator_candidates import find_candidates
from hkasean.models.text import process_documents

DOCS = [f"d{i}" for i in range(6)]
STANDARD = pd.DataFrame({"market": [1, 1, 1, 0, 0, 0]}, index=pd.Index(DOCS, name="doc_id"))
FOLDS = pd.DataFrame({"theme": "market", "doc_id": DOCS, "fold": [0, 1, 2, 0, 1, 2]})


def _candidates(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([(f, "market", term, "log_odds", score, 1) for f, term, score in rows],
                        columns=["fold", "theme", "term", "source", "score", "in_definition"])


def test_precision_and_recall_gain_count_only_held_out_folds_whose_training_found_the_term():
    candidates = _candidates([(-1, "enter", 2.0), (-1, "trip", 3.0), (0, "enter", 1.9), (1, "enter", 1.8),
                              (2, "trip", 2.5)])
    matches = pd.DataFrame({"theme": "market", "term": ["enter", "enter", "enter", "trip", "trip"],
                            "doc_id": ["d0", "d1", "d4", "d2", "d5"]})
    caught = pd.DataFrame({"market": [0, 1, 0, 0, 0, 0]}, index=DOCS)
    examples = pd.DataFrame({"theme": ["market"], "term": ["enter"], "example": ["d0: They enter the market."]})
    table = indicator_suggestions(candidates, FOLDS, matches, caught, examples, STANDARD)
    assert list(table.columns) == contract.INDICATOR_SUGGESTIONS.column_list
    rows = table.set_index("term")
    assert list(table["term"]) == ["trip", "enter"] and list(table["rank"]) == [1, 2]
    # enter: found on the training folds of folds 0 and 1; held out there: d0 (theme), d1 (theme, already
    # caught), d4 (no theme) -> precision 2/3; newly caught: d0 only -> 1 of 3 theme documents
    assert rows.loc["enter", "precision"] == pytest.approx(2 / 3)
    assert rows.loc["enter", "recall_gain"] == pytest.approx(1 / 3)
    assert (rows.loc["enter", "docs_with_theme"], rows.loc["enter", "docs_without_theme"]) == (2, 1)
    assert (rows.loc["enter", "folds_found"], rows.loc["enter", "n_folds"]) == (2, 3)
    # trip: found only for fold 2, where d2 (theme) and d5 (no theme) are held out
    assert rows.loc["trip", "precision"] == pytest.approx(0.5)
    assert rows.loc["trip", "example"] == "" and rows.loc["enter", "example"].startswith("d0: ")


def test_a_term_never_found_out_of_fold_has_no_precision():
    candidates = _candidates([(-1, "noise", 2.0)])
    matches = pd.DataFrame({"theme": "market", "term": ["noise"], "doc_id": ["d0"]})
    caught = pd.DataFrame({"market": 0}, index=DOCS)
    table = indicator_suggestions(candidates, FOLDS, matches, caught, pd.DataFrame(columns=["theme", "term", "example"]),
                                  STANDARD)
    assert np.isnan(table.loc[0, "precision"]) and table.loc[0, "recall_gain"] == 0 and table.loc[0, "folds_found"] == 0


@pytest.fixture(scope="module")
def sample():
    documents = read_documents(sample_corpus_path())
    codebook = load_codebook()
    processed = process_documents(documents, codebook)
    standard = load_coding(sample_coding_path(), codebook.theme_ids).standard()
    return documents, codebook, processed, standard


def _suggest(sample, standard: pd.DataFrame) -> pd.DataFrame:
    documents, codebook, processed, _ = sample
    found = find_candidates(processed, documents, codebook, standard, random_state=42)
    return indicator_suggestions(found.candidates, found.folds, found.matches, found.caught, found.examples, standard)


def test_sample_suggestions_for_untapped_market_occur_in_its_documents_and_rarely_elsewhere(sample):
    table = _suggest(sample, sample[3])
    untapped = table[table["theme"] == "untapped_market"]
    distinctive = untapped[(untapped["docs_with_theme"] >= 3) & (untapped["docs_without_theme"] <= 1)]
    assert {"enter", "malaysian"} <= set(distinctive["term"])
    coded_with_theme = set(sample[3].index[sample[3]["untapped_market"] == 1])
    for row in distinctive.itertuples():
        examples = row.example.split(" | ")
        assert len(examples) == 2
        assert examples[0].split(": ")[0] in coded_with_theme  # documents with the theme come first
        assert row.term.lower() in examples[0].lower()


def test_shuffled_labels_give_no_precision_above_chance(sample):
    """Leakage check: with the labels shuffled there is nothing to find; out-of-fold precision stays at the
    base rate, while precision counted on the documents the terms were found on is far above it."""
    standard = sample[3]
    out_of_fold, in_sample = [], []
    for seed in range(5):
        shuffled = standard.copy()
        shuffled[:] = standard.to_numpy()[np.random.default_rng(seed).permutation(len(standard))]
        table = _suggest(sample, shuffled)
        base_rate = table["theme"].map(shuffled.mean())
        out_of_fold.append((table["precision"] - base_rate).mean())
        in_sample.append((table["docs_with_theme"] / (table["docs_with_theme"] + table["docs_without_theme"]) - base_rate).mean())
    assert np.mean(out_of_fold) < 0.1
    assert np.mean(in_sample) > 0.25
    real = _suggest(sample, standard)
    assert (real["precision"] - real["theme"].map(standard.mean())).mean() > 0.2


def test_report_section_shows_the_suggestions_the_caveat_and_a_skipped_source(sample):
    table = _suggest(sample, sample[3])
    sources = pd.DataFrame([("word_vectors", "skipped", 6346, 200000, 0, "skipped: too few tokens")],
                           columns=contract.INDICATOR_SOURCES.column_list)
    report = ReportInput(manifest={}, tables={contract.INDICATOR_SUGGESTIONS.name: table,
                                              contract.INDICATOR_SOURCES.name: sources})
    section = next(s for s in build_sections(report) if s.title == "Terms your codebook may be missing")
    texts = " ".join(getattr(block, "text", "") for block in section.blocks)
    assert "never added to the codebook automatically" in texts
    assert "Source word_vectors: skipped: too few tokens." in texts
    shown = next(block for block in section.blocks if isinstance(block, Table)).frame
    assert "enter" in set(shown["term"])
    assert len(shown) == (table["rank"] <= SUGGESTIONS_SHOWN).sum()
    assert not any(s.title == "Terms your codebook may be missing" for s in build_sections(ReportInput(manifest={})))

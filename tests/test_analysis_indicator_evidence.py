"""Out-of-fold evidence for candidate indicator terms (analysis.indicator_evidence) and its report section."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.coding import load_coding
from hkasean.analysis.indicator_evidence import (
    MIN_SUPPORT,
    dictionary_f1,
    indicator_suggestions,
    out_of_fold_gain,
    recommendation,
)
from hkasean.analysis.report import build_sections
from hkasean.analysis.report_data import SUGGESTIONS_SHOWN, ReportInput
from hkasean.analysis.report_render import Table
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook
from hkasean.models.indicator_candidates import find_candidates
from hkasean.models.text import process_documents

DOCS = [f"d{i}" for i in range(6)]
STANDARD = pd.DataFrame({"market": [1, 1, 1, 0, 0, 0]}, index=pd.Index(DOCS, name="doc_id"))
FOLDS = pd.DataFrame({"theme": "market", "doc_id": DOCS, "fold": [0, 1, 2, 0, 1, 2]})


def _candidates(rows: list[tuple], names: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame([(f, "market", term, "log_odds", score, 1, term in names) for f, term, score in rows],
                        columns=["fold", "theme", "term", "source", "score", "in_definition", "proper_noun"])


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


def test_dictionary_f1_of_the_current_indicators():
    positive = STANDARD["market"]
    assert dictionary_f1(pd.Series([1, 1, 0, 1, 0, 0], index=DOCS), positive) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert dictionary_f1(pd.Series(0, index=DOCS), positive) == 0.0  # catches nothing: no F1 to keep


@pytest.mark.parametrize("tp, fp, fn, new_with, new_without", [(2, 0, 9, 1, 5), (2, 0, 9, 1, 6), (5, 5, 5, 2, 3),
                                                                (5, 5, 5, 1, 2), (0, 0, 4, 1, 9)])
def test_the_out_of_fold_bar_is_exactly_where_adding_the_term_raises_f1(tp, fp, fn, new_with, new_without):
    before = 2 * tp / (2 * tp + fp + fn)
    after = 2 * (tp + new_with) / (2 * (tp + new_with) + fp + new_without + fn - new_with)
    raises, evidence = out_of_fold_gain(new_with, new_without, before)
    assert raises == (after > before + 1e-12), (before, after, evidence)
    assert f"newly caught {new_with} document(s) with the theme and {new_without} without" in evidence


def _row(**changes) -> pd.Series:
    row = {"proper_noun": False, "in_definition": True, "docs_with_theme": MIN_SUPPORT, "new_with": 2, "new_without": 1}
    return pd.Series({**row, **changes})


def test_recommendation_says_which_checks_a_term_fails():
    assert recommendation(_row(), 0.3) == (1, "out of fold it newly caught 2 document(s) with the theme and 1 without: "
                                               "precision 0.67 > 0.15, half the dictionary's F1")
    recommended, reason = recommendation(_row(proper_noun=True, docs_with_theme=MIN_SUPPORT - 1), 0.3)
    assert not recommended and reason.startswith("a proper noun") and f"fewer than {MIN_SUPPORT}" in reason
    assert "newly caught" not in reason  # the out-of-fold evidence passes: not listed among the failures
    assert recommendation(_row(in_definition=False), 0.3)[1].startswith("the theme's definition does not use its words")
    assert recommendation(_row(new_with=0, new_without=0), 0.3) == (0, "out of fold it newly caught no document")
    below_bar = recommendation(_row(new_with=1, new_without=3), 0.6)
    assert below_bar[0] == 0 and below_bar[1].endswith("precision 0.25 <= 0.30, half the dictionary's F1")


def test_a_proper_noun_is_shown_but_not_recommended():
    found = [(fold, term, 2.0) for fold in (-1, 0, 1, 2) for term in ("enter", "Hanoi")]
    candidates = _candidates(found, names=("Hanoi",))
    matches = pd.DataFrame({"theme": "market", "term": ["enter"] * 3 + ["Hanoi"] * 3, "doc_id": ["d0", "d1", "d2"] * 2})
    caught = pd.DataFrame({"market": 0}, index=DOCS)
    no_examples = pd.DataFrame(columns=["theme", "term", "example"])
    table = indicator_suggestions(candidates, FOLDS, matches, caught, no_examples, STANDARD).set_index("term")
    assert table.loc["Hanoi", "proper_noun"] == 1 and table.loc["Hanoi", "recommended"] == 0
    assert table.loc["Hanoi", "reason"].startswith("a proper noun")
    assert table.loc["enter", "proper_noun"] == 0 and table.loc["enter", "recommended"] == 1
    assert table.loc["enter", "reason"].startswith("out of fold it newly caught 3 document(s) with the theme and 0")


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


def test_sample_names_are_flagged_and_only_terms_of_the_definition_with_evidence_recommended(sample):
    table = _suggest(sample, sample[3])
    untapped = table[table["theme"] == "untapped_market"].set_index("term")
    assert untapped.loc[["malaysian", "hanoi", "middle east", "chinese"], "proper_noun"].eq(1).all()
    assert untapped.loc[["enter", "trip", "mission"], "proper_noun"].eq(0).all()
    assert set(untapped.index[untapped["recommended"] == 1]) == {"enter"}
    recommended = table[table["recommended"] == 1]
    assert recommended["in_definition"].eq(1).all() and recommended["proper_noun"].eq(0).all()
    assert (recommended["docs_with_theme"] >= MIN_SUPPORT).all()
    assert table.loc[table["recommended"] == 0, "reason"].str.len().gt(0).all()


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

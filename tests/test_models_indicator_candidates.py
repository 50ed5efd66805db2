"""Candidate indicator terms: weighted log-odds, folds, surface forms, word vectors, names (models.indicator_candidates
and the modules it draws on: models.log_odds, models.candidate_folds, models.proper_nouns, ...)."""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from hkasean.constants import ALL_CODED_FOLD
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.codebook import Codebook, Theme
from hkasean.models.candidate_folds import theme_folds
from hkasean.models.indicator_candidates import CANDIDATE_COLUMNS, LOG_ODDS, WORD_VECTORS, find_candidates
from hkasean.models.log_odds import document_presence, weighted_log_odds
from hkasean.models.proper_nouns import proper_nouns
from hkasean.models.suggestion_settings import SuggestionSettings
from hkasean.models.text import TextSettings, process_documents

FILLER = ["meeting", "council", "delegation", "agreement", "economy", "minister", "visit", "region", "partner", "forum"]
CODEBOOK = Codebook(themes=(
    Theme(id="shipping", label="Shipping", definition="Ports that expand their cargo business.", indicators=("vessel",)),
    Theme(id="farming", label="Farming", definition="Harvests of wheat.", indicators=("tractor",)),
))
SETTINGS = TextSettings(max_df=1.0, learn_phrases=False)


def _documents(n: int = 40, seed: int = 0) -> tuple[list[Document], pd.DataFrame]:
    """Even documents carry 'shipping' and say 'harbour' and a form of 'expand'; odd ones do not."""
    rng = random.Random(seed)
    documents, labels = [], []
    for i in range(n):
        words = [rng.choice(FILLER) for _ in range(30)]
        shipping = i % 2 == 0
        if shipping:
            words += ["harbour", ["expanding", "expand", "expands"][i % 3], "vessel" if i % 4 == 0 else "crane"]
        elif i % 5 == 1:
            words += ["harbour"]
        documents.append(Document(id=f"d{i:02d}", date="2020-01-01", title="News", text=" ".join(words) + "."))
        labels.append((f"d{i:02d}", int(shipping), 0))
    return documents, pd.DataFrame(labels, columns=["doc_id", "shipping", "farming"]).set_index("doc_id")


def test_weighted_log_odds_signs_and_symmetry():
    prior = np.full(3, 1.0)
    z = weighted_log_odds(np.array([10.0, 1.0, 5.0]), np.array([1.0, 10.0, 5.0]), prior)
    assert z[0] > 1.96 and z[1] < -1.96 and abs(z[2]) < 1e-9
    assert z[0] == pytest.approx(-z[1])
    # more data for the same proportions means more certainty
    z_more = weighted_log_odds(np.array([100.0, 10.0, 50.0]), np.array([10.0, 100.0, 50.0]), prior)
    assert z_more[0] > z[0]


def test_theme_folds_are_seeded_stratified_and_cover_every_document():
    _, labels = _documents()
    folds = theme_folds(labels, 5, random_state=3)
    assert folds.equals(theme_folds(labels, 5, random_state=3))
    shipping = folds[folds["theme"] == "shipping"].set_index("doc_id")["fold"]
    assert sorted(shipping.index) == sorted(labels.index)
    positives_per_fold = labels["shipping"].groupby(shipping).sum()
    assert positives_per_fold.tolist() == [4] * 5  # 20 positives over 5 folds
    with pytest.raises(InputError, match="cannot be split into 5 folds"):
        theme_folds(labels.head(3), 5, random_state=0)


def test_document_presence_counts_a_document_once():
    documents, _ = _documents(6)
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    presence = document_presence(processed)
    assert presence.shape == (6, len(processed.dictionary()))
    assert presence.max() == 1


def test_distinctive_terms_are_found_with_readable_forms_and_own_indicators_left_out():
    documents, labels = _documents()
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    found = find_candidates(processed, documents, CODEBOOK, labels, SuggestionSettings(n_folds=4), random_state=1)
    reported = found.candidates[(found.candidates["fold"] == ALL_CODED_FOLD) & (found.candidates["theme"] == "shipping")]
    terms = reported.set_index("term")
    assert {"harbour", "crane", "expand"} <= set(terms.index)
    assert "vessel" not in terms.index  # already an indicator of the theme
    assert terms.loc["expand", "in_definition"] and not terms.loc["crane", "in_definition"]
    assert terms.loc["harbour", "train_with"] == 20 and terms.loc["harbour", "train_without"] == 4
    assert set(reported["source"]) == {LOG_ODDS}
    # every fold found candidates on its own training documents
    assert set(found.candidates.loc[found.candidates["theme"] == "shipping", "fold"]) == {ALL_CODED_FOLD, 0, 1, 2, 3}
    # the raw-text matches use the dictionary coder's matching: 'expand' covers 'expanding' and 'expands'
    expand_docs = set(found.matches.loc[(found.matches["theme"] == "shipping") & (found.matches["term"] == "expand"), "doc_id"])
    assert expand_docs == {d for d in labels.index if labels.at[d, "shipping"]}
    example = found.examples.set_index(["theme", "term"]).loc[("shipping", "harbour"), "example"]
    assert example.count(" | ") == 1 and example.startswith("d00: ")
    assert found.caught.loc["d00", "shipping"] == 1 and found.caught.loc["d02", "shipping"] == 0


def test_word_vectors_skipped_below_the_minimum_and_said_so():
    documents, labels = _documents()
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    found = find_candidates(processed, documents, CODEBOOK, labels, SuggestionSettings(n_folds=4))
    sources = found.sources.set_index("source")
    assert sources.loc[WORD_VECTORS, "status"] == "skipped"
    assert "fewer than the 200,000" in sources.loc[WORD_VECTORS, "note"]
    assert not (found.candidates["source"] == WORD_VECTORS).any()


def test_word_vectors_give_seeded_neighbours_when_the_corpus_is_large_enough():
    documents, labels = _documents(n=120)
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    settings = SuggestionSettings(n_folds=4, min_vector_tokens=1000, vector_min_count=2, vector_epochs=5,
                                  min_similarity=-1.0, n_candidates=5)
    first = find_candidates(processed, documents, CODEBOOK, labels, settings, random_state=5)
    second = find_candidates(processed, documents, CODEBOOK, labels, settings, random_state=5)
    vectors = first.candidates[first.candidates["source"] == WORD_VECTORS]
    assert first.sources.set_index("source").loc[WORD_VECTORS, "status"] == "used"
    assert not vectors.empty and vectors["score"].between(-1, 1).all()
    assert "vessel" not in set(vectors["term"])
    # found without labels: the same neighbours in every fold
    assert vectors.groupby("fold")["term"].apply(frozenset).nunique() == 1
    pd.testing.assert_frame_equal(first.candidates, second.candidates)


def test_labels_must_be_themes_and_documents_of_the_corpus():
    documents, labels = _documents(10)
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    with pytest.raises(InputError, match="not theme ids"):
        find_candidates(processed, documents, CODEBOOK, labels.rename(columns={"farming": "fishing"}))
    with pytest.raises(InputError, match="not in the processed corpus"):
        find_candidates(processed, documents, CODEBOOK, labels.rename(index={"d00": "zz"}))


def _proper_noun_documents() -> tuple[list[Document], pd.DataFrame]:
    """Shipping documents name the port of Rotterdam and a terminal (capitalised only where a sentence starts)."""
    documents, labels = _documents()
    named = []
    for document in documents:
        extra = ""
        if labels.at[document.id, "shipping"]:
            extra = " Ships sailed to Rotterdam with cargo. Terminal staff met the crew, and a new terminal opened."
        named.append(Document(id=document.id, date=document.date, title="News",
                              text=document.text + extra))
    return named, labels


def test_proper_nouns_count_capitals_only_where_no_sentence_or_clause_starts():
    documents, _ = _proper_noun_documents()
    terms = ("rotterdam", "terminal", "harbour", "sailed to rotterdam")
    matches = pd.DataFrame([("shipping", term, "d00") for term in terms], columns=["theme", "term", "doc_id"])
    assert proper_nouns(documents, matches) == {"rotterdam"}  # the phrase's content word 'sailed' is lowercase
    text = 'He said: "Harbour fees rose." - Harbour works; the Board met.'
    quoted = [Document(id="q", date="2020-01-01", title="T", text=text)]
    matches = pd.DataFrame([("shipping", term, "q") for term in ("harbour", "board")], columns=["theme", "term", "doc_id"])
    assert proper_nouns(quoted, matches) == {"board"}


def test_a_capitalised_place_name_is_flagged_as_a_proper_noun():
    documents, labels = _proper_noun_documents()
    processed = process_documents(documents, CODEBOOK, SETTINGS)
    found = find_candidates(processed, documents, CODEBOOK, labels, SuggestionSettings(n_folds=4, n_candidates=30),
                            random_state=1)
    shipping = found.candidates[found.candidates["theme"] == "shipping"].drop_duplicates("term").set_index("term")
    assert {"rotterdam", "terminal", "crane"} <= set(shipping.index)
    assert shipping.loc["rotterdam", "proper_noun"]
    assert not shipping.loc["terminal", "proper_noun"] and not shipping.loc["crane", "proper_noun"]
    assert list(found.candidates.columns) == CANDIDATE_COLUMNS

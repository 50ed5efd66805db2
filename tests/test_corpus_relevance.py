"""ASEAN relevance filter: vocabulary, whole words, case rules, custom keywords."""
from __future__ import annotations

import pytest

from hkasean.corpus.relevance import DEFAULT_KEYWORDS, RelevanceFilter


@pytest.fixture(scope="module")
def default_filter() -> RelevanceFilter:
    return RelevanceFilter()


@pytest.mark.parametrize("text", [
    "Hong Kong and ASEAN sign agreement",
    "Trade with Southeast Asia grows",
    "Trade with South-east Asia grows",
    "Trade with South East Asia grows",
    "The AHKFTA entered into force",
    "Hong Kong applies to join RCEP",
    "the Regional Comprehensive Economic Partnership",
    "HKETO in Jakarta opens", "Bangkok", "Kuala Lumpur", "Hanoi",
    "Brunei", "Cambodian exports", "Indonesian", "Lao PDR", "Laos", "Malaysian", "Myanmar",
    "the Philippine market", "Filipino workers", "Singaporean", "Thai rice", "Viet Nam", "Vietnamese",
    "asean in lower case is still ASEAN",
])
def test_default_vocabulary_matches(default_filter, text):
    assert default_filter.matches(text, "")
    assert default_filter.matches("Untitled", text)  # the body counts as much as the title


@pytest.mark.parametrize("text", [
    "CHP closely monitors cluster of pneumonia cases on Mainland",
    "Laoshan tea exhibition",  # "Lao" inside a word
    "thaw in relations",  # "Thai"-like prefix
    "lao and thai in lower case are names, not countries",  # short terms are case-sensitive
    "Singaporeans",  # not a whole word of the vocabulary
    "aseanic",
])
def test_no_false_positives(default_filter, text):
    assert not default_filter.matches(text, "")


def test_matched_terms_are_whole_words(default_filter):
    assert default_filter.matched_terms("Visit to Thailand", "") == ["Thailand"]
    assert default_filter.matched_terms("Thai delegation", "visits Thailand") == ["Thailand", "Thai"]
    assert default_filter.matched_terms("x", "ASEAN-Hong Kong Free Trade Agreement") == ["ASEAN", "ASEAN-Hong Kong Free Trade"]


def test_custom_keywords_replace_the_default():
    custom = RelevanceFilter(["pneumonia", "WHO"])
    assert custom.keywords == ("pneumonia", "WHO")
    assert custom.matches("CHP closely monitors cluster of pneumonia cases on Mainland")
    assert not custom.matches("Hong Kong and ASEAN sign agreement")
    assert not custom.matches("who is there")  # WHO is short: exact case
    assert "ASEAN" in DEFAULT_KEYWORDS


def test_blank_keywords_are_rejected():
    with pytest.raises(ValueError, match="at least one"):
        RelevanceFilter(["  "])

"""Which candidate indicator terms are names: a place, person, organisation, nationality, programme.

A term is a name (``Hanoi``, ``Malaysian``, ``Trade Development Council``) when its content words
all start with a capital in most of its occurrences in the coded documents' paragraphs, not
counting occurrences that open a sentence or clause (titles are left out: they are capitalised
throughout). A name tends to accompany a theme in the coded documents (the city a mission visited)
without expressing it; the flag lets ``analysis.indicator_evidence`` show such a term but not
recommend it.
"""
from __future__ import annotations

import functools
import re

import pandas as pd

from hkasean.corpus.document import Document
from hkasean.models.indicators import indicator_pattern
from hkasean.models.stopwords import english_stopwords

_SENTENCE_OPENERS = " \t\n\"'([\u201c\u2018"
"""What may stand between the end of a sentence or clause and its first word."""
_CLAUSE_ENDS = ".!?:;\u2022-\u2013\u2014"
"""Characters after which a word is capitalised whatever it is (sentence ends, colons, bullets, dashes)."""
_LOOK_BACK = 20
"""Characters before an occurrence searched for the end of the previous sentence."""
_PHRASE_WORD = re.compile(r"[\s,\-]+")
"""What separates the words of a matched phrase (as in ``models.indicators``)."""
NAME_SAMPLE_DOCS = 200
"""Documents (the first, in id order) whose occurrences of a term decide whether it is written as a name."""


def _opens_sentence(paragraph: str, start: int) -> bool:
    """Whether the word at ``start`` opens the paragraph, a sentence or a clause (a capital there says nothing)."""
    before = paragraph[max(0, start - _LOOK_BACK):start].rstrip(_SENTENCE_OPENERS)
    return not before or before[-1] in _CLAUSE_ENDS


def _capitalised(phrase: str) -> bool:
    """Whether every content word of ``phrase`` (as written) starts with a capital: ``Middle East``,
    ``Trade and Industry Department``, ``AHKFTA``; not ``good stories`` nor ``Hong Kong-origin``."""
    words = [w for w in _PHRASE_WORD.split(phrase) if w[:1].isalpha() and w.lower() not in english_stopwords()]
    return bool(words) and all(w[0].isupper() for w in words)


def proper_nouns(documents: list[Document], matches: pd.DataFrame) -> set[str]:
    """The terms written as names: capitalised (``_capitalised``) in more than half of their occurrences
    in the paragraphs of the documents ``matches`` (DataFrame[theme, term, doc_id]) finds them in (at most
    ``NAME_SAMPLE_DOCS`` of them), leaving out occurrences that open a sentence or clause; a term with no
    such occurrence is no name."""
    by_id = {document.id: document for document in documents}
    paragraphs = functools.lru_cache(maxsize=None)(lambda doc_id: by_id[doc_id].paragraphs)
    names = set()
    for term, doc_ids in matches.groupby("term", sort=True)["doc_id"]:
        pattern = indicator_pattern(term)
        capitals = [_capitalised(found.group()) for doc_id in sorted(set(doc_ids))[:NAME_SAMPLE_DOCS]
                    for paragraph in paragraphs(doc_id) for found in pattern.finditer(paragraph)
                    if not _opens_sentence(paragraph, found.start())]
        if 2 * sum(capitals) > len(capitals):
            names.add(term)
    return names

"""Where candidate indicator terms occur in the coded documents, and example sentences of them.

Matching uses the dictionary coder's own rules (``models.indicators.find_indicators``) on the raw
title + text, so the counts say what adding the term to the codebook would do.
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from hkasean.corpus.document import Document
from hkasean.corpus.sentences import split_sentences
from hkasean.models.codebook import Codebook, Theme
from hkasean.models.indicators import find_indicators, indicator_pattern

MAX_EXAMPLE = 300
"""Characters of an example sentence kept around the term (longer sentences are cut)."""


def _sentences(document: Document) -> list[str]:
    """The title, then the sentences of each paragraph."""
    return [document.title] + [s.strip() for p in document.paragraphs for s in split_sentences(p) if s.strip()]


def _example(sentence: str, term: str) -> str:
    """The sentence, cut to about ``MAX_EXAMPLE`` characters around the term's first occurrence."""
    if len(sentence) <= MAX_EXAMPLE:
        return sentence
    found = indicator_pattern(term).search(sentence)
    start = max(0, (found.start() if found else 0) - MAX_EXAMPLE // 2)
    return ("..." if start else "") + sentence[start:start + MAX_EXAMPLE] + "..."


def match_documents(documents: list[Document], labels: pd.DataFrame, terms: dict[str, list[str]],
                    reported: set[tuple[str, str]], n_examples: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which coded documents contain each candidate term (dictionary-coder matching), and example
    sentences of the reported terms (documents with the theme first).

    ``labels``: index doc_id, one 0/1 column per theme; ``terms``: theme -> its candidate terms;
    ``reported``: the (theme, term) pairs that get examples, at most ``n_examples`` each. Returns
    DataFrame[theme, term, doc_id] and DataFrame[theme, term, example] (``doc_id: sentence`` joined by `` | ``).
    """
    codebook = Codebook(themes=tuple(Theme(id=theme, label=theme, definition="", indicators=tuple(found))
                                     for theme, found in terms.items() if found))
    matches = []
    examples: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    with_theme = {theme: set(labels.index[labels[theme].astype(bool)]) for theme in labels.columns}
    for document in documents:
        sentences = None
        for hit in find_indicators(document.title + "\n\n" + document.text, codebook):
            matches.append((hit.theme, hit.indicator, document.id))
            key = (hit.theme, hit.indicator, document.id in with_theme[hit.theme])
            if (hit.theme, hit.indicator) in reported and len(examples[key]) < n_examples:
                sentences = sentences if sentences is not None else _sentences(document)
                pattern = indicator_pattern(hit.indicator)
                sentence = next((s for s in sentences if pattern.search(s)), None)
                if sentence is not None:
                    examples[key].append(f"{document.id}: {_example(sentence, hit.indicator)}")
    example_rows = [
        (theme, term, " | ".join((examples[theme, term, True] + examples[theme, term, False])[:n_examples]))
        for theme, term in sorted(reported)
    ]
    return (pd.DataFrame(matches, columns=["theme", "term", "doc_id"]),
            pd.DataFrame(example_rows, columns=["theme", "term", "example"]))

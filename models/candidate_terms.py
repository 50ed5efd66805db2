"""The surface forms of candidate indicator terms: what a human can paste into the codebook.

A learned phrase is its words (``free trade agreement``); a stemmed word is the original word (in
the coded documents) whose indicator pattern covers most of the stem's occurrences (``consolid`` ->
``consolidate``, which indicator matching extends to ``consolidating``).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable, Iterable

from hkasean.corpus.document import Document
from hkasean.models.indicators import indicator_pattern
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.tokenize import tokenize


def candidate_term(processed: ProcessedCorpus, token: str) -> str:
    """The surface form of a token that can stand in a codebook: a phrase's words, a stem's most frequent word."""
    if PHRASE_DELIMITER in token:
        return token.replace(PHRASE_DELIMITER, " ")
    return processed.surface(token)


def readable_forms(documents: Iterable[Document], stems: set[str], normalize: Callable[[str], str]) -> dict[str, str]:
    """Stem -> the original word to paste into a codebook: of the stem's words in ``documents``, the one whose
    indicator pattern matches most of their occurrences (``consolid`` -> ``consolidate``, which also
    matches ``consolidating``), then the shortest (``expand`` over ``expands``), the most frequent,
    the first alphabetically."""
    forms: dict[str, Counter] = defaultdict(Counter)
    normal: dict[str, str] = {}
    for document in documents:
        for word in tokenize(document.title + "\n\n" + document.text):
            if word not in normal:
                normal[word] = normalize(word)
            if normal[word] in stems:
                forms[normal[word]][word] += 1
    readable = {}
    for stem, counts in forms.items():
        def coverage(form: str) -> tuple[int, int, int, str]:
            pattern = indicator_pattern(form)
            return (-sum(n for word, n in counts.items() if pattern.fullmatch(word)), len(form), -counts[form], form)
        readable[stem] = min(counts, key=coverage)
    return readable

"""Sentences of a text: the one splitter the text processing, the codebook suggestions and the claims audit share."""
from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\u201c\u2018]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|No|St|Co|Ltd|Inc|Jr|Sr|[A-Z])\.$")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: cut after ``.``, ``!`` or ``?`` before a capital, digit or opening quote,
    except after a title or initial (``Mr.``, ``No.``, ``J.``)."""
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(text.strip()):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        elif piece:
            sentences.append(piece)
    return sentences

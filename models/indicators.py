"""Codebook indicator phrases found in raw text, tolerant to simple inflection.

Matching rules (the same for the dictionary coder, the indicator frequencies and the phrase
tokens of text processing):

- case-insensitive, whole words only (``bridge`` does not match ``Cambridge``);
- words of the phrase may be separated by spaces, hyphens or commas (``win-win`` matches
  ``win win``; ``one country, two systems`` matches ``one country two systems``);
- ``&`` stands for ``and`` (``Belt & Road`` matches ``belt and road``);
- function words (stopwords) match exactly; every other word of four letters or more tolerates a regular inflection: plural ``-s``/``-es``,
  ``-y``/``-ies``, ``-ed``, ``-ing``, with a final ``e`` dropped (``explore`` -> ``exploring``)
  and a final consonant doubled (``tap`` -> ``tapping`` for short words too); a plural in the
  codebook also matches the singular (``toys`` -> ``toy``, ``watches`` -> ``watch``).
  Irregular forms (``seized`` is fine, ``went`` for ``go`` is not) are not handled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from hkasean.models.codebook import Codebook
from hkasean.models.stopwords import english_stopwords

_WORD_SPLIT = re.compile(r"[\s,\-]+")
_VOWELS = set("aeiou")


def phrase_token(indicator: str) -> str:
    """The single token that stands for an indicator: lowercase words joined by "_" (``belt_and_road``)."""
    return "_".join(w for w in _WORD_SPLIT.split(indicator.lower().strip()) if w)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-4:-2] in ("ch", "sh", "ss") or word.endswith("xes"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word_pattern(word: str) -> str:
    """A regex for ``word`` and its regular inflections (short words only double a final consonant)."""
    if word == "and":
        return "(?:and|&)"
    if not word.isalpha() or word in english_stopwords():
        return re.escape(word)
    base = _singular(word)
    cvc = len(base) >= 3 and base[-1] not in _VOWELS | {"w", "x", "y"} and base[-2] in _VOWELS and base[-3] not in _VOWELS
    if len(word) < 4:
        return re.escape(word) + ("(?:" + re.escape(word[-1]) + r"?(?:ed|ing)|s)?" if cvc else "")
    if base.endswith("y") and base[-2] not in _VOWELS:
        return re.escape(base[:-1]) + r"(?:y|ies|ied|ying)"
    if base.endswith("e"):
        return re.escape(base[:-1]) + r"(?:e|es|ed|ing)"
    doubled = re.escape(base[-1]) + "?" if cvc else ""
    return re.escape(base) + r"(?:s|es|" + doubled + r"ed|" + doubled + r"ing)?"


@lru_cache(maxsize=4096)
def indicator_pattern(indicator: str) -> re.Pattern[str]:
    """Compiled case-insensitive pattern of one indicator phrase (rules in the module docstring)."""
    words = [w for w in _WORD_SPLIT.split(indicator.lower().strip()) if w]
    body = r"[\s,\-]+".join(_word_pattern(w) for w in words)
    return re.compile(_word_start(body) + r"(?![\w-])", re.IGNORECASE)


def _word_start(body: str) -> str:
    r"""``body`` that must start a word: ``(?<![\w-])`` before it, moved after its leading literal letters
    (``emerging(?<![\w-]emerging)...``, the same matches) so that the regex engine scans for the
    literal instead of testing the lookbehind at every position."""
    head = re.match(r"[^\W_]*", body).group(0)  # re.escape never escapes letters or digits
    return head + r"(?<![\w-]" + head + ")" + body[len(head):] if head else r"(?<![\w-])" + body


@lru_cache(maxsize=4096)
def _lowercase_pattern(indicator: str) -> re.Pattern[str]:
    """``indicator_pattern`` for lowercased ASCII text: the same matches, without the slower IGNORECASE scan."""
    return re.compile(indicator_pattern(indicator).pattern)


def _pattern_for(indicator: str, ascii_lowered: bool) -> re.Pattern[str]:
    """The pattern to run on a text that is (``ascii_lowered``) or is not lowercased ASCII."""
    return _lowercase_pattern(indicator) if ascii_lowered and indicator.isascii() else indicator_pattern(indicator)


@lru_cache(maxsize=4096)
def _anchor(indicator: str) -> str:
    """A lowercase substring every match of the indicator contains: its longest word, cut to the
    stem every inflection keeps (a cheap test that skips the regex on most texts)."""
    def stable_prefix(word: str) -> str:
        if not word.isalpha() or word in english_stopwords() or len(word) < 4:
            return word if word != "and" else ""
        return _singular(word)[:-1]

    return max((stable_prefix(w) for w in _WORD_SPLIT.split(indicator.lower().strip()) if w), key=len)


def _occurs(indicator: str, lowered_text: str) -> bool:
    return _anchor(indicator) in lowered_text


@dataclass(frozen=True)
class IndicatorHit:
    """An indicator phrase found in a text: its theme, the phrase, and how often it occurs."""

    theme: str
    indicator: str
    occurrences: int


def find_indicators(text: str, codebook: Codebook) -> list[IndicatorHit]:
    """Every codebook indicator occurring in ``text``, in codebook order, with its occurrence count."""
    hits = []
    lowered = text.lower()
    ascii_text = text.isascii()  # lowercased ASCII matches exactly what IGNORECASE matches in the original
    searched = lowered if ascii_text else text
    for theme in codebook.themes:
        for indicator in theme.indicators:
            count = len(_pattern_for(indicator, ascii_text).findall(searched)) if _occurs(indicator, lowered) else 0
            if count:
                hits.append(IndicatorHit(theme.id, indicator, count))
    return hits


def multiword_indicators(codebook: Codebook) -> list[str]:
    """The codebook indicators of more than one word."""
    return [i for theme in codebook.themes for i in theme.indicators if "_" in phrase_token(i)]


def join_phrases(text: str, phrases: Iterable[str]) -> str:
    """``text``, lowercased, with every occurrence of the ``phrases`` (matched as indicators are) replaced by
    its phrase token.

    Longer phrases are replaced first, so a phrase inside a longer one is not split. An ASCII text is
    lowercased first and matched case-sensitively (faster, same matches); any other text is matched
    case-insensitively and lowercased after.
    """
    lowered = text.lower()
    ascii_text = text.isascii()
    joined = lowered if ascii_text else text
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        if _occurs(phrase, lowered):
            joined = _pattern_for(phrase, ascii_text).sub(" " + phrase_token(phrase) + " ", joined)
    return joined if ascii_text else joined.lower()


def join_indicator_phrases(text: str, codebook: Codebook) -> str:
    """``text``, lowercased, with every multi-word indicator replaced by its phrase token (``belt_and_road``)."""
    return join_phrases(text, multiword_indicators(codebook))

"""Words of a text: lowercase clause tokens (steps 1 and 3 of ``models.text``), the normaliser, and the
token cleaner (steps 4-6: learned-phrase check, stopwords, normal forms), each word judged once."""
from __future__ import annotations

import functools
import re
import sys
from collections import Counter, defaultdict
from typing import Callable

from nltk.tokenize import RegexpTokenizer

from hkasean.corpus.errors import InputError
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.stopwords import english_stopwords
from hkasean.models.text_settings import NORMALIZERS, TextSettings

_TOKENIZER = RegexpTokenizer(r"[^\W_]+(?:['_\-][^\W_]+)*")
_POSSESSIVE = re.compile(r"'s\b")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d/|\n]+")


def tokenize_clauses(text: str) -> list[list[str]]:
    """Lowercase word tokens of ``text`` per clause (steps 1 and 3; punctuation ends a clause)."""
    text = _POSSESSIVE.sub("", text.lower().replace("\u2019", "'"))
    return [tokens for part in _CLAUSE_BREAK.split(text) if (tokens := _TOKENIZER.tokenize(part))]


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text`` (steps 1 and 3 of the module docstring, no phrases)."""
    return [token for clause in tokenize_clauses(text) for token in clause]


def make_normalizer(name: str) -> Callable[[str], str]:
    """The word normaliser: ``snowball`` (English Snowball stemmer), ``wordnet`` or ``none``.

    ``wordnet`` needs the NLTK WordNet data; without it an ``InputError`` says so (nothing is
    ever downloaded).
    """
    if name == "snowball":
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("english").stem
    if name == "wordnet":
        import nltk
        from nltk.stem import WordNetLemmatizer

        try:
            nltk.data.find("corpora/wordnet")
        except LookupError:
            raise InputError("the NLTK wordnet data is not installed; use 'snowball' or 'none'", where="text settings: normalizer") from None
        return WordNetLemmatizer().lemmatize
    if name == "none":
        return lambda word: word
    raise InputError(f"expected one of {', '.join(NORMALIZERS)}, got {name!r}", where="text settings: normalizer")


class TokenCleaner:
    """Steps 4 (learned-phrase check), 5 and 6 on one token list; each word is judged once (memoised)."""

    def __init__(self, settings: TextSettings, normalize: Callable[[str], str], kept_phrases: set[str],
                 domain_words: set[str], speaker_words: set[str]) -> None:
        self.settings = settings
        self.normalize = functools.lru_cache(maxsize=None)(normalize)
        self.kept_phrases = kept_phrases
        self.english = english_stopwords()
        self.domain = domain_words
        self.removed = domain_words | speaker_words
        self.removed_normal = {normalize(w) for w in self.removed}
        self.surface_counts: dict[str, Counter] = defaultdict(Counter)
        self._normal: dict[str, str | None] = {}

    def is_domain_word(self, word: str) -> bool:
        """A domain stopword or speaker name, in any inflection sharing its normal form."""
        return word in self.removed or self.normalize(word) in self.removed_normal

    def normal(self, word: str) -> str | None:
        """The normal form of a word that is kept, or None for a word that is removed."""
        if word not in self._normal:
            keep = (
                word not in self.english
                and not self.is_domain_word(word)
                and len(word) >= self.settings.min_token_length
                and (self.settings.keep_numbers or any(c.isalpha() for c in word))
            )
            self._normal[word] = sys.intern(self.normalize(word)) if keep else None
        return self._normal[word]

    def keeps_learned_phrase(self, parts: list[str]) -> bool:
        """A learned phrase stays whole unless it starts with a domain stopword (``mr_ong``,
        ``secretary_for_justice``), starts or ends with an English stopword, a word without letters
        or a too-short word, or all its words are domain stopwords or speaker names (``edward_yau``)."""
        def plain_word(word: str) -> bool:
            return word not in self.english and len(word) >= self.settings.min_token_length and any(c.isalpha() for c in word)

        return (
            plain_word(parts[0]) and plain_word(parts[-1]) and parts[0] not in self.domain
            and not all(self.is_domain_word(w) for w in parts if w not in self.english)
        )

    def __call__(self, tokens: list[str]) -> list[str]:
        out = []
        for token in tokens:
            if token in self.kept_phrases:
                out.append(token)
                continue
            parts = token.split(PHRASE_DELIMITER)
            if len(parts) > 1 and self.keeps_learned_phrase(parts):
                out.append(token)
                continue
            for word in parts:
                normal = self.normal(word)
                if normal is not None:
                    self.surface_counts[normal][word] += 1
                    out.append(normal)
        return out

    def surface_forms(self) -> dict[str, str]:
        """Each normal form -> its most frequent original word (ties: alphabetical)."""
        return {normal: min(counts.items(), key=lambda item: (-item[1], item[0]))[0] for normal, counts in self.surface_counts.items()}

"""Words of a text: lowercase clause tokens (steps 1 and 3 of ``models.text``), the normaliser, and the
token cleaner (steps 4-6: learned-phrase check, stopwords, normal forms), each word judged once."""
from __future__ import annotations

import functools
import re
import sys
from collections import Counter, defaultdict
from typing import Callable

import regex

from hkasean.corpus.errors import InputError
from hkasean.models.phrases import PHRASE_DELIMITER
from hkasean.models.stopwords import english_stopwords
from hkasean.models.text_settings import NORMALIZERS, TextSettings

_WORD = r"[^\W_]+(?:['_\-][^\W_]+)*"
"""A word: runs of letters/digits joined by inner hyphens, apostrophes or underscores."""
_CLAUSE_BREAK = r"[.,;:!?()\[\]{}\"\u201c\u201d/|\n]+"
"""Punctuation that ends a clause (never part of a word)."""
_WORD_OR_BREAK = regex.compile(f"({_WORD})|{_CLAUSE_BREAK}", regex.UNICODE | regex.MULTILINE | regex.DOTALL)
"""Words and clause breaks in one scan (the ``regex`` engine and flags of NLTK's ``RegexpTokenizer``,
which tokenised each clause before: same words, one pass). A break matches as the empty word."""
_POSSESSIVE = re.compile(r"'s\b")


def tokenize_clauses(text: str) -> list[list[str]]:
    """Lowercase word tokens of ``text`` per clause (steps 1 and 3; punctuation ends a clause)."""
    text = _POSSESSIVE.sub("", text.lower().replace("\u2019", "'"))
    # words never hold a space, and a break is the empty word: joined by spaces, two spaces end a clause
    return [tokens for clause in " ".join(_WORD_OR_BREAK.findall(text)).split("  ") if (tokens := clause.split())]


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
    """Steps 4 (learned-phrase check), 5 and 6 on one token list; each distinct token is judged once (memoised),
    and the surface forms are counted from token counts, not per occurrence.

    ``normalize`` must be ``make_normalizer(settings.normalizer)``: a pickled cleaner (sent to a
    worker process) carries the normaliser's name and makes it again.
    """

    def __init__(self, settings: TextSettings, normalize: Callable[[str], str], kept_phrases: set[str],
                 domain_words: set[str], speaker_words: set[str]) -> None:
        self.settings = settings
        self.normalize = functools.lru_cache(maxsize=None)(normalize)
        self.kept_phrases = kept_phrases
        self.english = english_stopwords()
        self.domain = domain_words
        self.removed = domain_words | speaker_words
        self.removed_normal = {normalize(w) for w in self.removed}
        self._normal: dict[str, str | None] = {}
        self._judged: dict[str, tuple[str, ...]] = {}
        self._token_counts: Counter = Counter()

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "normalize"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.normalize = functools.lru_cache(maxsize=None)(make_normalizer(self.settings.normalizer))

    def counting_copy(self) -> "TokenCleaner":
        """A cleaner judging tokens the same way (and sharing what was judged) that counts its tokens afresh."""
        copy = object.__new__(TokenCleaner)
        copy.__dict__.update(self.__dict__, _token_counts=Counter())
        return copy

    @property
    def token_counts(self) -> Counter:
        """How often each token reached this cleaner."""
        return self._token_counts

    def add_counts(self, token_counts: Counter) -> None:
        """Count tokens another cleaner saw (``counting_copy`` in a worker) as if this one had."""
        self._token_counts.update(token_counts)

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

    def kept_whole(self, token: str) -> bool:
        """A codebook phrase token, or a learned phrase that ``keeps_learned_phrase``."""
        if token in self.kept_phrases:
            return True
        parts = token.split(PHRASE_DELIMITER)
        return len(parts) > 1 and self.keeps_learned_phrase(parts)

    def judge(self, token: str) -> tuple[str, ...]:
        """The tokens one input token becomes: itself (kept whole), or the normal forms of its kept words."""
        if self.kept_whole(token):
            return (token,)
        return tuple(normal for word in token.split(PHRASE_DELIMITER) if (normal := self.normal(word)) is not None)

    def __call__(self, tokens: list[str]) -> list[str]:
        judged = self._judged
        for token in set(tokens).difference(judged):
            judged[token] = self.judge(token)
        self._token_counts.update(tokens)
        return [normal for token in tokens for normal in judged[token]]

    def surface_forms(self) -> dict[str, str]:
        """Each normal form -> its most frequent original word (ties: alphabetical).

        Counted from how often each input token was seen: every word of a token that is not kept
        whole counts once per occurrence towards the normal form it becomes.
        """
        surface_counts: dict[str, Counter] = defaultdict(Counter)
        for token, count in self._token_counts.items():
            if self.kept_whole(token):
                continue
            for word in token.split(PHRASE_DELIMITER):
                if (normal := self.normal(word)) is not None:
                    surface_counts[normal][word] += count
        return {normal: min(counts.items(), key=lambda item: (-item[1], item[0]))[0] for normal, counts in surface_counts.items()}

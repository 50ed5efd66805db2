"""Text processing: documents -> token lists (one per unit) that every model reads.

Pipeline, per unit (a document = title + text, or one paragraph with the title on the first):

1. lowercase, curly apostrophes straightened, possessive ``'s`` removed;
2. codebook indicator phrases joined into one token (``belt_and_road``) on the raw text, before
   stopwords go, with the inflection tolerance of ``models.indicators``;
3. tokenised with NLTK's ``RegexpTokenizer`` (needs no NLTK data): runs of letters/digits, with
   inner hyphens, apostrophes and underscores kept, so ``fast-growing``, ``win-win`` and the phrase
   tokens are one token each; tokens without any letter (numbers, years, amounts) are dropped
   unless ``keep_numbers``;
4. learned collocations (gensim ``Phrases``, see ``models.phrases``) joined with "_"; a learned
   collocation that starts or ends with a stopword is split back into its words;
5. English stopwords (``models.stopwords``), domain stopwords (also in any inflection sharing
   their normal form) and too-short tokens removed;
6. normalised: Snowball stemming by default (rule-based, needs no data, so it runs offline and
   identically everywhere), WordNet lemmatisation only when the WordNet data is installed, or
   none. Phrase tokens are never stemmed. Because stems read badly (``opportun``), the corpus
   keeps ``surface_forms``: each token -> its most frequent original word, used in every table;
7. tokens in fewer than ``min_df`` units or more than ``max_df`` of the units are dropped, except
   codebook indicator tokens, which are always kept.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from gensim.corpora import Dictionary
from nltk.tokenize import RegexpTokenizer

from corpus.document import Document
from corpus.errors import InputError
from models.codebook import Codebook
from models.indicators import find_indicators, join_indicator_phrases, phrase_token
from models.phrases import PHRASE_DELIMITER, CollocationJoiner
from models.stopwords import DEFAULT_DOMAIN_STOPWORDS, english_stopwords

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
UNITS = ("document", "paragraph")
NORMALIZERS = ("snowball", "wordnet", "none")
_TOKENIZER = RegexpTokenizer(r"[^\W_]+(?:['_\-][^\W_]+)*")
_POSSESSIVE = re.compile(r"'s\b")


@dataclass
class TextSettings:
    """Tunable parameters of text processing (config keys = field names)."""

    unit: str = field(default="document", metadata={"help": "unit of analysis: 'document' or 'paragraph' (paragraph results are aggregated back to documents)"})
    normalizer: str = field(default="snowball", metadata={"help": "'snowball' stemming (offline, default), 'wordnet' lemmas (needs NLTK wordnet data) or 'none'"})
    keep_numbers: bool = field(default=False, metadata={"help": "keep tokens without letters (numbers, years, amounts)"})
    min_token_length: int = field(default=2, metadata={"help": "drop tokens shorter than this many characters"})
    domain_stopwords: tuple[str, ...] = field(default=DEFAULT_DOMAIN_STOPWORDS, metadata={"help": "extra stopwords of government press releases, removed besides the English list"})
    learn_phrases: bool = field(default=True, metadata={"help": "join frequent collocations learned on the corpus (gensim Phrases) into one token"})
    phrase_min_count: int = field(default=4, metadata={"help": "minimum count of a learned collocation"})
    phrase_threshold: float = field(default=0.5, metadata={"help": "minimum NPMI score (-1..1) of a learned collocation"})
    min_df: int = field(default=2, metadata={"help": "drop tokens found in fewer units than this (codebook indicators are always kept)"})
    max_df: float = field(default=0.6, metadata={"help": "drop tokens found in more than this share of units (codebook indicators are always kept)"})

    def validate(self) -> None:
        """Raise ``InputError`` naming the setting when a value is outside its allowed range."""
        if self.unit not in UNITS:
            raise InputError(f"expected one of {', '.join(UNITS)}, got {self.unit!r}", where="text settings: unit")
        if self.normalizer not in NORMALIZERS:
            raise InputError(f"expected one of {', '.join(NORMALIZERS)}, got {self.normalizer!r}", where="text settings: normalizer")
        if not 0 < self.max_df <= 1:
            raise InputError(f"expected a share in (0, 1], got {self.max_df!r}", where="text settings: max_df")
        if self.min_df < 1:
            raise InputError(f"expected an integer >= 1, got {self.min_df!r}", where="text settings: min_df")


@dataclass
class ProcessedCorpus:
    """Token lists of a corpus, one per unit, with what the models need to read them.

    ``tokens[i]`` belongs to document ``unit_doc_ids[i]``; the units of a document are contiguous
    and in ``doc_ids`` order. ``indicator_tokens``: theme -> indicator phrase -> its token;
    ``indicator_hits``: doc_id -> list of ``[theme, indicator, occurrences]`` found in the raw
    title + text; ``n_words``: doc_id -> whitespace word count of title + text. Iterating yields
    the token lists one at a time (the gensim corpus idiom).
    """

    doc_ids: list[str]
    tokens: list[list[str]]
    unit_doc_ids: list[str]
    surface_forms: dict[str, str]
    settings: TextSettings
    fingerprint: str
    theme_ids: list[str]
    indicator_tokens: dict[str, dict[str, str]]
    indicator_hits: dict[str, list[list]]
    n_words: dict[str, int]
    _dictionary: Dictionary | None = field(default=None, init=False, repr=False, compare=False)

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def surface(self, token: str) -> str:
        """The readable form of a token (its most frequent original word)."""
        return self.surface_forms.get(token, token)

    def document_tokens(self) -> Iterator[list[str]]:
        """The tokens of each document (its units concatenated), in ``doc_ids`` order."""
        current: str | None = None
        merged: list[str] = []
        for doc_id, tokens in zip(self.unit_doc_ids, self.tokens):
            if doc_id != current and current is not None:
                yield merged
                merged = []
            current = doc_id
            merged = merged + tokens
        if current is not None:
            yield merged

    def aggregate_units(self, unit_matrix: np.ndarray, how: str = "mean") -> np.ndarray:
        """Collapse an n_units x k matrix to n_docs x k by the ``mean`` or ``max`` over each document's units."""
        counts = Counter(self.unit_doc_ids)
        starts = np.cumsum([0] + [counts[d] for d in self.doc_ids[:-1]])
        if how == "mean":
            sizes = np.array([counts[d] for d in self.doc_ids], dtype=float)[:, None]
            return np.add.reduceat(unit_matrix, starts, axis=0) / sizes
        if how == "max":
            return np.maximum.reduceat(unit_matrix, starts, axis=0)
        raise InputError(f"expected 'mean' or 'max', got {how!r}", where="unit aggregation")

    def dictionary(self) -> Dictionary:
        """The gensim ``Dictionary`` of the tokens (built once, streamed, ids in first-seen order)."""
        if self._dictionary is None:
            self._dictionary = Dictionary(self)
        return self._dictionary

    def theme_seed_tokens(self) -> dict[str, set[str]]:
        """Theme id -> the set of tokens standing for its indicators."""
        return {theme: set(tokens.values()) for theme, tokens in self.indicator_tokens.items()}

    def to_json(self) -> str:
        """The corpus as JSON (the cache format)."""
        record = {name: getattr(self, name) for name in _SERIALISED}
        record["settings"] = asdict(self.settings)
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "ProcessedCorpus":
        """Rebuild a corpus written by ``to_json``."""
        record = json.loads(text)
        settings = record.pop("settings")
        settings["domain_stopwords"] = tuple(settings["domain_stopwords"])
        return cls(settings=TextSettings(**settings), **record)


_SERIALISED = ("doc_ids", "tokens", "unit_doc_ids", "surface_forms", "fingerprint", "theme_ids",
               "indicator_tokens", "indicator_hits", "n_words")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text`` (step 1 and 3 of the module docstring, no phrases)."""
    text = _POSSESSIVE.sub("", text.lower().replace("\u2019", "'"))
    return _TOKENIZER.tokenize(text)


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


def corpus_fingerprint(documents: Iterable[Document], codebook: Codebook, settings: TextSettings) -> str:
    """SHA-256 over the documents' content hashes, the settings and the codebook indicators."""
    payload = {
        "version": CACHE_VERSION,
        "documents": [d.content_hash() for d in documents],
        "settings": asdict(settings),
        "codebook": [[t.id, list(t.indicators)] for t in codebook.themes],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _unit_texts(document: Document, unit: str) -> list[str]:
    if unit == "document":
        return [document.title + "\n\n" + document.text]
    paragraphs = document.paragraphs
    return [document.title + "\n\n" + paragraphs[0]] + paragraphs[1:]


def _is_phrase(token: str) -> bool:
    return PHRASE_DELIMITER in token


def process_documents(
    documents: Iterable[Document],
    codebook: Codebook,
    settings: TextSettings | None = None,
    cache_dir: Path | None = None,
) -> ProcessedCorpus:
    """Turn documents into a ``ProcessedCorpus`` (steps in the module docstring).

    With ``cache_dir``, the result is stored as ``processed-<fingerprint>.json`` and a later call
    with the same documents, settings and codebook loads it instead of recomputing.
    """
    settings = settings or TextSettings()
    settings.validate()
    documents = list(documents)
    if not documents:
        raise InputError("no documents to process", where="corpus")
    fingerprint = corpus_fingerprint(documents, codebook, settings)
    cache_path = Path(cache_dir) / f"processed-{fingerprint}.json" if cache_dir is not None else None
    if cache_path is not None and cache_path.is_file():
        logger.info("processed corpus loaded from cache %s", cache_path)
        return ProcessedCorpus.from_json(cache_path.read_text(encoding="utf-8"))

    normalize = make_normalizer(settings.normalizer)
    phrase_tokens = {phrase_token(i) for t in codebook.themes for i in t.indicators if _is_phrase(phrase_token(i))}
    raw_units: list[list[str]] = []
    unit_doc_ids: list[str] = []
    for document in documents:
        for text in _unit_texts(document, settings.unit):
            raw_units.append(tokenize(join_indicator_phrases(text, codebook)))
            unit_doc_ids.append(document.id)

    if settings.learn_phrases:
        indicator_words = {i.lower() for t in codebook.themes for i in t.indicators} | phrase_tokens
        joiner = CollocationJoiner(settings.phrase_min_count, settings.phrase_threshold, protected=indicator_words).fit(raw_units)
        raw_units = [joiner.transform(tokens) for tokens in raw_units]

    stop = english_stopwords() | {w.lower() for w in settings.domain_stopwords}
    stop_normal = {normalize(w.lower()) for w in settings.domain_stopwords}
    surface_counts: dict[str, Counter] = defaultdict(Counter)

    def keep(word: str) -> bool:
        return (
            word not in stop
            and normalize(word) not in stop_normal
            and len(word) >= settings.min_token_length
            and (settings.keep_numbers or any(c.isalpha() for c in word))
        )

    def clean(tokens: list[str]) -> list[str]:
        out = []
        for token in tokens:
            if token in phrase_tokens:
                out.append(token)
                continue
            parts = token.split(PHRASE_DELIMITER)
            if len(parts) > 1 and keep(parts[0]) and keep(parts[-1]):
                out.append(token)
                continue
            for word in parts:
                if keep(word):
                    normal = normalize(word)
                    surface_counts[normal][word] += 1
                    out.append(normal)
        return out

    units = [clean(tokens) for tokens in raw_units]
    indicator_tokens = {
        theme.id: {i: phrase_token(i) if _is_phrase(phrase_token(i)) else normalize(i.lower()) for i in theme.indicators}
        for theme in codebook.themes
    }
    protected = {token for tokens in indicator_tokens.values() for token in tokens.values()}
    doc_freq = Counter(token for tokens in units for token in set(tokens))
    max_count = settings.max_df * len(units)
    dropped = {t for t, n in doc_freq.items() if (n < settings.min_df or n > max_count) and t not in protected}
    units = [[t for t in tokens if t not in dropped] for tokens in units]
    surface_forms = {
        normal: min(counts.items(), key=lambda item: (-item[1], item[0]))[0] for normal, counts in surface_counts.items()
    }
    processed = ProcessedCorpus(
        doc_ids=[d.id for d in documents],
        tokens=units,
        unit_doc_ids=unit_doc_ids,
        surface_forms=surface_forms,
        settings=settings,
        fingerprint=fingerprint,
        theme_ids=codebook.theme_ids,
        indicator_tokens=indicator_tokens,
        indicator_hits={
            d.id: [[h.theme, h.indicator, h.occurrences] for h in find_indicators(d.title + "\n\n" + d.text, codebook)]
            for d in documents
        },
        n_words={d.id: len((d.title + " " + d.text).split()) for d in documents},
    )
    if cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(processed.to_json(), encoding="utf-8")
    return processed

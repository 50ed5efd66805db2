"""Text processing: documents -> token lists (one per unit) that every model reads.

Pipeline, per unit (a document = title + text, or one paragraph with the title on the first):

1. lowercase, curly apostrophes straightened, possessive ``'s`` removed;
2. codebook indicator phrases joined into one token (``belt_and_road``, also from ``Belt & Road``)
   on the raw text, before stopwords go, with the inflection tolerance of ``models.indicators``;
   multi-word domain stopwords (``association of southeast asian nations``) are joined the same
   way, to be removed whole in step 5;
3. split into clauses at punctuation and tokenised with NLTK's ``RegexpTokenizer`` (needs no
   NLTK data): runs of letters/digits, with inner hyphens, apostrophes and underscores kept, so
   ``fast-growing``, ``win-win`` and the phrase tokens are one token each;
4. learned collocations (gensim ``Phrases``, see ``models.phrases``: within clauses, two passes)
   joined with "_"; a learned collocation that starts with a domain stopword (``mr_ong``), starts
   or ends with an English stopword or a word without letters (``may_2019``), or whose words are
   all domain stopwords or speaker names (``edward_yau``), is split back into its words;
5. English stopwords (``models.stopwords``), domain stopwords (also in any inflection sharing
   their normal form), the words of the documents' ``speaker`` names (who spoke is metadata, not
   framing), tokens without any letter (unless ``keep_numbers``) and too-short tokens removed;
6. normalised: Snowball stemming by default (rule-based, needs no data, so it runs offline and
   identically everywhere), WordNet lemmatisation only when the WordNet data is installed, or
   none. Phrase tokens are never stemmed. Because stems read badly (``opportun``), the corpus
   keeps ``surface_forms``: each token -> its most frequent original word, used in every table;
7. tokens in fewer than ``min_df`` units or more than ``max_df`` of the units are dropped, except
   codebook indicator tokens, which are always kept.

Streaming: the documents are read one at a time (twice: once for the fingerprint, once for the
tokens), each unit's clauses are spilled to a scratch file that the phrase passes re-read, and
the final tokens are written to a ``models.token_file.TokenFile`` (one unit per line) that the
models stream. What stays in memory is per-document metadata (ids, indicator hits, word counts)
and the vocabulary counts, never the texts or the token lists, so a corpus larger than memory
can be processed. Every step is one pass with per-word work memoised (a word is stemmed and
checked once), so time grows linearly with the corpus.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from array import array
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
from gensim.corpora import Dictionary
from nltk.tokenize import RegexpTokenizer
from scipy import sparse

from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.codebook import Codebook
from hkasean.models.indicators import find_indicators, join_phrases, multiword_indicators, phrase_token
from hkasean.models.phrases import MAX_PASSES, PHRASE_DELIMITER, CollocationJoiner
from hkasean.models.stopwords import DEFAULT_DOMAIN_STOPWORDS, english_stopwords
from hkasean.models.token_file import TokenFile, TokenFileError

logger = logging.getLogger(__name__)

CACHE_VERSION = 3
UNITS = ("document", "paragraph")
NORMALIZERS = ("snowball", "wordnet", "none")
COHERENCE_SAMPLE_SEED = 0
_TOKENIZER = RegexpTokenizer(r"[^\W_]+(?:['_\-][^\W_]+)*")
_POSSESSIVE = re.compile(r"'s\b")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d/|\n]+")
_PHRASE_WORD_SPLIT = re.compile(r"[\s,]+")


@dataclass
class TextSettings:
    """Tunable parameters of text processing (config keys = field names)."""

    unit: str = field(default="document", metadata={"help": "unit of analysis: 'document' or 'paragraph' (paragraph results are aggregated back to documents)"})
    normalizer: str = field(default="snowball", metadata={"help": "'snowball' stemming (offline, default), 'wordnet' lemmas (needs NLTK wordnet data) or 'none'"})
    keep_numbers: bool = field(default=False, metadata={"help": "keep tokens without letters (numbers, years, amounts)"})
    min_token_length: int = field(default=2, metadata={"help": "drop tokens shorter than this many characters"})
    domain_stopwords: tuple[str, ...] = field(default=DEFAULT_DOMAIN_STOPWORDS, metadata={"help": "extra stopwords of government press releases (boilerplate, titles, the ASEAN selection term), removed besides the English list; multi-word entries are removed whole"})
    drop_speaker_names: bool = field(default=True, metadata={"help": "remove the words of the documents' speaker names (who spoke is metadata, not framing, and names otherwise top the topics)"})
    learn_phrases: bool = field(default=True, metadata={"help": "join frequent collocations learned on the corpus (gensim Phrases, within clauses) into one token"})
    phrase_passes: int = field(default=2, metadata={"help": "Phrases passes: 2 joins names of 3-4 words whole (ho_chi_minh_city) instead of fragments"})
    phrase_min_count: int = field(default=4, metadata={"help": "minimum count of a learned collocation"})
    phrase_threshold: float = field(default=0.5, metadata={"help": "minimum NPMI score (-1..1) of a learned collocation"})
    min_df: int = field(default=2, metadata={"help": "drop tokens found in fewer units than this (codebook indicators are always kept)"})
    max_df: float = field(default=0.4, metadata={"help": "drop tokens found in more than this share of units (codebook indicators are always kept): in a corpus selected on one subject, words in over 40% of units describe the selection, not a framing that splits it"})

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
        if not 1 <= self.phrase_passes <= MAX_PASSES:
            raise InputError(f"expected an integer from 1 to {MAX_PASSES}, got {self.phrase_passes!r}", where="text settings: phrase_passes")


@dataclass
class ProcessedCorpus:
    """Token lists of a corpus, one per unit, with what the models need to read them.

    ``tokens[i]`` belongs to document ``unit_doc_ids[i]``; the units of a document are contiguous
    and in ``doc_ids`` order. ``indicator_tokens``: theme -> indicator phrase -> its token;
    ``theme_terms``: theme -> the tokens standing for its vocabulary (indicator tokens plus the
    normalised content words of its indicator phrases, words shared by several themes left out);
    ``indicator_hits``: doc_id -> list of ``[theme, indicator, occurrences]`` found in the raw
    title + text; ``n_words``: doc_id -> whitespace word count of title + text. Iterating yields
    the token lists one at a time (the gensim corpus idiom). ``tokens`` is a ``TokenFile`` (on disk,
    streamed) when made by ``process_documents``; any sequence of token lists works.
    """

    doc_ids: list[str]
    tokens: Sequence[list[str]]
    unit_doc_ids: list[str]
    surface_forms: dict[str, str]
    settings: TextSettings
    fingerprint: str
    theme_ids: list[str]
    indicator_tokens: dict[str, dict[str, str]]
    indicator_hits: dict[str, list[list]]
    n_words: dict[str, int]
    theme_terms: dict[str, list[str]] = field(default_factory=dict)
    _dictionary: Dictionary | None = field(default=None, init=False, repr=False, compare=False)
    _bow: sparse.csr_matrix | None = field(default=None, init=False, repr=False, compare=False)
    _coherence_texts: dict[int, list[list[str]]] = field(default_factory=dict, init=False, repr=False, compare=False)

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
            merged.extend(tokens)
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

    def bow_matrix(self) -> sparse.csr_matrix:
        """n_units x n_dictionary sparse token counts (int32), built once in one streamed pass.

        Columns follow ``dictionary()`` ids. Compact (8 bytes per distinct token of a unit, also
        while it is built: typed arrays, not Python lists) and reused by every LDA fit, instead of
        rebuilding bag-of-words on each pass.
        """
        if self._bow is None:
            dictionary = self.dictionary()
            indptr, indices, data = array("q", [0]), array("i"), array("i")
            for tokens in self:
                bow = dictionary.doc2bow(tokens)
                indices.extend(i for i, _ in bow)
                data.extend(n for _, n in bow)
                indptr.append(len(indices))
            self._bow = sparse.csr_matrix(
                (np.frombuffer(data, dtype=np.int32), np.frombuffer(indices, dtype=np.int32), np.frombuffer(indptr, dtype=np.int64)),
                shape=(len(self), len(dictionary)),
            )
        return self._bow

    def coherence_texts(self, max_units: int) -> list[list[str]]:
        """The unit token lists coherence is counted on: all of them, or ``max_units`` drawn without
        replacement with a fixed seed (kept in corpus order) when the corpus is larger.

        c_npmi and c_v count word co-occurrences over these texts, so their cost (and memory) is
        bounded by the sample, not the corpus; with tens of thousands of units the estimates are
        already stable. The sample is read in one streamed pass and kept for later calls.
        """
        if max_units not in self._coherence_texts:
            if len(self) <= max_units:
                self._coherence_texts[max_units] = list(self.tokens)
            else:
                rng = np.random.default_rng(COHERENCE_SAMPLE_SEED)
                chosen = set(rng.choice(len(self), size=max_units, replace=False).tolist())
                self._coherence_texts[max_units] = [tokens for i, tokens in enumerate(self.tokens) if i in chosen]
        return self._coherence_texts[max_units]

    def theme_seed_tokens(self) -> dict[str, set[str]]:
        """Theme id -> the set of tokens standing for its indicators."""
        return {theme: set(tokens.values()) for theme, tokens in self.indicator_tokens.items()}

    def theme_vocabulary(self) -> dict[str, set[str]]:
        """Theme id -> its indicator tokens plus the content-word stems of its indicator phrases."""
        return {theme: self.theme_seed_tokens()[theme] | set(self.theme_terms.get(theme, ())) for theme in self.theme_ids}

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the corpus to ``folder`` as ``processed-<fingerprint>.json`` (everything but the tokens)
        next to its token file ``processed-<fingerprint>.tokens``; return the JSON path.

        The token file is copied (streamed) unless it is already that file; the JSON is written last
        and atomically, so its presence means the pair is complete.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        json_path, tokens_path = _cache_paths(folder, self.fingerprint)
        if not (isinstance(self.tokens, TokenFile) and self.tokens.path == tokens_path):
            self.tokens = TokenFile.write(tokens_path, self.tokens)
        record = {name: getattr(self, name) for name in _SERIALISED}
        record["settings"] = asdict(self.settings)
        record["n_units"] = len(self.tokens)
        tmp = json_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(json_path)
        return json_path

    @classmethod
    def load(cls, folder: str | os.PathLike[str], fingerprint: str) -> "ProcessedCorpus | None":
        """The corpus ``save`` wrote to ``folder`` for ``fingerprint``, or None if absent or incomplete."""
        json_path, tokens_path = _cache_paths(Path(folder), fingerprint)
        if not json_path.is_file():
            return None
        try:
            record = json.loads(json_path.read_text(encoding="utf-8"))
            tokens = TokenFile(tokens_path)
        except (ValueError, TokenFileError) as exc:
            logger.warning("ignoring the unreadable processed-corpus cache %s (%s)", json_path, exc)
            return None
        if record.pop("n_units", None) != len(tokens):
            logger.warning("ignoring the processed-corpus cache %s: its token file does not match", json_path)
            return None
        settings = record.pop("settings")
        settings["domain_stopwords"] = tuple(settings["domain_stopwords"])
        return cls(settings=TextSettings(**settings), tokens=tokens, **record)


_SERIALISED = ("doc_ids", "unit_doc_ids", "surface_forms", "fingerprint", "theme_ids",
               "indicator_tokens", "indicator_hits", "n_words", "theme_terms")


def _cache_paths(folder: Path, fingerprint: str) -> tuple[Path, Path]:
    return folder / f"processed-{fingerprint}.json", folder / f"processed-{fingerprint}.tokens"


def remove_stale_cache(folder: str | os.PathLike[str], keep: str) -> None:
    """Delete the processed corpora ``save`` wrote to ``folder`` except the one of fingerprint ``keep``."""
    for path in Path(folder).glob("processed-*"):
        if not path.name.startswith(f"processed-{keep}."):
            path.unlink(missing_ok=True)


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


def corpus_fingerprint(documents: Iterable[Document], codebook: Codebook, settings: TextSettings) -> str:
    """SHA-256 over the settings, the codebook indicators and the documents' content hashes (one streamed pass)."""
    digest = hashlib.sha256()
    header = {"version": CACHE_VERSION, "settings": asdict(settings), "codebook": [[t.id, list(t.indicators)] for t in codebook.themes]}
    digest.update(json.dumps(header, sort_keys=True).encode("utf-8"))
    for document in documents:
        digest.update(document.content_hash().encode("ascii"))
    return digest.hexdigest()


def _unit_texts(document: Document, unit: str) -> list[str]:
    if unit == "document":
        return [document.title + "\n\n" + document.text]
    paragraphs = document.paragraphs
    return [document.title + "\n\n" + paragraphs[0]] + paragraphs[1:]


def _is_phrase(token: str) -> bool:
    return PHRASE_DELIMITER in token


class _ClauseFile:
    """Every unit's clauses on disk, one unit per line (clauses separated by a tab, tokens by a space).

    Iterating yields the clauses of all units (re-iterable: ``Phrases`` makes one pass per fit);
    ``units()`` yields each unit's list of clauses.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def line(clauses: list[list[str]]) -> str:
        """One unit's line."""
        return "\t".join(" ".join(clause) for clause in clauses) + "\n"

    def units(self) -> Iterator[list[list[str]]]:
        """The clauses of each unit, in order."""
        with self.path.open("r", encoding="utf-8", newline="\n") as handle:
            for line in handle:
                line = line.rstrip("\n")
                yield [clause.split(" ") for clause in line.split("\t")] if line else []

    def __iter__(self) -> Iterator[list[str]]:
        return (clause for unit in self.units() for clause in unit)


class _TokenCleaner:
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


def _theme_terms(codebook: Codebook, indicator_tokens: dict[str, dict[str, str]], cleaner: _TokenCleaner) -> dict[str, list[str]]:
    """Theme -> sorted normal forms of the content words of its multi-word indicators (stopwords and
    words shared by the indicators of several themes left out: they point to no single theme)."""
    words = {
        theme.id: {
            normal
            for indicator in theme.indicators if _is_phrase(indicator_tokens[theme.id][indicator])
            for word in _PHRASE_WORD_SPLIT.split(indicator.lower()) if word
            if (normal := cleaner.normal(word)) is not None
        }
        for theme in codebook.themes
    }
    shared = {w for theme, own in words.items() for w in own if any(w in other for t, other in words.items() if t != theme)}
    return {theme: sorted(own - shared) for theme, own in words.items()}


@dataclass
class _DocumentRecords:
    """What the tokenising pass keeps of each document besides its clauses (small, per document)."""

    doc_ids: list[str] = field(default_factory=list)
    unit_doc_ids: list[str] = field(default_factory=list)
    speaker_words: set[str] = field(default_factory=set)
    indicator_hits: dict[str, list[list]] = field(default_factory=dict)
    n_words: dict[str, int] = field(default_factory=dict)


def _tokenize_documents(documents: Iterable[Document], codebook: Codebook, settings: TextSettings,
                        joined_phrases: list[str], clause_file: _ClauseFile) -> _DocumentRecords:
    """Steps 1-3 of every unit, streamed: clauses written to ``clause_file``, per-document records returned."""
    records = _DocumentRecords()
    with clause_file.path.open("w", encoding="utf-8", newline="\n") as out:
        for document in documents:
            records.doc_ids.append(document.id)
            for text in _unit_texts(document, settings.unit):
                out.write(clause_file.line(tokenize_clauses(join_phrases(text, joined_phrases))))
                records.unit_doc_ids.append(document.id)
            if settings.drop_speaker_names and document.speaker:
                records.speaker_words.update(tokenize(document.speaker))
            full_text = document.title + "\n\n" + document.text
            records.indicator_hits[document.id] = [[h.theme, h.indicator, h.occurrences] for h in find_indicators(full_text, codebook)]
            records.n_words[document.id] = len((document.title + " " + document.text).split())
    return records


def process_documents(
    documents: Iterable[Document],
    codebook: Codebook,
    settings: TextSettings | None = None,
    cache_dir: Path | None = None,
) -> ProcessedCorpus:
    """Turn documents into a ``ProcessedCorpus`` (steps in the module docstring), streaming.

    ``documents`` should be re-iterable (a list, or a ``corpus.collection`` read from a file or
    store on each pass); a one-shot iterator is read into a list first. The tokens go to a
    ``TokenFile``: with ``cache_dir`` it is kept there with the corpus (``ProcessedCorpus.save``)
    and a later call with the same documents, settings and codebook loads it instead of
    recomputing; without, it lives in a temporary folder deleted with the returned corpus.
    """
    settings = settings or TextSettings()
    settings.validate()
    if iter(documents) is documents:
        documents = list(documents)
    fingerprint = corpus_fingerprint(documents, codebook, settings)
    if cache_dir is not None and (cached := ProcessedCorpus.load(cache_dir, fingerprint)) is not None:
        logger.info("processed corpus loaded from cache %s", cache_dir)
        return cached
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="hkasean-process-", dir=cache_dir))
    try:
        processed = _process_in(work, documents, codebook, settings, fingerprint)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if cache_dir is None:
        processed.tokens.delete_folder_with(work)
        return processed
    processed.tokens = processed.tokens.move_to(_cache_paths(Path(cache_dir), fingerprint)[1])
    shutil.rmtree(work, ignore_errors=True)
    processed.save(cache_dir)
    return processed


def _process_in(work: Path, documents: Iterable[Document], codebook: Codebook, settings: TextSettings,
                fingerprint: str) -> ProcessedCorpus:
    """``process_documents`` with its scratch and token files in the folder ``work``."""
    normalize = make_normalizer(settings.normalizer)
    indicator_phrases = multiword_indicators(codebook)
    stop_phrases = [w.lower() for w in settings.domain_stopwords if _is_phrase(phrase_token(w))]
    indicator_phrase_tokens = {phrase_token(i) for i in indicator_phrases}
    stop_phrase_tokens = {phrase_token(w) for w in stop_phrases}
    clause_file = _ClauseFile(work / "clauses.txt")
    records = _tokenize_documents(documents, codebook, settings, indicator_phrases + stop_phrases, clause_file)
    if not records.doc_ids:
        raise InputError("no documents to process", where="corpus")

    domain_words = {w.lower() for w in settings.domain_stopwords if not _is_phrase(phrase_token(w))}
    cleaner = _TokenCleaner(settings, normalize, indicator_phrase_tokens, domain_words, records.speaker_words)
    joiner = None
    if settings.learn_phrases:
        protected = {i.lower() for t in codebook.themes for i in t.indicators} | indicator_phrase_tokens | stop_phrase_tokens
        joiner = CollocationJoiner(settings.phrase_min_count, settings.phrase_threshold, protected, settings.phrase_passes)
        joiner.fit(clause_file)
    doc_freq: Counter = Counter()

    def cleaned_units() -> Iterator[list[str]]:
        for clauses in clause_file.units():
            tokens = joiner.transform(clauses) if joiner is not None else [t for clause in clauses for t in clause]
            tokens = cleaner([t for t in tokens if t not in stop_phrase_tokens])
            doc_freq.update(set(tokens))
            yield tokens

    cleaned = TokenFile.write(work / "cleaned.tokens", cleaned_units())
    clause_file.path.unlink()

    indicator_tokens = {
        theme.id: {i: phrase_token(i) if _is_phrase(phrase_token(i)) else normalize(i.lower()) for i in theme.indicators}
        for theme in codebook.themes
    }
    protected_tokens = {token for tokens in indicator_tokens.values() for token in tokens.values()}
    max_count = settings.max_df * len(cleaned)
    dropped = {t for t, n in doc_freq.items() if (n < settings.min_df or n > max_count) and t not in protected_tokens}
    kept = 0

    def filtered_units() -> Iterator[list[str]]:
        nonlocal kept
        for tokens in cleaned:
            tokens = [t for t in tokens if t not in dropped]
            kept += len(tokens)
            yield tokens

    tokens = TokenFile.write(work / "units.tokens", filtered_units())
    cleaned.path.unlink()
    if not kept:
        raise InputError(
            f"no terms are left after processing {len(records.doc_ids)} document(s): the corpus is too small for "
            f"text.min_df={settings.min_df} and text.max_df={settings.max_df} (or its texts hold only stopwords)",
            where="text",
        )
    return ProcessedCorpus(
        doc_ids=records.doc_ids,
        tokens=tokens,
        unit_doc_ids=records.unit_doc_ids,
        surface_forms=cleaner.surface_forms(),
        settings=settings,
        fingerprint=fingerprint,
        theme_ids=codebook.theme_ids,
        indicator_tokens=indicator_tokens,
        indicator_hits=records.indicator_hits,
        n_words=records.n_words,
        theme_terms=_theme_terms(codebook, indicator_tokens, cleaner),
    )

"""Text processing: documents -> token lists (one per unit) that every model reads.

The jobs are split by module: ``models.text_settings`` (the settings), ``models.tokenize`` (words,
normal forms, the token cleaner), ``models.phrases`` (learned collocations),
``models.processed_corpus`` (the result and its cache files) and this module (the pipeline).

Pipeline, per unit (a document = title + text, or one paragraph with the title on the first):

1. lowercase, curly apostrophes straightened, possessive ``'s`` removed;
2. codebook indicator phrases joined into one token (``belt_and_road``, also from ``Belt & Road``)
   on the raw text, before stopwords go, with the inflection tolerance of ``models.indicators``;
   multi-word domain stopwords (``association of southeast asian nations``) are joined the same
   way, to be removed whole in step 5;
3. split into clauses at punctuation and tokenised with the pattern and ``regex`` engine of NLTK's
   ``RegexpTokenizer`` (needs no NLTK data; words and clause breaks found in one scan): runs of
   letters/digits, with inner hyphens, apostrophes and underscores kept, so ``fast-growing``,
   ``win-win`` and the phrase tokens are one token each;
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

Streaming: the documents are read in chunks of ``CHUNK_DOCUMENTS`` (twice: once for the
fingerprint, once for the tokens), each unit's clauses are spilled to a scratch file that the
phrase passes re-read (each pass applied once: the file is rewritten with it), and the final
tokens are written to a ``models.token_file.TokenFile`` (one unit per line) that the models
stream. What stays in memory is per-document metadata (ids, indicator hits, word counts) and the
vocabulary counts, never the texts or the token lists, so a corpus larger than memory can be
processed. Every step is one pass with per-word work memoised (a distinct token is judged and
stemmed once), so time grows linearly with the corpus.

Parallel: each pass works on chunks (documents, or ``CHUNK_UNITS`` lines of the scratch file) that
joblib hands to ``n_jobs`` workers (or a Dask cluster's); counts of chunks add up, and results are
combined in corpus order, so the tokens do not depend on ``n_jobs`` (tested).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Sequence

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.sentences import split_sentences
from hkasean.models.codebook import Codebook
from hkasean.models.indicators import find_indicators, join_phrases, multiword_indicators, phrase_token
from hkasean.models.phrases import PHRASE_DELIMITER, CollocationCounts, CollocationJoiner
from hkasean.models.processed_corpus import CACHE_VERSION, ProcessedCorpus, cache_paths
from hkasean.models.text_settings import TextSettings
from hkasean.models.token_file import TokenFile
from hkasean.models.tokenize import TokenCleaner, make_normalizer, tokenize, tokenize_clauses

logger = logging.getLogger(__name__)

_PHRASE_WORD_SPLIT = re.compile(r"[\s,]+")
CHUNK_DOCUMENTS = 500
"""Documents per task of the tokenising pass (and the smallest corpus processed in parallel)."""
CHUNK_UNITS = 1000
"""Units per task of the collocation-counting and cleaning passes."""


def corpus_fingerprint(content_hashes: Iterable[str], codebook: Codebook, settings: TextSettings) -> str:
    """SHA-256 over the settings, the codebook indicators and the documents' content hashes, in corpus order."""
    digest = hashlib.sha256()
    header = {"version": CACHE_VERSION, "settings": asdict(settings), "codebook": [[t.id, list(t.indicators)] for t in codebook.themes]}
    digest.update(json.dumps(header, sort_keys=True).encode("utf-8"))
    for content_hash in content_hashes:
        digest.update(content_hash.encode("ascii"))
    return digest.hexdigest()


def _unit_texts(document: Document, unit: str) -> list[str]:
    if unit == "document":
        return [document.title + "\n\n" + document.text]
    if unit == "sentence":
        return [document.title] + [s for paragraph in document.paragraphs for s in split_sentences(paragraph)]
    paragraphs = document.paragraphs
    return [document.title + "\n\n" + paragraphs[0]] + paragraphs[1:]


def _is_phrase(token: str) -> bool:
    return PHRASE_DELIMITER in token


class _ClauseFile:
    """Every unit's clauses on disk, one unit per line (clauses separated by a tab, tokens by a space).

    Written once, part after part (``write``); ``parts(n)`` cuts it into ``_ClauseRange`` s of about n
    units each (byte ranges, so a worker process reads only its own lines).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_starts = array("q", [0])

    @staticmethod
    def line(clauses: list[list[str]]) -> bytes:
        """One unit's line."""
        return ("\t".join(" ".join(clause) for clause in clauses) + "\n").encode("utf-8")

    def write(self, handle: BinaryIO, lines: list[bytes]) -> None:
        """Append the lines of some units to the open file ``handle``."""
        for line in lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        handle.write(b"".join(lines))

    def parts(self, units: int) -> list["_ClauseRange"]:
        """The file in consecutive ranges of ``units`` units (the last may be shorter)."""
        n_units = len(self.line_starts) - 1
        return [_ClauseRange(self.path, self.line_starts[i], self.line_starts[min(i + units, n_units)])
                for i in range(0, n_units, units)]


@dataclass(frozen=True)
class _ClauseRange:
    """Some consecutive units of a ``_ClauseFile`` (bytes ``start`` to ``end``): ``units()`` yields each
    unit's clauses; iterating yields the clauses of all of them (re-iterable)."""

    path: Path
    start: int
    end: int

    def units(self) -> Iterator[list[list[str]]]:
        """The clauses of each unit, in order."""
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            text = handle.read(self.end - self.start).decode("utf-8")
        for line in text.split("\n")[:-1]:
            yield [clause.split(" ") for clause in line.split("\t")] if line else []

    def __iter__(self) -> Iterator[list[str]]:
        return (clause for unit in self.units() for clause in unit)


def _theme_terms(codebook: Codebook, indicator_tokens: dict[str, dict[str, str]], cleaner: TokenCleaner) -> dict[str, list[str]]:
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

    def extend(self, other: "_DocumentRecords") -> None:
        """Append the records of the documents after these."""
        self.doc_ids.extend(other.doc_ids)
        self.unit_doc_ids.extend(other.unit_doc_ids)
        self.speaker_words.update(other.speaker_words)
        self.indicator_hits.update(other.indicator_hits)
        self.n_words.update(other.n_words)


def _tokenize_part(documents: list[Document], codebook: Codebook, settings: TextSettings, joined_phrases: list[str],
                   joiner: CollocationJoiner | None) -> tuple[list[bytes], _DocumentRecords, CollocationCounts | None]:
    """Steps 1-3 of some documents: each unit's clause-file line, the per-document records, and (with an
    unfitted ``joiner``) the counts of the first collocation pass over their clauses."""
    records = _DocumentRecords()
    lines: list[bytes] = []
    clauses: list[list[str]] = []
    for document in documents:
        records.doc_ids.append(document.id)
        for text in _unit_texts(document, settings.unit):
            unit_clauses = tokenize_clauses(join_phrases(text, joined_phrases))
            lines.append(_ClauseFile.line(unit_clauses))
            clauses.extend(unit_clauses)
            records.unit_doc_ids.append(document.id)
        if settings.drop_speaker_names and document.speaker:
            records.speaker_words.update(tokenize(document.speaker))
        full_text = document.title + "\n\n" + document.text
        records.indicator_hits[document.id] = [[h.theme, h.indicator, h.occurrences] for h in find_indicators(full_text, codebook)]
        records.n_words[document.id] = document.n_words
    return lines, records, joiner.count_pass(clauses) if joiner is not None else None


def _advance_part(joiner: CollocationJoiner, part: _ClauseRange) -> tuple[list[bytes], CollocationCounts]:
    """Some units' clauses with the joiner's newest pass applied (their new clause-file lines), and the
    counts of the next pass over them."""
    newest = len(joiner.passes_) - 1
    units = [[joiner.apply_passes(clause, newest) for clause in clauses] for clauses in part.units()]
    return [_ClauseFile.line(clauses) for clauses in units], joiner.count_pass(clause for clauses in units for clause in clauses)


def _clean_part(joiner: CollocationJoiner | None, cleaner: TokenCleaner, stop_phrase_tokens: set[str],
                part: _ClauseRange) -> tuple[list[list[str]], Counter, Counter]:
    """Steps 4-6 of some units, whose clauses carry every collocation pass but the last: their cleaned
    tokens, in how many of them each token occurs, and how often each token reached the cleaner (for the
    surface forms, ``TokenCleaner.add_counts``)."""
    cleaner = cleaner.counting_copy()
    units: list[list[str]] = []
    doc_freq: Counter = Counter()
    for clauses in part.units():
        if joiner is not None:
            tokens = joiner.transform(clauses, first=len(joiner.passes_) - 1)
        else:
            tokens = [t for clause in clauses for t in clause]
        tokens = cleaner([t for t in tokens if t not in stop_phrase_tokens])
        doc_freq.update(set(tokens))
        units.append(tokens)
    return units, doc_freq, cleaner.token_counts


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """``items`` in consecutive lists of ``size`` (the last may be shorter), read lazily."""
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process_documents(
    documents: Iterable[Document],
    codebook: Codebook,
    settings: TextSettings | None = None,
    cache_dir: Path | None = None,
    content_hashes: Sequence[str] | None = None,
    n_jobs: int = 1,
    progress: bool = False,
) -> ProcessedCorpus:
    """Turn documents into a ``ProcessedCorpus`` (steps in the module docstring), streaming.

    ``documents`` should be re-iterable (a list, or a ``corpus.collection`` read from a file or
    store on each pass); a one-shot iterator is read into a list first. The tokens go to a
    ``TokenFile``: with ``cache_dir`` it is kept there with the corpus (``ProcessedCorpus.save``)
    and a later call with the same documents, settings and codebook loads it instead of
    recomputing; without, it lives in a temporary folder deleted with the returned corpus.
    ``content_hashes``: each document's ``content_hash()`` in corpus order, when the caller has
    them already (a run has them from ``corpus.frame.documents_frame``): saves a pass over the corpus.
    ``n_jobs``: parallel workers (joblib; -1: every core; under ``joblib.parallel_backend("dask")``
    a Dask cluster's), each handed ``CHUNK_DOCUMENTS`` documents or ``CHUNK_UNITS`` units at a time;
    the tokens are the same for any ``n_jobs``. A corpus of one chunk is processed in this process.
    ``progress`` shows a bar of the documents tokenised, with the time left.
    """
    settings = settings or TextSettings()
    settings.validate()
    if content_hashes is None:
        documents = _reiterable(documents)
        content_hashes = [d.content_hash() for d in documents]
    fingerprint = corpus_fingerprint(content_hashes, codebook, settings)
    if cache_dir is not None and (cached := ProcessedCorpus.load(cache_dir, fingerprint)) is not None:
        logger.info("processed corpus loaded from cache %s", cache_dir)
        return cached
    documents = _reiterable(documents)
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="hkasean-process-", dir=cache_dir))
    try:
        jobs = n_jobs if len(content_hashes) > CHUNK_DOCUMENTS else 1
        bar = tqdm(total=len(content_hashes), desc="text processing", unit="doc", disable=not progress, leave=False)
        with bar:
            processed = _process_in(work, documents, codebook, settings, fingerprint, jobs, bar)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if cache_dir is None:
        processed.tokens.delete_folder_with(work)
        return processed
    processed.tokens = processed.tokens.move_to(cache_paths(Path(cache_dir), fingerprint)[1])
    shutil.rmtree(work, ignore_errors=True)
    processed.save(cache_dir)
    return processed


def _reiterable(documents: Iterable[Document]) -> Iterable[Document]:
    """``documents`` itself when it can be read again (a list, a collection), else its items as a list."""
    return list(documents) if iter(documents) is documents else documents


def _process_in(work: Path, documents: Iterable[Document], codebook: Codebook, settings: TextSettings,
                fingerprint: str, n_jobs: int, bar: tqdm) -> ProcessedCorpus:
    """``process_documents`` with its scratch and token files in the folder ``work``, ``n_jobs`` parts at a time
    (``bar`` counts the documents tokenised).

    Three kinds of parallel pass, their results combined in corpus order: tokenising (with the counts
    of the first collocation pass), one pass per further collocation pass (applying the newest one to
    the clause file and counting the next), and cleaning (applying the last one).
    """
    normalize = make_normalizer(settings.normalizer)
    indicator_phrases = multiword_indicators(codebook)
    stop_phrases = [w.lower() for w in settings.domain_stopwords if _is_phrase(phrase_token(w))]
    indicator_phrase_tokens = {phrase_token(i) for i in indicator_phrases}
    stop_phrase_tokens = {phrase_token(w) for w in stop_phrases}
    joiner = None
    if settings.learn_phrases:
        protected = {i.lower() for t in codebook.themes for i in t.indicators} | indicator_phrase_tokens | stop_phrase_tokens
        joiner = CollocationJoiner(settings.phrase_min_count, settings.phrase_threshold, protected, settings.phrase_passes)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    clause_file = _ClauseFile(work / "clauses.txt")
    records = _DocumentRecords()
    counts = CollocationCounts()
    with clause_file.path.open("wb") as out:
        for lines, part_records, part_counts in parallel(
            delayed(_tokenize_part)(chunk, codebook, settings, indicator_phrases + stop_phrases, joiner)
            for chunk in _chunks(documents, CHUNK_DOCUMENTS)
        ):
            clause_file.write(out, lines)
            records.extend(part_records)
            bar.update(len(part_records.doc_ids))
            if part_counts is not None:
                counts.add(part_counts)
    if not records.doc_ids:
        raise InputError("no documents to process", where="corpus")
    if joiner is not None:
        joiner.add_pass(counts)
        while len(joiner.passes_) < joiner.n_passes:  # each pass applied once: the clause file carries the earlier ones
            advanced = _ClauseFile(work / f"clauses-{len(joiner.passes_)}.txt")
            counts = CollocationCounts()
            with advanced.path.open("wb") as out:
                for lines, part_counts in parallel(delayed(_advance_part)(joiner, part) for part in clause_file.parts(CHUNK_UNITS)):
                    advanced.write(out, lines)
                    counts.add(part_counts)
            clause_file.path.unlink()
            clause_file = advanced
            joiner.add_pass(counts)
    parts = clause_file.parts(CHUNK_UNITS)

    domain_words = {w.lower() for w in settings.domain_stopwords if not _is_phrase(phrase_token(w))}
    cleaner = TokenCleaner(settings, normalize, indicator_phrase_tokens, domain_words, records.speaker_words)
    doc_freq: Counter = Counter()

    def cleaned_units() -> Iterator[list[str]]:
        for units, part_doc_freq, token_counts in parallel(
            delayed(_clean_part)(joiner, cleaner, stop_phrase_tokens, part) for part in parts
        ):
            doc_freq.update(part_doc_freq)
            cleaner.add_counts(token_counts)
            yield from units

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

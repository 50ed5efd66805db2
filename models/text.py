"""Text processing: documents -> token lists (one per unit) that every model reads.

The jobs are split by module: ``models.text_settings`` (the settings), ``models.tokenize`` (words,
normal forms, the token cleaner), ``models.phrases`` (learned collocations), ``models.clause_file``
(the scratch file of clauses), ``models.text_passes`` (the work of one part of each pass),
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
fingerprint, once for the tokens), each unit's clauses are spilled to a scratch file
(``models.clause_file``) that the phrase passes re-read (each pass applied once: the file is
rewritten with it), and the final tokens are written to a ``models.token_file.TokenFile`` (one
unit per line) that the models stream. What stays in memory is per-document metadata (ids,
indicator hits, word counts) and the vocabulary counts, never the texts or the token lists, so a
corpus larger than memory can be processed. Every step is one pass with per-word work memoised
(a distinct token is judged and stemmed once), so time grows linearly with the corpus.

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
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.clause_file import ClauseFile
from hkasean.models.codebook import Codebook
from hkasean.models.indicators import multiword_indicators, phrase_token
from hkasean.models.phrases import PHRASE_DELIMITER, CollocationCounts, CollocationJoiner
from hkasean.models.processed_corpus import CACHE_VERSION, ProcessedCorpus, cache_paths
from hkasean.models.text_passes import DocumentRecords, advance_part, clean_part, tokenize_part
from hkasean.models.text_settings import TextSettings
from hkasean.models.token_file import TokenFile
from hkasean.models.tokenize import TokenCleaner, make_normalizer

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


def _is_phrase(token: str) -> bool:
    return PHRASE_DELIMITER in token


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


def _indicator_tokens(codebook: Codebook, normalize: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Theme -> indicator -> its token: the joined phrase token of a multi-word indicator, else the word's normal form."""
    return {
        theme.id: {i: phrase_token(i) if _is_phrase(phrase_token(i)) else normalize(i.lower()) for i in theme.indicators}
        for theme in codebook.themes
    }


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

    Three kinds of parallel pass (``models.text_passes``), their results combined in corpus order:
    tokenising (with the counts of the first collocation pass), one pass per further collocation pass
    (applying the newest one to the clause file and counting the next), and cleaning (applying the last
    one); then the tokens outside ``min_df`` .. ``max_df`` are dropped.
    """
    normalize = make_normalizer(settings.normalizer)
    indicator_phrases = multiword_indicators(codebook)
    stop_phrases = [w.lower() for w in settings.domain_stopwords if _is_phrase(phrase_token(w))]
    indicator_phrase_tokens = {phrase_token(i) for i in indicator_phrases}
    stop_phrase_tokens = {phrase_token(w) for w in stop_phrases}
    joiner = _collocation_joiner(codebook, settings, indicator_phrase_tokens | stop_phrase_tokens)
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    clause_file = ClauseFile(work / "clauses.txt")
    records, counts = _tokenize_pass(parallel, clause_file, documents, codebook, settings,
                                     indicator_phrases + stop_phrases, joiner, bar)
    if not records.doc_ids:
        raise InputError("no documents to process", where="corpus")
    if joiner is not None:
        clause_file = _collocation_passes(parallel, work, clause_file, joiner, counts)

    domain_words = {w.lower() for w in settings.domain_stopwords if not _is_phrase(phrase_token(w))}
    cleaner = TokenCleaner(settings, normalize, indicator_phrase_tokens, domain_words, records.speaker_words)
    cleaned, doc_freq = _clean_pass(parallel, clause_file, joiner, cleaner, stop_phrase_tokens, work / "cleaned.tokens")
    indicator_tokens = _indicator_tokens(codebook, normalize)
    protected_tokens = {token for tokens in indicator_tokens.values() for token in tokens.values()}
    tokens, kept = _drop_rare_and_common(cleaned, doc_freq, settings, protected_tokens, work / "units.tokens")
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


def _collocation_joiner(codebook: Codebook, settings: TextSettings, phrase_tokens: set[str]) -> CollocationJoiner | None:
    """The unfitted joiner of learned collocations (None unless ``learn_phrases``); it never splits or joins
    the codebook's indicators nor the joined ``phrase_tokens`` (indicator phrases, multi-word domain stopwords)."""
    if not settings.learn_phrases:
        return None
    protected = {i.lower() for t in codebook.themes for i in t.indicators} | phrase_tokens
    return CollocationJoiner(settings.phrase_min_count, settings.phrase_threshold, protected, settings.phrase_passes)


def _tokenize_pass(parallel: Parallel, clause_file: ClauseFile, documents: Iterable[Document], codebook: Codebook,
                   settings: TextSettings, joined_phrases: list[str], joiner: CollocationJoiner | None,
                   bar: tqdm) -> tuple[DocumentRecords, CollocationCounts]:
    """Steps 1-3 of every document, ``CHUNK_DOCUMENTS`` at a time: their clauses written to ``clause_file``;
    the per-document records and the counts of the first collocation pass (empty without ``joiner``)."""
    records = DocumentRecords()
    counts = CollocationCounts()
    with clause_file.path.open("wb") as out:
        for lines, part_records, part_counts in parallel(
            delayed(tokenize_part)(chunk, codebook, settings, joined_phrases, joiner)
            for chunk in _chunks(documents, CHUNK_DOCUMENTS)
        ):
            clause_file.write(out, lines)
            records.extend(part_records)
            bar.update(len(part_records.doc_ids))
            if part_counts is not None:
                counts.add(part_counts)
    return records, counts


def _collocation_passes(parallel: Parallel, work: Path, clause_file: ClauseFile, joiner: CollocationJoiner,
                        counts: CollocationCounts) -> ClauseFile:
    """Fit the joiner's passes, the first from ``counts``: each further pass applies the newest one to the clause
    file (rewritten in ``work``, so each pass is applied once) and counts the next. Returns the clause file,
    which carries every pass but the last."""
    joiner.add_pass(counts)
    while len(joiner.passes_) < joiner.n_passes:
        advanced = ClauseFile(work / f"clauses-{len(joiner.passes_)}.txt")
        counts = CollocationCounts()
        with advanced.path.open("wb") as out:
            for lines, part_counts in parallel(delayed(advance_part)(joiner, part) for part in clause_file.parts(CHUNK_UNITS)):
                advanced.write(out, lines)
                counts.add(part_counts)
        clause_file.path.unlink()
        clause_file = advanced
        joiner.add_pass(counts)
    return clause_file


def _clean_pass(parallel: Parallel, clause_file: ClauseFile, joiner: CollocationJoiner | None, cleaner: TokenCleaner,
                stop_phrase_tokens: set[str], path: Path) -> tuple[TokenFile, Counter]:
    """Steps 4-6 of every unit, ``CHUNK_UNITS`` at a time, into a token file at ``path`` (the clause file is then
    deleted); and in how many units each token occurs. ``cleaner`` gathers the counts of its surface forms."""
    doc_freq: Counter = Counter()

    def cleaned_units() -> Iterator[list[str]]:
        for units, part_doc_freq, token_counts in parallel(
            delayed(clean_part)(joiner, cleaner, stop_phrase_tokens, part) for part in clause_file.parts(CHUNK_UNITS)
        ):
            doc_freq.update(part_doc_freq)
            cleaner.add_counts(token_counts)
            yield from units

    cleaned = TokenFile.write(path, cleaned_units())
    clause_file.path.unlink()
    return cleaned, doc_freq


def _drop_rare_and_common(cleaned: TokenFile, doc_freq: Counter, settings: TextSettings, protected_tokens: set[str],
                          path: Path) -> tuple[TokenFile, int]:
    """Step 7: the cleaned units without the tokens in fewer than ``min_df`` units or more than ``max_df`` of them
    (``protected_tokens`` always kept), as a token file at ``path`` (``cleaned`` is then deleted), and how many
    tokens are left."""
    max_count = settings.max_df * len(cleaned)
    dropped = {t for t, n in doc_freq.items() if (n < settings.min_df or n > max_count) and t not in protected_tokens}
    kept = 0

    def filtered_units() -> Iterator[list[str]]:
        nonlocal kept
        for tokens in cleaned:
            tokens = [t for t in tokens if t not in dropped]
            kept += len(tokens)
            yield tokens

    tokens = TokenFile.write(path, filtered_units())
    cleaned.path.unlink()
    return tokens, kept

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

import hashlib
import json
import logging
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.models.codebook import Codebook
from hkasean.models.indicators import find_indicators, join_phrases, multiword_indicators, phrase_token
from hkasean.models.phrases import PHRASE_DELIMITER, CollocationJoiner
from hkasean.models.processed_corpus import CACHE_VERSION, ProcessedCorpus, cache_paths
from hkasean.models.text_settings import TextSettings
from hkasean.models.token_file import TokenFile
from hkasean.models.tokenize import TokenCleaner, make_normalizer, tokenize, tokenize_clauses

logger = logging.getLogger(__name__)

_PHRASE_WORD_SPLIT = re.compile(r"[\s,]+")


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
            records.n_words[document.id] = document.n_words
    return records


def process_documents(
    documents: Iterable[Document],
    codebook: Codebook,
    settings: TextSettings | None = None,
    cache_dir: Path | None = None,
    content_hashes: Sequence[str] | None = None,
) -> ProcessedCorpus:
    """Turn documents into a ``ProcessedCorpus`` (steps in the module docstring), streaming.

    ``documents`` should be re-iterable (a list, or a ``corpus.collection`` read from a file or
    store on each pass); a one-shot iterator is read into a list first. The tokens go to a
    ``TokenFile``: with ``cache_dir`` it is kept there with the corpus (``ProcessedCorpus.save``)
    and a later call with the same documents, settings and codebook loads it instead of
    recomputing; without, it lives in a temporary folder deleted with the returned corpus.
    ``content_hashes``: each document's ``content_hash()`` in corpus order, when the caller has
    them already (a run has them from ``corpus.frame.documents_frame``): saves a pass over the corpus.
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
        processed = _process_in(work, documents, codebook, settings, fingerprint)
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
    cleaner = TokenCleaner(settings, normalize, indicator_phrase_tokens, domain_words, records.speaker_words)
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

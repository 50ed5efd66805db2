"""One part of each pass of the text processing: the work ``models.text`` hands a worker.

Three kinds of part, each a plain function of picklable arguments (joblib ships them to worker
processes) whose results ``models.text`` combines in corpus order: ``tokenize_part`` (steps 1-3 of
some documents, with the counts of the first collocation pass), ``advance_part`` (the newest
collocation pass applied to some units, with the counts of the next) and ``clean_part`` (steps 4-6
of some units).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hkasean.corpus.document import Document
from hkasean.corpus.sentences import split_sentences
from hkasean.models.clause_file import ClauseFile, ClauseRange
from hkasean.models.codebook import Codebook
from hkasean.models.indicators import find_indicators, join_phrases
from hkasean.models.phrases import CollocationCounts, CollocationJoiner
from hkasean.models.text_settings import TextSettings
from hkasean.models.tokenize import TokenCleaner, tokenize, tokenize_clauses


def unit_texts(document: Document, unit: str) -> list[str]:
    """The texts of a document's units: title + text (``document``), the title then each sentence
    (``sentence``), or each paragraph with the title on the first (``paragraph``)."""
    if unit == "document":
        return [document.title + "\n\n" + document.text]
    if unit == "sentence":
        return [document.title] + [s for paragraph in document.paragraphs for s in split_sentences(paragraph)]
    paragraphs = document.paragraphs
    return [document.title + "\n\n" + paragraphs[0]] + paragraphs[1:]


@dataclass
class DocumentRecords:
    """What the tokenising pass keeps of each document besides its clauses (small, per document)."""

    doc_ids: list[str] = field(default_factory=list)
    unit_doc_ids: list[str] = field(default_factory=list)
    speaker_words: set[str] = field(default_factory=set)
    indicator_hits: dict[str, list[list]] = field(default_factory=dict)
    n_words: dict[str, int] = field(default_factory=dict)

    def extend(self, other: "DocumentRecords") -> None:
        """Append the records of the documents after these."""
        self.doc_ids.extend(other.doc_ids)
        self.unit_doc_ids.extend(other.unit_doc_ids)
        self.speaker_words.update(other.speaker_words)
        self.indicator_hits.update(other.indicator_hits)
        self.n_words.update(other.n_words)


def tokenize_part(documents: list[Document], codebook: Codebook, settings: TextSettings, joined_phrases: list[str],
                  joiner: CollocationJoiner | None) -> tuple[list[bytes], DocumentRecords, CollocationCounts | None]:
    """Steps 1-3 of some documents: each unit's clause-file line, the per-document records, and (with an
    unfitted ``joiner``) the counts of the first collocation pass over their clauses."""
    records = DocumentRecords()
    lines: list[bytes] = []
    clauses: list[list[str]] = []
    for document in documents:
        records.doc_ids.append(document.id)
        for text in unit_texts(document, settings.unit):
            unit_clauses = tokenize_clauses(join_phrases(text, joined_phrases))
            lines.append(ClauseFile.line(unit_clauses))
            clauses.extend(unit_clauses)
            records.unit_doc_ids.append(document.id)
        if settings.drop_speaker_names and document.speaker:
            records.speaker_words.update(tokenize(document.speaker))
        full_text = document.title + "\n\n" + document.text
        records.indicator_hits[document.id] = [[h.theme, h.indicator, h.occurrences] for h in find_indicators(full_text, codebook)]
        records.n_words[document.id] = document.n_words
    return lines, records, joiner.count_pass(clauses) if joiner is not None else None


def advance_part(joiner: CollocationJoiner, part: ClauseRange) -> tuple[list[bytes], CollocationCounts]:
    """Some units' clauses with the joiner's newest pass applied (their new clause-file lines), and the
    counts of the next pass over them."""
    newest = len(joiner.passes_) - 1
    units = [[joiner.apply_passes(clause, newest) for clause in clauses] for clauses in part.units()]
    return [ClauseFile.line(clauses) for clauses in units], joiner.count_pass(clause for clauses in units for clause in clauses)


def clean_part(joiner: CollocationJoiner | None, cleaner: TokenCleaner, stop_phrase_tokens: set[str],
               part: ClauseRange) -> tuple[list[list[str]], Counter, Counter]:
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

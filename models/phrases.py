"""Multi-word phrases as single tokens: codebook indicator phrases plus learned collocations.

Codebook indicator phrases are joined on the raw text (``models.indicators.join_indicator_phrases``)
before any stopword is removed, so ``belt and road`` (and ``Belt & Road``) survives as
``belt_and_road``. Learned collocations come from gensim ``Phrases`` (NPMI scoring, English
connector words so that ``free_trade_agreement`` or ``ministry_of_commerce`` can form) fitted on
the corpus itself; it is counting only, so the result is deterministic. Three rules keep the
learned phrases whole rather than fragments:

- phrases are learned and applied within clauses: punctuation ends a clause, so the items of a
  list (``Myanmar, Singapore``) or the end of one sentence and the start of the next never fuse;
- ``Phrases`` is applied ``n_passes`` times (default 2), each pass on the output of the previous
  one, so a name of three or four words forms completely (``ho_chi_minh_city``,
  ``association_of_southeast_asian_nations``) instead of two halves (``ho_chi`` + ``minh_city``);
- indicator tokens are never glued to neighbours: they split a clause into segments and phrases
  are learned and applied within segments.

Memory: ``Phrases`` keeps one counter of words and word pairs; gensim prunes it to
``max_vocab_size`` entries, so it stays bounded on any corpus size.

Speed: the counts are gathered and the phrases applied here (``count_collocations``,
``join_collocations``) by the rules of gensim's ``Phrases._learn_vocab`` and
``FrozenPhrases.analyze_sentence``, with the per-word work done by C-level set, ``Counter`` and
``itertools`` calls; gensim still scores and exports the phrases, so the result is gensim's.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, count
from typing import Iterable, Iterator

from gensim import utils as gensim_utils
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

PHRASE_DELIMITER = "_"
MAX_PASSES = 4
_PASS_DELIMITERS = tuple(chr(0x1F - i) for i in range(MAX_PASSES))
"""Each pass joins with its own control character: gensim re-splits a phrase on its delimiter when
freezing, so a pass must not see the delimiter of an earlier pass inside its tokens (else
``ho_chi`` + ``minh_city`` would be scored as ``ho`` + ``city``). Replaced by "_" on output."""
_TO_DELIMITER = str.maketrans({d: PHRASE_DELIMITER for d in _PASS_DELIMITERS})
MAX_PHRASE_VOCABULARY = 20_000_000
"""Bound on the word and word-pair counter of each ``Phrases`` pass (gensim prunes rare entries beyond it)."""


def _segments(tokens: list[str], protected: frozenset[str]) -> Iterator[list[str]]:
    segment: list[str] = []
    for token in tokens:
        if token in protected:
            if segment:
                yield segment
            segment = []
        else:
            segment.append(token)
    if segment:
        yield segment


@dataclass
class CollocationCounts:
    """One ``Phrases`` pass's counts (gensim ``Phrases._learn_vocab``): ``vocab`` counts the words (connector
    words left out) and each pair of consecutive non-connector words with the connector words between them,
    joined by the pass's delimiter; ``total_words`` counts every word seen, connectors included;
    ``min_reduce`` is gensim's pruning level. Counts of parts of a corpus add up (``add``)."""

    vocab: Counter = field(default_factory=Counter)
    total_words: int = 0
    min_reduce: int = 1

    def add(self, other: "CollocationCounts") -> "CollocationCounts":
        """Add another part's counts (pruned like gensim's when the counter outgrows ``MAX_PHRASE_VOCABULARY``); return self."""
        self.vocab.update(other.vocab)
        self.total_words += other.total_words
        self.min_reduce = max(self.min_reduce, other.min_reduce)
        self._prune()
        return self

    def _prune(self) -> None:
        if len(self.vocab) > MAX_PHRASE_VOCABULARY:
            gensim_utils.prune_vocab(self.vocab, self.min_reduce)
            self.min_reduce += 1


def count_collocations(segments: Iterable[list[str]], delimiter: str, connectors: frozenset[str],
                       batch_words: int = 100_000) -> CollocationCounts:
    """The ``CollocationCounts`` of ``segments`` (gensim ``Phrases._learn_vocab``, same counts).

    The words and pairs of about ``batch_words`` words are counted at once (one C-level ``Counter``
    update); like gensim, the counter is pruned whenever it exceeds ``MAX_PHRASE_VOCABULARY``,
    checked after each batch rather than each segment (the same result unless it is pruned).
    """
    counts = CollocationCounts()
    has_no_connector = connectors.isdisjoint
    join = delimiter.join
    words: list[str] = []
    pairs: list[str] = []

    def flush() -> None:
        counts.vocab.update(words)
        counts.vocab.update(pairs)
        words.clear()
        pairs.clear()
        counts._prune()

    for segment in segments:
        counts.total_words += len(segment)
        if has_no_connector(segment):
            words.extend(segment)
            pairs.extend(map(join, zip(segment, segment[1:])))
        else:
            positions = list(compress(count(), [word not in connectors for word in segment]))
            words.extend([segment[i] for i in positions])
            pairs.extend([join(segment[a:b + 1]) for a, b in zip(positions, positions[1:])])
        if len(words) >= batch_words:
            flush()
    flush()
    return counts


@dataclass(frozen=True)
class LearnedPhrases:
    """One pass's collocations: their joined forms (``delimiter`` between the words) and their first words."""

    phrasegrams: frozenset[str]
    delimiter: str
    first_words: frozenset[str]

    @classmethod
    def of(cls, phrasegrams: Iterable[str], delimiter: str) -> "LearnedPhrases":
        grams = frozenset(phrasegrams)
        return cls(grams, delimiter, frozenset(gram.split(delimiter, 1)[0] for gram in grams))


def join_collocations(segment: list[str], learned: LearnedPhrases, connectors: frozenset[str]) -> list[str]:
    """gensim ``FrozenPhrases[segment]``: left to right, each non-connector word and the next one (with the
    connector words between) become one token when their joined form is a learned phrase."""
    if learned.first_words.isdisjoint(segment):
        return segment  # no phrase can start here
    phrasegrams, delimiter = learned.phrasegrams, learned.delimiter
    out: list[str] = []
    start: str | None = None
    between: list[str] = []
    for word in segment:
        if word in connectors:
            if start is None:
                out.append(word)
            else:
                between.append(word)
        elif start is None:
            start = word
        else:
            phrase = delimiter.join([start, *between, word]) if between else start + delimiter + word
            if phrase in phrasegrams:
                out.append(phrase)
                start = None
            else:
                out.append(start)
                out.extend(between)
                start = word
            between = []
    if start is not None:
        out.append(start)
        out.extend(between)
    return out


class CollocationJoiner:
    """Learn frequent collocations on clauses (token lists) and join them with "_".

    ``min_count``: minimum count of a collocation; ``threshold``: minimum NPMI score in [-1, 1];
    ``n_passes``: how many times ``Phrases`` is applied, 1 to ``MAX_PASSES`` (2 -> phrases of up
    to 4 words, plus connector words). ``protected`` tokens (the codebook phrase tokens) are never joined.
    """

    def __init__(self, min_count: int = 5, threshold: float = 0.5, protected: Iterable[str] = (), n_passes: int = 2) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.protected = frozenset(protected)
        self.n_passes = n_passes
        self.passes_: list[LearnedPhrases] = []

    def fit(self, clauses: Iterable[list[str]]) -> "CollocationJoiner":
        """Count collocations over the clauses, once per pass; ``clauses`` must be re-iterable. Returns self.

        ``passes_``: per pass, the collocations gensim's ``Phrases`` scores above ``threshold``.
        The same as ``count_pass`` and ``add_pass`` in turn, which let parts of a corpus be counted
        apart (in parallel) and their counts added, and each pass be applied to a clause once
        (``apply_passes`` from the newest pass on, on clauses that carry the earlier ones).
        """
        self.passes_ = []
        for _ in range(self.n_passes):
            self.add_pass(self.count_pass(self.apply_passes(clause) for clause in clauses))
        return self

    def count_pass(self, clauses: Iterable[list[str]]) -> CollocationCounts:
        """The counts of the next pass over ``clauses``, which carry every pass fitted so far (``apply_passes``)."""
        delimiter = _PASS_DELIMITERS[len(self.passes_)]
        segments = (segment for clause in clauses
                    for segment in ((clause,) if self.protected.isdisjoint(clause) else _segments(clause, self.protected)))
        return count_collocations(segments, delimiter, ENGLISH_CONNECTOR_WORDS)

    def add_pass(self, counts: CollocationCounts) -> "CollocationJoiner":
        """Score the counts of the next pass with gensim's ``Phrases`` (NPMI) and keep its collocations; return self."""
        delimiter = _PASS_DELIMITERS[len(self.passes_)]
        phrases = Phrases(min_count=self.min_count, threshold=self.threshold, scoring="npmi",
                          connector_words=ENGLISH_CONNECTOR_WORDS, delimiter=delimiter, max_vocab_size=MAX_PHRASE_VOCABULARY)
        phrases.vocab, phrases.corpus_word_count, phrases.min_reduce = counts.vocab, counts.total_words, counts.min_reduce
        self.passes_.append(LearnedPhrases.of(phrases.export_phrases(), delimiter))
        return self

    def apply_passes(self, clause: list[str], first: int = 0) -> list[str]:
        """One clause with the fitted passes from ``first`` on applied to each segment between protected tokens."""
        if self.protected.isdisjoint(clause):
            return self._apply(clause, first)
        out: list[str] = []
        segment: list[str] = []
        for token in clause:
            if token in self.protected:
                out.extend(self._apply(segment, first))
                segment = []
                out.append(token)
            else:
                segment.append(token)
        out.extend(self._apply(segment, first))
        return out

    def transform(self, clauses: list[list[str]], first: int = 0) -> list[str]:
        """The clauses of one unit as one token list, learned collocations joined with "_", protected tokens
        unchanged; ``first``: the clauses already carry the passes before it."""
        tokens = [token for clause in clauses for token in self.apply_passes(clause, first)]
        return " ".join(tokens).translate(_TO_DELIMITER).split(" ") if tokens else []  # tokens hold no space

    def _apply(self, segment: list[str], first: int) -> list[str]:
        """One segment with the fitted passes from ``first`` on applied in order."""
        for learned in self.passes_[first:]:
            if not segment:
                break
            segment = join_collocations(segment, learned, ENGLISH_CONNECTOR_WORDS)
        return segment

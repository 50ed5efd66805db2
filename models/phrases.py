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
"""
from __future__ import annotations

from typing import Iterable, Iterator

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases

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

    def fit(self, clauses: Iterable[list[str]]) -> "CollocationJoiner":
        """Count collocations over the clauses, once per pass; ``clauses`` must be re-iterable. Returns self."""
        self.passes_: list[FrozenPhrases] = []
        for delimiter in _PASS_DELIMITERS[: self.n_passes]:
            phrases = Phrases(
                (segment for clause in clauses for segment in self._learned_segments(clause)),
                min_count=self.min_count,
                threshold=self.threshold,
                scoring="npmi",
                connector_words=ENGLISH_CONNECTOR_WORDS,
                delimiter=delimiter,
                max_vocab_size=MAX_PHRASE_VOCABULARY,
            )
            self.passes_.append(phrases.freeze())
        return self

    def _learned_segments(self, clause: list[str]) -> Iterator[list[str]]:
        """The segments of one clause with the passes fitted so far applied."""
        for segment in _segments(clause, self.protected):
            yield self._apply(segment)

    def transform(self, clauses: list[list[str]]) -> list[str]:
        """The clauses of one unit as one token list, learned collocations joined, protected tokens unchanged."""
        out: list[str] = []
        for clause in clauses:
            segment: list[str] = []
            for token in clause:
                if token in self.protected:
                    out.extend(self._apply(segment))
                    segment = []
                    out.append(token)
                else:
                    segment.append(token)
            out.extend(self._apply(segment))
        return [token.translate(_TO_DELIMITER) for token in out]

    def _apply(self, segment: list[str]) -> list[str]:
        """One segment with every fitted pass applied in order."""
        for frozen in self.passes_:
            if not segment:
                break
            segment = frozen[segment]
        return segment

"""Multi-word phrases as single tokens: codebook indicator phrases plus learned collocations.

Codebook indicator phrases are joined on the raw text (``models.indicators.join_indicator_phrases``)
before any stopword is removed, so ``belt and road`` survives as ``belt_and_road``. Learned
collocations come from gensim ``Phrases`` (NPMI scoring, English connector words so that
``free_trade_agreement`` or ``ministry_of_commerce`` can form) fitted on the corpus itself; it is
counting only, so the result is deterministic. Indicator tokens are never glued to neighbours:
they split the token stream into segments and phrases are learned and applied within segments.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases

PHRASE_DELIMITER = "_"


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
    """Learn frequent collocations on token lists and join them with "_".

    ``min_count``: minimum count of a collocation; ``threshold``: minimum NPMI score in [-1, 1].
    ``protected`` tokens (the codebook phrase tokens) are left alone and never joined.
    """

    def __init__(self, min_count: int = 5, threshold: float = 0.5, protected: Iterable[str] = ()) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.protected = frozenset(protected)

    def fit(self, token_lists: Iterable[list[str]]) -> "CollocationJoiner":
        """Count collocations over all token lists (streamed once); returns self."""
        segments = (segment for tokens in token_lists for segment in _segments(tokens, self.protected))
        phrases = Phrases(
            segments,
            min_count=self.min_count,
            threshold=self.threshold,
            scoring="npmi",
            connector_words=ENGLISH_CONNECTOR_WORDS,
            delimiter=PHRASE_DELIMITER,
        )
        self.phrases_: FrozenPhrases = phrases.freeze()
        return self

    def transform(self, tokens: list[str]) -> list[str]:
        """One token list with the learned collocations joined; protected tokens unchanged."""
        out: list[str] = []
        segment: list[str] = []
        for token in tokens + [None]:  # type: ignore[list-item]
            if token is None or token in self.protected:
                if segment:
                    out.extend(self.phrases_[segment])
                    segment = []
                if token is not None:
                    out.append(token)
            else:
                segment.append(token)
        return out

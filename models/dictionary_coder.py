"""Dictionary coder: a document carries a theme when enough of its indicator phrases occur."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from hkasean.corpus.errors import InputError
from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel, long_frame
from hkasean.models.settings import COHERENCE_TOPN, DICTIONARY_SCORES, ModelSettings
from hkasean.models.processed_corpus import ProcessedCorpus

SCORES = DICTIONARY_SCORES


class DictionaryCoder(ZooModel):
    """Codes each document from the codebook indicator phrases found in its raw title + text.

    Matching is case-insensitive and tolerant to regular inflection (``models.indicators``).
    present = at least ``threshold`` distinct indicators of the theme occur; score = the number
    of distinct indicators found (``score="count"``) or all their occurrences per 100 words
    (``score="per_100_words"``). Nothing is learned, so ``random_state`` is not needed.
    """

    def __init__(self, threshold: int = ModelSettings.dictionary_threshold, score: str = ModelSettings.dictionary_score,
                 coherence_topn: int = COHERENCE_TOPN, coherence_max_units: int = ModelSettings.coherence_max_units,
                 name: str = "dictionary") -> None:
        self.threshold = threshold
        self.score = score
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "DictionaryCoder":
        """Collect the indicator hits of every document (``labels`` is ignored); return self."""
        if self.score not in SCORES:
            raise InputError(f"expected one of {', '.join(SCORES)}, got {self.score!r}", where="dictionary coder: score")
        self.doc_ids_ = list(processed.doc_ids)
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        self.indicator_tokens_ = {theme: dict(tokens) for theme, tokens in processed.indicator_tokens.items()}
        distinct = np.zeros((len(self.doc_ids_), len(self.theme_ids_)))
        occurrences = np.zeros_like(distinct)
        self.docs_with_indicator_: dict[str, Counter] = {theme: Counter() for theme in self.theme_ids_}
        evidence = []
        for d, doc_id in enumerate(self.doc_ids_):
            by_theme: dict[str, list[tuple[str, int]]] = {}
            for theme, indicator, count in processed.indicator_hits[doc_id]:
                by_theme.setdefault(theme, []).append((indicator, count))
                self.docs_with_indicator_[theme][indicator] += 1
            for theme, hits in by_theme.items():
                j = self.theme_ids_.index(theme)
                distinct[d, j] = len(hits)
                occurrences[d, j] = sum(count for _, count in hits)
                ranked = sorted(hits, key=lambda hit: (-hit[1], hit[0]))[:EVIDENCE_TERMS]
                evidence.append((doc_id, self.name, theme, "; ".join(indicator for indicator, _ in ranked)))
        self.distinct_hits_ = distinct
        words = np.array([processed.n_words[d] for d in self.doc_ids_], dtype=float)[:, None]
        self.scores_ = distinct if self.score == "count" else occurrences * 100.0 / np.maximum(words, 1.0)
        self.evidence_ = pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS)
        self._finish_fit(processed)
        self.surface_forms_.update({token: indicator for tokens in self.indicator_tokens_.values() for indicator, token in tokens.items()})
        return self

    def _ranked_terms(self, topic_index: int) -> list[tuple[str, float]]:
        theme = self.theme_ids_[topic_index]
        counts = self.docs_with_indicator_[theme]
        ranked = sorted(counts, key=lambda indicator: (-counts[indicator], indicator))
        return [(self.indicator_tokens_[theme][indicator], float(counts[indicator])) for indicator in ranked]

    def doc_topics(self) -> pd.DataFrame:
        """doc_id, model, topic (= theme id), score (distinct indicators, or occurrences per 100 words)."""
        return long_frame(self.doc_ids_, self.name, self.theme_ids_, self.scores_, "topic")

    def doc_themes(self) -> pd.DataFrame:
        """doc_id, model, theme, score (as in ``doc_topics``), present (distinct indicators >= threshold)."""
        frame = long_frame(self.doc_ids_, self.name, self.theme_ids_, self.scores_, "theme")
        frame["present"] = (self.distinct_hits_.reshape(-1) >= self.threshold).astype(int)
        return frame

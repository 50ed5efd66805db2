"""Dictionary coder: a document carries a theme when enough of its indicator phrases occur.

Besides the exact phrases it reads the codebook's stems in each unit (sentence or paragraph,
whatever the processed corpus holds): an indicator phrase is *stem-matched* in a unit when the
normalised content words it owns (``ProcessedCorpus.theme_terms``; at least two of them) all occur
in that unit, in any order or inflection ("tariffs were cut ... preferential" for "preferential
tariff"); and each unit scores, per theme, the number of distinct theme-vocabulary tokens
(indicator tokens and their content stems) it holds. The unit scores summed over a document are
its *sentence score*; ``feature_tokens`` hands the exact hits and the sentence scores to the
supervised and ensemble coders.
"""
from __future__ import annotations

import re
from collections import Counter
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from hkasean.models.base import EVIDENCE_COLUMNS, EVIDENCE_TERMS, ZooModel, long_frame
from hkasean.models.limits import COHERENCE_MAX_UNITS, COHERENCE_TOPN, DICTIONARY_MATCHES, DICTIONARY_SCORES, MAX_TERMS
from hkasean.models.processed_corpus import ProcessedCorpus
from hkasean.models.tokenize import make_normalizer

STEM_MARK = "~"
"""Evidence marks an indicator found by its stems (not as the phrase) with this suffix."""
MIN_STEMS = 2
"""An indicator is stem-matched only when it owns at least this many content stems (one word alone is too weak)."""
EXACT_FEATURE = "dict:"
STEM_FEATURE = "dict~stems:"
FEATURE_PREFIXES = (EXACT_FEATURE, STEM_FEATURE)
"""Prefixes of the feature tokens (``feature_tokens``): no processed token holds a colon."""
_PHRASE_WORD_SPLIT = re.compile(r"[\s,]+")


class DictionaryCoder(ZooModel):
    """Codes each document from the codebook indicator phrases found in its raw title + text.

    Matching is case-insensitive and tolerant to regular inflection (``models.indicators``).
    present = at least ``min_indicators`` distinct indicators of the theme occur: as the phrase
    (``match="exact"``), or also stem-matched in one unit (``match="stems"``, see the module
    docstring); score = the number of distinct indicators found (``score="count"``) or all their
    exact occurrences per 100 words (``score="per_100_words"``). Nothing is learned, so
    ``random_state`` is not needed.
    """

    _parameter_constraints = {
        **ZooModel._parameter_constraints,
        "min_indicators": [Interval(Integral, 1, MAX_TERMS, closed="both")],
        "score": [StrOptions(set(DICTIONARY_SCORES))],
        "match": [StrOptions(set(DICTIONARY_MATCHES))],
    }

    def __init__(self, min_indicators: int = 1, score: str = "count", match: str = "exact", coherence_topn: int = COHERENCE_TOPN,
                 coherence_max_units: int = COHERENCE_MAX_UNITS, name: str = "dictionary") -> None:
        self.min_indicators = min_indicators
        self.score = score
        self.match = match
        self.coherence_topn = coherence_topn
        self.coherence_max_units = coherence_max_units
        self.name = name

    def fit(self, processed: ProcessedCorpus, labels: pd.DataFrame | None = None) -> "DictionaryCoder":
        """Collect the indicator hits and unit scores of every document (``labels`` is ignored); return self."""
        self._validate_params()
        self.doc_ids_ = list(processed.doc_ids)
        self.theme_ids_ = self.topic_labels_ = list(processed.theme_ids)
        self.topic_themes_ = list(processed.theme_ids)
        self.indicator_tokens_ = {theme: dict(tokens) for theme, tokens in processed.indicator_tokens.items()}
        stem_hits, self.sentence_scores_ = unit_hits(processed)
        distinct = np.zeros((len(self.doc_ids_), len(self.theme_ids_)))
        occurrences = np.zeros_like(distinct)
        self.docs_with_indicator_: dict[str, Counter] = {theme: Counter() for theme in self.theme_ids_}
        evidence = []
        for d, doc_id in enumerate(self.doc_ids_):
            by_theme: dict[str, list[tuple[str, int]]] = {}
            for theme, indicator, count in processed.indicator_hits[doc_id]:
                by_theme.setdefault(theme, []).append((indicator, count))
            for theme, indicators in stem_hits[d].items():
                exact = {indicator for indicator, _ in by_theme.get(theme, [])}
                by_theme.setdefault(theme, []).extend((indicator + STEM_MARK, 0) for indicator in sorted(indicators - exact))
            for theme, hits in by_theme.items():
                j = self.theme_ids_.index(theme)
                phrase_hits = [hit for hit in hits if not hit[0].endswith(STEM_MARK)]
                found = hits if self.match == "stems" else phrase_hits
                distinct[d, j] = len(found)
                occurrences[d, j] = sum(count for _, count in phrase_hits)
                for indicator, _ in found:
                    self.docs_with_indicator_[theme][indicator.removesuffix(STEM_MARK)] += 1
                ranked = sorted(found, key=lambda hit: (-hit[1], hit[0]))[:EVIDENCE_TERMS]
                if ranked:
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
        """doc_id, model, theme, score (as in ``doc_topics``), present (distinct indicators >= min_indicators)."""
        frame = long_frame(self.doc_ids_, self.name, self.theme_ids_, self.scores_, "theme")
        frame["present"] = (self.distinct_hits_.reshape(-1) >= self.min_indicators).astype(int)
        return frame


def exact_hits(processed: ProcessedCorpus) -> np.ndarray:
    """n_docs x n_themes: distinct indicators of each theme found as the phrase in each document's raw title + text."""
    counts = np.zeros((len(processed.doc_ids), len(processed.theme_ids)))
    column = {theme: j for j, theme in enumerate(processed.theme_ids)}
    for d, doc_id in enumerate(processed.doc_ids):
        for theme, _indicator, _count in processed.indicator_hits[doc_id]:
            counts[d, column[theme]] += 1
    return counts


def unit_hits(processed: ProcessedCorpus) -> tuple[list[dict[str, set[str]]], np.ndarray]:
    """Per document (``processed.doc_ids`` order): theme -> the indicators stem-matched in one of its units;
    and the n_docs x n_themes sentence scores (distinct theme-vocabulary tokens per unit, summed over units)."""
    normalize = make_normalizer(processed.settings.normalizer)
    vocabulary = processed.theme_vocabulary()
    theme_ids = list(processed.theme_ids)
    stems = {
        theme: {
            indicator: own
            for indicator in indicators
            if len(own := {normalize(w) for w in _PHRASE_WORD_SPLIT.split(indicator.lower()) if w}
                   & set(processed.theme_terms.get(theme, ()))) >= MIN_STEMS
        }
        for theme, indicators in processed.indicator_tokens.items()
    }
    row = {doc_id: d for d, doc_id in enumerate(processed.doc_ids)}
    hits: list[dict[str, set[str]]] = [{} for _ in processed.doc_ids]
    scores = np.zeros((len(processed.doc_ids), len(theme_ids)))
    for doc_id, tokens in zip(processed.unit_doc_ids, processed):
        d, unit = row[doc_id], set(tokens)
        for j, theme in enumerate(theme_ids):
            scores[d, j] += len(unit & vocabulary[theme])
            matched = {indicator for indicator, own in stems[theme].items() if own <= unit}
            if matched:
                hits[d].setdefault(theme, set()).update(matched)
    return hits, scores


def feature_tokens(processed: ProcessedCorpus) -> list[list[str]]:
    """Per document (``processed.doc_ids`` order), feature tokens for a learning coder: ``dict:<theme>`` once per
    distinct indicator found as the phrase, ``dict~stems:<theme>`` once per point of the sentence score."""
    exact, (_, sentence) = exact_hits(processed), unit_hits(processed)
    return [
        [prefix + theme
         for j, theme in enumerate(processed.theme_ids)
         for prefix, count in ((EXACT_FEATURE, exact[d, j]), (STEM_FEATURE, sentence[d, j]))
         for _ in range(int(count))]
        for d in range(len(processed.doc_ids))
    ]


def feature_surface(token: str) -> str | None:
    """The readable form of a feature token (``[indicators: made_in_hk]``), or None for any other token."""
    for prefix, label in ((STEM_FEATURE, "indicator stems"), (EXACT_FEATURE, "indicators")):
        if token.startswith(prefix):
            return f"[{label}: {token[len(prefix):]}]"
    return None

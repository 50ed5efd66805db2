"""The explorer's topic tab: each topic model's topics, map and relevant terms, and each document's top topics.

Built from a model's topic-term weights (``TopicTerms``) and the run's ``doc_topics``, ``topics`` and
``topic_theme_map_full`` tables, using the geometry of ``analysis.topic_map``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.explorer_values import cell_number, cell_text
from hkasean.analysis.report_render import clean_text
from hkasean.analysis.topic_map import RELEVANT_TERMS, relevant_terms, topic_positions, topic_prevalence

TOP_DOCUMENTS = 10
"""Documents listed per topic, by their share of it."""
DOC_TOPICS_KEPT = 3
"""Topics listed per document and topic model, by share."""


@dataclass(frozen=True)
class TopicTerms:
    """One topic model's topic-term distributions: ``weights[k, v]`` = p(term v | topic k), rows summing to 1.

    ``topics`` are the topic ids of ``topics.csv``, ``terms`` the readable form of each column.
    """

    model: str
    topics: Sequence[str]
    terms: Sequence[str]
    weights: np.ndarray


def _unique_labels(terms: Sequence[str]) -> list[str]:
    """Readable term labels made unique (a repeated surface form gets " (2)", " (3)" ...)."""
    seen: dict[str, int] = {}
    out = []
    for term in terms:
        label = str(term)
        count = seen.get(label, 0) + 1
        seen[label] = count
        out.append(label if count == 1 else f"{label} ({count})")
    return out


def topic_model_payload(terms: TopicTerms, tables: Mapping[str, pd.DataFrame], doc_index: Mapping[str, int],
                        n_terms: int = RELEVANT_TERMS, top_documents: int = TOP_DOCUMENTS) -> dict[str, Any]:
    """One topic model for the page: its topics (id, prevalence, map position, coherence, mapped theme, the theme
    learned from the coding, top documents) and the relevance data of each topic's candidate terms
    (``p(w|t)`` and the marginal ``p(w) = sum_t p(t) p(w|t)``, logs rounded)."""
    weights = np.asarray(terms.weights, dtype=float)
    weights = weights / np.where(weights.sum(axis=1, keepdims=True) > 0, weights.sum(axis=1, keepdims=True), 1.0)
    topics = list(terms.topics)
    doc_topics = tables.get(contract.DOC_TOPICS.name, pd.DataFrame(columns=contract.DOC_TOPICS.column_list))
    prevalence = topic_prevalence(doc_topics, tables.get(contract.DOCUMENTS.name), terms.model, topics)
    marginal = prevalence @ weights
    marginal = np.where(marginal > 0, marginal, np.finfo(float).tiny)
    positions = topic_positions(weights)
    candidates = relevant_terms(weights, marginal, n_terms)
    used = sorted(set().union(*[set(c.tolist()) for c in candidates])) if candidates else []
    local = {v: i for i, v in enumerate(used)}
    labels = _unique_labels(terms.terms)

    table = tables.get(contract.TOPICS.name)
    info = {} if table is None else {row.topic: row for row in table[table["model"] == terms.model].itertuples()}
    learned = _learned_themes(tables.get(contract.TOPIC_THEME_MAP_FULL.name), terms.model)
    tops = _top_documents(doc_topics, terms.model, doc_index, top_documents)
    topic_rows = []
    for k, topic in enumerate(topics):
        row = info.get(topic)
        topic_rows.append({
            "id": topic,
            "prevalence": cell_number(prevalence[k], 5),
            "x": cell_number(positions[k, 0], 5),
            "y": cell_number(positions[k, 1], 5),
            "coherence": cell_number(getattr(row, "coherence", None), 4),
            "theme": cell_text(getattr(row, "mapped_theme", "")),
            "learned_theme": learned.get(topic, ""),
            "terms": [[local[int(v)], cell_number(math.log(weights[k, v]), 4)] for v in candidates[k]],
            "top_docs": tops.get(topic, []),
        })
    return {
        "model": terms.model,
        "topics": topic_rows,
        "vocab": [clean_text(labels[v]) for v in used],
        "log_pw": [cell_number(math.log(marginal[v]), 4) for v in used],
    }


def _learned_themes(full_map: pd.DataFrame | None, model: str) -> dict[str, str]:
    """topic -> the theme the map learned on all coded documents gives it (``topic_theme_map_full``, for reading)."""
    if full_map is None or full_map.empty:
        return {}
    rows = full_map[full_map["model"].astype(str).str.split("+").str[0] == model]
    out: dict[str, str] = {}
    for row in rows.itertuples():
        topic = cell_text(row.topic)
        if topic:
            out[topic] = ", ".join(filter(None, [out.get(topic, ""), cell_text(row.theme)]))
    return out


def _top_documents(doc_topics: pd.DataFrame, model: str, doc_index: Mapping[str, int], n: int) -> dict[str, list]:
    """topic -> [[document index, share], ...]: the ``n`` documents with the largest share of it (ties by doc_id)."""
    rows = doc_topics[(doc_topics["model"] == model) & doc_topics["doc_id"].isin(doc_index)]
    if rows.empty:
        return {}
    rows = rows.sort_values(["topic", "score", "doc_id"], ascending=[True, False, True], kind="mergesort")
    out: dict[str, list] = {}
    for topic, group in rows.groupby("topic", sort=False):
        head = group.head(n)
        out[str(topic)] = [[doc_index[d], cell_number(s)] for d, s in zip(head["doc_id"], head["score"])]
    return out


def topics_by_doc(doc_topics: pd.DataFrame | None, models: Sequence[TopicTerms], keep: int) -> dict[str, list]:
    """doc_id -> [[topic model index, topic index, share], ...]: each topic model's ``keep`` largest topics."""
    if doc_topics is None or doc_topics.empty or not models:
        return {}
    out: dict[str, list] = {}
    for m, terms in enumerate(models):
        topic_index = {t: k for k, t in enumerate(terms.topics)}
        rows = doc_topics[doc_topics["model"] == terms.model]
        if rows.empty:
            continue
        rows = rows.sort_values(["doc_id", "score", "topic"], ascending=[True, False, True], kind="mergesort")
        rows = rows.groupby("doc_id", sort=False).head(keep)
        for doc_id, topic, score in rows[["doc_id", "topic", "score"]].itertuples(index=False):
            if topic in topic_index:
                out.setdefault(str(doc_id), []).append([m, topic_index[topic], cell_number(score)])
    return out

"""The data of ``explore.html``: the run's tables (and what they do not hold) as one compact JSON payload.

Pure functions from the run's tables and from what the tables do not hold (the documents' texts, the
codebook's indicator phrases, the standard coding, each topic model's topic-term weights and the
evidence behind each decision) to the payload and the packed detail chunks of the page
(``analysis.explorer`` writes the page around them). ``benchmarks/bench_explorer.py`` measures the
page at 10,000 documents.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from hkasean import contract
from hkasean.analysis.explorer_packing import DETAIL_CHUNK, detail_chunks
from hkasean.analysis.explorer_tables import (
    claims_payload,
    decisions_payload,
    documents_payload,
    gold_payload,
    prevalence_payload,
    trade_payload,
)
from hkasean.analysis.explorer_topics import DOC_TOPICS_KEPT, TopicTerms, topic_model_payload, topics_by_doc
from hkasean.analysis.explorer_values import cell_text, cell_texts, column_wise
from hkasean.analysis.topic_map import LAMBDA_GRID, RELEVANT_TERMS

EXPLORER_FORMAT = 1
"""Version of the payload's layout (``payload["format"]``)."""
THEME_COLOURS = ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133",
                 "#56b4e9")
"""Seaborn's colour-blind-safe palette (``analysis.figures.PALETTE``), one colour per theme in codebook order."""


@dataclass
class ExplorerInput:
    """What the page is built from.

    ``tables``: the run's tables by contract name (missing ones leave their tab empty, saying so);
    ``texts``: (doc_id, text) pairs, streamed once, any order; ``themes``: the codebook's themes as
    mappings with ``id``, ``label``, ``definition``, ``indicators``; ``gold``: the standard coding
    (index doc_id, one 0/1 column per theme; None without a coding), named ``gold_name``;
    ``topic_terms``: per topic model, its topic-term weights; ``evidence``: doc_id, model,
    topic_or_theme, terms ("; "-joined) as the models report it; ``report_link``: the report next to the
    page (None when the run writes none: the page then links to none).
    """

    tables: Mapping[str, pd.DataFrame]
    texts: Iterable[tuple[str, str]] = ()
    themes: Sequence[Mapping[str, Any]] = ()
    gold: pd.DataFrame | None = None
    gold_name: str = "gold"
    topic_terms: Sequence[TopicTerms] = ()
    evidence: pd.DataFrame | None = None
    title: str = "hkasean explorer"
    subtitle: str = ""
    report_link: str | None = "report.html"
    detail_chunk: int = DETAIL_CHUNK


@dataclass
class ExplorerPage:
    """The payload (plain JSON-able data) and the gzip+base64 detail chunks of one page."""

    payload: dict[str, Any]
    chunks: list[str] = field(default_factory=list)


def _evidence_by_doc(evidence: pd.DataFrame | None, models: Sequence[str]) -> dict[str, list]:
    """doc_id -> [[model index, topic or theme, terms], ...] (models outside ``models`` are left out)."""
    if evidence is None or evidence.empty:
        return {}
    index = {m: i for i, m in enumerate(models)}
    out: dict[str, list] = {}
    for doc_id, model, label, terms in evidence[["doc_id", "model", "topic_or_theme", "terms"]].itertuples(index=False):
        i = index.get(str(model))
        if i is not None and cell_text(terms):
            out.setdefault(str(doc_id), []).append([i, cell_text(label), cell_text(terms)])
    return out


def explorer_payload(source: ExplorerInput) -> ExplorerPage:
    """The page's data: the JSON payload and the detail chunks (texts are streamed once from ``source.texts``)."""
    tables = source.tables
    documents = tables.get(contract.DOCUMENTS.name)
    if documents is None:
        documents = pd.DataFrame(columns=contract.DOCUMENTS.column_list)
    doc_ids = [str(d) for d in documents["doc_id"]]
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    themes = [{"id": cell_text(t["id"]), "label": cell_text(t.get("label", "")),
               "definition": cell_text(t.get("definition", "")),
               "indicators": [cell_text(p) for p in t.get("indicators", ())], "colour": THEME_COLOURS[i % len(THEME_COLOURS)]}
              for i, t in enumerate(source.themes)]
    theme_ids = [t["id"] for t in themes]
    doc_themes = tables.get(contract.DOC_THEMES.name)
    if not theme_ids and doc_themes is not None:
        theme_ids = list(dict.fromkeys(doc_themes["theme"].astype(str)))
        themes = [{"id": t, "label": t, "definition": "", "indicators": [], "colour": THEME_COLOURS[i % len(THEME_COLOURS)]}
                  for i, t in enumerate(theme_ids)]
    decisions = decisions_payload(doc_themes, doc_ids, theme_ids)
    topic_models = [topic_model_payload(terms, tables, doc_index) for terms in source.topic_terms]
    topic_table = tables.get(contract.TOPICS.name)
    payload: dict[str, Any] = {
        "format": EXPLORER_FORMAT,
        "title": cell_text(source.title),
        "subtitle": cell_text(source.subtitle),
        "report": source.report_link,
        "lambda_grid": [LAMBDA_GRID[0], LAMBDA_GRID[-1]],
        "relevant_terms": RELEVANT_TERMS,
        "themes": themes,
        "gold_name": source.gold_name if source.gold is not None else None,
        "documents": documents_payload(documents),
        "gold": gold_payload(source.gold, doc_ids, theme_ids),
        "decisions": decisions,
        "topic_models": topic_models,
        "topics": None if topic_table is None else column_wise(
            topic_table, text=("topic", "top_terms", "mapped_theme"), numbers=("coherence",), codes=("model",), digits=4),
        "prevalence": prevalence_payload(tables.get(contract.PREVALENCE.name)),
        "trade": trade_payload(tables.get(contract.TRADE_SERIES.name)),
        "claims": claims_payload(tables.get(contract.CLAIMS.name)),
    }
    evidence = _evidence_by_doc(source.evidence, decisions["models"])
    doc_topics = topics_by_doc(tables.get(contract.DOC_TOPICS.name), list(source.topic_terms), DOC_TOPICS_KEPT)
    urls = cell_texts(documents["url"]) if "url" in documents else []
    chunks = list(detail_chunks(source.texts, doc_index, evidence, doc_topics, urls, source.detail_chunk))
    payload["n_chunks"] = len(chunks) - 1
    return ExplorerPage(payload=payload, chunks=chunks)

"""``explore.html``: the run's tables as one interactive page that works offline, from ``file://``.

Pure functions from the run's tables (and what the tables do not hold: the documents' texts, the
codebook's indicator phrases, the standard coding, each topic model's topic-term weights and the
evidence behind each decision) to one compact JSON payload, and the page built around it from the
template in ``analysis/data/explorer.{html,css,js}`` with plotly.js inlined once.

The page has four tabs: topics (an intertopic distance map and LDAvis term relevance, Sievert &
Shirley 2014), documents (a filterable, sortable, searchable list; a document's text with the
indicator phrases and the evidence highlighted), prevalence over time beside the trade series,
and the claims audit.

What is safe by construction: document text, titles and every other value are data. They enter
the page only as JSON inside ``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped,
so ``</script>`` in a title cannot close the element) or as base64 of gzip inside a
``<script type="text/plain">``, and the page's JavaScript puts them into the DOM only through
``textContent`` and created nodes. A Content-Security-Policy meta forbids every network load
(``default-src 'none'``, ``connect-src 'none'``) and lets only the page's own two inline scripts
run (by their SHA-256).

Compact at scale: per-document metadata is stored column-wise with codes for repeated strings;
decisions as one character per document and a whole-number score; the texts (cut into pieces of one
vocabulary shared by all documents), the evidence, each document's top topics and its url as gzip in
chunks of ``DETAIL_CHUNK`` documents, unpacked in the page with ``DecompressionStream`` (browsers
from 2023 on). The document list is paginated. ``benchmarks/bench_explorer.py`` measures the page at
10,000 documents.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from hkasean import contract
from hkasean.analysis.report_render import clean_text

EXPLORER_FORMAT = 1
"""Version of the payload's layout (``payload["format"]``)."""
LAMBDA_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))
"""The relevance weights whose top terms each topic keeps (the page re-ranks them for any lambda in 0..1)."""
RELEVANT_TERMS = 30
"""Terms shown per topic, and kept per lambda of ``LAMBDA_GRID`` (their union is stored)."""
TOP_DOCUMENTS = 10
"""Documents listed per topic, by their share of it."""
DOC_TOPICS_KEPT = 3
"""Topics listed per document and topic model, by share."""
DETAIL_CHUNK = 500
"""Documents per gzip chunk of texts and evidence."""
SCORE_DIGITS = 3
"""Decimals kept of every score and share."""
SCORE_SCALE = 10 ** SCORE_DIGITS
"""Decision scores are stored as whole numbers: the score times this."""
THEME_COLOURS = ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133",
                 "#56b4e9")
"""Seaborn's colour-blind-safe palette (``analysis.figures.PALETTE``), one colour per theme in codebook order."""
CSP = ("default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
       "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
       "manifest-src 'none'; base-uri 'none'; form-action 'none'")
"""The page's Content-Security-Policy: nothing is fetched from anywhere; only its own inline scripts run."""


@dataclass(frozen=True)
class TopicTerms:
    """One topic model's topic-term distributions: ``weights[k, v]`` = p(term v | topic k), rows summing to 1.

    ``topics`` are the topic ids of ``topics.csv``, ``terms`` the readable form of each column.
    """

    model: str
    topics: Sequence[str]
    terms: Sequence[str]
    weights: np.ndarray


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


# ---------------------------------------------------------------- small encoders
def _num(value: Any, digits: int = SCORE_DIGITS) -> float | int | None:
    """A finite number rounded to ``digits`` decimals (an int when whole); None for NaN, None or inf."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    rounded = round(number, digits) + 0.0
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def _numbers(values: Iterable[Any], digits: int = SCORE_DIGITS) -> list[float | int | None]:
    return [_num(v, digits) for v in values]


def _text(value: Any) -> str:
    """A cell as text ('' for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return clean_text(str(value))


def _texts(values: Iterable[Any]) -> list[str]:
    return [_text(v) for v in values]


def _coded(values: Iterable[Any]) -> tuple[list[str], list[int]]:
    """Repeated strings as (the distinct values in first-seen order, each value's index)."""
    texts = _texts(values)
    levels = list(dict.fromkeys(texts))
    index = {level: i for i, level in enumerate(levels)}
    return levels, [index[t] for t in texts]


def _columns(frame: pd.DataFrame, text: Sequence[str] = (), numbers: Sequence[str] = (), codes: Sequence[str] = (),
             digits: int = 6) -> dict[str, Any]:
    """``frame`` column-wise: text columns as lists of strings, number columns rounded, coded columns as
    ``{"levels": [...], "codes": [...]}``; columns the frame lacks are left out."""
    out: dict[str, Any] = {"n": int(len(frame))}
    for column in text:
        if column in frame:
            out[column] = _texts(frame[column])
    for column in numbers:
        if column in frame:
            out[column] = _numbers(frame[column], digits)
    for column in codes:
        if column in frame:
            levels, index = _coded(frame[column])
            out[column] = {"levels": levels, "codes": index}
    return out


# ---------------------------------------------------------------- topics: LDAvis
def topic_prevalence(doc_topics: pd.DataFrame, documents: pd.DataFrame | None, model: str,
                     topics: Sequence[str]) -> np.ndarray:
    """Each topic's share of the corpus's words: the documents' topic shares weighted by their length in words
    (``documents.n_words``; equal weights without it), in the order of ``topics``; sums to 1."""
    rows = doc_topics[doc_topics["model"] == model]
    if rows.empty:
        return np.full(len(topics), 1.0 / max(len(topics), 1))
    weights = pd.Series(1.0, index=pd.unique(rows["doc_id"]))
    if documents is not None and "n_words" in documents:
        lengths = pd.to_numeric(documents.set_index("doc_id")["n_words"], errors="coerce")
        weights = lengths.reindex(weights.index).fillna(0).clip(lower=0).astype(float)
        if weights.sum() <= 0:
            weights[:] = 1.0
    mass = (rows["score"].astype(float).to_numpy() * rows["doc_id"].map(weights).fillna(0).to_numpy())
    totals = pd.Series(mass).groupby(rows["topic"].to_numpy()).sum().reindex(list(topics)).fillna(0).to_numpy()
    total = totals.sum()
    return totals / total if total > 0 else np.full(len(topics), 1.0 / max(len(topics), 1))


def topic_positions(weights: np.ndarray) -> np.ndarray:
    """K x 2 coordinates of the topics: classical multidimensional scaling (principal coordinates) of the
    Jensen-Shannon distances (base 2, 0..1) between their term distributions, as LDAvis does.

    Deterministic: each axis is signed so that its largest coordinate (in absolute value) is positive.
    Fewer than three topics get the coordinates their distances allow (zeros elsewhere).
    """
    k = weights.shape[0]
    if k == 0:
        return np.zeros((0, 2))
    distances = np.zeros((k, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(weights > 0, np.log2(np.where(weights > 0, weights, 1.0)), 0.0)
        for i in range(k - 1):
            others = weights[i + 1:]
            middle = 0.5 * (weights[i] + others)
            log_middle = np.log2(np.where(middle > 0, middle, 1.0))
            divergence = 0.5 * ((logs[i] - log_middle) @ weights[i]) + 0.5 * ((others * (logs[i + 1:] - log_middle)).sum(axis=1))
            distances[i, i + 1:] = distances[i + 1:, i] = np.sqrt(np.clip(divergence, 0.0, None))
    centring = np.eye(k) - np.full((k, k), 1.0 / k)
    gram = -0.5 * centring @ (distances ** 2) @ centring
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][:2]
    coords = np.zeros((k, 2))
    for axis, index in enumerate(order):
        if values[index] > 1e-12:
            column = vectors[:, index] * math.sqrt(values[index])
            if column[np.argmax(np.abs(column))] < 0:
                column = -column
            coords[:, axis] = column
    return coords


def relevant_terms(weights: np.ndarray, marginal: np.ndarray, n_terms: int = RELEVANT_TERMS,
                   lambdas: Sequence[float] = LAMBDA_GRID) -> list[np.ndarray]:
    """Per topic, the indices of every term among its ``n_terms`` most relevant for some lambda of ``lambdas``.

    Relevance (Sievert & Shirley 2014): lambda * log p(w|t) + (1 - lambda) * log(p(w|t) / p(w)). Terms with
    p(w|t) = 0 are never relevant. Ties go to the lower term index.
    """
    kept = []
    log_marginal = np.log(np.where(marginal > 0, marginal, np.finfo(float).tiny))
    for row in weights:
        support = np.flatnonzero(row > 0)
        log_phi = np.log(row[support])
        lift = log_phi - log_marginal[support]
        candidates: set[int] = set()
        for lam in lambdas:
            relevance = lam * log_phi + (1.0 - lam) * lift
            if relevance.size > n_terms:  # the n-th largest value, then every term reaching it (ties kept)
                cut = np.partition(relevance, relevance.size - n_terms)[relevance.size - n_terms]
                near = np.flatnonzero(relevance >= cut)
            else:
                near = np.arange(relevance.size)
            top = near[np.lexsort((support[near], -relevance[near]))][:n_terms]
            candidates.update(int(i) for i in support[top])
        kept.append(np.array(sorted(candidates), dtype=int))
    return kept


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
            "prevalence": _num(prevalence[k], 5),
            "x": _num(positions[k, 0], 5),
            "y": _num(positions[k, 1], 5),
            "coherence": _num(getattr(row, "coherence", None), 4),
            "theme": _text(getattr(row, "mapped_theme", "")),
            "learned_theme": learned.get(topic, ""),
            "terms": [[local[int(v)], _num(math.log(weights[k, v]), 4)] for v in candidates[k]],
            "top_docs": tops.get(topic, []),
        })
    return {
        "model": terms.model,
        "topics": topic_rows,
        "vocab": [clean_text(labels[v]) for v in used],
        "log_pw": [_num(math.log(marginal[v]), 4) for v in used],
    }


def _learned_themes(full_map: pd.DataFrame | None, model: str) -> dict[str, str]:
    """topic -> the theme the map learned on all coded documents gives it (``topic_theme_map_full``, for reading)."""
    if full_map is None or full_map.empty:
        return {}
    rows = full_map[full_map["model"].astype(str).str.split("+").str[0] == model]
    out: dict[str, str] = {}
    for row in rows.itertuples():
        if _text(row.topic):
            out[_text(row.topic)] = ", ".join(filter(None, [out.get(_text(row.topic), ""), _text(row.theme)]))
    return out


def _top_documents(doc_topics: pd.DataFrame, model: str, doc_index: Mapping[str, int], n: int) -> dict[str, list]:
    rows = doc_topics[(doc_topics["model"] == model) & doc_topics["doc_id"].isin(doc_index)]
    if rows.empty:
        return {}
    rows = rows.sort_values(["topic", "score", "doc_id"], ascending=[True, False, True], kind="mergesort")
    out: dict[str, list] = {}
    for topic, group in rows.groupby("topic", sort=False):
        head = group.head(n)
        out[str(topic)] = [[doc_index[d], _num(s)] for d, s in zip(head["doc_id"], head["score"])]
    return out


# ---------------------------------------------------------------- documents and decisions
def documents_payload(documents: pd.DataFrame) -> dict[str, Any]:
    """Per document, column-wise: id, date, year, title, n_words; type, source and speaker coded (the url travels with
    the text, in the detail chunks)."""
    frame = documents.copy()
    if "date" in frame:
        frame["date"] = _texts(frame["date"])
        frame["date"] = [d[:10] for d in frame["date"]]
    out = _columns(frame, text=("doc_id", "date", "title"), numbers=("year", "n_words"),
                   codes=("doc_type", "source", "speaker"), digits=0)
    return out


def gold_payload(gold: pd.DataFrame | None, doc_ids: Sequence[str], theme_ids: Sequence[str]) -> dict[str, str] | None:
    """Per theme, one character per document: "1" / "0" as the standard codes it, "-" when it is not coded."""
    if gold is None:
        return None
    out = {}
    for theme in theme_ids:
        if theme not in gold:
            continue
        column = gold[theme].reindex(list(doc_ids))
        out[theme] = "".join("-" if pd.isna(v) else ("1" if int(v) else "0") for v in column)
    return out


def decisions_payload(doc_themes: pd.DataFrame | None, doc_ids: Sequence[str], theme_ids: Sequence[str]) -> dict[str, Any]:
    """Per model (``doc_themes`` order) and theme: ``present`` (one character per document: "1", "0", or "-" for no
    decision), ``score`` (times ``SCORE_SCALE``, rounded to a whole number) and ``fold`` (one character: "c" cross-validated, "L" predicted by a model that
    saw the document's label, never scored, "." no labels used)."""
    if doc_themes is None or doc_themes.empty:
        return {"models": [], "by_model": {}, "score_scale": SCORE_SCALE}
    models = list(dict.fromkeys(doc_themes["model"].astype(str)))
    position = pd.Index(list(doc_ids))
    by_model: dict[str, Any] = {}
    n = len(doc_ids)
    for model in models:
        rows = doc_themes[doc_themes["model"].astype(str) == model]
        per_theme = {}
        for theme in theme_ids:
            part = rows[rows["theme"] == theme]
            if part.empty:
                continue
            part = part.drop_duplicates("doc_id", keep="last")
            where = position.get_indexer(part["doc_id"])
            keep = where >= 0
            where = where[keep]
            present = np.full(n, "-", dtype="<U1")
            present[where] = np.where(part["present"].to_numpy()[keep].astype(int) == 1, "1", "0")
            scores: list[Any] = [None] * n
            for i, value in zip(where, part["score"].to_numpy()[keep]):
                scores[i] = _num(float(value) * SCORE_SCALE, 0)
            fold = np.full(n, ".", dtype="<U1")
            if "fold" in part:
                folds = pd.to_numeric(part["fold"], errors="coerce").to_numpy()[keep]
                fold[where] = np.where(np.isnan(folds), ".", np.where(folds < 0, "L", "c"))
            per_theme[theme] = {"present": "".join(present), "score": scores, "fold": "".join(fold)}
        by_model[model] = per_theme
    return {"models": models, "by_model": by_model, "score_scale": SCORE_SCALE}


# ---------------------------------------------------------------- time series and claims
def prevalence_payload(prevalence: pd.DataFrame | None) -> dict[str, Any] | None:
    """The prevalence table column-wise (source, theme and flag coded)."""
    if prevalence is None or prevalence.empty:
        return None
    frame = prevalence.copy()
    frame["period_start"] = [d[:10] for d in _texts(frame["period_start"])] if "period_start" in frame else _texts(frame["period"])
    return _columns(frame, text=("period", "period_start"), numbers=("share", "low", "high", "n_docs"),
                    codes=("theme", "source", "flag", "interval"), digits=5)


def trade_payload(trade_series: pd.DataFrame | None) -> dict[str, Any] | None:
    """The trade series correlated with prevalence, column-wise (gaps are rows without a value)."""
    if trade_series is None or trade_series.empty:
        return None
    return _columns(trade_series, text=("period",), numbers=("value",),
                    codes=("trade_series", "unit", "flag", "source_class"), digits=6)


CLAIM_COLUMNS_TEXT = ("doc_id", "date", "claim_text", "value", "official_source", "note")
CLAIM_COLUMNS_CODED = ("claim_type", "unit", "subject", "official_unit", "verdict", "reference_independence",
                       "reference_source_class")
CLAIM_COLUMNS_NUMBERS = ("year", "official_value", "difference", "relative_difference")


def claims_payload(claims: pd.DataFrame | None) -> dict[str, Any] | None:
    """The claims audit column-wise (repeated strings coded)."""
    if claims is None:
        return None
    frame = claims.copy()
    if "date" in frame:
        frame["date"] = [d[:10] for d in _texts(frame["date"])]
    return _columns(frame, text=CLAIM_COLUMNS_TEXT, numbers=CLAIM_COLUMNS_NUMBERS, codes=CLAIM_COLUMNS_CODED, digits=6)


# ---------------------------------------------------------------- per-document details (gzip chunks)
def _evidence_by_doc(evidence: pd.DataFrame | None, models: Sequence[str]) -> dict[str, list]:
    """doc_id -> [[model index, topic or theme, terms], ...] (models outside ``models`` are left out)."""
    if evidence is None or evidence.empty:
        return {}
    index = {m: i for i, m in enumerate(models)}
    out: dict[str, list] = {}
    for doc_id, model, label, terms in evidence[["doc_id", "model", "topic_or_theme", "terms"]].itertuples(index=False):
        i = index.get(str(model))
        if i is not None and _text(terms):
            out.setdefault(str(doc_id), []).append([i, _text(label), _text(terms)])
    return out


def _topics_by_doc(doc_topics: pd.DataFrame | None, models: Sequence[TopicTerms], keep: int) -> dict[str, list]:
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
                out.setdefault(str(doc_id), []).append([m, topic_index[topic], _num(score)])
    return out


TOKEN = re.compile(r"\W+|\w+\W*")
"""How texts are cut for storage: a word with the spaces and punctuation after it (and any run before the first word);
the pieces joined give the text back exactly."""


def varints(ids: np.ndarray) -> bytes:
    """Non-negative integers as LEB128 varints (7 bits a byte, low bits first, high bit set on all but the last)."""
    ids = np.asarray(ids, dtype=np.uint64)
    n = (1 + (ids >= 1 << 7) + (ids >= 1 << 14) + (ids >= 1 << 21) + (ids >= 1 << 28)).astype(np.int64)
    out = np.empty(int(n.sum()), dtype=np.uint8)
    starts = np.cumsum(n) - n
    for k in range(5):
        mask = n > k
        byte = (ids[mask] >> np.uint64(7 * k)) & np.uint64(0x7F)
        out[starts[mask] + k] = (byte | ((n[mask] > k + 1).astype(np.uint64) << np.uint64(7))).astype(np.uint8)
    return out.tobytes()


def _gzip64(raw: bytes) -> str:
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def _pack_documents(records: list[list], token_ids: list[np.ndarray]) -> str:
    """One chunk of documents: "d:" + base64 of gzip of [4-byte little-endian length][JSON records][varint token ids]."""
    header = json.dumps(records, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    stream = varints(np.concatenate(token_ids)) if token_ids else b""
    return "d:" + _gzip64(len(header).to_bytes(4, "little") + header + stream)


def detail_chunks(texts: Iterable[tuple[str, str]], doc_index: Mapping[str, int], evidence: Mapping[str, list],
                  topics: Mapping[str, list], urls: Sequence[str] = (), chunk: int = DETAIL_CHUNK) -> Iterator[str]:
    """The documents' details, streamed once from ``texts``, as text lines the page unpacks.

    Each text is cut into ``TOKEN`` pieces, numbered in the order first seen across the corpus (one shared vocabulary:
    what documents repeat is stored once, which gzip's 32 KB window alone cannot do). Lines "d:..." hold ``chunk``
    documents each: JSON records ``[doc index, number of pieces, evidence, topics, url]`` and then the piece numbers
    as varints, gzip, base64. The last line, "v:...", is the vocabulary (gzip JSON list of pieces). Documents outside
    ``doc_index`` are skipped; a document of ``doc_index`` that has no text in ``texts`` gets text "".
    """
    vocabulary: dict[str, int] = {}
    records: list[list] = []
    token_ids: list[np.ndarray] = []
    seen: set[int] = set()

    def record(i: int, doc_id: str, text: str) -> None:
        ids = np.fromiter((vocabulary.setdefault(piece, len(vocabulary)) for piece in TOKEN.findall(text)), dtype=np.uint64)
        token_ids.append(ids)
        records.append([i, int(ids.size), evidence.get(doc_id, []), topics.get(doc_id, []), urls[i] if i < len(urls) else ""])

    for doc_id, text in texts:
        i = doc_index.get(str(doc_id))
        if i is None or i in seen:
            continue
        seen.add(i)
        record(i, str(doc_id), _text(text))
        if len(records) >= chunk:
            yield _pack_documents(records, token_ids)
            records, token_ids = [], []
    for doc_id, i in doc_index.items():
        if i not in seen:
            record(i, doc_id, "")
            if len(records) >= chunk:
                yield _pack_documents(records, token_ids)
                records, token_ids = [], []
    if records:
        yield _pack_documents(records, token_ids)
    yield "v:" + _gzip64(json.dumps(list(vocabulary), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# ---------------------------------------------------------------- the whole payload
def explorer_payload(source: ExplorerInput) -> ExplorerPage:
    """The page's data: the JSON payload and the detail chunks (texts are streamed once from ``source.texts``)."""
    tables = source.tables
    documents = tables.get(contract.DOCUMENTS.name)
    if documents is None:
        documents = pd.DataFrame(columns=contract.DOCUMENTS.column_list)
    doc_ids = [str(d) for d in documents["doc_id"]]
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    themes = [{"id": _text(t["id"]), "label": _text(t.get("label", "")), "definition": _text(t.get("definition", "")),
               "indicators": [_text(p) for p in t.get("indicators", ())], "colour": THEME_COLOURS[i % len(THEME_COLOURS)]}
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
        "title": _text(source.title),
        "subtitle": _text(source.subtitle),
        "report": source.report_link,
        "lambda_grid": [LAMBDA_GRID[0], LAMBDA_GRID[-1]],
        "relevant_terms": RELEVANT_TERMS,
        "themes": themes,
        "gold_name": source.gold_name if source.gold is not None else None,
        "documents": documents_payload(documents),
        "gold": gold_payload(source.gold, doc_ids, theme_ids),
        "decisions": decisions,
        "topic_models": topic_models,
        "topics": None if topic_table is None else _columns(topic_table, text=("topic", "top_terms", "mapped_theme"),
                                                             numbers=("coherence",), codes=("model",), digits=4),
        "prevalence": prevalence_payload(tables.get(contract.PREVALENCE.name)),
        "trade": trade_payload(tables.get(contract.TRADE_SERIES.name)),
        "claims": claims_payload(tables.get(contract.CLAIMS.name)),
    }
    evidence = _evidence_by_doc(source.evidence, decisions["models"])
    doc_topics = _topics_by_doc(tables.get(contract.DOC_TOPICS.name), list(source.topic_terms), DOC_TOPICS_KEPT)
    urls = _texts(documents["url"]) if "url" in documents else []
    chunks = list(detail_chunks(source.texts, doc_index, evidence, doc_topics, urls, source.detail_chunk))
    payload["n_chunks"] = len(chunks) - 1
    return ExplorerPage(payload=payload, chunks=chunks)


# ---------------------------------------------------------------- the page
def _template(name: str) -> str:
    return resources.files("hkasean.analysis").joinpath("data", name).read_text(encoding="utf-8")


def plotly_js() -> str:
    """plotly.js, minified, as shipped by the plotly package (inlined once in the page)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def json_for_html(data: Any) -> str:
    """``data`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` escaped as \\u
    sequences (a title holding ``</script>`` cannot end the element), no NaN."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


TEMPLATE_MARKERS = ("{{CSP}}", "{{TITLE}}", "{{STYLE}}", "{{DATA}}", "{{DETAILS}}", "{{PLOTLY}}", "{{APP}}")
"""The placeholders of ``data/explorer.html``, each once and in this order."""


def _template_pieces() -> list[str]:
    """The template's literal text between its markers (one more piece than markers)."""
    rest = _template("explorer.html")
    pieces = []
    for marker in TEMPLATE_MARKERS:
        if rest.count(marker) != 1:
            raise ValueError(f"the explorer template must hold {marker} exactly once")
        before, rest = rest.split(marker, 1)
        pieces.append(before)
    return pieces + [rest]


def page_parts(page: ExplorerPage, plotly: str | None = None) -> Iterator[str]:
    """The HTML of the page, piece by piece (the caller writes them one after another)."""
    plotly = plotly_js() if plotly is None else plotly
    app = _template("explorer.js")
    if "</script" in plotly.lower() or "</script" in app.lower():
        raise ValueError("an inline script holds '</script': it would end its element")
    csp = CSP.format(scripts=" ".join([_script_hash(plotly), _script_hash(app)]))
    pieces = _template_pieces()
    yield pieces[0]
    yield html.escape(csp, quote=True)
    yield pieces[1]
    yield html.escape(str(page.payload.get("title", "")), quote=True)
    yield pieces[2]
    yield _template("explorer.css")
    yield pieces[3]
    yield json_for_html(page.payload)
    yield pieces[4]
    for chunk in page.chunks:
        yield chunk + "\n"
    yield pieces[5]
    yield plotly
    yield pieces[6]
    yield app
    yield pieces[7]


def render_explorer(page: ExplorerPage, plotly: str | None = None) -> str:
    """The whole page as one string."""
    return "".join(page_parts(page, plotly))


def write_explorer(source: ExplorerInput, path: str | Path) -> Path:
    """Build the page from ``source`` and write it to ``path`` (UTF-8); return the path."""
    path = Path(path)
    page = explorer_payload(source)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for part in page_parts(page):
            handle.write(part)
    return path


# ---------------------------------------------------------------- reading a page back (tests, benchmarks)
_DATA_RE = re.compile(r'<script type="application/json" id="hk-data">(.*?)</script>', re.S)
_DETAILS_RE = re.compile(r'<script type="text/plain" id="hk-details">(.*?)</script>', re.S)


def read_page(text: str) -> ExplorerPage:
    """The payload and detail chunks of a page written by ``write_explorer`` (``ValueError`` if it holds none)."""
    data, details = _DATA_RE.search(text), _DETAILS_RE.search(text)
    if data is None or details is None:
        raise ValueError("not an hkasean explorer page")
    return ExplorerPage(payload=json.loads(data.group(1)), chunks=[c for c in details.group(1).split("\n") if c])


def page_details(page: ExplorerPage) -> dict[int, list]:
    """Document index -> ``[index, text, evidence, topics, url]``, unpacked from the detail chunks as the page does."""
    vocabulary: list[str] = []
    packed = []
    for line in page.chunks:
        raw = gzip.decompress(base64.b64decode(line[2:]))
        if line.startswith("v:"):
            vocabulary = json.loads(raw.decode("utf-8"))
        else:
            size = int.from_bytes(raw[:4], "little")
            packed.append((json.loads(raw[4:4 + size].decode("utf-8")), raw[4 + size:]))
    out: dict[int, list] = {}
    for records, stream in packed:
        ids, value, shift = [], 0, 0
        for byte in stream:
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                ids.append(value)
                value, shift = 0, 0
        position = 0
        for index, n_pieces, evidence, topics, url in records:
            text = "".join(vocabulary[k] for k in ids[position:position + n_pieces])
            position += n_pieces
            out[index] = [index, text, evidence, topics, url]
    return out

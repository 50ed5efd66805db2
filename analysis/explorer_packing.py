"""The documents' details for ``explore.html``, packed small: texts, evidence, top topics and urls as gzip chunks.

The texts are cut into pieces of one vocabulary shared by all documents; each chunk of ``DETAIL_CHUNK``
documents is gzip, base64, unpacked in the page with ``DecompressionStream`` (browsers from 2023 on).
"""
from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from hkasean.analysis.explorer_values import cell_text

DETAIL_CHUNK = 500
"""Documents per gzip chunk of texts and evidence."""
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
    """``raw`` gzipped (level 9, no timestamp: the same bytes every run) as base64 text."""
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
        record(i, str(doc_id), cell_text(text))
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

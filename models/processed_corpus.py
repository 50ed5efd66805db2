"""The processed corpus: token lists on disk, one per unit, with what the models need to read them, and its cache files.

**Cache files.** ``ProcessedCorpus.save(folder)`` writes ``processed-<fingerprint>.tokens`` (the
token file) and ``processed-<fingerprint>.json`` (everything else, with the token file's SHA-256).
The JSON is signed (HMAC-SHA256, ``hkasean.integrity.sign_record``) with the cache's per-user key
(``cache_key_path``: the stage cache's ``.hkasean-cache-key`` for the run's ``processed/`` and
``processed-units/`` folders), so ``load`` trusts nothing it cannot verify: an unsigned, edited
or re-keyed JSON, or a token file whose SHA-256 is not the signed one, is ignored with a warning
naming the file, and the corpus recomputed. ``remove_stale_cache`` deletes only pairs it can
prove the suite wrote (the JSON verifies and the token file has the signed SHA-256); anything
else in the folder, however it is named, is left alone.
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from gensim.corpora import Dictionary
from scipy import sparse

from hkasean.corpus.errors import InputError
from hkasean.integrity import CACHE_KEY_NAME, read_key, sign_record, verify_record
from hkasean.models.text_settings import TextSettings
from hkasean.models.token_file import TokenFile, TokenFileError, file_sha256, remove_if_unused

logger = logging.getLogger(__name__)

CACHE_VERSION = 4
"""Version of the processing and of its cache files: bump it when either changes (old caches are then never matched)."""
RECORD_MAGIC = b"hkasean processed corpus v1\n"
"""What a processed-corpus JSON's signature is for (no other signed file of the suite verifies as one)."""


@dataclass
class ProcessedCorpus:
    """Token lists of a corpus, one per unit, with what the models need to read them.

    ``tokens[i]`` belongs to document ``unit_doc_ids[i]``; the units of a document are contiguous
    and in ``doc_ids`` order. ``indicator_tokens``: theme -> indicator phrase -> its token;
    ``theme_terms``: theme -> the tokens standing for its vocabulary (indicator tokens plus the
    normalised content words of its indicator phrases, words shared by several themes left out);
    ``indicator_hits``: doc_id -> list of ``[theme, indicator, occurrences]`` found in the raw
    title + text; ``n_words``: doc_id -> whitespace word count of title + text. Iterating yields
    the token lists one at a time (the gensim corpus idiom). ``tokens`` is a ``TokenFile`` (on disk,
    streamed) when made by ``process_documents``; any sequence of token lists works.
    """

    doc_ids: list[str]
    tokens: Sequence[list[str]]
    unit_doc_ids: list[str]
    surface_forms: dict[str, str]
    settings: TextSettings
    fingerprint: str
    theme_ids: list[str]
    indicator_tokens: dict[str, dict[str, str]]
    indicator_hits: dict[str, list[list]]
    n_words: dict[str, int]
    theme_terms: dict[str, list[str]] = field(default_factory=dict)
    _dictionary: Dictionary | None = field(default=None, init=False, repr=False, compare=False)
    _bow: sparse.csr_matrix | None = field(default=None, init=False, repr=False, compare=False)
    _coherence_texts: dict[int, list[list[str]]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _coherence_ids: dict[int, list[np.ndarray]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.tokens)

    def __getstate__(self) -> dict:
        """Pickled without what it derives from its tokens (dictionary, counts, coherence sample): rebuilt on use."""
        return {**self.__dict__, "_dictionary": None, "_bow": None, "_coherence_texts": {}, "_coherence_ids": {}}

    def __len__(self) -> int:
        return len(self.tokens)

    def surface(self, token: str) -> str:
        """The readable form of a token (its most frequent original word)."""
        return self.surface_forms.get(token, token)

    def document_tokens(self) -> Iterator[list[str]]:
        """The tokens of each document (its units concatenated), in ``doc_ids`` order."""
        current: str | None = None
        merged: list[str] = []
        for doc_id, tokens in zip(self.unit_doc_ids, self.tokens):
            if doc_id != current and current is not None:
                yield merged
                merged = []
            current = doc_id
            merged.extend(tokens)
        if current is not None:
            yield merged

    def aggregate_units(self, unit_matrix: np.ndarray, how: str = "mean") -> np.ndarray:
        """Collapse an n_units x k matrix to n_docs x k over each document's units: their ``mean``, their ``max``,
        or ``vote``: the share of its units whose largest column is each column (a unit classified to its most
        likely topic, as seeded sequential LDA classifies sentences, Watanabe & Baturo 2023). A unit whose row has
        no single largest value (an empty unit's uniform shares) votes for none; a document none of whose units
        votes gets equal shares."""
        counts = Counter(self.unit_doc_ids)
        starts = np.cumsum([0] + [counts[d] for d in self.doc_ids[:-1]])
        if how == "mean":
            sizes = np.array([counts[d] for d in self.doc_ids], dtype=float)[:, None]
            return np.add.reduceat(unit_matrix, starts, axis=0) / sizes
        if how == "max":
            return np.maximum.reduceat(unit_matrix, starts, axis=0)
        if how == "vote":
            votes = np.add.reduceat(unit_votes(unit_matrix), starts, axis=0)
            voted = votes.sum(axis=1, keepdims=True)
            return np.divide(votes, voted, out=np.full(votes.shape, 1.0 / votes.shape[1]), where=voted > 0)
        raise InputError(f"expected 'mean', 'max' or 'vote', got {how!r}", where="unit aggregation")

    def dictionary(self) -> Dictionary:
        """The gensim ``Dictionary`` of the tokens (built once, streamed, ids in first-seen order)."""
        if self._dictionary is None:
            self._dictionary = Dictionary(self)
        return self._dictionary

    def bow_matrix(self) -> sparse.csr_matrix:
        """n_units x n_dictionary sparse token counts (int32), built once in one streamed pass.

        Columns follow ``dictionary()`` ids. Compact (8 bytes per distinct token of a unit, also
        while it is built: typed arrays, not Python lists) and reused by every LDA fit, instead of
        rebuilding bag-of-words on each pass.
        """
        if self._bow is None:
            dictionary = self.dictionary()
            indptr, indices, data = array("q", [0]), array("i"), array("i")
            for tokens in self:
                bow = dictionary.doc2bow(tokens)
                indices.extend(i for i, _ in bow)
                data.extend(n for _, n in bow)
                indptr.append(len(indices))
            self._bow = sparse.csr_matrix(
                (np.frombuffer(data, dtype=np.int32), np.frombuffer(indices, dtype=np.int32), np.frombuffer(indptr, dtype=np.int64)),
                shape=(len(self), len(dictionary)),
            )
        return self._bow

    def coherence_texts(self, max_units: int) -> list[list[str]]:
        """The unit token lists coherence is counted on: all of them, or ``max_units`` evenly spaced over the
        corpus order (every n/max_units-th unit) when the corpus is larger: a sample spread over the whole period
        that needs no random draw, so it is the same whatever the seed.

        c_npmi and c_v count word co-occurrences over these texts, so their cost (and memory) is
        bounded by the sample, not the corpus; with tens of thousands of units the estimates are
        already stable. The sample is read in one streamed pass and kept for later calls.
        """
        if max_units not in self._coherence_texts:
            if len(self) <= max_units:
                self._coherence_texts[max_units] = list(self.tokens)
            else:
                chosen = set(np.linspace(0, len(self) - 1, max_units).astype(np.int64).tolist())
                self._coherence_texts[max_units] = [tokens for i, tokens in enumerate(self.tokens) if i in chosen]
        return self._coherence_texts[max_units]

    def coherence_ids(self, max_units: int) -> list[np.ndarray]:
        """``coherence_texts(max_units)`` as arrays of ``dictionary()`` ids (built once, kept for later calls)."""
        if max_units not in self._coherence_ids:
            token2id = self.dictionary().token2id
            self._coherence_ids[max_units] = [
                np.fromiter((token2id[t] for t in tokens), dtype=np.int64, count=len(tokens)) for tokens in self.coherence_texts(max_units)
            ]
        return self._coherence_ids[max_units]

    def theme_seed_tokens(self) -> dict[str, set[str]]:
        """Theme id -> the set of tokens standing for its indicators."""
        return {theme: set(tokens.values()) for theme, tokens in self.indicator_tokens.items()}

    def theme_vocabulary(self) -> dict[str, set[str]]:
        """Theme id -> its indicator tokens plus the content-word stems of its indicator phrases."""
        return {theme: self.theme_seed_tokens()[theme] | set(self.theme_terms.get(theme, ())) for theme in self.theme_ids}

    def save(self, folder: str | os.PathLike[str], *, secret: bytes | None = None) -> Path:
        """Write the corpus to ``folder`` as ``processed-<fingerprint>.json`` (everything but the tokens,
        signed) next to its token file ``processed-<fingerprint>.tokens``; return the JSON path.

        ``secret``: the signing key (default: the one in ``cache_key_path(folder)``, created on
        first use). Without a usable key nothing is written (a warning says why). The token file
        is copied (streamed) unless it is already that file; the JSON, which records the token
        file's SHA-256, is written last and atomically, so its presence means the pair is complete.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        json_path, tokens_path = cache_paths(folder, self.fingerprint)
        if secret is None and (secret := _cache_secret(folder)) is None:
            return json_path
        if not (isinstance(self.tokens, TokenFile) and self.tokens.path == tokens_path):
            self.tokens = TokenFile.write(tokens_path, self.tokens)
        record = {name: getattr(self, name) for name in _SERIALISED}
        record["settings"] = asdict(self.settings)
        record["n_units"] = len(self.tokens)
        record["tokens_sha256"] = self.tokens.digest
        signed = sign_record(record, secret, RECORD_MAGIC, _label(self.fingerprint))
        fd, tmp = tempfile.mkstemp(prefix=f".{json_path.name}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(signed, out, ensure_ascii=False)
            os.replace(tmp, json_path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return json_path

    @classmethod
    def load(cls, folder: str | os.PathLike[str], fingerprint: str, *, secret: bytes | None = None) -> "ProcessedCorpus | None":
        """The corpus ``save`` wrote to ``folder`` for ``fingerprint``, or None if absent, or (with a warning
        naming the file) if its JSON is unsigned, edited or signed with another key, or its token file
        is not byte for byte the one written. ``secret`` as for ``save``."""
        json_path, tokens_path = cache_paths(Path(folder), fingerprint)
        if not json_path.is_file():
            return None
        if secret is None and (secret := _cache_secret(Path(folder))) is None:
            return None
        try:
            record = verify_record(json.loads(json_path.read_text(encoding="utf-8")), secret, RECORD_MAGIC, _label(fingerprint))
            if record.get("fingerprint") != fingerprint:
                raise ValueError("it is the record of another corpus")
            tokens = TokenFile(tokens_path, digest=record.pop("tokens_sha256"))
            if record.pop("n_units") != len(tokens):
                raise ValueError("its token file does not match")
            settings = record.pop("settings")
            settings["domain_stopwords"] = tuple(settings["domain_stopwords"])
            return cls(settings=TextSettings(**settings), tokens=tokens, **record)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, TokenFileError) as exc:
            logger.warning("ignoring the processed-corpus cache %s (%s); recomputing it", json_path, exc)
            return None


_SERIALISED = ("doc_ids", "unit_doc_ids", "surface_forms", "fingerprint", "theme_ids",
               "indicator_tokens", "indicator_hits", "n_words", "theme_terms")


_CACHED_TOKENS = re.compile(r"processed-([0-9a-f]{64})\.tokens")


def cache_paths(folder: Path, fingerprint: str) -> tuple[Path, Path]:
    return folder / f"processed-{fingerprint}.json", folder / f"processed-{fingerprint}.tokens"


def cache_key_path(folder: str | os.PathLike[str]) -> Path:
    """The key file that signs the processed corpora cached in ``folder``.

    The stage cache's key (``<folder>/../.hkasean-cache-key``) when ``folder`` is one of its
    sub-folders (the run's ``processed/`` and ``processed-units/``: the stage cache makes its key
    before any stage runs), else the folder's own ``<folder>/.hkasean-cache-key``.
    """
    folder = Path(folder)
    parent = folder.parent / CACHE_KEY_NAME
    return parent if os.path.lexists(parent) else folder / CACHE_KEY_NAME


def _cache_secret(folder: Path) -> bytes | None:
    """The key of ``folder``'s processed-corpus cache, or None (with a warning naming the key file) when it cannot be trusted."""
    try:
        return read_key(cache_key_path(folder))
    except OSError as exc:
        logger.warning("processed-corpus cache in %s not used: %s", folder, exc)
        return None


def _label(fingerprint: str) -> bytes:
    """What a JSON's signature binds it to: its fingerprint (a renamed JSON does not verify)."""
    return json.dumps(["processed corpus", fingerprint]).encode()


def _written_by_us(json_path: Path, fingerprint: str, secret: bytes, tokens_fd: int) -> bool:
    """Whether the token file open as ``tokens_fd`` and ``json_path`` are a pair ``save`` wrote under ``secret``."""
    try:
        fd = os.open(json_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "rb") as handle:
            record = verify_record(json.loads(handle.read()), secret, RECORD_MAGIC, _label(fingerprint))
    except Exception:  # noqa: BLE001 - anything unreadable proves nothing: the pair stays
        return False
    return record.get("fingerprint") == fingerprint and record.get("tokens_sha256") == file_sha256(tokens_fd)


def remove_stale_cache(folder: str | os.PathLike[str], keep: str, *, secret: bytes | None = None) -> None:
    """Delete the processed corpora ``save`` wrote to ``folder``, except the one of fingerprint ``keep``
    and any whose token file a run (in any process) still holds.

    Only ``processed-<sha256>.tokens`` files and their JSON are considered, and only a pair the
    suite provably wrote goes: its JSON verifies under the cache's key (``secret``, default
    ``cache_key_path(folder)``) and the token file has the SHA-256 it records. Anything else in the
    folder (a file merely named like a cache entry, an edited token file, a pair signed with
    another key) is left alone. A token file goes only under an exclusive lock (``remove_if_unused``).
    """
    folder = Path(folder)
    stale = [(path, match[1]) for path in folder.glob("processed-*.tokens")
             if (match := _CACHED_TOKENS.fullmatch(path.name)) and match[1] != keep]
    if not stale or (secret is None and (secret := _cache_secret(folder)) is None):
        return
    for tokens_path, fingerprint in stale:
        json_path = tokens_path.with_suffix(".json")
        remove_if_unused(tokens_path, json_path,
                         check=lambda fd, json_path=json_path, fingerprint=fingerprint: _written_by_us(json_path, fingerprint, secret, fd))


def unit_votes(unit_matrix: np.ndarray) -> np.ndarray:
    """n_units x k of 0/1: 1 in the column of each row's single largest value (rows with a tie for it: all 0)."""
    largest = unit_matrix.max(axis=1, keepdims=True)
    at_largest = unit_matrix == largest
    single = at_largest.sum(axis=1, keepdims=True) == 1
    return (at_largest & single).astype(float)

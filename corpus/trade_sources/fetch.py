"""Fetch official trade statistics politely from each source, keeping the provenance of every figure.

``fetch_trade`` asks each source adapter (``SOURCE_MODULES``) for its requests, sends them through the
crawler's polite ``Fetcher`` (rate limit, retries with backoff, 429/Retry-After, timeouts, size limit,
robots.txt, only the source's own host) and parses each raw body with the adapter. Raw bodies are kept
in a ``PageCache`` (by default ``<data home>/trade-cache``): a rerun replays them without a request,
``offline`` replays only, ``refresh`` asks again (an older, different body is kept as a version). A body
the adapter cannot read is never cached as good (it is set aside and retried).

Nothing fails silently: a request that cannot be answered (HTTP error after retries, unreadable body,
not cached when offline, the total deadline reached) becomes a ``FetchFailure``; what was fetched is
kept. The provenance of a figure is the request URL and parameters, the retrieval time (UTC; for a
replayed body, when it was first stored) and the SHA-256 of the raw body.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable
from urllib.parse import urlsplit

import requests

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.decoding import InvalidPage
from hkasean.corpus.crawl.clock import Clock, SystemClock
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.crawl.fetcher import Fetcher
from hkasean.corpus.locations import data_home
from hkasean.corpus.settings import check_number
from hkasean.corpus.trade_sources.records import FetchWindow, ResponseFormatError, SourceRequest, TradeFigure

LOG = logging.getLogger(__name__)

SOURCE_TITLES = {
    "censtatd": "Hong Kong C&SD (Hong Kong-recorded; monthly and annual; imports, domestic exports, re-exports, "
                "total exports; HK$)",
    "comtrade": "UN Comtrade (Hong Kong as reporter, and each ASEAN member's mirror with Hong Kong; US$)",
    "imf": "IMF trade by partner country (successor of DOTS; each ASEAN member's own exports to and imports from "
           "Hong Kong and the World; US$)",
}
"""The sources ``hkasean trade fetch`` knows, in the order they are fetched, with one line on each. Each
is the module ``hkasean.corpus.trade_sources.<name>`` (imported only when used: their clients are heavy)."""
SOURCE_NAMES = tuple(SOURCE_TITLES)
DEFAULT_TOTAL_DEADLINE = 1800.0
"""Seconds a whole fetch may take; requests not started by then are failures."""


def source_module(name: str) -> ModuleType:
    """The adapter module of source ``name`` (one of ``SOURCE_NAMES``)."""
    if name not in SOURCE_NAMES:
        raise ValueError(f"unknown source {name!r}; expected one of {', '.join(SOURCE_NAMES)}")
    return importlib.import_module(f"hkasean.corpus.trade_sources.{name}")


def default_trade_cache_dir() -> Path:
    """Where raw trade responses are cached when no folder is given: ``<data home>/trade-cache``."""
    return data_home() / "trade-cache"


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from: the source, the request, when the body was retrieved, its SHA-256."""

    source: str
    request_url: str
    request_params: str
    retrieved_at: str
    response_sha256: str


@dataclass(frozen=True)
class FetchedFigure:
    """A figure and its provenance."""

    figure: TradeFigure
    provenance: Provenance


@dataclass(frozen=True)
class FetchFailure:
    """A request that brought no figures, and why."""

    source: str
    url: str
    describes: str
    error: str


@dataclass
class FetchOutcome:
    """What a fetch brought: figures with provenance, failed requests, and counts."""

    figures: list[FetchedFigure] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    requests_sent: int = 0
    answered_from_cache: int = 0
    requests_planned: int = 0

    @property
    def complete(self) -> bool:
        """True when every planned request was answered."""
        return not self.failures


def plan_requests(
    sources: tuple[str, ...],
    window: FetchWindow,
    partners: tuple[str, ...],
    base_urls: dict[str, str] | None = None,
    keys: dict[str, str | None] | None = None,
) -> list[SourceRequest]:
    """Every request of ``sources`` for the window and partners (no network).

    ``base_urls`` maps a source to the scheme and host to ask instead of its ``DEFAULT_BASE_URL`` (a
    mirror or a test server); ``keys`` maps a source to its API key, if any.
    """
    planned = []
    for name in sources:
        module = source_module(name)
        base_url = (base_urls or {}).get(name) or module.DEFAULT_BASE_URL
        planned.extend(module.build_requests(base_url.rstrip("/"), window, partners, key=(keys or {}).get(name)))
    return planned


def fetch_trade(
    sources: tuple[str, ...],
    window: FetchWindow,
    partners: tuple[str, ...],
    *,
    cache_dir: str | Path | None = None,
    base_urls: dict[str, str] | None = None,
    keys: dict[str, str | None] | None = None,
    offline: bool = False,
    refresh: bool = False,
    settings: FetchSettings | None = None,
    total_deadline: float = DEFAULT_TOTAL_DEADLINE,
    clock: Clock | None = None,
    session: requests.Session | None = None,
    progress: Callable[[SourceRequest], None] | None = None,
) -> FetchOutcome:
    """Fetch every request of ``sources`` and parse the answers (rules in the module docstring).

    ``offline`` answers from the cache only; ``refresh`` asks the services even for cached bodies;
    ``total_deadline`` (seconds, on ``clock``) bounds the whole fetch; ``progress`` is called before
    each request. Returns a ``FetchOutcome``; raises nothing for a failed request.
    """
    check_number("total_deadline", total_deadline, 1.0, 7 * 86400.0)
    if offline and refresh:
        raise ValueError("offline and refresh exclude each other")
    planned = plan_requests(sources, window, partners, base_urls, keys)
    cache = PageCache(cache_dir if cache_dir is not None else default_trade_cache_dir())
    clock = clock or SystemClock()
    hosts = {(urlsplit(request.url).hostname or "").lower() for request in planned}
    fetcher = Fetcher(hosts, settings=settings, cache=cache, clock=clock, session=session)
    outcome = FetchOutcome(requests_planned=len(planned))
    started = clock.monotonic()
    for request in planned:
        if progress is not None:
            progress(request)
        if clock.monotonic() - started > total_deadline:
            outcome.failures.append(_failure(request, f"not sent: the total deadline of {total_deadline:g} s was reached"))
            continue
        if offline:
            _replay(request, cache, outcome)
        else:
            _fetch_one(request, fetcher, cache, refresh, outcome)
    outcome.requests_sent = fetcher.requests_made
    for result in fetcher.robots_results:
        LOG.debug("robots.txt %s: %s", result.url, result.error or result.status)
    return outcome


def _fetch_one(request: SourceRequest, fetcher: Fetcher, cache: PageCache, refresh: bool, outcome: FetchOutcome) -> None:
    module = source_module(request.source)

    def parse(body: bytes, content_type: str | None) -> list[TradeFigure]:
        try:
            return module.parse_response(request, body, content_type)
        except ResponseFormatError as exc:
            raise InvalidPage(str(exc)) from None

    result = fetcher.fetch(request.url, parse=parse, refresh=refresh, headers=request.headers, remember_missing=False)
    if not result.ok:
        outcome.failures.append(_failure(request, result.error or f"HTTP {result.status}"))
        return
    outcome.answered_from_cache += result.from_cache
    _add_figures(request, result.page, result.body, cache.retrieved_at(request.url) or "", outcome)


def _replay(request: SourceRequest, cache: PageCache, outcome: FetchOutcome) -> None:
    body = cache.get(request.url)
    if body is None:
        outcome.failures.append(_failure(request, "not in the cache (--offline sends no request)"))
        return
    try:
        figures = source_module(request.source).parse_response(request, body, cache.content_type(request.url))
    except ResponseFormatError as exc:
        outcome.failures.append(_failure(request, f"cached body is not readable: {exc}"))
        return
    outcome.answered_from_cache += 1
    _add_figures(request, figures, body, cache.retrieved_at(request.url) or "", outcome)


def _add_figures(request: SourceRequest, figures: list[TradeFigure], body: bytes, retrieved_at: str,
                 outcome: FetchOutcome) -> None:
    provenance = Provenance(
        source=request.source, request_url=request.url,
        request_params=json.dumps(request.params, sort_keys=True, ensure_ascii=False),
        retrieved_at=retrieved_at, response_sha256=hashlib.sha256(body).hexdigest())
    outcome.figures.extend(FetchedFigure(figure, provenance) for figure in figures)
    if not figures:
        LOG.warning("%s answered %s with no figure", request.source, request.url)


def _failure(request: SourceRequest, error: str) -> FetchFailure:
    LOG.debug("%s: %s failed: %s", request.source, request.url, error)
    return FetchFailure(request.source, request.url, request.describes, error)

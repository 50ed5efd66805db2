"""Schedule a crawl of the info.gov.hk press-release archive into the document store.

For each day from ``start`` to ``end`` the crawler reads the daily index
``<base>/gia/general/YYYYMM/DD.htm``, then each listed release that the store does not hold yet,
keeps the releases that pass the ASEAN relevance filter (title and body) and upserts them. Every
fetch is logged in the store's ``crawl_log``; a page that keeps failing is logged and skipped.

Resuming: the store is written one committed document at a time, the raw cache one atomic file at
a time, and a day is marked done only after every release it lists was processed, so a crawl
killed at any point and run again ends with the same documents and no duplicates; the rerun
skips finished days and stored releases and reads the rest from the cache.

Pre-filter (``prefilter``): "none" fetches every listed release (complete, but ~20x the requests);
"title" fetches only releases whose listed title matches the filter, saving ~95% of the requests
but missing releases that mention ASEAN only in the body.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from tqdm import tqdm

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.fetcher import Fetcher, FetchResult, FetchSettings
from hkasean.corpus.crawl.index_page import IndexEntry, parse_daily_index
from hkasean.corpus.crawl.release_page import ReleaseParseError, parse_release, to_document
from hkasean.corpus.errors import InputError
from hkasean.corpus.relevance import RelevanceFilter
from hkasean.corpus.store import DocumentStore, FetchMeta, utc_now

LOG = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.info.gov.hk"
PREFILTERS: tuple[str, ...] = ("none", "title")


@dataclass
class CrawlSettings:
    """Tunable parameters of the crawl schedule (the fetcher has its own ``FetchSettings``)."""

    base_url: str = field(default=DEFAULT_BASE_URL, metadata={"help": "site root; its host is the only one contacted"})
    filter_enabled: bool = field(default=True, metadata={"help": "keep only releases that pass the ASEAN relevance filter"})
    keywords: list[str] | None = field(default=None, metadata={"help": "relevance keywords replacing the default ASEAN vocabulary"})
    prefilter: str = field(default="none", metadata={"help": "'title': fetch only releases whose listed title matches; 'none': fetch all"})
    recent_days: int = field(default=2, metadata={"help": "index pages of the last N days are refetched, not cached, and not marked done"})


@dataclass(frozen=True)
class CrawlSummary:
    """Counts of one crawl run.

    ``days``: days in the range; ``days_skipped``: days finished by an earlier run; ``listed``:
    releases listed on the index pages read; ``fetched``: release pages obtained and parsed
    (network or cache); ``kept``: documents written; ``failed``: index or release pages that
    failed (after retries) or did not parse; ``skipped_cached``: listed releases not fetched
    because the store already holds them; ``requests``: HTTP requests sent.
    """

    days: int
    days_skipped: int
    listed: int
    fetched: int
    kept: int
    failed: int
    skipped_cached: int
    requests: int


def daily_index_url(base_url: str, day: _dt.date) -> str:
    """``<base>/gia/general/YYYYMM/DD.htm`` for ``day``."""
    return f"{base_url.rstrip('/')}/gia/general/{day:%Y%m}/{day:%d}.htm"


def filter_key(settings: CrawlSettings) -> str:
    """A short signature of the selection rules, so days done under other rules are not skipped."""
    if not settings.filter_enabled:
        return "all"
    words = "\x1f".join(sorted(settings.keywords)) if settings.keywords is not None else "<default>"
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]
    return f"keywords={digest};prefilter={settings.prefilter}"


def crawl(
    start: _dt.date,
    end: _dt.date,
    store: DocumentStore,
    cache_dir: str | os.PathLike[str],
    base_url: str = DEFAULT_BASE_URL,
    rate: float = 1.0,
    keywords: Sequence[str] | None = None,
    filter_enabled: bool = True,
    progress: bool = True,
    fetcher: Fetcher | None = None,
    prefilter: str = "none",
    fetch_settings: FetchSettings | None = None,
    today: _dt.date | None = None,
) -> CrawlSummary:
    """Crawl the days ``start``..``end`` (inclusive) into ``store``; returns the counts.

    Without ``fetcher``, one is built for the host of ``base_url`` with ``fetch_settings`` (its
    ``rate`` replaced by ``rate``) and a ``PageCache(cache_dir)``; an injected fetcher brings its
    own cache and ``cache_dir`` is not used. ``today`` (default: the real date) decides which
    days count as recent.
    """
    settings = CrawlSettings(
        base_url=base_url,
        filter_enabled=filter_enabled,
        keywords=None if keywords is None else list(keywords),
        prefilter=prefilter,
    )
    if start > end:
        raise InputError(f"the start date {start} is after the end date {end}", where="--start/--end")
    if prefilter not in PREFILTERS:
        raise InputError(f"unknown prefilter {prefilter!r}; expected one of {', '.join(PREFILTERS)}", where="--prefilter")
    if fetcher is None:
        politeness = replace(fetch_settings or FetchSettings(), rate=rate)
        fetcher = Fetcher({urlsplit(base_url).hostname or ""}, politeness, cache=PageCache(cache_dir))
    run = _CrawlRun(settings, store, fetcher, today or _dt.date.today())
    days = list(_days(start, end))
    for day in tqdm(days, desc="days", unit="day", disable=not progress):
        run.crawl_day(day)
    return CrawlSummary(
        days=len(days),
        days_skipped=run.days_skipped,
        listed=run.listed,
        fetched=run.fetched,
        kept=run.kept,
        failed=run.failed,
        skipped_cached=run.skipped_cached,
        requests=fetcher.requests_made - run.requests_before,
    )


class _CrawlRun:
    """The state of one crawl: the collaborators and the running counts."""

    def __init__(self, settings: CrawlSettings, store: DocumentStore, fetcher: Fetcher, today: _dt.date) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher
        self.today = today
        self.relevance = RelevanceFilter(settings.keywords) if settings.filter_enabled else None
        self.filter_key = filter_key(settings)
        self.requests_before = fetcher.requests_made
        self.days_skipped = self.listed = self.fetched = self.kept = self.failed = self.skipped_cached = 0

    def crawl_day(self, day: _dt.date) -> None:
        """Process one day; mark it done when nothing failed and the day is not recent."""
        if self.store.day_done(day, self.filter_key):
            self.days_skipped += 1
            return
        recent = day >= self.today - _dt.timedelta(days=self.settings.recent_days)
        url = daily_index_url(self.settings.base_url, day)
        result = self._fetch(url, "index", use_cache=not recent)
        if result.status == 404:
            entries: list[IndexEntry] = []  # no index page: no releases that day
        elif not result.ok or result.body is None:
            self.failed += 1
            return
        else:
            entries = parse_daily_index(result.body, url)
        self.listed += len(entries)
        failures_before = self.failed
        for entry in entries:
            self._crawl_release(entry)
        if self.failed == failures_before and not recent:
            self.store.mark_day_done(day, self.filter_key, len(entries))

    def _crawl_release(self, entry: IndexEntry) -> None:
        if entry.id in self.store:
            self.skipped_cached += 1
            return
        if self.relevance is not None and self.settings.prefilter == "title" and not self.relevance.matches(entry.title):
            return
        result = self._fetch(entry.url, "release")
        if not result.ok or result.body is None:
            self.failed += 1
            return
        try:
            release = parse_release(result.body, entry.url)
        except ReleaseParseError as exc:
            LOG.warning("%s", exc)
            self.store.log_fetch(entry.url, "release", result.status, result.attempts, f"parse error: {exc}", result.from_cache)
            self.failed += 1
            return
        self.fetched += 1
        if self.relevance is not None and not self.relevance.matches(release.title, release.text):
            return
        meta = FetchMeta(fetch_url=result.final_url or entry.url, http_status=result.status, fetched_at=utc_now())
        self.store.upsert(to_document(release), meta)
        self.kept += 1

    def _fetch(self, url: str, kind: str, use_cache: bool = True) -> FetchResult:
        result = self.fetcher.fetch(url, use_cache=use_cache)
        for robots in self.fetcher.robots_results:
            self.store.log_fetch(robots.url, "robots", robots.status, robots.attempts, robots.error)
        self.fetcher.robots_results.clear()
        # a missing day index is an empty day, not a failure
        error = None if (kind == "index" and result.status == 404) else result.error
        self.store.log_fetch(url, kind, result.status, result.attempts, error, result.from_cache)
        return result


def _days(start: _dt.date, end: _dt.date) -> Iterator[_dt.date]:
    day = start
    while day <= end:
        yield day
        day += _dt.timedelta(days=1)

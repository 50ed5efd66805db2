"""Schedule a crawl of the info.gov.hk press-release archive into the document store.

For each day from ``start`` to ``end`` the crawler reads the daily index
``<base>/gia/general/YYYYMM/DD.htm``, cross-checks it with the day's ``select_en.htm`` when the site
has one, then fetches each listed release that the store does not hold yet, keeps the releases
that pass the ASEAN relevance filter (title and body) and upserts them. Every index and release
fetch is logged in the store's ``crawl_log``; a page that keeps failing is logged and skipped, and
no single page (unparseable, undecodable, oversize...) stops the crawl.

Pages are validated by their parser before they are cached (see ``fetcher``): an HTTP-200 error
page is retried with backoff, then recorded as a failure, and asked for again on the next run.
A day whose index lists no release is *suspect*, not done: it is recorded (``crawl_day_checks``)
and looked at again on the next run; ``markup_alarm_days`` suspect days in a row log an error
that the site's markup may have changed.

Resuming: the store is written one committed document at a time, the raw cache one atomic file at
a time, and a day is marked done only after every release it lists was processed, so a crawl
killed at any point and run again ends with the same documents and no duplicates; the rerun
skips finished days and stored releases and reads the rest from the cache.

Replaced releases: ``refetch`` asks the site again for every listed release (finished days and
stored releases included); a page whose raw bytes differ from the stored version's is counted as
replaced and logged, the store keeps both raw hashes and the cache both bodies.

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
from typing import Callable, Iterator, Sequence, TypeVar
from urllib.parse import urlsplit

from tqdm import tqdm

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.decoding import InvalidPage, decode_html
from hkasean.corpus.crawl.fetch_result import FetchResult, Parser
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.crawl.fetcher import Fetcher
from hkasean.corpus.crawl.index_page import IndexEntry, parse_daily_index, parse_day_select
from hkasean.corpus.crawl.release_page import ParsedRelease, parse_release, to_document
from hkasean.corpus.errors import InputError
from hkasean.corpus.crawl_log import utc_now
from hkasean.corpus.relevance import RelevanceFilter
from hkasean.corpus.settings import check_settings
from hkasean.corpus.store import DocumentStore, FetchMeta

LOG = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.info.gov.hk"
PREFILTERS: tuple[str, ...] = ("none", "title")
MARKUP_ALARM_DAYS = 7
"""Consecutive days without a release after which the crawl warns that the markup may have changed."""

T = TypeVar("T")


@dataclass
class CrawlSettings:
    """Tunable parameters of the crawl schedule (the fetcher has its own ``FetchSettings``)."""

    base_url: str = field(default=DEFAULT_BASE_URL, metadata={"help": "site root; its host is the only one contacted"})
    filter_enabled: bool = field(default=True, metadata={"help": "keep only releases that pass the ASEAN relevance filter"})
    keywords: list[str] | None = field(default=None, metadata={"help": "relevance keywords replacing the default ASEAN vocabulary"})
    prefilter: str = field(default="none", metadata={"help": "'title': fetch only releases whose listed title matches; 'none': fetch all"})
    recent_days: int = field(default=2, metadata={"help": "index pages of the last N days are refetched, not cached, and not marked done", "at_least": 0, "at_most": 366, "integer": True})
    refetch: bool = field(default=False, metadata={"help": "ask the site again for finished days and stored releases, to find replaced releases"})
    markup_alarm_days: int = field(default=MARKUP_ALARM_DAYS, metadata={"help": "consecutive days without a release that raise the markup alarm", "at_least": 1, "at_most": 366, "integer": True})

    def __post_init__(self) -> None:
        check_settings(self)  # the validator of every settings section (corpus.settings)


@dataclass(frozen=True)
class CrawlSummary:
    """Counts of one crawl run.

    ``days``: days in the range; ``days_skipped``: days finished by an earlier run; ``listed``:
    releases listed on the index pages read; ``fetched``: release pages obtained and parsed
    (network or cache); ``kept``: documents written; ``failed``: index or release pages that
    failed (after retries) or were not valid; ``skipped_cached``: listed releases not fetched
    because the store already holds them; ``requests``: HTTP requests sent; ``suspect_days``: days
    whose index listed no release; ``select_mismatches``: days whose index and ``select_en.htm``
    disagree; ``replaced``: stored releases found with another raw page on the site.
    """

    days: int
    days_skipped: int
    listed: int
    fetched: int
    kept: int
    failed: int
    skipped_cached: int
    requests: int
    suspect_days: int = 0
    select_mismatches: int = 0
    replaced: int = 0


def daily_index_url(base_url: str, day: _dt.date) -> str:
    """``<base>/gia/general/YYYYMM/DD.htm`` for ``day``."""
    return f"{base_url.rstrip('/')}/gia/general/{day:%Y%m}/{day:%d}.htm"


def day_select_url(base_url: str, day: _dt.date) -> str:
    """``<base>/gia/general/YYYYMM/DD/select_en.htm``: the day's release select (referenced by every release page)."""
    return f"{base_url.rstrip('/')}/gia/general/{day:%Y%m}/{day:%d}/select_en.htm"


def markup_alarm(suspect_days: Sequence[str], threshold: int = MARKUP_ALARM_DAYS) -> str | None:
    """The warning to give when ``threshold`` or more consecutive days (ISO dates) are suspect, else None."""
    days = sorted(_dt.date.fromisoformat(day) for day in suspect_days)
    best: tuple[int, _dt.date, _dt.date] | None = None
    run_start = days[0] if days else _dt.date.min
    for i, day in enumerate(days):
        if i == 0 or day - days[i - 1] != _dt.timedelta(days=1):
            run_start = day
        length = (day - run_start).days + 1
        if best is None or length > best[0]:
            best = (length, run_start, day)
    if best is None or best[0] < threshold:
        return None
    return (f"{best[0]} consecutive days ({best[1]} to {best[2]}) yielded no release: the site's markup may have "
            "changed; open one of those index pages in a browser and check the parser (STRUCTURE.md section 2)")


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
    refetch: bool = False,
    markup_alarm_days: int = MARKUP_ALARM_DAYS,
) -> CrawlSummary:
    """Crawl the days ``start``..``end`` (inclusive) into ``store``; returns the counts.

    Without ``fetcher``, one is built for the host of ``base_url`` with ``fetch_settings`` (its
    ``rate`` replaced by ``rate``) and a ``PageCache(cache_dir)``; an injected fetcher brings its
    own cache and ``cache_dir`` is not used. ``today`` (default: the real date) decides which
    days count as recent. ``refetch`` and ``markup_alarm_days``: see ``CrawlSettings``.
    """
    settings = CrawlSettings(
        base_url=base_url,
        filter_enabled=filter_enabled,
        keywords=None if keywords is None else list(keywords),
        prefilter=prefilter,
        refetch=refetch,
        markup_alarm_days=markup_alarm_days,
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
        suspect_days=run.suspect_days,
        select_mismatches=run.select_mismatches,
        replaced=run.replaced,
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
        self.suspect_days = self.select_mismatches = self.replaced = 0
        self.empty_streak = 0

    def crawl_day(self, day: _dt.date) -> None:
        """Process one day; mark it done when it listed releases, nothing failed and it is not recent."""
        if not self.settings.refetch and self.store.day_done(day, self.filter_key):
            self.days_skipped += 1
            return
        recent = day >= self.today - _dt.timedelta(days=self.settings.recent_days)
        url = daily_index_url(self.settings.base_url, day)
        result = self._fetch(url, "index", _parser(parse_daily_index, url), use_cache=not recent,
                             remember_missing=False, is_final=bool)  # an index listing nothing is asked for again
        if result.status == 404:
            entries: list[IndexEntry] = []  # no index page: a suspect day
        elif not result.ok:
            self.failed += 1
            return
        else:
            entries = result.page
        self.listed += len(entries)
        self._check_day(day, entries, recent, "no index page (HTTP 404)" if result.status == 404 else "")
        failures_before = self.failed
        for entry in entries:
            self._crawl_release(entry)
        if entries and self.failed == failures_before and not recent:
            self.store.mark_day_done(day, self.filter_key, len(entries))

    def _check_day(self, day: _dt.date, entries: list[IndexEntry], recent: bool, why_empty: str) -> None:
        """Cross-check the index with ``select_en.htm``, record the day's check, watch for empty days."""
        url = day_select_url(self.settings.base_url, day)
        result = self.fetcher.fetch(url, use_cache=not recent, parse=_parser(parse_day_select, url),
                                    refresh=self.settings.refetch)
        self._log_robots()
        listed = [entry.id for entry in entries]
        details = [f"index lists {len(listed)}"]
        select_listed, differs = None, False
        if result.ok:
            select_listed = len(result.page)
            details.append(f"select_en.htm lists {select_listed}")
            only_select = [rid for rid in result.page if rid not in listed]
            only_index = [rid for rid in listed if rid not in result.page]
            differs = bool(only_select or only_index)
            if only_select:
                details.append(f"only in select_en.htm: {', '.join(only_select)}")
            if only_index:
                details.append(f"only in the index: {', '.join(only_index)}")
        elif result.status != 404:
            details.append(f"select_en.htm not checked ({result.error})")
        if why_empty:
            details.append(why_empty)
        detail = "; ".join(details)
        self.store.record_day_check(day, len(listed), select_listed, differs, detail)
        if differs:
            self.select_mismatches += 1
            LOG.warning("%s: the index and %s disagree: %s", day, url, detail)
        if listed:
            self.empty_streak = 0
            return
        self.suspect_days += 1
        self.empty_streak += 1
        LOG.warning("%s: no release found (%s); the day is suspect and will be looked at again on the next run",
                    daily_index_url(self.settings.base_url, day), detail)
        if self.empty_streak == self.settings.markup_alarm_days:
            first = day - _dt.timedelta(days=self.empty_streak - 1)
            LOG.error("%s", markup_alarm([(first + _dt.timedelta(days=n)).isoformat() for n in range(self.empty_streak)],
                                         self.settings.markup_alarm_days))

    def _crawl_release(self, entry: IndexEntry) -> None:
        if not self.settings.refetch and entry.id in self.store:
            self.skipped_cached += 1
            return
        if self.relevance is not None and self.settings.prefilter == "title" and not self.relevance.matches(entry.title):
            return
        result = self._fetch(entry.url, "release", _parser(parse_release, entry.url))
        if not result.ok or result.body is None:
            self.failed += 1
            return
        release: ParsedRelease = result.page
        self.fetched += 1
        if self.relevance is not None and not self.relevance.matches(release.title, release.text):
            return
        raw_hash = hashlib.sha256(result.body).hexdigest()
        previous = self.store.raw_hash(entry.id)
        if previous is not None and previous != raw_hash:
            self.replaced += 1
            LOG.warning("%s: release %s was replaced on the site (raw page %s… now %s…); both versions are kept",
                        entry.url, entry.id, previous[:12], raw_hash[:12])
        meta = FetchMeta(fetch_url=result.final_url or entry.url, http_status=result.status, fetched_at=utc_now(),
                         raw_hash=raw_hash)
        self.store.upsert(to_document(release), meta)
        self.kept += 1

    def _fetch(self, url: str, kind: str, parse: Parser, use_cache: bool = True, remember_missing: bool = True,
               is_final: Callable[[object], bool] | None = None) -> FetchResult:
        result = self.fetcher.fetch(url, use_cache=use_cache, parse=parse, remember_missing=remember_missing,
                                    refresh=self.settings.refetch, is_final=is_final)
        self._log_robots()
        # a missing day index is a suspect day (recorded with the day's check), not a failed fetch
        error = None if (kind == "index" and result.status == 404) else result.error
        self.store.log_fetch(url, kind, result.status, result.attempts, error, result.from_cache)
        return result

    def _log_robots(self) -> None:
        for robots in self.fetcher.robots_results:
            self.store.log_fetch(robots.url, "robots", robots.status, robots.attempts, robots.error)
        self.fetcher.robots_results.clear()


def _parser(parse: Callable[[str, str], T], url: str) -> Parser:
    """A fetcher ``Parser`` for ``url``: decode by the declared charset, then ``parse``; any error
    on the way becomes ``InvalidPage`` (one odd page must never stop the crawl)."""
    def run(body: bytes, content_type: str | None) -> T:
        text = decode_html(body, content_type)
        try:
            return parse(text, url)
        except InvalidPage:
            raise
        except Exception as exc:  # noqa: BLE001 - a parser bug on one page is that page's failure
            raise InvalidPage(f"cannot parse {url} ({type(exc).__name__}: {exc})") from exc
    return run


def _days(start: _dt.date, end: _dt.date) -> Iterator[_dt.date]:
    day = start
    while day <= end:
        yield day
        day += _dt.timedelta(days=1)

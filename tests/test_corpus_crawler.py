"""Fetcher and crawler against a local stand-in of www.info.gov.hk, with injected faults.

All requests go to 127.0.0.1; the fake clock makes backoff and rate-limit sleeps instant and
recorded, so nothing here measures wall-clock time.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.crawler import CrawlSettings, crawl, daily_index_url, filter_key
from hkasean.corpus.crawl.fetch_settings import USER_AGENT
from hkasean.corpus.crawl.rate_limit import RateLimiter
from hkasean.corpus.crawl.retry import parse_retry_after
from hkasean.corpus.errors import InputError
from hkasean.corpus.store import DocumentStore
from infogovhk_site import FakeClock, LocalSite, local_fetcher, redirect, slow, status, truncated

REPO = Path(__file__).resolve().parents[1]
START, END = dt.date(2019, 12, 31), dt.date(2020, 1, 7)
ASEAN_IDS = ["P2019123100801", "P2019123100802", "P2020010600902", "P2020010600903"]
ALL_IDS = sorted(ASEAN_IDS + [
    "P2019123100667", "P2019123100709", "P2019123100711", "P2020010600511", "P2020010600666",
    "P2020010700549", "P2020010700560", "P2020010700901", "P2020010600950",
])
RELEASE = "/gia/general/201912/31/P2019123100801.htm"
DEFAULT_FILTER = filter_key(CrawlSettings())


def run_crawl(site: LocalSite, tmp_path: Path, db: str = "store.sqlite", cache: str = "cache", **options):
    with DocumentStore(tmp_path / db) as store:
        summary = crawl(START, END, store, tmp_path / cache, base_url=site.base_url, rate=200.0, progress=False, **options)
        documents = {document.id: document for document in store.iter_documents()}
        failures = store.crawl_failures()
    return summary, documents, failures


def snapshot(db: Path) -> tuple[list[tuple], list[tuple]]:
    """The comparable content of a store: documents without fetch times, and the days done."""
    with DocumentStore(db) as store:
        documents = [
            row for row in store._conn.execute(
                "SELECT id, url, date, title, text, source, doc_type, speaker, lang, extra, content_hash, fetch_url, "
                "http_status, revision FROM documents ORDER BY id")
        ]
        days = list(store._conn.execute("SELECT day, filter_key, listed FROM crawl_days ORDER BY day"))
    return documents, days


# -- fetcher -----------------------------------------------------------------------------------

def test_rate_limiter_spaces_requests_on_the_clock():
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock)
    starts = []
    for work in (0.0, 0.1, 0.3, 0.0):
        limiter.wait()
        starts.append(clock.now)
        clock.now += work  # time spent on the request itself
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps == pytest.approx([0.25, 0.25, 0.3])
    assert clock.sleeps == pytest.approx([0.25, 0.15])


def test_fetcher_requests_are_spaced_by_the_rate(site, tmp_path):
    clock = FakeClock()
    fetcher = local_fetcher(tmp_path, clock, rate=2.0)
    for day in ("31", "06", "07"):
        assert fetcher.fetch(f"{site.base_url}/gia/general/{'201912' if day == '31' else '202001'}/{day}.htm").ok
    assert site.paths_requested()[0] == "/robots.txt"
    assert fetcher.requests_made == 4
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5])


def test_user_agent_and_cache(site, tmp_path):
    fetcher = local_fetcher(tmp_path)
    first = fetcher.fetch(site.base_url + RELEASE)
    second = fetcher.fetch(site.base_url + RELEASE)
    assert first.ok and not first.from_cache and second.from_cache and first.body == second.body
    assert site.paths_requested() == ["/robots.txt", RELEASE]
    assert {request.user_agent for request in site.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("hkasean/") and "research crawler" in USER_AGENT
    cached = PageCache(tmp_path / "cache").path_for(site.base_url + RELEASE)
    assert cached.parts[-6:] == (f"127.0.0.1_{site.port}", "gia", "general", "201912", "31", "P2019123100801.htm")
    assert cached.read_bytes() == site.pages[RELEASE]


def test_500_then_200_is_retried_with_backoff(site, tmp_path):
    clock = FakeClock()
    site.add_faults(RELEASE, status(500), status(503))
    result = local_fetcher(tmp_path, clock, rate=1000.0, backoff_base=2.0, backoff_jitter=0.25).fetch(site.base_url + RELEASE)
    assert result.ok and result.attempts == 3
    backoffs = [s for s in clock.sleeps if s > 0.01]
    assert 2.0 <= backoffs[0] <= 2.5 and 4.0 <= backoffs[1] <= 5.0


def test_backoff_jitter_is_seeded(site, tmp_path):
    sleeps = []
    for run in range(2):
        clock = FakeClock()
        site.add_faults(RELEASE, status(500), status(500))
        local_fetcher(tmp_path / str(run), clock, rate=1000.0).fetch(site.base_url + RELEASE)
        sleeps.append([s for s in clock.sleeps if s > 0.01])
    assert sleeps[0] == sleeps[1] and len(sleeps[0]) == 2


def test_persistent_5xx_gives_up_and_is_not_cached(site, tmp_path):
    site.add_faults(RELEASE, *[status(500)] * 4)
    fetcher = local_fetcher(tmp_path, max_retries=3)
    result = fetcher.fetch(site.base_url + RELEASE)
    assert not result.ok and result.status == 500 and result.attempts == 4 and result.error == "HTTP 500"
    assert fetcher.cache.get(site.base_url + RELEASE) is None
    assert fetcher.fetch(site.base_url + RELEASE).ok  # next time the server is fine


def test_429_honours_retry_after(site, tmp_path):
    clock = FakeClock()
    site.add_faults(RELEASE, status(429, {"Retry-After": "7"}))
    result = local_fetcher(tmp_path, clock, rate=1000.0).fetch(site.base_url + RELEASE)
    assert result.ok and result.attempts == 2
    assert 7.0 in clock.sleeps


def test_retry_after_is_capped(site, tmp_path):
    clock = FakeClock()
    site.add_faults(RELEASE, status(429, {"Retry-After": "86400"}))
    assert local_fetcher(tmp_path, clock, rate=1000.0, retry_after_cap=30.0).fetch(site.base_url + RELEASE).ok
    assert max(clock.sleeps) == 30.0


def test_parse_retry_after():
    now = dt.datetime(2024, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None


def test_slow_response_times_out_and_is_retried(site, tmp_path):
    site.add_faults(RELEASE, slow(2.0))
    result = local_fetcher(tmp_path, timeout=0.3).fetch(site.base_url + RELEASE)
    assert result.ok and result.attempts == 2


def test_truncated_body_is_retried_and_never_cached(site, tmp_path):
    site.add_faults(RELEASE, truncated)
    assert local_fetcher(tmp_path).fetch(site.base_url + RELEASE).attempts == 2
    site.add_faults(RELEASE, *[truncated] * 4)
    fetcher = local_fetcher(tmp_path / "other")
    result = fetcher.fetch(site.base_url + RELEASE)
    assert not result.ok and result.attempts == 4 and result.status == 0 and result.error
    assert fetcher.cache.get(site.base_url + RELEASE) is None


def test_redirect_to_another_host_is_refused(site, tmp_path):
    target = f"http://localhost:{site.port}/gia/general/202001/07/P2020010700549.htm"
    site.add_faults(RELEASE, redirect(target))
    result = local_fetcher(tmp_path).fetch(site.base_url + RELEASE)
    assert not result.ok and result.status == 302 and "refused" in result.error and "localhost" in result.error
    assert "/gia/general/202001/07/P2020010700549.htm" not in site.paths_requested()


def test_redirect_on_the_same_host_is_followed(site, tmp_path):
    site.add_faults(RELEASE, redirect("/gia/general/202001/07/P2020010700549.htm"))
    result = local_fetcher(tmp_path).fetch(site.base_url + RELEASE)
    assert result.ok and result.final_url.endswith("P2020010700549.htm")


def test_hosts_off_the_allow_list_are_never_contacted(site, tmp_path):
    result = local_fetcher(tmp_path).fetch("https://www.example.org/x.htm")
    assert not result.ok and "not in the allowed hosts" in result.error
    assert site.requests == []


def test_robots_disallow_is_honoured_and_fetched_once(site, tmp_path):
    site.robots = b"User-agent: *\nDisallow: /gia/general/202001/07/\n"
    fetcher = local_fetcher(tmp_path)
    blocked = fetcher.fetch(site.base_url + "/gia/general/202001/07/P2020010700549.htm")
    assert not blocked.ok and blocked.error == "disallowed by robots.txt"
    assert fetcher.fetch(site.base_url + RELEASE).ok
    assert site.paths_requested() == ["/robots.txt", RELEASE]


def test_robots_5xx_disallows_everything(site, tmp_path):
    site.robots, site.robots_status = b"oops", 503
    result = local_fetcher(tmp_path, max_retries=1).fetch(site.base_url + RELEASE)
    assert not result.ok and result.error == "disallowed by robots.txt"
    assert RELEASE not in site.paths_requested()


def test_robots_crawl_delay_slows_the_fetcher(site, tmp_path):
    site.robots = b"User-agent: *\nCrawl-delay: 3\n"
    clock = FakeClock()
    fetcher = local_fetcher(tmp_path, clock, rate=100.0)
    fetcher.fetch(site.base_url + RELEASE)
    assert fetcher.limiter.interval == 3.0 and clock.sleeps[-1] == pytest.approx(3.0)


# -- crawler -----------------------------------------------------------------------------------

def test_crawl_keeps_the_asean_releases_correctly_parsed(site, tmp_path):
    summary, documents, failures = run_crawl(site, tmp_path)
    assert sorted(documents) == ASEAN_IDS
    assert (summary.days, summary.listed, summary.fetched, summary.kept, summary.failed) == (8, 13, 13, 4, 0)
    speech = documents["P2020010600903"]
    assert (speech.date, speech.doc_type, speech.speaker, speech.source) == ("2020-01-06", "speech", "SCED", "info.gov.hk")
    assert speech.url == f"{site.base_url}/gia/general/202001/06/P2020010600903.htm"
    assert documents["P2019123100801"].extra["english_only"] is True
    assert failures == []
    requested = site.paths_requested()
    assert "/gia/general/202001/02/P2020010200831.htm" not in requested  # never harvested from outside the list
    assert "/gia/general/202001/06/P2020010600666.htm" in requested
    assert requested.count("/gia/general/202001/07/P2020010700549.htm") == 1  # listed twice, fetched once


def test_no_filter_and_custom_keywords(site, tmp_path):
    _, everything, _ = run_crawl(site, tmp_path, db="all.sqlite", filter_enabled=False)
    assert sorted(everything) == ALL_IDS
    assert everything["P2020010600950"].date == "2020-01-07"  # folder date, not ID date
    _, health, _ = run_crawl(site, tmp_path, db="health.sqlite", keywords=["MERS"])
    assert sorted(health) == ["P2019123100709", "P2020010600666", "P2020010700901"]


def test_title_prefilter_saves_requests_but_misses_body_only_mentions(site, tmp_path):
    summary, documents, _ = run_crawl(site, tmp_path, prefilter="title")
    assert sorted(documents) == ["P2019123100801", "P2019123100802", "P2020010600903"]  # RCEP only in the body
    assert summary.fetched == 3 and summary.requests == 1 + 8 + 8 + 3  # robots, index and select_en.htm per day, releases


SUSPECT_INDEXES = {f"/gia/general/202001/0{day}.htm" for day in range(1, 6)}  # empty or missing: asked again


def test_warm_cache_makes_zero_requests(site, tmp_path):
    first, documents, _ = run_crawl(site, tmp_path, db="first.sqlite")
    before = len(site.requests)
    again, documents_again, _ = run_crawl(site, tmp_path, db="second.sqlite")
    assert set(site.paths_requested()[before:]) == {"/robots.txt"} | SUSPECT_INDEXES  # nothing for days with releases
    assert again.requests == 6
    assert documents_again == documents and again.kept == first.kept


def test_rerun_on_the_same_store_skips_finished_days(site, tmp_path):
    run_crawl(site, tmp_path)
    before = len(site.requests)
    summary, documents, _ = run_crawl(site, tmp_path, cache="empty-cache")
    assert summary.days_skipped == 3 and sorted(documents) == ASEAN_IDS
    assert SUSPECT_INDEXES <= set(site.paths_requested()[before:])  # suspect days are looked at again
    assert not [p for p in site.paths_requested()[before:] if p.startswith(("/gia/general/201912/31", "/gia/general/202001/06",
                                                                          "/gia/general/202001/07"))]


def test_empty_and_missing_days(site, tmp_path):
    with DocumentStore(tmp_path / "store.sqlite") as store:
        summary = crawl(dt.date(2020, 1, 1), dt.date(2020, 1, 3), store, tmp_path / "cache", base_url=site.base_url,
                        rate=200.0, progress=False)
        log = dict(store._conn.execute("SELECT url, status FROM crawl_log WHERE kind = 'index'"))
        assert not any(store.day_done(dt.date(2020, 1, d), DEFAULT_FILTER) for d in (1, 2, 3))  # suspect, not done
        assert [row["day"] for row in store.suspect_days()] == ["2020-01-01", "2020-01-02", "2020-01-03"]
        assert store.crawl_failures() == []
    assert (summary.days, summary.listed, summary.failed, summary.suspect_days) == (3, 0, 0, 3)
    assert log[daily_index_url(site.base_url, dt.date(2020, 1, 2))] == 404
    assert not PageCache(tmp_path / "cache").is_known_missing(daily_index_url(site.base_url, dt.date(2020, 1, 2)))


def test_failing_pages_are_logged_and_the_crawl_goes_on(site, tmp_path):
    failing = "/gia/general/202001/06/P2020010600903.htm"
    site.add_faults(failing, *[status(500)] * 2)
    site.add_faults("/gia/general/202001/07.htm", *[status(502)] * 2)
    with DocumentStore(tmp_path / "store.sqlite") as store:
        summary = crawl(START, END, store, tmp_path / "cache", base_url=site.base_url, progress=False,
                        fetcher=local_fetcher(tmp_path, max_retries=1))
        failures = {f["url"]: f for f in store.crawl_failures()}
        assert store.day_done(dt.date(2019, 12, 31), DEFAULT_FILTER)
        assert not store.day_done(dt.date(2020, 1, 6), DEFAULT_FILTER) and len(store) == 3
    assert summary.failed == 2 and summary.kept == 3
    assert failures[site.base_url + failing]["error"] == "HTTP 500" and failures[site.base_url + failing]["attempts"] == 2
    assert failures[site.base_url + "/gia/general/202001/07.htm"]["kind"] == "index"
    summary, documents, failures = run_crawl(site, tmp_path)  # the server recovered: a rerun completes the store
    assert sorted(documents) == ASEAN_IDS and failures == [] and summary.failed == 0


def test_robots_disallow_in_a_crawl(site, tmp_path):
    site.robots = b"User-agent: *\nDisallow: /gia/general/201912/31/\n"
    summary, documents, failures = run_crawl(site, tmp_path)
    assert sorted(documents) == ["P2020010600902", "P2020010600903"]
    assert summary.failed == 5 and {f["error"] for f in failures} == {"disallowed by robots.txt"}
    assert not [p for p in site.paths_requested() if p.startswith("/gia/general/201912/31/")]


def test_bad_dates_are_input_errors(tmp_path):
    with DocumentStore(tmp_path / "store.sqlite") as store, pytest.raises(InputError, match="after the end"):
        crawl(END, START, store, tmp_path / "cache", progress=False)


# -- resuming after SIGKILL --------------------------------------------------------------------

CRAWLER = """
import datetime as dt, sys
from hkasean.corpus.crawl.crawler import crawl
from hkasean.corpus.store import DocumentStore
with DocumentStore(sys.argv[1]) as store:
    crawl(dt.date(2019, 12, 31), dt.date(2020, 1, 7), store, sys.argv[2], base_url=sys.argv[3], rate=float(sys.argv[4]),
          filter_enabled=False, progress=False)
"""


def crawl_killed_then_resumed(site: LocalSite, tmp_path: Path, kill_after_requests: int) -> Path:
    db, cache = tmp_path / "killed.sqlite", tmp_path / "killed-cache"
    start_count = len(site.requests)
    process = subprocess.Popen([sys.executable, "-c", CRAWLER, str(db), str(cache), site.base_url, "25"],
                               cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        while len(site.requests) - start_count < kill_after_requests and process.poll() is None:
            assert time.monotonic() < deadline, "the crawler subprocess made no progress"
            time.sleep(0.005)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the crawl finished before it could be killed"
    with DocumentStore(db) as store:
        assert len(store) < len(ALL_IDS)  # killed mid-way
    with DocumentStore(db) as store:  # resume in this process
        crawl(START, END, store, cache, base_url=site.base_url, rate=200.0, filter_enabled=False, progress=False)
    return db


@pytest.fixture()
def uninterrupted(site, tmp_path):
    run_crawl(site, tmp_path, db="reference.sqlite", cache="reference-cache", filter_enabled=False)
    return snapshot(tmp_path / "reference.sqlite")


def test_resume_after_sigkill_gives_the_same_store(site, tmp_path, uninterrupted):
    db = crawl_killed_then_resumed(site, tmp_path, kill_after_requests=12)
    assert snapshot(db) == uninterrupted
    assert len(uninterrupted[0]) == len(ALL_IDS) and len(uninterrupted[1]) == 3  # the days that list releases


@pytest.mark.slow
def test_resume_after_sigkill_at_many_points(site, tmp_path, uninterrupted):
    rng = random.Random(20240501)
    for trial in range(6):
        trial_dir = tmp_path / f"trial{trial}"
        trial_dir.mkdir()
        db = crawl_killed_then_resumed(site, trial_dir, kill_after_requests=rng.randint(1, 20))
        assert snapshot(db) == uninterrupted, f"kill point of trial {trial}"


# -- random network faults ------------------------------------------------------------------------

def test_random_network_faults_lose_and_duplicate_nothing(site, tmp_path, uninterrupted):
    """Seeded random faults on every page (5xx, 429, truncation); reruns until clean = the fault-free store."""
    rng = random.Random(7)
    faults = [status(500), status(503), status(429, {"Retry-After": "1"}), truncated]
    for path in sorted(site.pages):
        if path != "/robots.txt":
            site.add_faults(path, *[rng.choice(faults) for _ in range(rng.randint(0, 3))])
    db, cache = tmp_path / "faulty.sqlite", tmp_path / "faulty-cache"
    failed_per_run = []
    for _ in range(4):  # each run retries twice per page, so at most 3 faults per page clear within 2 runs
        with DocumentStore(db) as store:
            summary = crawl(START, END, store, cache, base_url=site.base_url, progress=False, filter_enabled=False,
                            fetcher=local_fetcher(tmp_path, max_retries=1))
        failed_per_run.append(summary.failed)
        if summary.failed == 0:
            break
    assert failed_per_run[0] > 0, "the injected faults should make the first run fail somewhere"
    assert failed_per_run[-1] == 0
    assert snapshot(db) == uninterrupted

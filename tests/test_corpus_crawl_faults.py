"""Issue #11 "Nothing lost": the crawler against the faults a real site shows (local server only).

Drip-fed and oversize bodies, redirects to another port, HTTP-200 error pages, unreadable footer
dates, windows-1252 and GB2312 pages, index pages without ``div.leftBody``, empty (suspect) days,
the per-day ``select_en.htm`` cross-check and releases replaced after publication. The last test
crawls through all of them at once, rerunning until only the pages that must be refused fail.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from pathlib import Path

import pytest

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.crawler import crawl, daily_index_url, markup_alarm
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.crawl.fetcher import Fetcher
from hkasean.corpus.store import DocumentStore
from hkasean.scripts.cli import main
from infogovhk_site import FakeClock, LocalSite, RunningClock, drip, local_fetcher, oversize, page, redirect, send, site_pages

START, END = dt.date(2019, 12, 31), dt.date(2020, 1, 7)
RELEASE = "/gia/general/201912/31/P2019123100801.htm"
SOURCE = site_pages()["/gia/general/202001/09/P2020010900455.htm"]  # a plain real CHP release
BUSY = b"<html><head><title>Service busy</title></head><body>Service busy, please try later</body></html>"
ALL_IDS = sorted([
    "P2019123100801", "P2019123100802", "P2020010600902", "P2020010600903", "P2019123100667", "P2019123100709",
    "P2019123100711", "P2020010600511", "P2020010600666", "P2020010700549", "P2020010700560", "P2020010700901",
    "P2020010600950",
])


def make_fetcher(site: LocalSite, tmp_path: Path, clock: FakeClock | None = None, **settings) -> Fetcher:
    """A fast fetcher that gives up after one retry (the fault tests count attempts)."""
    return local_fetcher(tmp_path, clock, **{"rate": 1000.0, "max_retries": 1, **settings})


def crawl_into(site: LocalSite, tmp_path: Path, db: str = "store.sqlite", start: dt.date = START, end: dt.date = END,
               **options):
    """One crawl with no relevance filter; returns the summary, the documents and the failures by URL."""
    fetcher = options.pop("fetcher", None) or make_fetcher(site, tmp_path)
    with DocumentStore(tmp_path / db) as store:
        summary = crawl(start, end, store, tmp_path / "cache", base_url=site.base_url, progress=False,
                        filter_enabled=False, fetcher=fetcher, **options)
        documents = {document.id: document for document in store.iter_documents()}
        failures = {failure["url"]: failure for failure in store.crawl_failures()}
    return summary, documents, failures


def release_variant(*replacements: tuple[bytes, bytes]) -> bytes:
    body = SOURCE
    for old, new in replacements:
        assert old in body
        body = body.replace(old, new)
    return body


FIRST_WORDS = b"The Centre for Health Protection (CHP) of the Department of Health is today (January 9)"
CP1252_PAGE = release_variant((b"charset=utf-8", b"charset=windows-1252"),
                              (FIRST_WORDS, b"Caf\xe9 talks \x96 \x93Singapore\x94: " + FIRST_WORDS))
GB2312_PAGE = release_variant((FIRST_WORDS, "新加坡 ".encode("gb2312") + FIRST_WORDS))
FEB30_PAGE = release_variant((b"Ends/Thursday, January 9, 2020", b"Ends/Sunday, February 30, 2021"))
SEPT_PAGE = release_variant((b"Ends/Thursday, January 9, 2020", b"Ends/Wednesday, Sept 22, 2021"))


def index_without_left_body(*hrefs: str) -> bytes:
    """The 2020-01-03 fixture (no div.leftBody) with release links in some other container."""
    template = site_pages()["/gia/general/202001/03.htm"]
    links = "".join(f'<p><a href="{href}">Release {i}</a></p>' for i, href in enumerate(hrefs))
    return template.replace(b'<div class="noRecord">No press releases on this day.</div>',
                            f'<div class="newList">{links}</div>'.encode())


def select_page(*ids: str) -> bytes:
    options = "".join(f'<option value="{rid}">Title of {rid}</option>' for rid in ids)
    return f'<select id="selectManual" onchange="handleSelect()"><option value="">Select</option>{options}</select>'.encode()


# -- fetcher: deadline, body size, redirects, charsets, settings -----------------------------------

def test_a_dripping_body_hits_the_total_deadline(site, tmp_path):
    site.add_faults(RELEASE, drip(chunk=200, interval=0.05))  # ~12 KB at 4 KB/s: 3 s if read to the end
    began = time.monotonic()
    fetcher = make_fetcher(site, tmp_path, RunningClock(), timeout=1.0, deadline=0.4, max_retries=0)
    result = fetcher.fetch(site.base_url + RELEASE)
    assert time.monotonic() - began < 1.5
    assert not result.ok and "deadline" in result.error and "0.4" in result.error
    assert PageCache(tmp_path / "cache").get(site.base_url + RELEASE) is None


def test_the_total_deadline_is_measured_on_the_fetchers_clock(site, tmp_path):
    """Regression: the deadline reads the injected clock, not the wall clock. A fake clock moved past
    the deadline while the server answers fails the request, however fast the bytes arrive."""
    clock = FakeClock()

    def answer_a_minute_later(handler, body):
        clock.now += 61.0  # on the fetcher's clock only: the bytes go out at once
        send(handler, 200, body or b"")

    site.add_faults(RELEASE, answer_a_minute_later)
    fetcher = make_fetcher(site, tmp_path, clock, deadline=60.0, max_retries=0)
    result = fetcher.fetch(site.base_url + RELEASE)
    assert not result.ok and result.error == "DeadlineExceeded: no complete answer within the deadline of 60 s"
    assert fetcher.fetch(site.base_url + RELEASE).ok  # the clock standing still, the same page arrives in time


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "no-content-length"])
def test_an_oversize_body_is_a_failure_and_never_read_whole(site, tmp_path, announce):
    site.add_faults(RELEASE, oversize(3_000_000, announce=announce))
    fetcher = make_fetcher(site, tmp_path, max_body_bytes=100_000)
    result = fetcher.fetch(site.base_url + RELEASE)
    assert not result.ok and result.body is None and "100000 bytes" in result.error
    assert result.attempts == 1  # not retried: the page is what it is
    assert fetcher.cache.get(site.base_url + RELEASE) is None


def test_a_redirect_to_another_port_or_scheme_of_the_same_host_is_refused(site, tmp_path):
    other = LocalSite().start()
    try:
        site.add_faults(RELEASE, redirect(f"http://127.0.0.1:{other.port}{RELEASE}"))
        result = make_fetcher(site, tmp_path).fetch(site.base_url + RELEASE)
        assert not result.ok and "refused" in result.error and str(other.port) in result.error
        assert other.requests == []
        site.add_faults(RELEASE, redirect(f"https://127.0.0.1:{site.port}{RELEASE}"))
        result = make_fetcher(site, tmp_path / "2").fetch(site.base_url + RELEASE)
        assert not result.ok and "refused" in result.error and "https" in result.error
    finally:
        other.stop()


@pytest.mark.parametrize("field,value", [
    ("rate", math.nan), ("rate", math.inf), ("rate", 1e-300), ("rate", 0.0), ("rate", -1.0), ("rate", 1e6),
    ("timeout", math.nan), ("timeout", 0.0), ("deadline", math.inf), ("max_body_bytes", 0), ("max_retries", -1),
    ("backoff_base", math.nan),
])
def test_fetch_settings_reject_non_finite_or_out_of_range_numbers(field, value):
    with pytest.raises(ValueError, match=field):
        FetchSettings(**{field: value})


@pytest.mark.parametrize("option,value", [
    ("--rate", "nan"), ("--rate", "inf"), ("--rate", "1e-300"), ("--rate", "0"), ("--timeout", "nan"),
    ("--deadline", "-1"), ("--max-body-mb", "inf"), ("--retries", "-2"), ("--retries", "1.5"),
])
def test_scrape_rejects_bad_numbers_naming_the_option(tmp_path, capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["-q", "scrape", "--start", "2020-01-01", "--end", "2020-01-02", "--db", str(tmp_path / "s.sqlite"),
              "--cache", str(tmp_path / "c"), option, value])
    assert exit_info.value.code == 2 and option in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_declared_charsets_are_honoured_fresh_and_from_the_cache(site, tmp_path):
    cp1252, gb2312 = "/gia/general/202001/03/P2020010300001.htm", "/gia/general/202001/03/P2020010300002.htm"
    site.pages[cp1252], site.content_types[cp1252] = CP1252_PAGE, "text/html"  # charset in the meta tag only
    site.pages[gb2312], site.content_types[gb2312] = GB2312_PAGE, "text/html; charset=GB2312"  # header wins over meta
    site.pages["/gia/general/202001/03.htm"] = index_without_left_body(cp1252, gb2312)
    day = dt.date(2020, 1, 3)
    _, documents, failures = crawl_into(site, tmp_path, start=day, end=day)
    assert failures == {}
    assert documents["P2020010300001"].text.startswith("Caf\u00e9 talks \u2013 \u201cSingapore\u201d: The Centre")
    assert documents["P2020010300002"].text.startswith("\u65b0\u52a0\u5761 The Centre")
    assert all("\ufffd" not in document.text for document in documents.values())
    sidecar = PageCache(tmp_path / "cache").path_for(site.base_url + gb2312).with_suffix(".htm.meta.json")
    assert json.loads(sidecar.read_text())["content_type"] == "text/html; charset=GB2312"
    before = len(site.requests)
    summary, again, _ = crawl_into(site, tmp_path, db="fresh.sqlite", start=day, end=day)  # warm cache, fresh store
    assert len(site.requests) == before and summary.requests == 0
    assert {rid: d.text for rid, d in again.items()} == {rid: d.text for rid, d in documents.items()}


def test_undecodable_bytes_are_a_recorded_failure_never_replaced(site, tmp_path):
    bad = "/gia/general/202001/03/P2020010300005.htm"
    site.pages[bad] = release_variant((FIRST_WORDS, b"\xff\xfe broken " + FIRST_WORDS))  # utf-8 declared
    site.pages["/gia/general/202001/03.htm"] = index_without_left_body(bad)
    day = dt.date(2020, 1, 3)
    summary, documents, failures = crawl_into(site, tmp_path, start=day, end=day)
    assert documents == {} and summary.failed == 1
    error = failures[site.base_url + bad]["error"]
    assert "utf-8" in error and "0xff" in error
    assert PageCache(tmp_path / "cache").get(site.base_url + bad) is None


# -- HTTP-200 error pages and unparseable pages --------------------------------------------------

def test_http_200_error_pages_are_never_cached_as_good_and_are_retried(site, tmp_path):
    index, release = "/gia/general/202001/06.htm", "/gia/general/201912/31/P2019123100709.htm"
    site.add_faults(index, page(BUSY), page(b""))
    site.add_faults(release, page(BUSY), page(b"<html><body><p>Maintenance</p></body></html>"))
    clock = FakeClock()
    summary, documents, failures = crawl_into(site, tmp_path, fetcher=make_fetcher(site, tmp_path, clock))
    assert summary.failed == 2 and set(failures) == {site.base_url + index, site.base_url + release}
    assert "not a daily index" in failures[site.base_url + index]["error"]
    assert "invalid page" in failures[site.base_url + release]["error"]
    assert "no headline" in failures[site.base_url + release]["error"]  # the last answer: no title, no markup
    assert failures[site.base_url + release]["attempts"] == 2 and any(s >= 2.0 for s in clock.sleeps)  # backoff
    cache = PageCache(tmp_path / "cache")
    assert cache.get(site.base_url + index) is None and cache.get(site.base_url + release) is None
    assert b"Maintenance" in cache.path_for(site.base_url + release).with_suffix(".htm.rejected").read_bytes()
    with DocumentStore(tmp_path / "store.sqlite") as store:
        assert not store.day_done(dt.date(2020, 1, 6), "all") and not store.day_done(dt.date(2019, 12, 31), "all")
    summary, documents, failures = crawl_into(site, tmp_path)  # the site recovered
    assert failures == {} and summary.failed == 0 and sorted(documents) == ALL_IDS


def test_an_error_page_cached_as_good_by_an_older_version_is_set_aside_and_refetched(site, tmp_path):
    cache = PageCache(tmp_path / "cache")
    cache.put(site.base_url + RELEASE, BUSY)
    cache.put(daily_index_url(site.base_url, dt.date(2020, 1, 6)), b"")
    _, documents, failures = crawl_into(site, tmp_path, db="fresh.sqlite")
    assert failures == {} and sorted(documents) == ALL_IDS
    assert cache.get(site.base_url + RELEASE) == site.pages[RELEASE]
    assert cache.path_for(site.base_url + RELEASE).with_suffix(".htm.rejected").read_bytes() == BUSY  # kept, not deleted


def test_unreadable_footer_dates_fall_back_to_the_folder_with_a_warning(site, tmp_path, caplog):
    feb30, sept = "/gia/general/202001/03/P2020010300003.htm", "/gia/general/202001/03/P2020010300006.htm"
    site.pages[feb30], site.pages[sept] = FEB30_PAGE, SEPT_PAGE
    site.pages["/gia/general/202001/03.htm"] = index_without_left_body(feb30, sept)
    day = dt.date(2020, 1, 3)
    with caplog.at_level(logging.WARNING):
        for _ in range(2):  # the pages are cached: a rerun must not die on them either
            summary, documents, failures = crawl_into(site, tmp_path, start=day, end=dt.date(2020, 1, 6))
    assert failures == {} and summary.failed == 0
    assert documents["P2020010300003"].date == documents["P2020010300006"].date == "2020-01-03"
    assert documents["P2020010300003"].extra["issued_time"] == "15:00"
    assert "P2020010600903" in documents  # later days are crawled
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(feb30 in w and "February 30, 2021" in w and "2020-01-03" in w for w in warnings)
    assert any(sept in w and "Sept 22, 2021" in w for w in warnings)


# -- index pages, suspect days, select_en.htm --------------------------------------------------------

def test_index_without_left_body_takes_release_links_from_the_whole_page(site, tmp_path):
    first, second = "/gia/general/202001/03/P2020010300001.htm", "/gia/general/202001/03/P2020010300002.htm"
    site.pages[first], site.pages[second] = FEB30_PAGE, SOURCE
    site.pages["/gia/general/202001/03.htm"] = index_without_left_body(
        second, "/gia/general/202001/03/P2020010300002p.htm", f"https://www.info.gov.hk{first}", second)  # data: parser input, never fetched
    day = dt.date(2020, 1, 3)
    summary, documents, _ = crawl_into(site, tmp_path, start=day, end=day)
    assert summary.listed == 2 and sorted(documents) == ["P2020010300001", "P2020010300002"]
    assert documents["P2020010300001"].date == "2020-01-03"  # folder, never the id (P2020010300001 is its twin)
    with DocumentStore(tmp_path / "store.sqlite") as store:
        assert store.day_done(day, "all")
    assert "/gia/general/202001/02/P2020010200831.htm" not in site.paths_requested()  # another day's link


def test_days_that_yield_nothing_are_suspect_and_retried(site, tmp_path, capsys):
    days = (dt.date(2020, 1, 1), dt.date(2020, 1, 5))  # empty list, no leftBody, 404, 404, 404
    summary, _, failures = crawl_into(site, tmp_path, start=days[0], end=days[1])
    assert summary.suspect_days == 5 and failures == {}
    with DocumentStore(tmp_path / "store.sqlite") as store:
        assert not any(store.day_done(days[0] + dt.timedelta(n), "all") for n in range(5))
        assert [row["day"] for row in store.suspect_days()] == [f"2020-01-0{n}" for n in range(1, 6)]
    before = site.paths_requested().count("/gia/general/202001/02.htm")
    summary, _, _ = crawl_into(site, tmp_path, start=days[0], end=days[1])
    assert summary.days_skipped == 0
    assert site.paths_requested().count("/gia/general/202001/02.htm") == before + 1  # a 404 day is asked again
    assert site.paths_requested().count("/gia/general/202001/01.htm") == 2  # an empty page is never cached as good
    assert main(["-q", "corpus", "stats", "--db", str(tmp_path / "store.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "suspect days (no release found; retried on the next crawl): 5" in out and "2020-01-02" in out
    site.pages["/gia/general/202001/02.htm"] = site.pages["/gia/general/201912/31.htm"].replace(b"201912/31/", b"202001/02/")
    for rid in ("P2019123100667", "P2019123100709"):
        site.pages[f"/gia/general/202001/02/{rid}.htm"] = site.pages[f"/gia/general/201912/31/{rid}.htm"]
    summary, _, _ = crawl_into(site, tmp_path, start=days[0], end=days[1])  # the day appeared: no longer suspect
    with DocumentStore(tmp_path / "store.sqlite") as store:
        assert "2020-01-02" not in [row["day"] for row in store.suspect_days()]


def test_many_consecutive_empty_days_raise_the_markup_alarm(site, tmp_path, caplog, capsys):
    with caplog.at_level(logging.WARNING):
        crawl_into(site, tmp_path, start=dt.date(2020, 1, 8), end=dt.date(2020, 1, 16))  # no index page at all
    alarms = [r for r in caplog.records if "markup" in r.getMessage()]
    assert len(alarms) == 1 and alarms[0].levelno == logging.ERROR and "7 consecutive days" in alarms[0].getMessage()
    assert markup_alarm(["2020-01-01", "2020-01-02", "2020-01-04"], 2) is not None
    assert markup_alarm(["2020-01-01", "2020-01-03", "2020-01-05"], 2) is None
    assert main(["-q", "corpus", "stats", "--db", str(tmp_path / "store.sqlite")]) == 0
    assert "9 consecutive days (2020-01-08 to 2020-01-16)" in capsys.readouterr().out


def test_select_en_cross_checks_the_count_of_the_day(site, tmp_path, caplog, capsys):
    site.pages["/gia/general/202001/06/select_en.htm"] = select_page(
        "P2020010600511", "P2020010600666", "P2020010600902", "P2020010600903", "P2020010600999")
    site.pages["/gia/general/201912/31/select_en.htm"] = select_page(
        "P2019123100667", "P2019123100709", "P2019123100711", "P2019123100801", "P2019123100802")
    with caplog.at_level(logging.WARNING):
        summary, _, failures = crawl_into(site, tmp_path)
    assert summary.select_mismatches == 1 and failures == {}
    assert any("P2020010600999" in r.getMessage() and "select_en.htm" in r.getMessage() for r in caplog.records)
    with DocumentStore(tmp_path / "store.sqlite") as store:
        mismatches = store.select_mismatches()
    assert [(m["day"], m["listed"], m["select_listed"]) for m in mismatches] == [("2020-01-06", 4, 5)]
    assert main(["-q", "corpus", "stats", "--db", str(tmp_path / "store.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "2020-01-06: index lists 4; select_en.htm lists 5" in out and "P2020010600999" in out


# -- releases replaced after publication ----------------------------------------------------------

def test_a_release_replaced_on_the_site_keeps_both_versions(site, tmp_path, capsys):
    _, documents, _ = crawl_into(site, tmp_path, start=START, end=START)
    old_text = documents["P2019123100709"].text
    path = "/gia/general/201912/31/P2019123100709.htm"
    old_raw = site.pages[path]
    site.pages[path] = old_raw.replace(b"Suspected MERS case reported", b"Suspected MERS case reported (corrected)")
    summary, documents, _ = crawl_into(site, tmp_path, start=START, end=START, refetch=True)
    assert summary.replaced == 1
    assert documents["P2019123100709"].title.endswith("(corrected)") and documents["P2019123100709"].text == old_text
    with DocumentStore(tmp_path / "store.sqlite") as store:
        replaced = store.replaced_documents()
        assert [r["id"] for r in replaced] == ["P2019123100709"] and len(replaced[0]["raw_hashes"]) == 2
        assert store.raw_hash("P2019123100709") == replaced[0]["raw_hashes"][-1]
    cached = PageCache(tmp_path / "cache").path_for(site.base_url + path)
    assert cached.read_bytes() == site.pages[path]
    versions = [p for p in cached.parent.glob(cached.name + ".v-*") if not p.name.endswith(".meta.json")]
    assert [p.read_bytes() for p in versions] == [old_raw]  # the old raw page is kept
    assert main(["-q", "corpus", "stats", "--db", str(tmp_path / "store.sqlite")]) == 0
    assert "replaced on the site after publication: 1" in capsys.readouterr().out


# -- everything at once ----------------------------------------------------------------------------

def test_a_crawl_through_every_fault_holds_every_fetchable_page_and_nothing_refused(site, tmp_path):
    other = LocalSite().start()
    day3 = {rid: f"/gia/general/202001/03/{rid}.htm" for rid in
            ("P2020010300001", "P2020010300002", "P2020010300003", "P2020010300004", "P2020010300005", "P2020010300006")}
    site.pages[day3["P2020010300001"]], site.content_types[day3["P2020010300001"]] = CP1252_PAGE, "text/html"
    site.pages[day3["P2020010300002"]], site.content_types[day3["P2020010300002"]] = GB2312_PAGE, "text/html; charset=gb2312"
    site.pages[day3["P2020010300003"]], site.pages[day3["P2020010300006"]] = FEB30_PAGE, SEPT_PAGE
    site.pages[day3["P2020010300004"]] = SOURCE + b"<!--" + b"x" * 200_000 + b"-->"  # oversize: refused
    site.pages[day3["P2020010300005"]] = release_variant((FIRST_WORDS, b"\x81\xff" + FIRST_WORDS))  # undecodable
    site.pages["/gia/general/202001/03.htm"] = index_without_left_body(*day3.values())
    redirected = "/gia/general/201912/31/P2019123100667.htm"
    site.add_faults(redirected, *[redirect(f"http://127.0.0.1:{other.port}{redirected}")] * 20)  # refused
    site.add_faults(RELEASE, drip(chunk=500, interval=0.05))
    site.add_faults("/gia/general/202001/06/P2020010600666.htm", page(BUSY), page(BUSY))
    site.add_faults("/gia/general/202001/07.htm", page(b""), page(b""))
    site.add_faults("/gia/general/202001/06.htm", page(BUSY), page(BUSY))
    refused = {site.base_url + path for path in (redirected, day3["P2020010300004"], day3["P2020010300005"])}
    runs = []
    try:
        for _ in range(5):
            fetcher = make_fetcher(site, tmp_path, RunningClock(), deadline=0.3, max_body_bytes=100_000)
            summary, documents, failures = crawl_into(site, tmp_path, fetcher=fetcher)
            runs.append(set(failures))
            if set(failures) == refused:
                break
    finally:
        other.stop()
    assert len(runs) >= 2 and runs[0] > refused, "the first run should meet the transient faults"
    assert runs[-1] == refused
    expected = set(ALL_IDS) - {"P2019123100667"} | {"P2020010300001", "P2020010300002", "P2020010300003", "P2020010300006"}
    assert set(documents) == expected
    assert other.requests == []
    assert "\u00e9" in documents["P2020010300001"].text and "\u65b0\u52a0\u5761" in documents["P2020010300002"].text
    assert all("\ufffd" not in d.text for d in documents.values())
    cache = PageCache(tmp_path / "cache")
    assert all(cache.get(url) is None for url in refused)
    with DocumentStore(tmp_path / "store.sqlite") as store:
        assert [row["day"] for row in store.suspect_days()] == ["2020-01-01", "2020-01-02", "2020-01-04", "2020-01-05"]
        assert store.day_done(dt.date(2020, 1, 6), "all") and store.day_done(dt.date(2020, 1, 7), "all")


def test_a_parser_bug_on_one_page_is_that_pages_failure(site, tmp_path, monkeypatch):
    import hkasean.corpus.crawl.crawler as crawler_module

    real_parse = crawler_module.parse_release

    def fragile(text: str, url: str):
        if url.endswith("P2019123100709.htm"):
            raise KeyError("an odd page")
        return real_parse(text, url)

    monkeypatch.setattr(crawler_module, "parse_release", fragile)
    summary, documents, failures = crawl_into(site, tmp_path)
    assert summary.failed == 1 and sorted(documents) == sorted(set(ALL_IDS) - {"P2019123100709"})
    assert "KeyError" in failures[site.base_url + "/gia/general/201912/31/P2019123100709.htm"]["error"]


OLD_SCHEMA = """
CREATE TABLE documents (id TEXT PRIMARY KEY, url TEXT NOT NULL, date TEXT NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, source TEXT NOT NULL, doc_type TEXT NOT NULL, speaker TEXT NOT NULL, lang TEXT NOT NULL,
    extra TEXT NOT NULL, content_hash TEXT NOT NULL, fetched_at TEXT, fetch_url TEXT, http_status INTEGER,
    revision INTEGER NOT NULL DEFAULT 1);
CREATE TABLE crawl_log (url TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('index', 'release', 'robots')),
    status INTEGER NOT NULL, attempts INTEGER NOT NULL, error TEXT, from_cache INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT NOT NULL);
CREATE TABLE crawl_days (day TEXT NOT NULL, filter_key TEXT NOT NULL, listed INTEGER NOT NULL,
    completed_at TEXT NOT NULL, PRIMARY KEY (day, filter_key));
"""


def test_a_store_made_before_raw_hashes_is_read_and_migrated(site, tmp_path, capsys):
    import sqlite3

    db = tmp_path / "store.sqlite"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
    assert main(["-q", "corpus", "stats", "--db", str(db)]) == 0  # read-only: nothing to migrate, nothing fails
    assert "suspect days (no release found; retried on the next crawl): 0" in capsys.readouterr().out
    _, documents, failures = crawl_into(site, tmp_path, start=START, end=START)
    assert failures == {} and len(documents) == 5
    with DocumentStore(db) as store:
        assert store.raw_hash("P2019123100709") is not None

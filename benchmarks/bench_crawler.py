"""Crawler benchmark: achieved vs configured request rate, and the warm-cache rerun.

A local stand-in of www.info.gov.hk (``tests/infogovhk_site.LocalSite``, bound to 127.0.0.1 only)
serves ``n_days`` synthetic daily indexes with ``releases_per_day`` releases each (release bodies
are the fixture release pages, cycled, under fresh ids). A watchdog stops the server by itself
after ``max_seconds`` or once it has answered more than ``max_requests`` requests.

For each configured rate the crawler runs into a fresh store and a fresh cache; achieved rate =
requests the server received / wall time of the crawl. Then two reruns on the warm cache of the
last crawl: into the same store (finished days are skipped) and into a fresh store (every page
comes from the raw cache); the server must receive 0 requests in both. A last crawl with a very
high rate cap shows the crawler's own per-page cost (parsing, filtering, storing).

Run: ``python benchmarks/bench_crawler.py [--rates 2 5 20] [--days 6] [--releases 9]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from benchmarks.measure import machine_description  # noqa: E402
from hkasean.corpus.crawl.crawler import CrawlSummary, crawl, daily_index_url  # noqa: E402
from hkasean.corpus.crawl.fetch_settings import FetchSettings  # noqa: E402
from hkasean.corpus.store import DocumentStore  # noqa: E402
from infogovhk_site import FIXTURES, LocalSite  # noqa: E402

FIRST_DAY = dt.date(2021, 3, 1)
UNCAPPED_RATE = 10_000.0


@dataclass
class CrawlerBenchSettings:
    """Tunable parameters of the crawler benchmark (config keys = field names)."""

    rates: tuple[float, ...] = field(default=(2.0, 5.0, 20.0), metadata={"help": "configured request rates (requests/second) to compare"})
    n_days: int = field(default=6, metadata={"help": "synthetic days served (one index page each)"})
    releases_per_day: int = field(default=9, metadata={"help": "releases listed on each daily index"})
    max_seconds: float = field(default=600.0, metadata={"help": "the server stops by itself after this many seconds"})
    max_requests: int = field(default=2000, metadata={"help": "the server stops by itself after answering this many requests"})
    timeout: float = field(default=10.0, metadata={"help": "the fetcher's timeout per request, in seconds"})


def synthetic_site_pages(n_days: int, releases_per_day: int) -> dict[str, bytes]:
    """URL path -> bytes: ``n_days`` daily indexes from ``FIRST_DAY``, each listing ``releases_per_day``
    release pages whose bodies are the fixture release pages (real and synthetic), cycled."""
    bodies = [page.read_bytes() for page in sorted((FIXTURES / "release_pages").glob("P*.htm"))]
    bodies += [page.read_bytes() for page in sorted((FIXTURES / "synthetic_pages").glob("*.htm"))]
    pages: dict[str, bytes] = {}
    n = 0
    for offset in range(n_days):
        day = FIRST_DAY + dt.timedelta(days=offset)
        links = []
        for i in range(releases_per_day):
            path = f"/gia/general/{day:%Y%m}/{day:%d}/P{day:%Y%m%d}{i + 1:06d}.htm"
            pages[path] = bodies[n % len(bodies)]
            n += 1
            links.append(f'<li><a href="{path}">Synthetic release {i + 1} of {day:%d %B %Y}</a></li>')
        index_path = daily_index_url("", day)
        pages[index_path] = (
            "<html><head><title>Press Releases</title></head><body><div class=\"leftBody\"><ul>"
            + "".join(links) + "</ul></div></body></html>"
        ).encode("utf-8")
    return pages


class BoundedSite:
    """``LocalSite`` on 127.0.0.1 with a watchdog: stops after ``max_seconds`` or ``max_requests``."""

    def __init__(self, pages: dict[str, bytes], max_seconds: float, max_requests: int) -> None:
        self.site = LocalSite(pages)
        self.max_seconds = max_seconds
        self.max_requests = max_requests
        self.stop_reason = ""
        self._stopped = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "BoundedSite":
        self.site.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop("benchmark finished")

    def requests_received(self) -> int:
        return len(self.site.paths_requested())

    def _watch(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self._stopped.wait(0.1):
            if time.monotonic() > deadline:
                self._stop(f"time limit of {self.max_seconds:.0f} s reached")
            elif self.requests_received() > self.max_requests:
                self._stop(f"request limit of {self.max_requests} reached")

    def _stop(self, reason: str) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.stop_reason = reason
            self.site.stop()


@dataclass
class CrawlMeasurement:
    """One crawl: what was configured, what the server saw, and the crawler's counts."""

    label: str
    configured_rate: float
    seconds: float
    server_requests: int
    summary: CrawlSummary

    @property
    def achieved_rate(self) -> float:
        return self.server_requests / self.seconds if self.seconds > 0 else float("nan")


def timed_crawl(label: str, site: BoundedSite, rate: float, settings: CrawlerBenchSettings, db: Path, cache: Path) -> CrawlMeasurement:
    """Crawl every synthetic day at ``rate`` into ``db`` with the raw cache ``cache``."""
    before = site.requests_received()
    end = FIRST_DAY + dt.timedelta(days=settings.n_days - 1)
    started = time.perf_counter()
    with DocumentStore(db) as store:
        summary = crawl(FIRST_DAY, end, store, cache, base_url=site.site.base_url, rate=rate, progress=False,
                        fetch_settings=FetchSettings(timeout=settings.timeout))
    seconds = time.perf_counter() - started
    return CrawlMeasurement(label, rate, seconds, site.requests_received() - before, summary)


def measurements_table(rows: list[CrawlMeasurement]) -> str:
    """Markdown table of the crawls: rates, requests, wall time and the crawler's counts."""
    lines = [
        "| crawl | configured req/s | server requests | crawler requests | seconds | achieved req/s | achieved / configured | listed | fetched | kept | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        s = row.summary
        if row.server_requests:
            achieved = f"{row.achieved_rate:.2f} | {row.achieved_rate / row.configured_rate:.3f}"
        else:
            achieved = "- | -"
        lines.append(
            f"| {row.label} | {row.configured_rate:g} | {row.server_requests} | {s.requests} | {row.seconds:.2f} | "
            f"{achieved} | {s.listed} | {s.fetched} | {s.kept} | {s.failed} |"
        )
    return "\n".join(lines)


def run_benchmark(settings: CrawlerBenchSettings) -> tuple[list[CrawlMeasurement], str]:
    """Every crawl of the benchmark; returns the measurements and how the server stopped."""
    pages = synthetic_site_pages(settings.n_days, settings.releases_per_day)
    rows: list[CrawlMeasurement] = []
    with tempfile.TemporaryDirectory(prefix="hkasean-crawl-") as tmp, \
            BoundedSite(pages, settings.max_seconds, settings.max_requests) as site:
        work = Path(tmp)
        for rate in settings.rates:
            rows.append(timed_crawl(f"cold, rate {rate:g}", site, rate, settings, work / f"r{rate:g}.sqlite", work / f"cache{rate:g}"))
        last = settings.rates[-1]
        warm_cache = work / f"cache{last:g}"
        rows.append(timed_crawl("warm cache, same store", site, last, settings, work / f"r{last:g}.sqlite", warm_cache))
        rows.append(timed_crawl("warm cache, fresh store", site, last, settings, work / "fresh.sqlite", warm_cache))
        rows.append(timed_crawl("cold, uncapped", site, UNCAPPED_RATE, settings, work / "uncapped.sqlite", work / "cache-uncapped"))
        stop_reason = site.stop_reason or "still running at the end (stopped by the benchmark)"
    return rows, stop_reason


def main(argv: list[str] | None = None) -> int:
    defaults = CrawlerBenchSettings()
    parser = argparse.ArgumentParser(description="Crawler throughput against the local test server.")
    parser.add_argument("--rates", type=float, nargs="+", default=list(defaults.rates), help="configured rates, req/s")
    parser.add_argument("--days", type=int, default=defaults.n_days, help="synthetic days served")
    parser.add_argument("--releases", type=int, default=defaults.releases_per_day, help="releases per day")
    args = parser.parse_args(argv)
    settings = CrawlerBenchSettings(rates=tuple(args.rates), n_days=args.days, releases_per_day=args.releases)
    print(machine_description())
    print(f"settings: {asdict(settings)}", flush=True)
    rows, stop_reason = run_benchmark(settings)
    print()
    print(measurements_table(rows))
    warm = [row for row in rows if row.label.startswith("warm")]
    print()
    for row in warm:
        verdict = "met" if row.server_requests == 0 else "MISSED"
        print(f"{row.label}: {row.server_requests} requests received by the server (target 0: {verdict})")
    uncapped = rows[-1]
    per_page = uncapped.seconds / max(uncapped.server_requests, 1)
    print(f"crawler's own cost with no rate cap: {1000 * per_page:.1f} ms per request ({uncapped.achieved_rate:.1f} req/s)")
    print(f"server: {stop_reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

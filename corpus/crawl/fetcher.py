"""A polite HTTP fetcher: allow-listed hosts, robots.txt, a request-rate cap, retries, a raw cache.

Politeness and safety rules:

- at most ``rate`` requests per second (a minimum interval between request starts, measured on an
  injectable clock), raised to robots.txt's ``Crawl-delay`` when that is longer;
- a descriptive User-Agent ``hkasean/<version> (+research crawler; contact in README)``;
- only hosts on the allow-list are contacted (by default the base URL's host); redirects are
  followed by hand, and one that leaves the allow-list is refused and logged;
- robots.txt is fetched once per host, only when a request is actually needed (a warm cache
  makes no request at all), and follows RFC 9309: 200 -> obey it; 4xx -> no rules, allow all;
  5xx or no answer after retries -> the site is unreachable, disallow all for this run;
- timeouts, connection errors, truncated bodies (fewer bytes than Content-Length) and 5xx are
  retried with exponential backoff plus jitter from a seeded RNG; 429 waits for ``Retry-After``
  (seconds or an HTTP date, capped) or the backoff when it is absent;
- 200 bodies go to the ``PageCache``; a 404 is recorded as known-missing (``cache_missing``);
  other failures are never cached.
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import logging
import random
import time
import urllib.robotparser
from dataclasses import dataclass, field
from importlib import metadata
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import requests

from hkasean.corpus.crawl.cache import PageCache

LOG = logging.getLogger(__name__)

ROBOTS_AGENT = "hkasean"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _package_version() -> str:
    try:
        return metadata.version("hkasean")
    except metadata.PackageNotFoundError:
        return "0+unknown"


USER_AGENT = f"{ROBOTS_AGENT}/{_package_version()} (+research crawler; contact in README)"


@dataclass
class FetchSettings:
    """Tunable politeness and retry parameters of the fetcher."""

    rate: float = field(default=1.0, metadata={"help": "maximum requests per second to the site"})
    timeout: float = field(default=30.0, metadata={"help": "seconds to wait for a connection or for data"})
    max_retries: int = field(default=4, metadata={"help": "retries after the first attempt (timeouts, 5xx, 429, truncation)"})
    backoff_base: float = field(default=2.0, metadata={"help": "seconds before the first retry; doubles each retry"})
    backoff_cap: float = field(default=60.0, metadata={"help": "longest backoff between retries, in seconds"})
    backoff_jitter: float = field(default=0.25, metadata={"help": "random extra wait, as a fraction of the backoff"})
    retry_after_cap: float = field(default=300.0, metadata={"help": "longest Retry-After wait honoured, in seconds"})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed per request"})
    cache_missing: bool = field(default=True, metadata={"help": "remember 404 answers in the cache as known-missing"})
    user_agent: str = field(default=USER_AGENT, metadata={"help": "User-Agent header sent with every request"})
    seed: int = field(default=0, metadata={"help": "seed of the backoff jitter"})


class Clock(Protocol):
    """Time source of the rate limiter and the backoff: monotonic seconds and a sleep."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart on ``clock``."""

    def __init__(self, rate: float, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive (requests per second), got {rate}")
        self.interval = 1.0 / rate
        self.clock = clock
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the next request may start, then claim that slot."""
        now = self.clock.monotonic()
        if self._last is not None and now < self._last + self.interval:
            self.clock.sleep(self._last + self.interval - now)
            now = self.clock.monotonic()
        self._last = now


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch.

    ``status`` is the final HTTP status (0 when no response: network failure, refusal, robots);
    ``body`` is set only for 200; ``error`` is None on success and says what went wrong otherwise
    (a 404 is an error too; the caller decides whether it matters); ``attempts`` counts the HTTP
    requests made (0 when answered from the cache).
    """

    url: str
    status: int
    body: bytes | None
    attempts: int
    error: str | None = None
    from_cache: bool = False
    final_url: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class TruncatedBody(IOError):
    """The body is shorter than the Content-Length header said."""


class Fetcher:
    """Fetch pages politely (rules in the module docstring).

    ``allowed_hosts`` are host names (no port); ``cache`` may be None (no caching); ``clock`` and
    ``session`` are injectable for tests. ``requests_made`` counts every HTTP request sent.
    ``robots_results`` collects the robots.txt fetches so the caller can log them.
    """

    def __init__(
        self,
        allowed_hosts: set[str] | frozenset[str],
        settings: FetchSettings | None = None,
        cache: PageCache | None = None,
        clock: Clock | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.settings = settings or FetchSettings()
        self.cache = cache
        self.clock = clock or SystemClock()
        self.session = session or requests.Session()
        self.limiter = RateLimiter(self.settings.rate, self.clock)
        self.requests_made = 0
        self.robots_results: list[FetchResult] = []
        self._rng = random.Random(self.settings.seed)
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def fetch(self, url: str, use_cache: bool = True) -> FetchResult:
        """Fetch ``url`` (from the cache when ``use_cache`` and it holds the page)."""
        refusal = self._refusal(url)
        if refusal:
            LOG.warning("refused %s: %s", url, refusal)
            return FetchResult(url, 0, None, 0, error=refusal, final_url=url)
        if use_cache and self.cache is not None:
            cached = self.cache.get(url)
            if cached is not None:
                return FetchResult(url, 200, cached, 0, from_cache=True, final_url=url)
            if self.cache.is_known_missing(url):
                return FetchResult(url, 404, None, 0, error="HTTP 404 (known missing, cached)", from_cache=True, final_url=url)
        result = self._download(url)
        if use_cache and self.cache is not None:
            if result.ok and result.body is not None:
                self.cache.put(url, result.body)
            elif result.status == 404 and self.settings.cache_missing:
                self.cache.mark_missing(url)
        return result

    # -- internals ---------------------------------------------------------------------------

    def _refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"unsupported scheme {parts.scheme!r}"
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            return f"host {host!r} is not in the allowed hosts ({', '.join(sorted(self.allowed_hosts))})"
        return None

    def _download(self, url: str) -> FetchResult:
        current, attempts = url, 0
        for _ in range(self.settings.max_redirects + 1):
            if not self._robots_allow(current):
                return FetchResult(url, 0, None, attempts, error="disallowed by robots.txt", final_url=current)
            reply, used, error = self._request_with_retries(current)
            attempts += used
            if error is not None or reply is None:
                return FetchResult(url, reply.status if reply else 0, None, attempts, error=error, final_url=current)
            location = reply.headers.get("location")
            if reply.status in REDIRECT_STATUSES and location:
                target = urljoin(current, location)
                refusal = self._refusal(target)
                if refusal:
                    LOG.warning("refused redirect %s -> %s: %s", current, target, refusal)
                    return FetchResult(
                        url, reply.status, None, attempts, error=f"redirect to {target} refused: {refusal}", final_url=current
                    )
                current = target
                continue
            if reply.status == 200:
                return FetchResult(url, 200, reply.body, attempts, final_url=current)
            return FetchResult(url, reply.status, None, attempts, error=f"HTTP {reply.status}", final_url=current)
        return FetchResult(url, 0, None, attempts, error=f"more than {self.settings.max_redirects} redirects", final_url=current)

    def _request_with_retries(self, url: str) -> tuple[_Reply | None, int, str | None]:
        """(last reply or None, requests made, error or None); retries transient failures."""
        reply: _Reply | None = None
        error: str | None = None
        total = self.settings.max_retries + 1
        for attempt in range(1, total + 1):
            self.limiter.wait()
            self.requests_made += 1
            delay = self._backoff(attempt)
            try:
                reply = self._request(url)
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError, TruncatedBody) as exc:
                reply, error = None, f"{type(exc).__name__}: {exc}"
            except requests.RequestException as exc:  # not transient (e.g. an invalid URL): no retry
                return None, attempt, f"{type(exc).__name__}: {exc}"
            else:
                if reply.status == 429:
                    error = "HTTP 429 Too Many Requests"
                    retry_after = parse_retry_after(reply.headers.get("retry-after"))
                    if retry_after is not None:
                        delay = min(retry_after, self.settings.retry_after_cap)
                elif reply.status >= 500:
                    error = f"HTTP {reply.status}"
                else:
                    return reply, attempt, None
            if attempt < total:
                LOG.info("retrying %s in %.1f s after %s (attempt %d of %d)", url, delay, error, attempt, total)
                self.clock.sleep(delay)
        LOG.warning("giving up on %s after %d attempts: %s", url, total, error)
        return reply, total, error

    def _request(self, url: str) -> _Reply:
        response = self.session.get(
            url,
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            allow_redirects=False,
        )
        body = response.content
        expected = response.headers.get("content-length")
        if expected and expected.isdigit() and "content-encoding" not in response.headers and len(body) != int(expected):
            raise TruncatedBody(f"got {len(body)} of {expected} bytes")
        return _Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()}, body)

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        return base + self._rng.uniform(0.0, self.settings.backoff_jitter * base)

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(key)
        if parser is None:
            parser = self._load_robots(key)
            self._robots[key] = parser
        return parser.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        robots_url = origin + "/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        current, attempts = robots_url, 0
        for _ in range(self.settings.max_redirects + 1):
            reply, used, error = self._request_with_retries(current)
            attempts += used
            location = reply.headers.get("location") if reply is not None and error is None else None
            if reply is None or reply.status not in REDIRECT_STATUSES or not location:
                break
            target = urljoin(current, location)
            if self._refusal(target):
                break  # a redirect off the allow-list counts as no answer
            current = target
        status = reply.status if reply else 0
        if error is None and reply is not None and reply.status == 200:
            parser.parse(reply.body.decode("utf-8", errors="replace").splitlines())
            delay = parser.crawl_delay(ROBOTS_AGENT)
            if delay is not None and float(delay) > self.limiter.interval:
                LOG.info("robots.txt asks for %s s between requests; slowing down", delay)
                self.limiter.interval = float(delay)
        elif error is None and reply is not None and 400 <= reply.status < 500:
            parser.allow_all = True
        else:
            LOG.warning("robots.txt of %s unreachable (%s): disallowing the whole site for this run", origin, error or status)
            parser.disallow_all = True
            error = error or f"HTTP {status}"
        self.robots_results.append(FetchResult(robots_url, status, None, attempts, error=error, final_url=robots_url))
        return parser


def parse_retry_after(value: str | None, now: _dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent
    or unreadable; never negative."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())

"""A polite HTTP fetcher: allow-listed hosts, robots.txt, a request-rate cap, retries, a raw cache.

Politeness and safety rules:

- at most ``rate`` requests per second (a minimum interval between request starts, measured on an
  injectable clock), raised to robots.txt's ``Crawl-delay`` when that is longer;
- a descriptive User-Agent ``hkasean/<version> (+research crawler; contact in README)``;
- only hosts on the allow-list are contacted (by default the base URL's host); redirects are
  followed by hand, only to the same scheme, host and port as the URL asked for: any other
  redirect is refused and logged;
- robots.txt is fetched once per host, only when a request is actually needed (a warm cache
  makes no request at all), and follows RFC 9309: 200 -> obey it; 4xx -> no rules, allow all;
  5xx or no answer after retries -> the site is unreachable, disallow all for this run;
- the body is streamed: ``timeout`` bounds the connection and each read, ``deadline`` the whole
  request (checked between chunks, so one stalled read can add up to ``timeout``), and a body
  over ``max_body_bytes`` (announced or counted) is abandoned unread and is a failure;
- timeouts, a missed deadline, connection errors, truncated bodies (fewer bytes than
  Content-Length) and 5xx are retried with exponential backoff plus jitter from a seeded RNG;
  429 waits for ``Retry-After`` (seconds or an HTTP date, capped) or the backoff when it is absent;
- a caller may pass a ``parse`` function: a 200 body it rejects (``InvalidPage``: an HTTP-200
  error page, undecodable bytes) is retried like a 5xx, put aside in the cache as rejected and
  never stored as a page; a cached page it rejects is set aside and fetched again;
- valid 200 bodies go to the ``PageCache`` with their Content-Type; a 404 is recorded as
  known-missing (``cache_missing``); other failures are never cached.
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import logging
import math
import random
import time
import urllib.robotparser
from dataclasses import dataclass, field, fields
from importlib import metadata
from typing import Any, Callable, Protocol
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.decoding import InvalidPage

LOG = logging.getLogger(__name__)

ROBOTS_AGENT = "hkasean"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _package_version() -> str:
    try:
        return metadata.version("hkasean")
    except metadata.PackageNotFoundError:
        return "0+unknown"


USER_AGENT = f"{ROBOTS_AGENT}/{_package_version()} (+research crawler; contact in README)"

Parser = Callable[[bytes, "str | None"], Any]
"""Turns a 200 body and its Content-Type header into the parsed page; raises ``InvalidPage``."""


@dataclass
class FetchSettings:
    """Tunable politeness and retry parameters of the fetcher."""

    rate: float = field(default=1.0, metadata={"help": "maximum requests per second to the site", "range": (0.001, 1000.0)})
    timeout: float = field(default=30.0, metadata={"help": "seconds to wait for a connection or for each read", "range": (0.001, 3600.0)})
    deadline: float = field(default=120.0, metadata={"help": "seconds one request may take in all, body included", "range": (0.001, 86400.0)})
    max_body_bytes: int = field(default=10_000_000, metadata={"help": "largest body accepted, in bytes; a larger one is a failure", "range": (1, 2**31)})
    max_retries: int = field(default=4, metadata={"help": "retries after the first attempt (timeouts, 5xx, 429, truncation, invalid pages)", "range": (0, 100)})
    backoff_base: float = field(default=2.0, metadata={"help": "seconds before the first retry; doubles each retry", "range": (0.0, 3600.0)})
    backoff_cap: float = field(default=60.0, metadata={"help": "longest backoff between retries, in seconds", "range": (0.0, 86400.0)})
    backoff_jitter: float = field(default=0.25, metadata={"help": "random extra wait, as a fraction of the backoff", "range": (0.0, 10.0)})
    retry_after_cap: float = field(default=300.0, metadata={"help": "longest Retry-After wait honoured, in seconds", "range": (0.0, 86400.0)})
    max_redirects: int = field(default=5, metadata={"help": "redirects followed per request", "range": (0, 50)})
    cache_missing: bool = field(default=True, metadata={"help": "remember 404 answers in the cache as known-missing"})
    user_agent: str = field(default=USER_AGENT, metadata={"help": "User-Agent header sent with every request"})
    seed: int = field(default=0, metadata={"help": "seed of the backoff jitter", "range": (0, 2**32 - 1)})

    def __post_init__(self) -> None:
        for spec in fields(self):
            if "range" in spec.metadata:
                check_number(spec.name, getattr(self, spec.name), *spec.metadata["range"], integer=isinstance(spec.default, int))


def setting_range(name: str) -> tuple[float, float]:
    """The (lowest, highest) value accepted for the ``FetchSettings`` field ``name``."""
    return next(spec.metadata["range"] for spec in fields(FetchSettings) if spec.name == name)


def check_number(name: str, value: object, low: float, high: float, integer: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a finite number (an integer when
    ``integer``) with ``low <= value <= high``."""
    kind = "an integer" if integer else "a finite number"
    valid = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not valid or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g}, got {value!r}")


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
        check_number("rate", rate, *setting_range("rate"))
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
    ``body`` is set only for a valid 200; ``error`` is None on success and says what went wrong
    otherwise (a 404 is an error too; the caller decides whether it matters); ``attempts`` counts
    the HTTP requests made (0 when answered from the cache); ``content_type`` is the response's
    Content-Type header; ``page`` is what the caller's ``parse`` made of the body.
    """

    url: str
    status: int
    body: bytes | None
    attempts: int
    error: str | None = None
    from_cache: bool = False
    final_url: str = ""
    content_type: str | None = None
    page: Any = None

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


class DeadlineExceeded(IOError):
    """The request took longer than the total deadline (e.g. a body that drips in)."""


class BodyTooLarge(IOError):
    """The body is larger than ``max_body_bytes``; it is not read any further."""


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

    def fetch(
        self,
        url: str,
        use_cache: bool = True,
        parse: Parser | None = None,
        remember_missing: bool = True,
        refresh: bool = False,
        is_final: Callable[[Any], bool] | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        """Fetch ``url``.

        ``use_cache``: answer from the cache when it holds the page, and store the page there;
        ``refresh``: ask the server even so, then store the answer (an older, different body is
        kept as a version); ``parse``: validate and parse the body (see the module docstring);
        ``remember_missing``: read and write the known-missing marker of a 404; ``is_final``: whether
        a parsed page may be cached as good (one that is not, e.g. an index listing nothing, is kept
        aside as rejected and asked for again next time); ``headers``: extra request headers (an API
        key, an Accept type), never cached nor logged.
        """
        refusal = self._refusal(url)
        if refusal:
            LOG.warning("refused %s: %s", url, refusal)
            return FetchResult(url, 0, None, 0, error=refusal, final_url=url)
        if use_cache and not refresh and self.cache is not None:
            cached = self._from_cache(url, parse, is_final)
            if cached is not None:
                return cached
            if remember_missing and self.cache.is_known_missing(url):
                return FetchResult(url, 404, None, 0, error="HTTP 404 (known missing, cached)", from_cache=True, final_url=url)
        result = self._download(url, parse, headers or {})
        if use_cache and self.cache is not None:
            if result.ok and result.body is not None and (is_final is None or is_final(result.page)):
                self.cache.put(url, result.body, result.content_type)
            elif result.ok and result.body is not None:
                self.cache.reject(url, result.body, "valid but not final", result.content_type)
            elif result.status == 404 and remember_missing and self.settings.cache_missing:
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

    def _from_cache(self, url: str, parse: Parser | None, is_final: Callable[[Any], bool] | None) -> FetchResult | None:
        """The cached page of ``url``, or None when there is none or ``parse`` rejects it or
        ``is_final`` does not accept it (then it is set aside, to be fetched again)."""
        assert self.cache is not None
        body = self.cache.get(url)
        if body is None:
            return None
        content_type = self.cache.content_type(url)
        page = None
        if parse is not None:
            try:
                page = parse(body, content_type)
            except InvalidPage as exc:
                LOG.warning("cached %s is not a valid page (%s): set aside, fetching it again", url, exc)
                self.cache.set_aside(url, f"invalid page: {exc}")
                return None
            if is_final is not None and not is_final(page):
                self.cache.set_aside(url, "valid but not final")
                return None
        return FetchResult(url, 200, body, 0, from_cache=True, final_url=url, content_type=content_type, page=page)

    def _download(self, url: str, parse: Parser | None = None, headers: dict[str, str] | None = None) -> FetchResult:
        current, attempts = url, 0
        for _ in range(self.settings.max_redirects + 1):
            if not self._robots_allow(current):
                return FetchResult(url, 0, None, attempts, error="disallowed by robots.txt", final_url=current)
            reply, used, error, page = self._request_with_retries(current, parse, headers or {})
            attempts += used
            if error is not None or reply is None:
                return FetchResult(url, reply.status if reply else 0, None, attempts, error=error, final_url=current)
            location = reply.headers.get("location")
            if reply.status in REDIRECT_STATUSES and location:
                target = urljoin(current, location)
                refusal = self._refusal(target) or _redirect_refusal(current, target)
                if refusal:
                    LOG.warning("refused redirect %s -> %s: %s", current, target, refusal)
                    return FetchResult(
                        url, reply.status, None, attempts, error=f"redirect to {target} refused: {refusal}", final_url=current
                    )
                current = target
                continue
            if reply.status == 200:
                return FetchResult(url, 200, reply.body, attempts, final_url=current,
                                   content_type=reply.headers.get("content-type"), page=page)
            return FetchResult(url, reply.status, None, attempts, error=f"HTTP {reply.status}", final_url=current)
        return FetchResult(url, 0, None, attempts, error=f"more than {self.settings.max_redirects} redirects", final_url=current)

    def _request_with_retries(
        self, url: str, parse: Parser | None = None, headers: dict[str, str] | None = None
    ) -> tuple[_Reply | None, int, str | None, Any]:
        """(last reply or None, requests made, error or None, parsed page); retries transient
        failures, and 200 bodies that ``parse`` rejects."""
        reply: _Reply | None = None
        error: str | None = None
        total = self.settings.max_retries + 1
        for attempt in range(1, total + 1):
            self.limiter.wait()
            self.requests_made += 1
            delay = self._backoff(attempt)
            try:
                reply = self._request(url, headers or {})
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError, TruncatedBody,
                    DeadlineExceeded) as exc:
                reply, error = None, f"{type(exc).__name__}: {exc}"
            except BodyTooLarge as exc:  # the page is what it is: no retry
                LOG.warning("giving up on %s: %s", url, exc)
                return None, attempt, f"{type(exc).__name__}: {exc}", None
            except requests.RequestException as exc:  # not transient (e.g. an invalid URL): no retry
                return None, attempt, f"{type(exc).__name__}: {exc}", None
            else:
                if reply.status == 429:
                    error = "HTTP 429 Too Many Requests"
                    retry_after = parse_retry_after(reply.headers.get("retry-after"))
                    if retry_after is not None:
                        delay = min(retry_after, self.settings.retry_after_cap)
                elif reply.status >= 500:
                    error = f"HTTP {reply.status}"
                elif reply.status != 200 or parse is None:
                    return reply, attempt, None, None
                else:
                    content_type = reply.headers.get("content-type")
                    try:
                        return reply, attempt, None, parse(reply.body, content_type)
                    except InvalidPage as exc:
                        error = f"invalid page: {exc}"
                        LOG.warning("%s is not a valid page: %s", url, exc)
                        if self.cache is not None:
                            self.cache.reject(url, reply.body, error, content_type)
            if attempt < total:
                LOG.info("retrying %s in %.1f s after %s (attempt %d of %d)", url, delay, error, attempt, total)
                self.clock.sleep(delay)
        LOG.warning("giving up on %s after %d attempts: %s", url, total, error)
        return reply, total, error, None

    def _request(self, url: str, headers: dict[str, str] | None = None) -> _Reply:
        """One GET, the body streamed under the deadline and the size limit."""
        limit, started = self.settings.max_body_bytes, time.monotonic()
        with self.session.get(
            url,
            headers={**(headers or {}), "User-Agent": self.settings.user_agent},
            timeout=min(self.settings.timeout, self.settings.deadline),
            allow_redirects=False,
            stream=True,
        ) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            expected = headers.get("content-length", "")
            if expected.isdigit() and "content-encoding" not in headers and int(expected) > limit:
                raise BodyTooLarge(f"body of {expected} bytes announced, over the limit of {limit} bytes")
            chunks, size = [], 0
            while chunk := response.raw.read1(65536, decode_content=True):  # whatever has arrived
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(f"body over the limit of {limit} bytes")
                if time.monotonic() - started > self.settings.deadline:
                    raise DeadlineExceeded(f"no complete answer within the deadline of {self.settings.deadline:g} s")
                chunks.append(chunk)
        body = b"".join(chunks)
        if expected.isdigit() and "content-encoding" not in headers and len(body) != int(expected):
            raise TruncatedBody(f"got {len(body)} of {expected} bytes")
        return _Reply(response.status_code, headers, body)

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
            reply, used, error, _ = self._request_with_retries(current)
            attempts += used
            location = reply.headers.get("location") if reply is not None and error is None else None
            if reply is None or reply.status not in REDIRECT_STATUSES or not location:
                break
            target = urljoin(current, location)
            if self._refusal(target) or _redirect_refusal(current, target):
                break  # a redirect off the allow-list or to another origin counts as no answer
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


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def _redirect_refusal(source: str, target: str) -> str | None:
    """Why a redirect from ``source`` to ``target`` is refused: it must keep scheme, host and port."""
    if _origin(source) == _origin(target):
        return None
    scheme, host, port = _origin(source)
    return f"redirects are followed only within {scheme}://{host}:{port}"


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

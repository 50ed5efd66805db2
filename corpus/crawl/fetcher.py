"""A polite HTTP fetcher: allow-listed hosts, robots.txt, a request-rate cap, retries, a raw cache.

Like a downloader with middlewares, ``Fetcher`` composes one small policy per concern:

- ``rate_limit.RateLimiter``: at most ``rate`` requests per second (a minimum interval between
  request starts, measured on the injectable ``clock.Clock``), raised to robots.txt's
  ``Crawl-delay`` when that is longer;
- ``fetch_settings``: a descriptive User-Agent ``hkasean/<version> (+research crawler; contact in
  README)`` and the ranges every setting accepts;
- ``host_policy.HostPolicy`` and ``redirects.RedirectFollower``: only hosts on the allow-list are
  contacted (by default the base URL's host); redirects are followed by hand, only to the same
  scheme, host and port as the URL asked for: any other redirect is refused and logged;
- ``robots.RobotsPolicy``: robots.txt is fetched once per host, only when a request is actually
  needed, and read as RFC 9309 says;
- ``bounded_request.BoundedRequester``: the body is streamed under ``timeout`` (connection and each
  read), ``deadline`` (the whole request, on the same clock) and ``max_body_bytes``;
- ``retry.Retrier``: transient failures are retried with a seeded exponential backoff; 429 waits
  for ``Retry-After``. A caller may pass a ``parse`` function: a 200 body it rejects
  (``InvalidPage``: an HTTP-200 error page, undecodable bytes) is retried like a 5xx, put aside in
  the cache as rejected and never stored as a page;
- ``cache_policy.CachePolicy``: valid 200 bodies go to the ``PageCache`` with their Content-Type; a
  404 is recorded as known-missing (``cache_missing``); a cached page the parser rejects is set aside
  and fetched again; other failures are never cached.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import requests

from hkasean.corpus.crawl.bounded_request import BoundedRequester, Reply
from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.cache_policy import CachePolicy
from hkasean.corpus.crawl.clock import Clock, SystemClock
from hkasean.corpus.crawl.fetch_result import FetchResult, Parser
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.crawl.host_policy import HostPolicy
from hkasean.corpus.crawl.rate_limit import RateLimiter
from hkasean.corpus.crawl.redirects import RedirectFollower
from hkasean.corpus.crawl.retry import Retrier
from hkasean.corpus.crawl.robots import RobotsPolicy

LOG = logging.getLogger(__name__)


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
        self.settings = settings or FetchSettings()
        self.cache = cache
        self.clock = clock or SystemClock()
        self.hosts = HostPolicy(allowed_hosts)
        self.limiter = RateLimiter(self.settings.rate, self.clock)
        self.requester = BoundedRequester(session or requests.Session(), self.settings, self.clock)
        self.requests_made = 0
        retrier = Retrier(self._send, self.settings, self.clock, on_invalid_body=cache.reject if cache is not None else None)
        self.redirects = RedirectFollower(retrier, self.hosts, self.settings.max_redirects)
        self.robots = RobotsPolicy(self.redirects, self.limiter)
        self.robots_results = self.robots.results
        self._cache_policy = CachePolicy(cache, self.settings.cache_missing) if cache is not None else None

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
        refusal = self.hosts.refusal(url)
        if refusal:
            LOG.warning("refused %s: %s", url, refusal)
            return FetchResult(url, 0, None, 0, error=refusal, final_url=url)
        if use_cache and not refresh and self._cache_policy is not None:
            cached = self._cache_policy.lookup(url, parse, is_final, remember_missing)
            if cached is not None:
                return cached
        result = self._download(url, parse, headers or {})
        if use_cache and self._cache_policy is not None:
            self._cache_policy.keep(result, is_final, remember_missing)
        return result

    def _download(self, url: str, parse: Parser | None, headers: dict[str, str]) -> FetchResult:
        """Ask the site for ``url`` (robots.txt, redirects and retries applied)."""
        followed = self.redirects.follow(url, parse, headers, may_request=self.robots.allows)
        reply, attempts, current = followed.reply, followed.attempts, followed.final_url
        if followed.disallowed:
            return FetchResult(url, 0, None, attempts, error="disallowed by robots.txt", final_url=current)
        if followed.error is not None or reply is None:
            return FetchResult(url, reply.status if reply else 0, None, attempts, error=followed.error, final_url=current)
        if followed.refused is not None:
            target, refusal = followed.refused
            LOG.warning("refused redirect %s -> %s: %s", current, target, refusal)
            return FetchResult(url, reply.status, None, attempts, error=f"redirect to {target} refused: {refusal}",
                               final_url=current)
        if followed.too_many:
            return FetchResult(url, 0, None, attempts, error=f"more than {self.settings.max_redirects} redirects",
                               final_url=current)
        if reply.status == 200:
            return FetchResult(url, 200, reply.body, attempts, final_url=current,
                               content_type=reply.headers.get("content-type"), page=followed.page)
        return FetchResult(url, reply.status, None, attempts, error=f"HTTP {reply.status}", final_url=current)

    def _send(self, url: str, headers: dict[str, str]) -> Reply:
        """One request, when the rate limiter lets it start; counted in ``requests_made``."""
        self.limiter.wait()
        self.requests_made += 1
        return self.requester.get(url, headers)

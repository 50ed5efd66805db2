"""robots.txt, fetched once per origin and only when a request is actually needed (a warm cache makes
no request at all), read as RFC 9309 says: 200 -> obey it; 4xx -> no rules, allow all; 5xx or no
answer after retries -> the site is unreachable, disallow all for this run. A ``Crawl-delay`` longer
than the rate limiter's interval slows the fetcher down to it."""
from __future__ import annotations

import logging
import urllib.robotparser
from urllib.parse import urlsplit

from hkasean.corpus.crawl.fetch_result import FetchResult
from hkasean.corpus.crawl.fetch_settings import ROBOTS_AGENT
from hkasean.corpus.crawl.rate_limit import RateLimiter
from hkasean.corpus.crawl.redirects import RedirectFollower

LOG = logging.getLogger(__name__)


class RobotsPolicy:
    """Whether robots.txt lets the fetcher ask for a URL. ``results`` collects the robots.txt fetches
    (one ``FetchResult`` each) so the caller can log them."""

    def __init__(self, redirects: RedirectFollower, limiter: RateLimiter) -> None:
        self.redirects = redirects
        self.limiter = limiter
        self.results: list[FetchResult] = []
        self._parsers: dict[str, urllib.robotparser.RobotFileParser] = {}

    def allows(self, url: str) -> bool:
        """True when the robots.txt of ``url``'s origin (fetched the first time it is needed) allows it."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._parsers.get(origin)
        if parser is None:
            parser = self._load(origin)
            self._parsers[origin] = parser
        return parser.can_fetch(ROBOTS_AGENT, url)

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """Fetch and read the robots.txt of ``origin`` (a redirect the host policy refuses counts as no answer)."""
        robots_url = origin + "/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        followed = self.redirects.follow(robots_url)
        reply, error = followed.reply, followed.error
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
        self.results.append(FetchResult(robots_url, status, None, followed.attempts, error=error, final_url=robots_url))
        return parser

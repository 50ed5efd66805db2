"""Retries of one request: timeouts, a missed deadline, connection errors, truncated bodies, 5xx and
200 bodies the caller's parser rejects are retried with exponential backoff plus jitter from a seeded
RNG; 429 waits for ``Retry-After`` (seconds or an HTTP date, capped) or the backoff when it is absent.
An oversize body or a request that cannot be sent (an invalid URL) is not retried."""
from __future__ import annotations

import datetime as _dt
import email.utils
import logging
import random
from dataclasses import dataclass
from typing import Any, Callable

import requests
import urllib3

from hkasean.corpus.crawl.bounded_request import BodyTooLarge, DeadlineExceeded, Reply, TruncatedBody
from hkasean.corpus.crawl.clock import Clock
from hkasean.corpus.crawl.decoding import InvalidPage
from hkasean.corpus.crawl.fetch_result import Parser
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.seeds import master_seed

LOG = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError, TruncatedBody, DeadlineExceeded,
)
"""Failures of a request that may go away when it is sent again."""

Sender = Callable[[str, dict[str, str]], Reply]
"""Sends one GET of a URL with extra headers and returns the reply (see ``BoundedRequester.get``)."""

InvalidBodyHandler = Callable[[str, bytes, str, "str | None"], None]
"""Told of each 200 body the parser rejected: URL, body, error and Content-Type (e.g. ``PageCache.reject``)."""


@dataclass(frozen=True)
class Answer:
    """The outcome of a request and its retries: the last reply (None when there was no answer), the
    requests made, the error (None on success) and what ``parse`` made of a 200 body."""

    reply: Reply | None
    attempts: int
    error: str | None
    page: Any = None


class Retrier:
    """Sends a request through ``send`` until it succeeds or ``settings.max_retries`` retries are
    spent, sleeping the backoff (or the Retry-After) on ``clock`` between attempts."""

    def __init__(self, send: Sender, settings: FetchSettings, clock: Clock,
                 on_invalid_body: InvalidBodyHandler | None = None) -> None:
        self.send = send
        self.settings = settings
        self.clock = clock
        self.on_invalid_body = on_invalid_body
        self._rng = random.Random(master_seed(settings.seed))

    def request(self, url: str, parse: Parser | None = None, headers: dict[str, str] | None = None) -> Answer:
        """Request ``url``, retrying transient failures and 200 bodies that ``parse`` rejects."""
        reply: Reply | None = None
        error: str | None = None
        total = self.settings.max_retries + 1
        for attempt in range(1, total + 1):
            delay = self._backoff(attempt)
            try:
                reply = self.send(url, headers or {})
            except TRANSIENT_ERRORS as exc:
                reply, error = None, f"{type(exc).__name__}: {exc}"
            except BodyTooLarge as exc:  # the page is what it is: no retry
                LOG.warning("giving up on %s: %s", url, exc)
                return Answer(None, attempt, f"{type(exc).__name__}: {exc}")
            except requests.RequestException as exc:  # not transient (e.g. an invalid URL): no retry
                return Answer(None, attempt, f"{type(exc).__name__}: {exc}")
            else:
                if reply.status == 429:
                    error = "HTTP 429 Too Many Requests"
                    retry_after = parse_retry_after(reply.headers.get("retry-after"))
                    if retry_after is not None:
                        delay = min(retry_after, self.settings.retry_after_cap)
                elif reply.status >= 500:
                    error = f"HTTP {reply.status}"
                elif reply.status != 200 or parse is None:
                    return Answer(reply, attempt, None)
                else:
                    content_type = reply.headers.get("content-type")
                    try:
                        return Answer(reply, attempt, None, parse(reply.body, content_type))
                    except InvalidPage as exc:
                        error = f"invalid page: {exc}"
                        LOG.warning("%s is not a valid page: %s", url, exc)
                        if self.on_invalid_body is not None:
                            self.on_invalid_body(url, reply.body, error, content_type)
            if attempt < total:
                LOG.info("retrying %s in %.1f s after %s (attempt %d of %d)", url, delay, error, attempt, total)
                self.clock.sleep(delay)
        LOG.warning("giving up on %s after %d attempts: %s", url, total, error)
        return Answer(reply, total, error)

    def _backoff(self, attempt: int) -> float:
        """Seconds to wait after attempt number ``attempt`` fails: doubling from ``backoff_base`` up to
        ``backoff_cap``, plus a seeded random jitter."""
        base = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        return base + self._rng.uniform(0.0, self.settings.backoff_jitter * base)


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

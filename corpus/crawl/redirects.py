"""Redirects followed by hand, one hop at a time, each hop asked for through the retries, and only
where the host policy allows (same scheme, host and port as the URL asked for)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin

from hkasean.corpus.crawl.bounded_request import Reply
from hkasean.corpus.crawl.fetch_result import Parser
from hkasean.corpus.crawl.host_policy import REDIRECT_STATUSES, HostPolicy
from hkasean.corpus.crawl.retry import Retrier


@dataclass(frozen=True)
class Followed:
    """Where following redirects from a URL ended.

    ``reply``, ``error`` and ``page`` are those of the last hop asked for (see ``retry.Answer``);
    ``attempts`` counts the requests of every hop; ``final_url`` is the last URL reached. Following
    stops early when ``may_request`` said no (``disallowed``), at a redirect the host policy refuses
    (``refused``: the target and why; ``reply`` is that redirect) or after too many redirects
    (``too_many``; ``final_url`` is the redirect target not asked for).
    """

    reply: Reply | None
    attempts: int
    error: str | None
    page: Any
    final_url: str
    disallowed: bool = False
    refused: tuple[str, str] | None = None
    too_many: bool = False


class RedirectFollower:
    """Follows up to ``max_redirects`` redirects per request."""

    def __init__(self, retrier: Retrier, hosts: HostPolicy, max_redirects: int) -> None:
        self.retrier = retrier
        self.hosts = hosts
        self.max_redirects = max_redirects

    def follow(self, url: str, parse: Parser | None = None, headers: dict[str, str] | None = None,
               may_request: Callable[[str], bool] | None = None) -> Followed:
        """Request ``url`` and the redirects it leads to; ``may_request`` (e.g. robots.txt) is asked
        before each hop; ``parse`` and ``headers`` go to every hop."""
        current, attempts, reply = url, 0, None
        for _ in range(self.max_redirects + 1):
            if may_request is not None and not may_request(current):
                return Followed(None, attempts, None, None, current, disallowed=True)
            answer = self.retrier.request(current, parse, headers)
            attempts += answer.attempts
            reply = answer.reply
            location = reply.headers.get("location") if reply is not None and answer.error is None else None
            if reply is None or reply.status not in REDIRECT_STATUSES or not location:
                return Followed(reply, attempts, answer.error, answer.page, current)
            target = urljoin(current, location)
            refusal = self.hosts.redirect_refusal(current, target)
            if refusal:
                return Followed(reply, attempts, None, None, current, refused=(target, refusal))
            current = target
        return Followed(reply, attempts, None, None, current, too_many=True)

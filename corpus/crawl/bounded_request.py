"""One GET with its body streamed under the size limit and the total deadline.

``timeout`` bounds the connection and each read, ``deadline`` the whole request, measured on the
fetcher's clock (checked between chunks, so one stalled read can add up to ``timeout``), and a body
over ``max_body_bytes`` (announced or counted) is abandoned unread. A body shorter than its
Content-Length is ``TruncatedBody``.
"""
from __future__ import annotations

from dataclasses import dataclass

import requests

from hkasean.corpus.crawl.clock import Clock
from hkasean.corpus.crawl.fetch_settings import FetchSettings


@dataclass(frozen=True)
class Reply:
    """A complete HTTP answer: status, headers (names in lower case) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


class TruncatedBody(IOError):
    """The body is shorter than the Content-Length header said."""


class DeadlineExceeded(IOError):
    """The request took longer than the total deadline (e.g. a body that drips in)."""


class BodyTooLarge(IOError):
    """The body is larger than ``max_body_bytes``; it is not read any further."""


class BoundedRequester:
    """Sends single GETs (no redirect followed) with the settings' User-Agent, timeout, deadline and size limit."""

    def __init__(self, session: requests.Session, settings: FetchSettings, clock: Clock) -> None:
        self.session = session
        self.settings = settings
        self.clock = clock

    def get(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        """One GET, the body streamed under the deadline and the size limit."""
        limit, started = self.settings.max_body_bytes, self.clock.monotonic()
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
                if self.clock.monotonic() - started > self.settings.deadline:
                    raise DeadlineExceeded(f"no complete answer within the deadline of {self.settings.deadline:g} s")
                chunks.append(chunk)
        body = b"".join(chunks)
        if expected.isdigit() and "content-encoding" not in headers and len(body) != int(expected):
            raise TruncatedBody(f"got {len(body)} of {expected} bytes")
        return Reply(response.status_code, headers, body)

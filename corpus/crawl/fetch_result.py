"""What one fetch gives back (``FetchResult``), and the shape of the page parsers a caller may pass."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Parser = Callable[[bytes, "str | None"], Any]
"""Turns a 200 body and its Content-Type header into the parsed page; raises ``InvalidPage``."""


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
        """True for a valid 200 page: no error and a body."""
        return self.error is None and self.body is not None


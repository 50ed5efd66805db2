"""A local stand-in for www.info.gov.hk: the fixture pages on a ThreadingHTTPServer at 127.0.0.1.

Tests script faults per path (500, 429 + Retry-After, slow answers, truncated bodies, redirects)
and read back the requests the server received. Nothing here touches the internet.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from hkasean.corpus.crawl.cache import PageCache
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.crawl.fetcher import Fetcher

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "infogovhk"

Fault = Callable[[BaseHTTPRequestHandler, bytes | None], None]


def site_pages(fixtures: Path = FIXTURES) -> dict[str, bytes]:
    """URL path -> raw bytes for every real and synthetic fixture page and synthetic index."""
    pages: dict[str, bytes] = {}
    for page in (fixtures / "release_pages").glob("P*.htm"):
        rid = page.stem
        pages[f"/gia/general/{rid[1:7]}/{rid[7:9]}/{rid}.htm"] = page.read_bytes()
    for page in (fixtures / "synthetic_pages").glob("*.htm"):
        month, day, rid = page.stem.split("_")
        pages[f"/gia/general/{month}/{day}/{rid}.htm"] = page.read_bytes()
    for page in (fixtures / "index_pages").glob("*.htm"):
        month, day = page.stem.split("_")
        pages[f"/gia/general/{month}/{day}.htm"] = page.read_bytes()
    return pages


@dataclass(frozen=True)
class Request:
    path: str
    host: str
    user_agent: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()


class LocalSite:
    """The fixture site on an ephemeral port; ``robots`` None means robots.txt answers 404."""

    def __init__(self, pages: dict[str, bytes] | None = None) -> None:
        self.pages = dict(site_pages() if pages is None else pages)
        self.robots: bytes | None = None
        self.robots_status = 200
        self.content_types: dict[str, str] = {}
        """Content-Type header per path (default: text/html; charset=utf-8)."""
        self.requests: list[Request] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                path, _, query = self.path.partition("?")
                with site._lock:
                    site.requests.append(Request(path, self.headers.get("Host", ""), self.headers.get("User-Agent", ""),
                                                 query, tuple(self.headers.items())))
                    fault = site._faults[path].popleft() if site._faults[path] else None
                body, content_type = (site.robots, "text/plain") if path == "/robots.txt" else site.answer(path, query)
                try:
                    if fault is not None:
                        fault(self, body)
                    elif path == "/robots.txt" and body is not None:
                        send(self, site.robots_status, body, "text/plain")
                    elif body is None:
                        send(self, 404, b"<html><body>Not Found</body></html>")
                    else:
                        send(self, 200, body, content_type)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def answer(self, path: str, query: str) -> tuple[bytes | None, str]:
        """The body (None: 404) and Content-Type served for ``path`` and ``query`` (the query is ignored here)."""
        return self.pages.get(path), self.content_types.get(path, HTML_UTF8)

    def start(self) -> "LocalSite":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_faults(self, path: str, *faults: Fault) -> None:
        """Answer the next requests for ``path`` with these faults, in order, then normally."""
        with self._lock:
            self._faults[path].extend(faults)

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]


HTML_UTF8 = "text/html; charset=utf-8"


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = HTML_UTF8,
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def status(code: int, headers: dict[str, str] | None = None) -> Fault:
    """Answer with ``code`` (and headers), e.g. 500, or 429 with Retry-After."""
    return lambda handler, body: send(handler, code, b"<html>error</html>", headers=headers)


def slow(seconds: float) -> Fault:
    """Wait ``seconds`` before answering normally (past the client's timeout)."""
    def fault(handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        time.sleep(seconds)
        send(handler, 200, body or b"")
    return fault


def truncated(handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
    """Announce the full Content-Length, send half the body, close the connection."""
    body = body or b"x" * 100
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    handler.close_connection = True


def redirect(location: str) -> Fault:
    """A 302 to ``location``."""
    return lambda handler, body: send(handler, 302, b"", headers={"Location": location})


def page(body: bytes, content_type: str = HTML_UTF8) -> Fault:
    """A 200 answer with ``body`` instead of the real page (an error page such as "Service busy")."""
    return lambda handler, real: send(handler, 200, body, content_type)


def drip(chunk: int, interval: float) -> Fault:
    """Send the real page ``chunk`` bytes at a time, one chunk every ``interval`` seconds."""
    def fault(handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        body = body or b"x" * 1000
        handler.send_response(200)
        handler.send_header("Content-Type", HTML_UTF8)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for offset in range(0, len(body), chunk):
            handler.wfile.write(body[offset:offset + chunk])
            handler.wfile.flush()
            time.sleep(interval)
    return fault


def oversize(size: int, announce: bool = True) -> Fault:
    """A 200 body of ``size`` bytes, sent in 64 KiB chunks, with or without Content-Length."""
    def fault(handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", HTML_UTF8)
        if announce:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        block = b"<p>" + b"x" * (65536 - 3)
        for _ in range(size // len(block)):
            handler.wfile.write(block)
        handler.close_connection = True
    return fault


class FakeClock:
    """A clock for the fetcher: ``sleep`` advances time instantly and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RunningClock(FakeClock):
    """A fake clock on which time also passes as on the wall clock (a body that drips in uses up the
    total deadline), while ``sleep`` still advances it instantly and is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.monotonic()

    def monotonic(self) -> float:
        return self.now + time.monotonic() - self._started


def local_fetcher(tmp_path: Path, clock: FakeClock | None = None, **settings) -> Fetcher:
    """A fetcher for the local test site: loopback only, a disk cache in ``tmp_path / "cache"``, a fake clock."""
    options = {"rate": 100.0, "timeout": 5.0, "max_retries": 3, **settings}
    return Fetcher({"127.0.0.1"}, FetchSettings(**options), cache=PageCache(tmp_path / "cache"), clock=clock or FakeClock())

"""Local stand-ins for the trade statistics services: recorded responses served on 127.0.0.1.

Each source's fixture folder ``tests/fixtures/trade_sources/<source>/`` has a ``recorded.json`` (a list
of ``{"path", "query", "file", "content_type"}``) and the response bodies in the service's real format
(its README names where the format comes from). A request is answered with the first entry whose path
equals the request's and whose query holds every listed key and value; anything else is a 404.
Faults (500, 429, slow, truncated, wrong content type) are scripted per path as for the local site.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

from infogovhk_site import LocalSite

TRADE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trade_sources"


def recorded_entries(source: str) -> list[dict]:
    """The recorded responses of ``source`` with their bodies read (``body`` bytes added)."""
    folder = TRADE_FIXTURES / source
    entries = json.loads((folder / "recorded.json").read_text(encoding="utf-8"))
    return [entry | {"body": (folder / entry["file"]).read_bytes()} for entry in entries]


def matches(entry: dict, path: str, query: str) -> bool:
    """Whether a recorded ``entry`` answers a request for ``path`` with the raw ``query`` string."""
    asked = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    return entry["path"] == path and all(asked.get(key) == value for key, value in entry["query"].items())


class TradeServices(LocalSite):
    """The recorded responses of ``sources`` on one local server (robots.txt answers 404: no rules)."""

    def __init__(self, sources: tuple[str, ...]) -> None:
        super().__init__(pages={})
        self.entries = [entry for source in sources for entry in recorded_entries(source)]

    def answer(self, path: str, query: str) -> tuple[bytes | None, str]:
        entry = next((entry for entry in self.entries if matches(entry, path, query)), None)
        return (entry["body"], entry["content_type"]) if entry else (None, "text/html; charset=utf-8")

"""Parse a daily index page ``/gia/general/YYYYMM/DD.htm`` into the releases it lists.

The index markup is reconstructed (no real copy was available), so the parser is deliberately
tolerant: it reads every ``a[href]`` under ``div.leftBody``, keeps the hrefs that are release pages,
and ignores classes, ``<span>`` wrappers, comments and item order. A page without ``div.leftBody``
or with an empty list means "no releases that day" and gives an empty list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

RELEASE_PATH = re.compile(r"/gia/general/(\d{6})/(\d{2})/(P\d{12,})\.htm")
"""Path of an English release page; groups: YYYYMM folder, DD folder, release id."""

_ABSOLUTE_PREFIX = re.compile(r"^https?://www\.info\.gov\.hk(?=/)", re.IGNORECASE)


@dataclass(frozen=True)
class IndexEntry:
    """One release listed on a daily index: its id (``P…``), the listed title, the absolute URL."""

    id: str
    title: str
    url: str


def collapse_whitespace(text: str) -> str:
    """Turn non-breaking spaces into spaces and every run of whitespace into one space; strip."""
    return " ".join(text.replace("\u00a0", " ").split())


def parse_daily_index(html: bytes, page_url: str) -> list[IndexEntry]:
    """The releases listed on a daily index page, in page order, deduplicated by URL.

    ``page_url`` is the index page's own URL; release hrefs (root-relative, or absolute on
    www.info.gov.hk) are resolved against it, so a crawl of a mirror stays on the mirror.
    """
    soup = BeautifulSoup(html, "lxml")
    entries: list[IndexEntry] = []
    seen: set[str] = set()
    for container in soup.select("div.leftBody"):
        for anchor in container.select("a[href]"):
            href = _ABSOLUTE_PREFIX.sub("", anchor["href"].strip())
            match = RELEASE_PATH.fullmatch(href)
            if not match or href in seen:
                continue
            seen.add(href)
            title = collapse_whitespace(anchor.get_text(" "))
            entries.append(IndexEntry(id=match.group(3), title=title, url=urljoin(page_url, href)))
    return entries


def release_folder_date(url: str) -> str | None:
    """The publication date ``YYYY-MM-DD`` encoded in a release URL's folders, or None."""
    match = RELEASE_PATH.search(urlsplit(url).path)
    if not match:
        return None
    month, day = match.group(1), match.group(2)
    return f"{month[:4]}-{month[4:]}-{day}"

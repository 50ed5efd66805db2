"""Parse a daily index page ``/gia/general/YYYYMM/DD.htm`` (and the day's ``select_en.htm``).

The index markup is reconstructed (no real copy was available), so the parser is deliberately
tolerant. Release links are taken from ``div.leftBody`` when the page has one; otherwise from
every link on the page into the day's own release folder. A release link is a root-relative or
absolute (www.info.gov.hk or the page's own host) href matching
``/gia/general/YYYYMM/DD/P<digits>.htm``; print variants (``…p.htm``) never match; page order is
kept and duplicates dropped. Classes, ``<span>`` wrappers and comments do not matter.

A page is valid when it shows the press-release template (``div.leftBody`` or ``#contentBody``)
or at least one release link; anything else (an empty body, "Service busy, please try later",
another page's markup) raises ``InvalidPage``. A valid page with no release gives an empty list:
the crawler treats that day as suspect, not as finished.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from hkasean.corpus.crawl.decoding import InvalidPage, decode_html

RELEASE_PATH = re.compile(r"/gia/general/(\d{6})/(\d{2})/(P\d+)\.htm")
"""Path of an English release page; groups: YYYYMM folder, DD folder, release id."""

_DAY_PATH = re.compile(r"/gia/general/(\d{6})/(\d{2})(?:\.htm|/select_en\.htm)")
_SITE_HOSTS = ("www.info.gov.hk", "info.gov.hk")


@dataclass(frozen=True)
class IndexEntry:
    """One release listed on a daily index: its id (``P…``), the listed title, the absolute URL."""

    id: str
    title: str
    url: str


def collapse_whitespace(text: str) -> str:
    """Turn non-breaking spaces into spaces and every run of whitespace into one space; strip."""
    return " ".join(text.replace("\u00a0", " ").split())


def as_text(html: str | bytes) -> str:
    """Page text: ``str`` as is, ``bytes`` decoded by their meta charset or UTF-8 (``InvalidPage`` if they cannot be)."""
    return html if isinstance(html, str) else decode_html(html)


def parse_daily_index(html: str | bytes, page_url: str) -> list[IndexEntry]:
    """The releases listed on a daily index page, in page order, deduplicated by URL.

    ``page_url`` is the index page's own URL; release hrefs are resolved against it, so a crawl
    of a mirror stays on the mirror. Raises ``InvalidPage`` when the page is not a daily index.
    """
    soup = _soup(html, page_url)
    containers = soup.select("div.leftBody")
    day_folder = _DAY_PATH.search(urlsplit(page_url).path)
    entries: list[IndexEntry] = []
    seen: set[str] = set()
    for anchor in [a for c in containers for a in c.select("a[href]")] if containers else soup.select("a[href]"):
        href = _release_href(anchor["href"], page_url)
        match = RELEASE_PATH.fullmatch(href) if href else None
        if not match or href in seen:
            continue
        if not containers and day_folder and match.group(1, 2) != day_folder.group(1, 2):
            continue  # without the list, a link to another day's release is a cross-reference
        seen.add(href)
        title = collapse_whitespace(anchor.get_text(" "))
        entries.append(IndexEntry(id=match.group(3), title=title, url=urljoin(page_url, href)))
    if not entries and not containers and soup.select_one("#contentBody") is None:
        raise InvalidPage(f"{page_url}: not a daily index page (no div.leftBody, no #contentBody, no release link): "
                          f"{_preview(soup)}")
    return entries


def parse_day_select(html: str | bytes, page_url: str) -> list[str]:
    """The release ids offered by a day's ``select_en.htm`` (``<option value="P…">``), in order.

    Raises ``InvalidPage`` when the page has no ``<select>`` with release options.
    """
    soup = _soup(html, page_url)
    ids: list[str] = []
    for option in soup.select("select option[value]"):
        value = option["value"].strip()
        if re.fullmatch(r"P\d+", value) and value not in ids:
            ids.append(value)
    if not ids:
        raise InvalidPage(f"{page_url}: not a release select (no <option value=\"P…\">): {_preview(soup)}")
    return ids


def release_folder_date(url: str) -> str | None:
    """The publication date ``YYYY-MM-DD`` encoded in a release URL's folders, or None."""
    match = RELEASE_PATH.search(urlsplit(url).path)
    if not match:
        return None
    month, day = match.group(1), match.group(2)
    return f"{month[:4]}-{month[4:]}-{day}"


def _release_href(href: str, page_url: str) -> str | None:
    """The root-relative path of ``href`` when it is root-relative or absolute on the site (or on
    the page's own host); None otherwise."""
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        return href
    parts = urlsplit(href)
    if parts.scheme.lower() in ("http", "https") and not parts.query and (
        (parts.hostname or "") in _SITE_HOSTS or parts.netloc == urlsplit(page_url).netloc
    ):
        return parts.path
    return None


def _soup(html: str | bytes, page_url: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(as_text(html), "lxml")
    except InvalidPage as exc:
        raise InvalidPage(f"{page_url}: {exc}") from None


def _preview(soup: BeautifulSoup) -> str:
    text = collapse_whitespace(soup.get_text(" "))
    return repr(text[:80]) if text else "empty page"

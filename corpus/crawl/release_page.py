"""Parse a release page ``/gia/general/YYYYMM/DD/P….htm`` into a record (pure: bytes in, record out).

Text rules (STRUCTURE.md §3): the body is ``span#pressrelease`` without ``div.controlDisplay2``,
the footer ``div.mB15.f15`` and the ``NNNN`` div. ``<br>`` ends a line; a blank line ends a
paragraph; lines of one paragraph are joined with a space; entities are decoded, non-breaking
spaces become spaces and whitespace is collapsed, so a paragraph reads as it does on screen.
Each ``<li>`` item is a paragraph of its own, and so is each table row, its cells joined by
`` | ``. Release links are never harvested here: the right column (photos, video, related
releases, attachments) is reported as metadata only.

The issue date is the footer's ("Ends/Thursday, January 9, 2020"); when the footer has no
date, or one that does not parse ("February 30, 2021", "Sept 22, 2021"), the date of the
release's folder is used, with a logged warning for an unreadable one. A page is never dated
from its id.

``doc_type`` comes from the headline: ``LCQ…`` -> legco_reply; "speech" or "remarks by" ->
speech; "statement" -> statement; "statistics" -> statistics; otherwise press_release.
``speaker`` is the short form after "Speech by" / "Remarks by" / "Transcript of remarks by"
(e.g. "CE", "FS", "SCED"), or the owner in "CE's speech at …"; empty otherwise.
"""
from __future__ import annotations

import datetime as _dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from hkasean.corpus.crawl.decoding import InvalidPage
from hkasean.corpus.crawl.index_page import as_text, collapse_whitespace, release_folder_date
from hkasean.corpus.document import Document

LOG = logging.getLogger(__name__)

SOURCE = "info.gov.hk"

_FOOTER = re.compile(r"Ends/(\w+), (\w+ \d{1,2}, \d{4})\s*Issued at HKT (\d{1,2}):(\d{2})")
_SPEECH_BY = re.compile(
    r"^(?:Speech|Remarks|Transcript of remarks|Opening remarks|Keynote speech|Video speech) by "
    r"(?:the )?(?P<who>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)",
)
_OWNER_SPEECH = re.compile(r"^(?P<who>[A-Z][\w.-]*)'s (?:video )?(?:speech|remarks)\b", re.IGNORECASE)
_BREAK, _PARAGRAPH = object(), object()
_BLOCKS = {"div", "ul", "ol", "p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "center", "hr"}
_SKIPPED = {"script", "style", "noscript", "img"}


class ReleaseParseError(InvalidPage):
    """The page is not a release page (undecodable, no headline or no body); ``url`` names the page."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: {message}")


@dataclass(frozen=True)
class Link:
    """A labelled link from the page's right column (photo caption, video title, related release)."""

    label: str
    url: str


@dataclass(frozen=True)
class ParsedRelease:
    """Everything read from one English release page.

    ``date`` is the issue date ``YYYY-MM-DD`` (footer, else the URL's folders); ``time`` is the
    issue time ``HH:MM`` (HKT) or "" when the footer is missing; ``text`` is ``paragraphs``
    joined by blank lines.
    """

    id: str
    url: str
    title: str
    date: str
    time: str
    paragraphs: list[str]
    doc_type: str
    speaker: str
    english_only: bool
    photos: list[Link] = field(default_factory=list)
    videos: list[Link] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    attachments: list[Link] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The body as plain text, paragraphs separated by one blank line."""
        return "\n\n".join(self.paragraphs)


def parse_release(html: str | bytes, url: str) -> ParsedRelease:
    """Parse a release page fetched from ``url``: its text, or its raw bytes (decoded by their
    meta charset, else UTF-8).

    Raises ``ReleaseParseError`` when the page cannot be decoded or has no headline or no body text.
    """
    try:
        soup = BeautifulSoup(as_text(html), "lxml")
    except InvalidPage as exc:
        raise ReleaseParseError(url, str(exc)) from None
    title = _headline(soup)
    if not title:
        raise ReleaseParseError(url, "no headline (span#PRHeadlineSpan, div#PRHeadline or <title>)")
    body = soup.select_one("span#pressrelease")
    if body is None:
        raise ReleaseParseError(url, "no body (span#pressrelease)")
    date, time = _footer_date_time(body, url)
    for unwanted in body.select("div.controlDisplay2, div.mB15.f15"):
        unwanted.decompose()
    for div in body.find_all("div"):
        if div.get_text(strip=True).replace("\u00a0", "") in ("", "NNNN"):
            div.decompose()
    paragraphs = body_paragraphs(body)
    if not paragraphs:
        raise ReleaseParseError(url, "empty body")
    date = date or release_folder_date(url)
    if not date:
        raise ReleaseParseError(url, "no issue date in the footer and none in the URL")
    right = soup.select_one("#rightContent")
    return ParsedRelease(
        id=_release_id(url),
        url=url,
        title=title,
        date=date,
        time=time,
        paragraphs=paragraphs,
        doc_type=classify_doc_type(title),
        speaker=find_speaker(title),
        english_only=soup.select_one("#hdrTCLnk") is None or "(English only)" in title,
        photos=_links(right, "a.fancybox[href]", label_attr="title"),
        videos=_video_links(right),
        related=_links(right, "a.contentref_text[href]"),
        attachments=_links(right, "a[class*=attach_text][href]"),
    )


def to_document(release: ParsedRelease) -> Document:
    """The store/JSONL record of a parsed release (source info.gov.hk, lang en).

    ``extra`` keeps the issue time, the English-only flag, and the right-column links.
    """
    extra: dict[str, Any] = {"issued_time": release.time, "english_only": release.english_only}
    for name in ("photos", "videos", "related", "attachments"):
        links = getattr(release, name)
        if links:
            extra[name] = [{"label": link.label, "url": link.url} for link in links]
    return Document(
        id=release.id,
        date=release.date,
        title=release.title,
        text=release.text,
        url=release.url,
        source=SOURCE,
        doc_type=release.doc_type,
        speaker=release.speaker,
        lang="en",
        extra=extra,
    )


def classify_doc_type(title: str) -> str:
    """The ``Document.doc_type`` implied by a headline (see the module docstring for the rules)."""
    lowered = title.lower()
    if re.match(r"lcq\s*\d*\b", lowered):
        return "legco_reply"
    if "speech" in lowered or re.search(r"\bremarks by\b", lowered):
        return "speech"
    if "statement" in lowered:
        return "statement"
    if "statistics" in lowered:
        return "statistics"
    return "press_release"


def find_speaker(title: str) -> str:
    """The speaker named in a speech headline ("Speech by SCED at …" -> "SCED"), else ""."""
    match = _SPEECH_BY.match(title) or _OWNER_SPEECH.match(title)
    return match.group("who") if match else ""


def body_paragraphs(body: Tag) -> list[str]:
    """Paragraphs of a body element as a reader sees them (rules in the module docstring)."""
    paragraphs: list[str] = []
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        line = collapse_whitespace("".join(current))
        current.clear()
        if line:
            lines.append(line)
        else:
            end_paragraph()

    def end_paragraph() -> None:
        if lines:
            paragraphs.append(" ".join(lines))
            lines.clear()

    for token in _tokens(body):
        if token is _BREAK:
            end_line()
        elif token is _PARAGRAPH:
            end_line()
            end_paragraph()
        else:
            current.append(token)
    end_line()
    end_paragraph()
    return paragraphs


def _tokens(node: Tag) -> Iterator[Any]:
    """Text pieces, line breaks and paragraph breaks of ``node`` in document order."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a Comment, CData, Doctype...
                yield str(child)
            continue
        name = child.name
        if name in _SKIPPED:
            continue
        if name == "br":
            yield _BREAK
        elif name == "table":
            yield _PARAGRAPH
            for row in child.find_all("tr"):
                cells = [collapse_whitespace(cell.get_text(" ")) for cell in row.find_all(["td", "th"])]
                if any(cells):
                    yield " | ".join(cells)
                    yield _PARAGRAPH
        elif name == "li":
            yield _PARAGRAPH
            yield from _tokens(child)
            yield _PARAGRAPH
        elif name in _BLOCKS:
            yield _BREAK
            yield from _tokens(child)
            yield _BREAK
        else:
            yield from _tokens(child)


def _headline(soup: BeautifulSoup) -> str:
    for selector in ("span#PRHeadlineSpan", "div#PRHeadline", "title"):
        node = soup.select_one(selector)
        if node is not None and collapse_whitespace(node.get_text()):
            return collapse_whitespace(node.get_text())
    meta = soup.select_one('meta[property="og:title"]')
    return collapse_whitespace(meta.get("content", "")) if meta is not None else ""


def _footer_date_time(body: Tag, url: str) -> tuple[str | None, str]:
    """(issue date or None, issue time or "") from the footer; None for a date that does not parse."""
    footer = body.select_one("div.mB15.f15")
    if footer is None:
        return None, ""
    match = _FOOTER.search(collapse_whitespace(footer.get_text(" ")))
    if not match:
        return None, ""
    hour, minute = int(match.group(3)), int(match.group(4))
    time = f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else ""
    try:
        return _dt.datetime.strptime(match.group(2), "%B %d, %Y").date().isoformat(), time
    except ValueError:
        LOG.warning("%s: footer date %r does not parse; using the date of the release's folder (%s)",
                    url, match.group(2), release_folder_date(url))
        return None, time


def _release_id(url: str) -> str:
    match = re.search(r"(P\d+)p?\.htm", url)
    if not match:
        raise ReleaseParseError(url, "no release id (P followed by digits) in the URL")
    return match.group(1)


def _links(container: Tag | None, selector: str, label_attr: str | None = None) -> list[Link]:
    if container is None:
        return []
    links = []
    for anchor in container.select(selector):
        label = anchor.get(label_attr, "") if label_attr else anchor.get_text(" ")
        links.append(Link(label=collapse_whitespace(label), url=anchor["href"].strip()))
    return links


def _video_links(container: Tag | None) -> list[Link]:
    if container is None:
        return []
    titles = [collapse_whitespace(node.get_text(" ")) for node in container.select("div.video_text")]
    anchors = container.select("a.videsLnkArrow[href]")
    return [
        Link(label=titles[i] if i < len(titles) else "", url=anchor["href"].strip())
        for i, anchor in enumerate(anchors)
    ]

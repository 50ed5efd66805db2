"""Raw page bytes to text by the page's declared charset, and the error for a page that is not valid.

The charset is taken, in the order of the HTML standard, from a byte-order mark, the HTTP
``Content-Type`` header, a ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` tag in the
first 4 KiB, and otherwise UTF-8 (what info.gov.hk declares). Labels are mapped as browsers map
them (``gb2312`` reads as GBK, ``iso-8859-1`` and ``ascii`` as windows-1252). Decoding is strict:
a byte the charset does not define raises ``InvalidPage`` naming the charset, byte and offset;
nothing is ever replaced by U+FFFD.
"""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_BROWSER_LABELS = {
    "gb2312": "gbk", "gb_2312-80": "gbk", "x-gbk": "gbk", "iso-8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "iso8859-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252",
}
DEFAULT_CHARSET = "utf-8"


class InvalidPage(ValueError):
    """The bytes fetched are not a valid page of the kind asked for: an error page, another page's
    markup, an empty body or bytes the declared charset cannot decode. The message says why."""


def declared_charset(body: bytes, content_type: str | None = None) -> str:
    """The charset label that applies to ``body`` (BOM, then header, then meta tag, then UTF-8)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        return header.group(1).lower()
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return meta.group(1).decode("ascii").lower()
    return DEFAULT_CHARSET


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """``body`` as text in its declared charset; raises ``InvalidPage`` when it cannot be decoded."""
    label = declared_charset(body, content_type)
    codec = _BROWSER_LABELS.get(label, label)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise InvalidPage(f"unknown charset {label!r}") from None
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        bad = body[exc.start:exc.end]
        raise InvalidPage(f"bytes not valid {label}: 0x{bad.hex()} at offset {exc.start}") from None
    return text.lstrip("\ufeff")

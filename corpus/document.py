"""The document record that passes between the corpus, the models and the analysis."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

DOC_TYPES: tuple[str, ...] = (
    "press_release",
    "speech",
    "legco_reply",
    "statement",
    "statistics",
    "news",
    "circular",
)
"""Allowed values of ``Document.doc_type``."""

PLAUSIBLE_YEARS: tuple[int, int] = (1900, 2099)
"""Issue years a real document can have (first, last). A date outside is accepted (nothing is lost)
but warned about, and prevalence tables do not fill the empty periods between it and the others."""

REQUIRED_FIELDS: tuple[str, ...] = ("id", "date", "title", "text")
CORE_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "date",
    "title",
    "text",
    "source",
    "doc_type",
    "speaker",
    "lang",
)


class DocumentError(ValueError):
    """A record that is not a valid document; ``field`` names the field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"field '{field_name}': {message}")


@dataclass(frozen=True)
class Document:
    """One release, speech, reply or article.

    ``text`` is plain text with paragraphs separated by one blank line. ``date`` is the issue
    date as ``YYYY-MM-DD``. Fields beyond the core ones are kept in ``extra`` and written back
    unchanged, so a round trip through the store or JSONL loses nothing.
    """

    id: str
    date: str
    title: str
    text: str
    url: str = ""
    source: str = ""
    doc_type: str = ""
    speaker: str = ""
    lang: str = "en"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> int:
        """Calendar year of the issue date."""
        return int(self.date[:4])

    @property
    def paragraphs(self) -> list[str]:
        """Non-empty paragraphs of ``text``."""
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]

    @property
    def n_words(self) -> int:
        """Whitespace-separated words of title and text: the text every coder reads and counts in."""
        return len(self.title.split()) + len(self.text.split())

    def content_hash(self) -> str:
        """SHA-256 of the document's full record: any change of any field changes it."""
        payload = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record: core fields first, then the extra ones as they came."""
        record: dict[str, Any] = {name: getattr(self, name) for name in CORE_FIELDS}
        for key, value in self.extra.items():
            record.setdefault(key, value)
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> "Document":
        """Validate a record and build a document; raises ``DocumentError`` naming the field."""
        if not isinstance(record, Mapping):
            raise DocumentError("<record>", f"expected a JSON object, got {type(record).__name__}")
        for name in REQUIRED_FIELDS:
            if name not in record or record[name] is None:
                raise DocumentError(name, "is required")
        values: dict[str, Any] = {}
        for name in CORE_FIELDS:
            value = record.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise DocumentError(name, f"expected a string, got {type(value).__name__} {value!r}")
            values[name] = value
        if not values["id"].strip():
            raise DocumentError("id", "must not be empty")
        values["date"] = _validate_date(values["date"])
        if not values["text"].strip():
            raise DocumentError("text", "must not be empty")
        if values["doc_type"] and values["doc_type"] not in DOC_TYPES:
            raise DocumentError(
                "doc_type", f"unknown value {values['doc_type']!r}; expected one of {', '.join(DOC_TYPES)}"
            )
        if not values["lang"]:
            values["lang"] = "en"
        extra = {k: v for k, v in record.items() if k not in CORE_FIELDS}
        return cls(extra=extra, **values)


def is_plausible_date(date: str) -> bool:
    """True when the ``YYYY-MM-DD`` date's year lies in ``PLAUSIBLE_YEARS``."""
    return PLAUSIBLE_YEARS[0] <= int(date[:4]) <= PLAUSIBLE_YEARS[1]


def implausible_dates_message(places: list[str]) -> str:
    """The warning for documents dated outside ``PLAUSIBLE_YEARS``; ``places`` name them ("line 3: 0001-01-01")."""
    shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
    first, last = PLAUSIBLE_YEARS
    return (f"{len(places)} document(s) dated outside the years {first}-{last}: {shown}; they are kept, but check "
            "their dates (prevalence tables list their periods without the empty periods between)")


def _validate_date(value: str) -> str:
    try:
        parsed = _dt.date.fromisoformat(value)
    except ValueError:
        raise DocumentError("date", f"expected YYYY-MM-DD, got {value!r}") from None
    if parsed.isoformat() != value:
        raise DocumentError("date", f"expected YYYY-MM-DD, got {value!r}")
    return value

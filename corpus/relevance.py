"""The ASEAN relevance filter: does a release mention ASEAN, a member state or an ASEAN office?

Matching rules (applied to the title and the body):

- whole words only: a term must not touch a letter or digit on either side, so ``Thai`` is not
  found inside ``Thailand`` and ``Lao`` is not found inside ``Laoshan``;
- a space or hyphen inside a term matches any run of spaces and hyphens, so ``South-east Asia``
  also finds ``South East Asia`` and ``Southeast Asia`` is listed separately;
- case-aware: terms of at most four characters (``Lao``, ``Thai``, ``RCEP``) match only with the
  capitalisation given, since lower-case ``lao`` or ``thai`` are usually fragments of romanised
  names; longer terms match in any case (``Asean`` as well as ``ASEAN``).
"""
from __future__ import annotations

import re
from typing import Sequence

DEFAULT_KEYWORDS: tuple[str, ...] = (
    # the bloc and its agreements
    "ASEAN",
    "Association of Southeast Asian Nations",
    "Southeast Asia",
    "Southeast Asian",
    "South-east Asia",
    "South-east Asian",
    "AHKFTA",
    "ASEAN-Hong Kong Free Trade",
    "RCEP",
    "Regional Comprehensive Economic Partnership",
    # the ten member states and their demonyms
    "Brunei",
    "Bruneian",
    "Cambodia",
    "Cambodian",
    "Indonesia",
    "Indonesian",
    "Laos",
    "Lao",
    "Malaysia",
    "Malaysian",
    "Myanmar",
    "Philippines",
    "Philippine",
    "Filipino",
    "Singapore",
    "Singaporean",
    "Thailand",
    "Thai",
    "Vietnam",
    "Viet Nam",
    "Vietnamese",
    # capitals and the cities of the Hong Kong Economic and Trade Offices (HKETOs)
    "Jakarta",
    "Bangkok",
    "Kuala Lumpur",
    "Hanoi",
    "Ho Chi Minh City",
    "Manila",
    "Phnom Penh",
    "Vientiane",
    "Yangon",
    "Bandar Seri Begawan",
)
"""The default vocabulary; custom keywords replace it entirely."""

CASE_SENSITIVE_MAX_LENGTH = 4
"""Terms this short or shorter match only with their exact capitalisation."""


def _compile_term(term: str) -> re.Pattern[str]:
    pieces = [re.escape(piece) for piece in re.split(r"[\s\-]+", term.strip()) if piece]
    body = r"[\s\-\u2010-\u2014]+".join(pieces)
    flags = 0 if len(term.strip()) <= CASE_SENSITIVE_MAX_LENGTH else re.IGNORECASE
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", flags)


class RelevanceFilter:
    """Keyword filter over title and body text.

    ``keywords=None`` uses ``DEFAULT_KEYWORDS``; any other sequence replaces the defaults.
    """

    def __init__(self, keywords: Sequence[str] | None = None) -> None:
        self.keywords = tuple(DEFAULT_KEYWORDS if keywords is None else keywords)
        terms = [term for term in self.keywords if term.strip()]
        if not terms:
            raise ValueError("the relevance filter needs at least one non-blank keyword")
        self._patterns = [(term, _compile_term(term)) for term in terms]

    def matched_terms(self, title: str, text: str = "") -> list[str]:
        """The keywords found in ``title`` or ``text``, in vocabulary order, each once."""
        haystacks = (title or "", text or "")
        return [term for term, pattern in self._patterns if any(pattern.search(h) for h in haystacks)]

    def matches(self, title: str, text: str = "") -> bool:
        """True when at least one keyword occurs in the title or the text."""
        haystacks = (title or "", text or "")
        return any(pattern.search(h) for _, pattern in self._patterns for h in haystacks)


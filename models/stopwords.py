"""English stopwords: NLTK's list when its data is installed, else the identical shipped copy."""
from __future__ import annotations

import functools
import logging
from importlib import resources

logger = logging.getLogger(__name__)

DEFAULT_DOMAIN_STOPWORDS: tuple[str, ...] = (
    # the selection term: every document was retrieved for mentioning ASEAN, so it frames nothing
    # (multi-word entries are joined on the raw text like indicator phrases, then removed)
    "asean", "association of southeast asian nations",
    # the place and the institution, named in every release
    "hong", "kong", "hksar", "hkg", "government", "gov", "hk", "chief", "executive", "secretary", "hon", "ce",
    "special administrative region", "city", "department", "bureau",  # "the city" is how releases name Hong Kong
    # titles of office holders: who speaks, not how ASEAN is framed (names: ``TextSettings.drop_speaker_names``)
    "minister", "deputy", "prime", "premier", "president", "vice", "director", "commissioner", "consul",
    "chairman", "ambassador",
    "mr", "mrs", "ms", "dr", "legislative", "council", "lcq", "english", "only", "photos", "photo", "video",
    # reporting verbs and release boilerplate
    "said", "say", "says", "stated", "noted", "added", "told", "described", "cited", "called", "expressed",
    "according", "release", "press", "issued", "published", "excerpt", "ends", "breaks", "portion", "seen",
    "mentioned", "mention", "question", "asked", "answered", "writing", "reply", "held", "took", "place",
    "pointed", "reported", "remarked", "stressed", "addressing", "addressed", "speech", "remarks", "transcript",
    "following", "previous",
    # ceremony boilerplate (stems shared: "opening" also removes "open", "opened")
    "opening", "ceremony", "reception", "luncheon", "cocktail", "dinner", "guests",
    # calendar words
    "today", "yesterday", "year", "years", "month", "months", "day", "days", "week", "weeks",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    # empty qualifiers and quantities
    "also", "would", "could", "per", "cent", "new", "well", "one", "two", "three", "first", "second", "third",
    "including", "include", "includes", "however", "us", "since", "upon", "around", "like", "many", "much",
    "among", "within", "back", "set", "along", "last", "next", "early", "late",
)
"""Words frequent in every government release and empty of framing; configurable in ``TextSettings``.

Each group is boilerplate of official releases in general (or the corpus' own selection term),
not words chosen to help any theme; the codebook indicators are always kept whatever this says."""


@functools.lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """The 179 English stopwords (lowercase, apostrophes kept as in NLTK's list).

    Uses ``nltk.corpus.stopwords`` when its data is installed; otherwise the shipped copy
    ``models/data/stopwords_en.txt`` (the same list). Never downloads anything. Logs once, at
    INFO, which list is in use.
    """
    try:
        from nltk.corpus import stopwords

        words = frozenset(stopwords.words("english"))
        logger.info("stopwords: NLTK english list (%d words)", len(words))
    except LookupError:
        text = (resources.files("hkasean.models") / "data" / "stopwords_en.txt").read_text(encoding="utf-8")
        words = frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
        logger.info("stopwords: NLTK data not installed, using the shipped english list (%d words)", len(words))
    return words

"""What a trade source adapter exchanges with the fetcher: the window asked for, requests, figures.

Each source adapter (``censtatd``, ``comtrade``, ``imf``) is a module with:

- ``NAME`` (the ``--source`` value; its one-line title is in ``fetch.SOURCE_TITLES``) and ``DEFAULT_BASE_URL``;
- ``build_requests(base_url, window, partners, key=None) -> list[SourceRequest]``: every request
  needed for the window and partners (pure: no network);
- ``parse_response(request, body, content_type) -> list[TradeFigure]``: the figures in one raw
  response body; raises ``ResponseFormatError`` when the body is not what the service sends.

The fetcher (``fetch.py``) sends the requests politely, caches the raw bodies, and adds the
provenance (URL, parameters, retrieval time, SHA-256 of the body) to every figure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ASEAN_MEMBERS = ("Brunei", "Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar", "Philippines", "Singapore",
                 "Thailand", "Vietnam")
"""The ten ASEAN members, spelled as in the trade table."""
ASEAN = "ASEAN"
WORLD = "World"
HONG_KONG = "Hong Kong"
DEFAULT_PARTNERS = (ASEAN, *ASEAN_MEMBERS, WORLD)
"""``--partners`` default: ASEAN, its ten members, and the World for the denominators."""
MEMBER_CODES = {"Brunei": "bn", "Cambodia": "kh", "Indonesia": "id", "Laos": "la", "Malaysia": "my",
                "Myanmar": "mm", "Philippines": "ph", "Singapore": "sg", "Thailand": "th", "Vietnam": "vn"}
"""ISO 3166 alpha-2 code (lower case) of each member; names the series of its own records."""

HK_SERIES = {ASEAN: "hk_asean_trade", WORLD: "hk_total_trade"}
"""Series of Hong Kong-recorded figures by partner; any member is ``hk_member_trade``."""
HK_FLOWS = ("total_exports", "domestic_exports", "re_exports", "imports", "total_trade")
"""Flows of Hong Kong-recorded figures (C&SD concepts; exports by destination, imports by origin)."""
MEMBER_FLOWS = ("total_exports_to_partner", "imports_from_partner", "total_trade")
"""Flows of member-recorded figures (the member is the reporter, Hong Kong or World the partner)."""


def hk_series(partner: str) -> str:
    """The series name of a Hong Kong-recorded figure with ``partner``."""
    return HK_SERIES.get(partner, "hk_member_trade")


def member_series(member: str) -> str:
    """The series name of figures recorded by ``member``: ``"<iso2>_recorded_trade"`` (``sg_recorded_trade``)."""
    return f"{MEMBER_CODES[member]}_recorded_trade"


class ResponseFormatError(ValueError):
    """A response body is not in the format the service documents (an error page, truncated JSON, ...)."""


def body_preview(body: bytes | str, limit: int = 120) -> str:
    """The start of a response body for an error message: its first ``limit`` characters with whitespace collapsed,
    quoted, or "an empty body"."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    flat = " ".join(text[:4 * limit].split())[:limit]
    return repr(flat) if flat else "an empty body"


_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FetchWindow:
    """The periods asked for: ``start`` and ``end`` both years (``2015``) or both months (``2015-01``).

    Years ask for annual figures, months for monthly figures, inclusive at both ends.
    """

    start: str
    end: str

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not (_YEAR.match(value) or _MONTH.match(value)):
                raise ValueError(f"--{name} must be a year (2015) or a month (2015-01), got {value!r}")
            if not 1900 <= int(value[:4]) <= 2100:
                raise ValueError(f"--{name} must be a year from 1900 to 2100, got {value!r}")
        if len(self.start) != len(self.end):
            raise ValueError(f"--start and --end must both be years or both be months, got {self.start!r} and {self.end!r}")
        if self.start > self.end:
            raise ValueError(f"--start {self.start} is after --end {self.end}")

    @property
    def monthly(self) -> bool:
        """True when the window asks for monthly figures."""
        return len(self.start) == 7

    @property
    def years(self) -> list[int]:
        """Every calendar year the window touches."""
        return list(range(int(self.start[:4]), int(self.end[:4]) + 1))

    @property
    def periods(self) -> list[str]:
        """Every period of the window: ``"2015"`` ... or ``"2015-01"`` ..."""
        if not self.monthly:
            return [str(year) for year in self.years]
        return [f"{year}-{month:02d}" for year in self.years for month in range(1, 13)
                if self.start <= f"{year}-{month:02d}" <= self.end]


@dataclass(frozen=True)
class SourceRequest:
    """One GET request of a source: ``url`` exactly as sent (query included, no secret), ``params`` the
    query parameters for the provenance (no secret), ``headers`` extra headers (a subscription key goes
    here and is never recorded), ``describes`` what it asks for in words."""

    source: str
    url: str
    params: dict[str, str]
    describes: str
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class TradeFigure:
    """One figure of a response, in the trade table's vocabulary.

    ``series``: ``hk_series(partner)`` for Hong Kong-recorded figures, ``member_series(member)`` for a
    member's own records (``partner`` then ``Hong Kong`` or ``World``); ``period`` ``YYYY`` or
    ``YYYY-MM``; ``flow`` one of ``HK_FLOWS`` or ``MEMBER_FLOWS``; ``value`` in ``unit``
    (``"HK$ million"``, ``"US$ million"``); ``note`` what the service says of the figure
    (provisional, estimated, the service's own flow name) beyond the provenance.
    """

    series: str
    period: str
    partner: str
    flow: str
    value: float
    unit: str
    note: str = ""

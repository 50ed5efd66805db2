"""Hong Kong C&SD web-table API: Hong Kong-recorded merchandise trade with ASEAN, its members and the World.

The source is the web-table API of the Census and Statistics Department (C&SD) of the HKSAR, the
JSON behind the tables of www.censtatd.gov.hk. One GET asks one table::

    {base}/api/get.php?id=<table>&lang=en&param=<P>

where ``P`` is lz-string's ``compressToEncodedURIComponent`` of a JSON query ``{"cv": {<dimension>:
[codes]}, "sv": {<statistical variable>: [<presentation>]}, "period": {"start": "YYYYMM", "end":
"YYYYMM"}, "id": <table>, "lang": "en"}``. The answer is HTTP 200 with ``{"header": {"status": {"name":
"Success" | "Fail", "code", "message": [...]}, "title", "tablenote", "source", "count"}, "dataSet":
[...]}``; ``dataSet`` is long: one cell a row, ``{<dimension>, <dimension>Desc, "freq", "period", "sv",
"svDesc", "figure", "sd_value"}``. ``freq`` ``M`` has ``period`` ``YYYYMM``, ``Y`` has ``YYYY``; one query
returns every frequency the table has, so rows are picked by ``freq``. ``figure`` is a number, or ``""``
for a cell without one; ``sd_value`` holds the cell's flags (``r`` revised, ``p`` provisional; ``-``,
``N.A.``, ``n.y.a.``, ``[*1]`` ... mark a cell without a figure).

Two tables are asked (``TABLES``): ``410-50001`` (imports, total exports, total trade; no country
dimension) for the World, and ``PARTNER_TABLE`` by ``COUNTRY`` (imports, domestic exports, re-exports,
total exports) for ASEAN and its members, with C&SD's numeric country codes (``PARTNER_CODES``).

Where the format was learnt (public material, read through the search tool):

- ``choi01183us/hk-data-monitor``: ``findings.md`` section 2 (the API, the response, that a GET
  ``param`` must be lz-string compressed, that a wrong ``cv`` code silently answers the Total and that
  one query mixes frequencies), ``src/data/_lib/censtatd.js`` (``status.name`` ``Fail`` with
  ``message``; the ``sd_value`` flags) and ``src/data/_lib/indicators.js`` (table ``410-50001``, ``sv``
  ``VAL_IM``/``VAL_TX``, presentation ``Raw_M_hkd_d``, monthly);
- ``pipeworx-io/mcp-censtatd-hk`` ``src/index.ts`` (``param`` is ``compressToEncodedURIComponent``;
  errors come as HTTP 200 with ``header.status.name`` ``Fail``);
- two ``param`` values published in public clients (tables ``310-31003`` and ``620-67001``), which
  ``lzstring`` decompresses to the query above and recompresses byte for byte;
- public scrapers of tables ``410-50012``/``410-50013`` (rows ``COUNTRY``, ``COUNTRYDesc``, ``freq``,
  ``period``, ``sv``, ``svDesc`` ``HK$ million``, ``figure``, ``sd_value``);
- ``victor-w-dev/python_etl_sqlite_multiprocessing_reporting`` ``metadata/geography.xlsx``: C&SD's
  trade geography codes (region 300 ASEAN = countries 611, 613, 614, 616, 619, 622, 633, 691, 694, 697).

Not verified against the live service (say so before relying on it): ``PARTNER_TABLE``, that it has a
``COUNTRY`` dimension with these codes (in C&SD's area scheme 300 is another group) and the ``sv`` codes
``VAL_DX``/``VAL_RX``; ``VAL_TT`` and annual (``Y``) rows in ``410-50001``. A wrong guess fails loudly: a
wrong ``sv`` makes the service answer ``Fail``, a wrong code makes it answer rows of another code, and
a table without annual rows leaves a partner without rows (``ResponseFormatError`` each time).

Caveats: values are HK$ (the table's unit, converted only in spelling: ``HK$ million``). Total exports
are domestic exports plus re-exports; re-exports are goods of other origins passing through Hong Kong,
so Hong Kong's exports to a member mostly are not Hong Kong's own produce. Exports are by destination,
imports by origin. Recent months are provisional (``p``) and earlier ones get revised (``r``): the note
of a figure says so.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from lzstring import LZString

from hkasean.corpus.trade_sources.records import (
    DEFAULT_PARTNERS,
    WORLD,
    FetchWindow,
    ResponseFormatError,
    SourceRequest,
    TradeFigure,
    body_preview,
    hk_series,
)

NAME = "censtatd"
DEFAULT_BASE_URL = "https://www.censtatd.gov.hk"
API_PATH = "/api/get.php"

WORLD_TABLE = "410-50001"
"""Imports, total exports, total trade and the balance, Hong Kong with all partners (no country dimension)."""
PARTNER_TABLE = "410-50011"
"""Imports, domestic exports and re-exports by main country/territory (id not verified live; see above)."""
PRESENTATION = "Raw_M_hkd_d"
"""The values in HK$ million, as published (C&SD's presentation code)."""
TABLES = {
    WORLD_TABLE: {"VAL_IM": "imports", "VAL_TX": "total_exports", "VAL_TT": "total_trade"},
    PARTNER_TABLE: {"VAL_IM": "imports", "VAL_DX": "domestic_exports", "VAL_RX": "re_exports",
                    "VAL_TX": "total_exports"},
}
"""The statistical variables (``sv``) asked of each table, and the flow each one is. Total trade is asked
of ``410-50001`` only: an ``sv`` a table lacks fails the whole request, and by country it is total exports
plus imports."""
COUNTRY = "COUNTRY"
"""The country/territory dimension of ``PARTNER_TABLE``."""
PARTNER_CODES = {"ASEAN": "300", "Brunei": "691", "Cambodia": "611", "Indonesia": "613", "Laos": "614",
                 "Malaysia": "694", "Myanmar": "622", "Philippines": "616", "Singapore": "697", "Thailand": "619",
                 "Vietnam": "633"}
"""C&SD's trade geography code of each partner but the World (300 is the region ASEAN)."""

FREQUENCY = {True: "M", False: "Y"}
"""The ``freq`` of the rows a window asks for, by ``FetchWindow.monthly``."""
VALUE_FLAGS = {"r": "revised figure (r)", "p": "provisional figure (p)"}
"""``sd_value`` flags of a cell that has a figure, and what the note says of them."""
NO_FIGURE_FLAGS = {"-", "N.A.", "n.y.a."}
"""``sd_value`` flags of a cell without a figure (besides ``[*1]`` ... ``[*11]``, figures not released)."""
_NOT_RELEASED = re.compile(r"^\[\*\d+\]$")
_UNIT = re.compile(r"^(HK|US)\$\s*(thousand|million|billion)$", re.IGNORECASE)
_PERIOD = {"M": re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), "Y": re.compile(r"^(\d{4})$")}
_ROW_FIELDS = ("freq", "period", "sv", "svDesc", "figure")


def build_requests(base_url: str, window: FetchWindow, partners: tuple[str, ...],
                   key: str | None = None) -> list[SourceRequest]:
    """The requests for ``window`` and ``partners``: one for the World, one for ASEAN and its members.

    ``base_url`` is the scheme and host to ask (``DEFAULT_BASE_URL`` or a test server); ``key`` is not
    used (the API has none). ``params`` holds what is sent (``id``, ``lang``, ``param``) and, for the
    provenance and ``parse_response``, the uncompressed ``query``, the ``window`` and the ``partners``
    (not sent). Raises ``ValueError`` for a partner not in ``DEFAULT_PARTNERS``.
    """
    del key
    asked = _check_partners(partners)
    planned = []
    if WORLD in asked:
        planned.append(_request(base_url, WORLD_TABLE, window, (WORLD,), cv={}))
    others = tuple(partner for partner in asked if partner != WORLD)
    if others:
        planned.append(_request(base_url, PARTNER_TABLE, window, others,
                                cv={COUNTRY: [PARTNER_CODES[partner] for partner in others]}))
    return planned


def parse_response(request: SourceRequest, body: bytes, content_type: str | None) -> list[TradeFigure]:
    """The figures of one answer to ``request``, for the periods and partners it asked.

    Rows of another frequency or period are left out; a cell the service marks as having no figure
    is skipped. Raises ``ResponseFormatError`` for an HTML page, a body that is not JSON, a ``Fail``
    status, missing fields, a code or variable not asked, a unit that is not money, a cell without a
    figure and without a flag, or an asked partner with no row of the asked frequency.
    """
    table, window, partners = _asked(request)
    where = f"C&SD table {table} ({request.url})"
    rows = _data_rows(_load_json(body, content_type, where), where)
    freq = FREQUENCY[window.monthly]
    periods = set(window.periods)
    codes = {PARTNER_CODES[partner]: partner for partner in partners if partner != WORLD}
    figures: dict[tuple[str, str, str], TradeFigure] = {}
    seen_partners: set[str] = set()
    for index, row in enumerate(rows):
        row_where = f"{where}, dataSet[{index}]"
        missing = [field for field in _ROW_FIELDS if field not in row]
        if missing:
            raise ResponseFormatError(f"{row_where}: expected fields {', '.join(missing)}, found {sorted(row)}")
        if str(row["freq"]) != freq:
            continue
        partner = _partner(row, codes, row_where)
        seen_partners.add(partner)
        figure = _figure(row, table, partner, freq, row_where)
        if figure is None or figure.period not in periods:
            continue
        cell = (figure.partner, figure.flow, figure.period)
        if cell in figures:
            raise ResponseFormatError(f"{row_where}: a second row for {partner} {figure.flow} {figure.period}")
        figures[cell] = figure
    _check_partners_answered(partners, seen_partners, freq, rows, where)
    return list(figures.values())


def encode_query(query: dict) -> str:
    """The ``param`` of a query: its JSON, compressed with lz-string's ``compressToEncodedURIComponent``."""
    return LZString().compressToEncodedURIComponent(json.dumps(query, separators=(",", ":")))


def _check_partners(partners: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [partner for partner in partners if partner not in DEFAULT_PARTNERS]
    if unknown:
        raise ValueError(f"censtatd knows no partner {', '.join(map(repr, unknown))}; "
                         f"expected some of {', '.join(DEFAULT_PARTNERS)}")
    if not partners:
        raise ValueError(f"censtatd needs at least one partner of {', '.join(DEFAULT_PARTNERS)}")
    return tuple(partner for partner in DEFAULT_PARTNERS if partner in partners)


def _request(base_url: str, table: str, window: FetchWindow, partners: tuple[str, ...],
             cv: dict[str, list[str]]) -> SourceRequest:
    start, end = _period_bounds(window)
    query = {"cv": cv, "sv": {sv: [PRESENTATION] for sv in TABLES[table]},
             "period": {"start": start, "end": end}, "id": table, "lang": "en"}
    sent = {"id": table, "lang": "en", "param": encode_query(query)}
    url = f"{base_url.rstrip('/')}{API_PATH}?{urlencode(sent)}"
    params = {**sent, "query": json.dumps(query, separators=(",", ":")),
              "window": f"{window.start}/{window.end}", "partners": ",".join(partners)}
    flows = ", ".join(flow.replace("_", " ") for flow in TABLES[table].values())
    frequency = "monthly" if window.monthly else "annual"
    describes = (f"C&SD table {table}: Hong Kong's {flows} with {', '.join(partners)}, {frequency}, "
                 f"{window.start} to {window.end} (HK$ million)")
    return SourceRequest(source=NAME, url=url, params=params, describes=describes)


def _period_bounds(window: FetchWindow) -> tuple[str, str]:
    if window.monthly:
        return window.start.replace("-", ""), window.end.replace("-", "")
    return f"{window.start}01", f"{window.end}12"


def _asked(request: SourceRequest) -> tuple[str, FetchWindow, tuple[str, ...]]:
    """Table, window and partners of a request made by ``build_requests`` (from its ``params``)."""
    try:
        table = request.params["id"]
        start, end = request.params["window"].split("/")
        partners = tuple(request.params["partners"].split(","))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{request.url}: not a request of censtatd.build_requests (params {exc})") from None
    if table not in TABLES:
        raise ValueError(f"{request.url}: censtatd does not read table {table!r}")
    return table, FetchWindow(start, end), _check_partners(partners)


def _load_json(body: bytes, content_type: str | None, where: str) -> object:
    text = body.decode("utf-8", errors="replace")
    if "html" in (content_type or "").lower() or text.lstrip()[:1] == "<":
        raise ResponseFormatError(f"{where}: expected JSON, got an HTML page "
                                  f"(content type {content_type!r}): {body_preview(text)}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResponseFormatError(f"{where}: expected JSON, got a body that is not JSON ({exc}; "
                                  f"{len(body)} bytes): {body_preview(text)}") from None


def _data_rows(payload: object, where: str) -> list[dict]:
    """The ``dataSet`` rows of a ``Success`` answer."""
    header = payload.get("header") if isinstance(payload, dict) else None
    status = header.get("status") if isinstance(header, dict) else None
    if not isinstance(status, dict) or "name" not in status:
        raise ResponseFormatError(f"{where}: expected an object with header.status.name, got {body_preview(str(payload))}")
    if status["name"] != "Success":
        messages = status.get("message")
        message = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages or "")
        raise ResponseFormatError(f"{where}: the service answered {status['name']!r} "
                                  f"(code {status.get('code')!r}): {message or 'no message'}")
    rows = payload.get("dataSet")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ResponseFormatError(f"{where}: expected dataSet, a list of objects, got {type(rows).__name__}")
    if not rows:
        raise ResponseFormatError(f"{where}: status Success but dataSet is empty (sv or cv codes not in the table?)")
    return rows


def _partner(row: dict, codes: dict[str, str], where: str) -> str:
    """The partner of a row: the World when no country was asked (``codes`` empty), else by its code."""
    if not codes:
        if COUNTRY in row:
            raise ResponseFormatError(f"{where}: table {WORLD_TABLE} has no {COUNTRY} dimension, "
                                      f"found {COUNTRY} {row[COUNTRY]!r}")
        return WORLD
    if COUNTRY not in row:
        raise ResponseFormatError(f"{where}: expected field {COUNTRY!r}, found {sorted(row)}")
    code = str(row[COUNTRY])
    if code not in codes:
        raise ResponseFormatError(f"{where}: unknown {COUNTRY} code {code!r} ({row.get(COUNTRY + 'Desc')!r}); "
                                  f"asked {', '.join(sorted(codes))}")
    return codes[code]


def _figure(row: dict, table: str, partner: str, freq: str, where: str) -> TradeFigure | None:
    """The figure of a row, or None for a cell the service marks as having none."""
    sv = str(row["sv"])
    if sv not in TABLES[table]:
        raise ResponseFormatError(f"{where}: unexpected sv {sv!r}; asked {', '.join(TABLES[table])}")
    flags = [flag.strip() for flag in str(row.get("sd_value") or "").split(",") if flag.strip()]
    value = _value(row["figure"], flags, where)
    if value is None:
        return None
    named = f"C&SD {table} {sv}"
    if COUNTRY in row:
        named = f"{named}, {row[COUNTRY]} {row.get(COUNTRY + 'Desc', '')}".rstrip()
    notes = [named] + [VALUE_FLAGS.get(flag, f"C&SD flag {flag!r}") for flag in flags]
    return TradeFigure(series=hk_series(partner), period=_period(str(row["period"]), freq, where), partner=partner,
                       flow=TABLES[table][sv], value=value, unit=_unit(str(row["svDesc"]), where),
                       note="; ".join(notes))


def _value(figure: object, flags: list[str], where: str) -> float | None:
    if figure is None or figure == "":
        if any(flag in NO_FIGURE_FLAGS or _NOT_RELEASED.match(flag) for flag in flags):
            return None
        raise ResponseFormatError(f"{where}: a cell without a figure and without a flag saying why (sd_value {flags})")
    if isinstance(figure, bool):
        raise ResponseFormatError(f"{where}: expected a number in figure, got {figure!r}")
    try:
        return float(str(figure).replace(",", "")) if isinstance(figure, str) else float(figure)
    except (TypeError, ValueError):
        raise ResponseFormatError(f"{where}: expected a number in figure, got {figure!r}") from None


def _period(period: str, freq: str, where: str) -> str:
    match = _PERIOD[freq].match(period)
    if not match:
        raise ResponseFormatError(f"{where}: expected a period {'YYYYMM' if freq == 'M' else 'YYYY'} "
                                  f"for freq {freq!r}, got {period!r}")
    return "-".join(match.groups())


def _unit(description: str, where: str) -> str:
    match = _UNIT.match(description.strip())
    if not match:
        raise ResponseFormatError(f"{where}: expected svDesc 'HK$ million' (or thousand/billion), got {description!r}")
    return f"{match.group(1).upper()}$ {match.group(2).lower()}"


def _check_partners_answered(partners: tuple[str, ...], seen: set[str], freq: str, rows: list[dict],
                             where: str) -> None:
    missing = [partner for partner in partners if partner not in seen]
    if missing:
        found = sorted({str(row.get("freq")) for row in rows})
        raise ResponseFormatError(f"{where}: no row of freq {freq!r} for {', '.join(missing)} "
                                  f"(rows of freq {', '.join(found)})")

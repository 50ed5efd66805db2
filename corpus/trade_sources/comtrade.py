"""UN Comtrade adapter of ``hkasean trade fetch``: Hong Kong's trade with ASEAN as Hong Kong reports it, and
each ASEAN member's own records of its trade with Hong Kong (the mirror), in US dollars.

Endpoints
---------
Keyless: ``GET {base}/public/v1/preview/C/{A|M}/HS`` (the public preview, at most 500 records an answer).
With a subscription key: ``GET {base}/data/v1/get/C/{A|M}/HS``; the key travels in the
``Ocp-Apim-Subscription-Key`` header (``SourceRequest.headers``), never in the URL, so it never reaches the
provenance. The header is how the rOpenSci client sends it (ropensci/comtradr ``R/ct_build_request.R``);
comtradeapicall itself would put it in the query as ``subscription-key``, which this adapter removes.

How a request is built
----------------------
UN Comtrade's own client, ``comtradeapicall`` (``PreviewGet.previewFinalData`` keyless,
``PreviewGet.getFinalData`` with a key), builds each request: its ``urllib3`` is swapped, for the call only,
for a recording stand-in that keeps the URL and query fields comtradeapicall hands to ``PoolManager().request``
and stops the call there (no network). The recorded path is then put on ``base_url`` (a mirror or test
server keeps its own host and any path prefix) and the fields become the query string, in comtradeapicall's
order and spelling (it writes ``reportercode`` in lower case; the outputs in its example notebook hold only
the asked reporter, so the service honours that spelling). The fetcher sends ``SourceRequest.url`` as it is.

Parameters: ``reportercode``, ``partnerCode``, ``flowCode`` and ``period`` (comma-separated lists),
``cmdCode=TOTAL`` (all commodities), ``partner2Code=0``, ``motCode=0``, ``customsCode=C00`` (the totals
only: no breakdown rows that would count a flow twice), ``maxRecords``, ``format=JSON``,
``breakdownMode=classic``, ``includeDesc=True``. Annual periods are ``YYYY``, monthly ``YYYYMM``.

Codes (checked in ropensci/comtradr ``inst/extdata/reporter.rds``, ``partner.rds``, ``flow.rds``): Hong Kong
344, World 0, Brunei 96, Cambodia 116, Indonesia 360, Laos 418, Malaysia 458, Myanmar 104, Philippines 608,
Singapore 702, Thailand 764, Vietnam 704; flows ``M`` Import, ``X`` Export, ``RX`` Re-export, ``DX`` Domestic
Export. ASEAN (975) exists only as a reporter group, never as a partner.

Batching
--------
Two requests per batch of periods: Hong Kong as reporter (344) with every requested partner (all ten members
when ``ASEAN`` is asked for) and flows ``M,X,RX,DX`` (at most 11 x 4 = 44 rows a period); and the mirror,
the requested members as reporters with partners 344 (and 0 when ``World`` is asked for) and flows ``X,M``
(at most 10 x 2 x 2 = 40 rows a period). The keyless preview takes one period per request (it answers
HTTP 400 to ``period=2022,2023``: the captured request ``agro_wide_2022_2023`` in bruno-portfolio/agrobr
``tests/golden_data/comtrade/selecao_20260906/manifest.json``, and koala73/worldmonitor issue #4646), so a
keyless batch is one period: 2015-2025 takes 22 requests annually, 264 monthly. With a key a batch is up to
12 periods (the limit comtradr and agrobr apply): at most 528 rows, under ``maxRecords=2500``; 2015-2025 then
takes 2 requests annually, 22 monthly. An answer holding ``maxRecords`` rows or more may be cut short and
is refused.

Answers
-------
JSON ``{"elapsedTime": "0.09 secs", "count": N, "data": [row, ...], "error": ""}``; a row has ``typeCode``,
``freqCode``, ``refPeriodId``, ``refYear``, ``refMonth``, ``period``, ``reporterCode``/``ISO``/``Desc``,
``flowCode``/``Desc``, ``partnerCode``/``ISO``/``Desc``, ``partner2Code``..., ``cmdCode``, ``customsCode``,
``motCode``, ..., ``cifvalue``, ``fobvalue``, ``primaryValue`` (US$), ``legacyEstimationFlag``,
``isReported``, ``isAggregate``. Learnt from recorded real answers: ropensci/comtradr
``tests/testthat/goods/comtradeapi.un.org/data/v1/get/C/A/HS-5e2730.R`` (body and HTTP headers of a
``/data/v1/get`` answer, TOTAL by partner) and bruno-portfolio/agrobr
``tests/golden_data/comtrade/selecao_20260906/soy_br_world_2023_01.json`` (a keyless preview answer); the
monthly ``period``/``refPeriodId``/``refMonth`` from the outputs in uncomtrade/comtradeapicall
``tests/example calling functions - notebook.ipynb``. Errors come as Azure API Management objects
``{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}`` (quoted in
uncomtrade/comtradeapicall issue #3) or as a non-empty ``error`` field; both raise ``ResponseFormatError``,
as do HTML pages, broken JSON, JSON without a ``data`` list, a ``count`` that disagrees with ``data``, and
rows for a reporter, partner, flow or frequency the request did not ask for. Rows of periods the request did
not ask for are left out; rows without a ``primaryValue`` give no figure.

Figures
-------
Hong Kong as reporter: series ``hk_series(partner)``; ``M`` -> ``imports``, ``X`` -> ``total_exports``,
``RX`` -> ``re_exports``, ``DX`` -> ``domestic_exports`` (Comtrade has no total-trade flow: the fetcher
computes it). A member as reporter: series ``member_series(member)``, partner ``Hong Kong`` or ``World``;
``X`` -> ``total_exports_to_partner``, ``M`` -> ``imports_from_partner``. Values are ``primaryValue / 1e6``
in ``US$ million``. The note names the Comtrade flow code and description, the valuation (CIF or FOB, when
``primaryValue`` equals ``cifvalue`` or ``fobvalue``) and the flags ``isReported``, ``isAggregate``,
``legacyEstimationFlag``. ASEAN rows (series ``hk_asean_trade``) are computed within one answer, only for a
period and flow where all ten members are present, with a note starting "COMPUTED: sum of the ten members".

Caveats
-------
US dollars as converted by UNSD, not C&SD's HK dollars. Imports are valued CIF, exports FOB. Hong Kong's
``X`` is expected to be its total exports, re-exports included, as IMTS 2010 records re-exports within
exports (``RX`` and ``DX`` are its parts); the note keeps the flow code so this can be checked. The mirror is
not symmetric: a member's imports from Hong Kong (CIF, by origin or consignment as that member records
them) differ from Hong Kong's exports to it (FOB; re-exports of goods made elsewhere, which the member may
attribute to their origin), and timing, thresholds and confidential items differ as well.
"""
from __future__ import annotations

import json
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import comtradeapicall
import urllib3
from comtradeapicall import PreviewGet

from hkasean.corpus.trade_sources.records import (ASEAN, ASEAN_MEMBERS, DEFAULT_PARTNERS, HONG_KONG, WORLD,
                                                  FetchWindow, ResponseFormatError, SourceRequest, TradeFigure,
                                                  body_preview, hk_series, member_series)

NAME = "comtrade"
DEFAULT_BASE_URL = "https://comtradeapi.un.org"
KEY_ENVIRONMENT_VARIABLE = "COMTRADE_API_KEY"
"""The fetcher reads the subscription key from this variable and passes it as ``key``."""

KEY_HEADER = "Ocp-Apim-Subscription-Key"
HONG_KONG_CODE = "344"
WORLD_CODE = "0"
M49_CODES = {"Brunei": "96", "Cambodia": "116", "Indonesia": "360", "Laos": "418", "Malaysia": "458",
             "Myanmar": "104", "Philippines": "608", "Singapore": "702", "Thailand": "764", "Vietnam": "704"}
"""Comtrade reporter and partner code of each ASEAN member (UN M49)."""
HK_FLOWS_BY_CODE = {"M": "imports", "X": "total_exports", "RX": "re_exports", "DX": "domestic_exports"}
MEMBER_FLOWS_BY_CODE = {"X": "total_exports_to_partner", "M": "imports_from_partner"}
PREVIEW_MAX_RECORDS = 500
"""The keyless preview's cap on the records of one answer."""
KEYED_MAX_RECORDS = 2500
KEYED_MAX_PERIODS = 12
UNIT = "US$ million"

_MEMBERS_BY_CODE = {code: member for member, code in M49_CODES.items()}
_PLACEHOLDER_KEY = "placeholder-subscription-key"
"""Handed to comtradeapicall instead of the real key, which never passes through it."""
_CAPTURE_LOCK = threading.Lock()


def build_requests(base_url: str, window: FetchWindow, partners: tuple[str, ...],
                   key: str | None = None) -> list[SourceRequest]:
    """Every request for ``window`` and ``partners`` (names of ``DEFAULT_PARTNERS``); no network.

    Per batch of periods (one period keyless, up to 12 with ``key``): Hong Kong as reporter with the
    partners, then the requested members as reporters with Hong Kong (and World). ``ASEAN`` brings all ten
    members. An empty ``key`` counts as none. Raises ``ValueError`` for an unknown or empty partner list.
    """
    key = key or None
    members, world = _selection(partners)
    frequency = "M" if window.monthly else "A"
    hk_partners = [M49_CODES[member] for member in members] + ([WORLD_CODE] if world else [])
    mirror_partners = [HONG_KONG_CODE] + ([WORLD_CODE] if world else [])
    requests = []
    for periods in _period_batches(window.periods, KEYED_MAX_PERIODS if key else 1):
        requests.append(_request(base_url, key, frequency, periods, [HONG_KONG_CODE], hk_partners,
                                 list(HK_FLOWS_BY_CODE)))
        if members:
            requests.append(_request(base_url, key, frequency, periods, [M49_CODES[m] for m in members],
                                     mirror_partners, list(MEMBER_FLOWS_BY_CODE)))
    return requests


def parse_response(request: SourceRequest, body: bytes, content_type: str | None) -> list[TradeFigure]:
    """The figures of one answer to ``request``, plus the ASEAN sums it allows.

    Raises ``ResponseFormatError`` when the body is not a Comtrade data answer to this request.
    """
    asked = _Asked.of(request)
    rows = _data_rows(request.url, body, content_type, asked.max_records)
    figures: dict[tuple[str, str, str, str], TradeFigure] = {}
    for index, row in enumerate(rows):
        figure = _figure(f"{request.url}: data[{index}]", asked, row)
        if figure is None:
            continue
        cell = (figure.series, figure.period, figure.partner, figure.flow)
        if cell in figures:
            raise ResponseFormatError(f"{request.url}: data[{index}]: a second row for {cell}")
        figures[cell] = figure
    return [*figures.values(), *_asean_totals(list(figures.values()))]


def _selection(partners: tuple[str, ...]) -> tuple[list[str], bool]:
    """The members whose codes the requests carry, and whether World is asked for."""
    unknown = [name for name in partners if name not in DEFAULT_PARTNERS]
    if unknown or not partners:
        raise ValueError(f"comtrade: partners must be names from {', '.join(DEFAULT_PARTNERS)}; got {list(partners)}")
    return [m for m in ASEAN_MEMBERS if ASEAN in partners or m in partners], WORLD in partners


def _period_batches(periods: list[str], size: int) -> list[list[str]]:
    """``periods`` in consecutive batches of at most ``size``."""
    return [periods[start:start + size] for start in range(0, len(periods), size)]


def _request(base_url: str, key: str | None, frequency: str, periods: list[str], reporters: list[str],
             partners: list[str], flows: list[str]) -> SourceRequest:
    """One request as comtradeapicall builds it, moved onto ``base_url``, the key in a header."""
    url, fields = _comtradeapicall_request(
        key is not None, typeCode="C", freqCode=frequency, clCode="HS",
        period=",".join(period.replace("-", "") for period in periods), reporterCode=",".join(reporters),
        cmdCode="TOTAL", flowCode=",".join(flows), partnerCode=",".join(partners), partner2Code="0",
        customsCode="C00", motCode="0", maxRecords=KEYED_MAX_RECORDS if key else PREVIEW_MAX_RECORDS,
        format_output="JSON", breakdownMode="classic", includeDesc=True)
    params = {name: str(value) for name, value in fields.items() if name != "subscription-key"}
    return SourceRequest(source=NAME, url=f"{base_url.rstrip('/')}{urlsplit(url).path}?{urlencode(params)}",
                         params=params, describes=_describe(frequency, periods, reporters, partners, flows, key),
                         headers={KEY_HEADER: key} if key else {})


def _describe(frequency: str, periods: list[str], reporters: list[str], partners: list[str], flows: list[str],
              key: str | None) -> str:
    """A sentence saying what a request asks for."""
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    names = {HONG_KONG_CODE: HONG_KONG, WORLD_CODE: WORLD, **_MEMBERS_BY_CODE}
    return (f"UN Comtrade {'annual' if frequency == 'A' else 'monthly'} merchandise trade (all commodities, US$) "
            f"for {span}: reporter {', '.join(names[c] for c in reporters)} with partner "
            f"{', '.join(names[c] for c in partners)}, flows {', '.join(flows)}, "
            f"{'from the data API with a subscription key' if key else 'from the keyless preview'}.")


class _Captured(Exception):
    """Stops comtradeapicall once it has handed its request to the recording stand-in."""


class _RecordingPoolManager:
    """Stands in for ``urllib3.PoolManager()``: records ``request(method, url, fields=...)``, sends nothing."""

    def __init__(self, calls: list[tuple[str, str, dict[str, object]]]) -> None:
        self._calls = calls

    def request(self, method: str, url: str, fields: dict[str, object] | None = None, **_options: object) -> None:
        self._calls.append((method, url, dict(fields or {})))
        raise _Captured


class _RecordingUrllib3:
    """Stands in for the ``urllib3`` module inside ``comtradeapicall.PreviewGet``."""

    exceptions = urllib3.exceptions

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, object]]] = []

    def PoolManager(self, *_args: object, **_options: object) -> _RecordingPoolManager:  # noqa: N802 (urllib3's name)
        return _RecordingPoolManager(self.calls)


def _comtradeapicall_request(keyed: bool, **selection: object) -> tuple[str, dict[str, object]]:
    """The URL and query fields comtradeapicall's ``getFinalData`` (keyed) or ``previewFinalData`` would send."""
    recorder = _RecordingUrllib3()
    with _CAPTURE_LOCK:
        real, PreviewGet.urllib3 = PreviewGet.urllib3, recorder
        try:
            if keyed:
                comtradeapicall.getFinalData(_PLACEHOLDER_KEY, **selection)
            else:
                comtradeapicall.previewFinalData(**selection)
        except _Captured:
            pass
        finally:
            PreviewGet.urllib3 = real
    function = "getFinalData" if keyed else "previewFinalData"
    if len(recorder.calls) != 1 or recorder.calls[0][0] != "GET":
        raise RuntimeError(f"comtradeapicall.{function} made {len(recorder.calls)} requests instead of one GET: "
                           "its interface has changed; check comtradeapicall's PreviewGet.py")
    _, url, fields = recorder.calls[0]
    if not url.startswith(f"{DEFAULT_BASE_URL}/"):
        raise RuntimeError(f"comtradeapicall.{function} asked for {url}, not an address on {DEFAULT_BASE_URL}")
    return url, fields


@dataclass(frozen=True)
class _Asked:
    """What a request asked for, read back from its URL and parameters (codes as text)."""

    frequency: str
    periods: frozenset[str]
    reporters: frozenset[str]
    partners: frozenset[str]
    flows: frozenset[str]
    max_records: int

    @classmethod
    def of(cls, request: SourceRequest) -> _Asked:
        params = {name.lower(): value for name, value in request.params.items()}
        missing = [n for n in ("reportercode", "partnercode", "flowcode", "period", "maxrecords") if n not in params]
        if missing:
            raise ValueError(f"{request.url}: not a request of the comtrade adapter (no {', '.join(missing)})")
        return cls(frequency=urlsplit(request.url).path.rstrip("/").split("/")[-2],
                   periods=frozenset(params["period"].split(",")),
                   reporters=frozenset(params["reportercode"].split(",")),
                   partners=frozenset(params["partnercode"].split(",")),
                   flows=frozenset(params["flowcode"].split(",")),
                   max_records=int(params["maxrecords"]))


def _data_rows(where: str, body: bytes, content_type: str | None, max_records: int) -> list[object]:
    """The ``data`` list of a Comtrade answer; ``ResponseFormatError`` for anything else."""
    if "html" in (content_type or "").lower() or body.lstrip()[:1] == b"<":
        raise ResponseFormatError(f"{where}: an HTML page, not Comtrade's JSON: {body_preview(body)}")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ResponseFormatError(f"{where}: not valid JSON, truncated or damaged ({len(body)} bytes; {exc}): "
                                  f"{body_preview(body)}") from None
    if not isinstance(payload, dict):
        raise ResponseFormatError(f"{where}: JSON {type(payload).__name__}, not Comtrade's answer object: "
                                  f"{body_preview(body)}")
    _raise_service_error(where, payload)
    rows = payload.get("data")
    if not isinstance(rows, list):
        raise ResponseFormatError(f"{where}: JSON without a 'data' list (keys: {', '.join(sorted(payload))})")
    if payload.get("count") is not None and payload["count"] != len(rows):
        raise ResponseFormatError(f"{where}: 'count' is {payload['count']!r} but 'data' holds {len(rows)} rows")
    if len(rows) >= max_records:
        raise ResponseFormatError(f"{where}: {len(rows)} rows reach the request's maxRecords ({max_records}); "
                                  "the answer may be cut short")
    return rows


def _raise_service_error(where: str, payload: dict[str, object]) -> None:
    """Raise ``ResponseFormatError`` when the answer is an error object or reports an error."""
    if "statusCode" in payload:
        raise ResponseFormatError(f"{where}: Comtrade error object: statusCode {payload['statusCode']}: "
                                  f"{payload.get('message', '')}")
    for field in ("error", "errorObject"):
        if payload.get(field):
            raise ResponseFormatError(f"{where}: Comtrade reports an error in {field!r}: {payload[field]!r}")


def _figure(where: str, asked: _Asked, row: object) -> TradeFigure | None:
    """The figure of one row; None when its period was not asked for or it has no value."""
    if not isinstance(row, dict):
        raise ResponseFormatError(f"{where}: a row must be an object, got {type(row).__name__}")
    _check_totals_row(where, row, asked.frequency)
    reporter = _code(where, row, "reporterCode", asked.reporters)
    partner = _code(where, row, "partnerCode", asked.partners)
    flow = _code(where, row, "flowCode", asked.flows)
    period = _period(where, row, asked.frequency)
    value = row.get("primaryValue")
    if period.replace("-", "") not in asked.periods or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ResponseFormatError(f"{where}: primaryValue must be a number, got {value!r}")
    if reporter == HONG_KONG_CODE:
        partner_name = WORLD if partner == WORLD_CODE else _MEMBERS_BY_CODE[partner]
        series, flow_name = hk_series(partner_name), HK_FLOWS_BY_CODE[flow]
    else:
        partner_name = WORLD if partner == WORLD_CODE else HONG_KONG
        series, flow_name = member_series(_MEMBERS_BY_CODE[reporter]), MEMBER_FLOWS_BY_CODE[flow]
    return TradeFigure(series=series, period=period, partner=partner_name, flow=flow_name, value=value / 1e6,
                       unit=UNIT, note=_note(row, flow))


def _check_totals_row(where: str, row: dict[str, object], frequency: str) -> None:
    """Refuse a row that is not an all-commodity total of the asked frequency (it would count twice)."""
    expected = {"typeCode": "C", "freqCode": frequency, "cmdCode": "TOTAL", "partner2Code": 0, "motCode": 0,
                "customsCode": "C00"}
    for field, value in expected.items():
        if field in row and str(row[field]) != str(value):
            raise ResponseFormatError(f"{where}: {field} is {row[field]!r}; the request asked for {value!r}")


def _code(where: str, row: dict[str, object], field: str, asked: frozenset[str]) -> str:
    """A row's code as text, which must be one the request asked for."""
    value = row.get(field)
    code = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if code not in asked:
        raise ResponseFormatError(f"{where}: unknown {field} {value!r}: the request asked for "
                                  f"{', '.join(sorted(asked))}")
    return code


def _period(where: str, row: dict[str, object], frequency: str) -> str:
    """The row's period as ``YYYY`` (annual) or ``YYYY-MM`` (monthly)."""
    period = str(row.get("period"))
    if frequency == "A" and len(period) == 4 and period.isdigit():
        return period
    if frequency == "M" and len(period) == 6 and period.isdigit() and 1 <= int(period[4:]) <= 12:
        return f"{period[:4]}-{period[4:]}"
    expected = "year" if frequency == "A" else "YYYYMM month"
    raise ResponseFormatError(f"{where}: period {row.get('period')!r} is not a {expected}")


def _note(row: dict[str, object], flow: str) -> str:
    """The Comtrade flow, valuation and flags of a row."""
    valuation = next((name for name, field in (("CIF", "cifvalue"), ("FOB", "fobvalue"))
                      if row.get(field) is not None and row.get(field) == row.get("primaryValue")), None)
    flags = [f"{field}={json.dumps(row[field])}" for field in ("isReported", "isAggregate", "legacyEstimationFlag")
             if field in row]
    described = f"Comtrade flowCode {flow}" + (f" ({row['flowDesc']})" if row.get("flowDesc") else "")
    return "; ".join([described + (f", {valuation}" if valuation else ""), *flags])


def _asean_totals(figures: list[TradeFigure]) -> list[TradeFigure]:
    """Hong Kong's trade with ASEAN for each period and flow where all ten members have a figure."""
    cells: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for figure in figures:
        if figure.partner in ASEAN_MEMBERS and figure.series == hk_series(figure.partner):
            cells[(figure.period, figure.flow)][figure.partner] = figure.value
    codes = {name: code for code, name in HK_FLOWS_BY_CODE.items()}
    return [TradeFigure(series=hk_series(ASEAN), period=period, partner=ASEAN, flow=flow,
                        value=math.fsum(values.values()), unit=UNIT,
                        note=f"COMPUTED: sum of the ten members' Comtrade figures (Hong Kong as reporter, "
                             f"flowCode {codes[flow]})")
            for (period, flow), values in cells.items() if len(values) == len(ASEAN_MEMBERS)]

"""IMF source adapter: each ASEAN member's own goods trade with Hong Kong and the World (``--source imf``).

Service and dataset
    The IMF's SDMX 2.1 REST service ``https://api.imf.org/external/sdmx/2.1`` (sdmx1's source
    ``IMF_DATA``), dataflow ``IMF.STA,IMTS`` "International Trade in Goods (by partner country)",
    the successor of the Direction of Trade Statistics (DOTS). No API key is needed; the ``key``
    argument is accepted for the common interface and ignored.

Key layout ``COUNTRY.INDICATOR.COUNTERPART_COUNTRY.FREQUENCY``
    ``COUNTRY`` the reporting member (ISO 3166 alpha-3: ``BRN KHM IDN LAO MYS MMR PHL SGP THA
    VNM``); ``INDICATOR`` ``XG_FOB_USD`` (goods exports, FOB, US dollars) or ``MG_CIF_USD`` (goods
    imports, CIF, US dollars); ``COUNTERPART_COUNTRY`` ``HKG`` (Hong Kong) or ``G001`` (World);
    ``FREQUENCY`` ``A`` or ``M``. ``+`` joins codes, so one request per window asks for every
    member x {exports, imports} x {Hong Kong, World}, e.g.
    ``/external/sdmx/2.1/data/IMF.STA,IMTS/BRN+...+VNM.XG_FOB_USD+MG_CIF_USD.HKG+G001.A
    ?startPeriod=2015&endPeriod=2019``. sdmx1 builds the URL (``Client("IMF_DATA").get(...,
    dry_run=True)``, no network); the adapter moves it onto ``base_url`` and the fetcher sends it.

Format
    SDMX-ML 2.1 ``StructureSpecificData``, asked for explicitly (``Accept``); it is the service's
    default, and the service does not honour a request for SDMX-JSON. It is read by sdmx1
    without the data structure definition (no extra request): sdmx1 then takes every series
    attribute for a key component, so the adapter keeps the four dimensions above by name and
    reads the rest (``SCALE``, ``UNIT``, ``STATUS``, ``SERIES_NAME`` of a group, ...) as
    attributes. Observation values are kept as the published strings and converted with
    ``Decimal``; monthly periods come as ``2019-M01`` (``2019-01`` is accepted too).

Where the format was learnt
    - sdmx1 2.28.0: ``sdmx/sources.json`` (source ``IMF_DATA``) and ``sdmx/source/imf_data.py``;
    - ``khaeru/sdmx-test-data`` ``IMF_RES/WEO-data.xml`` (commit a2b44bf): a real response of the
      same service, element by element the model of the fixtures (header, ``ss:`` data set,
      ``Series``/``Obs`` attributes, ``SCALE="9"`` beside a value in full units);
    - ``Rosinco/dalio-machine`` ``src/dalio/data_sources/imf_imts.py``: dataflow
      ``IMF.STA,IMTS``, key order, ``XG_FOB_USD``/``MG_CIF_USD``, ``G001`` = World, keyless,
      ``startPeriod``, "``OBS_VALUE`` is plain US dollars";
    - a public REIM connector for Nicaragua's IMTS series: monthly periods ``YYYY-Mmm``,
      ``SCALE=6`` on every row while values are full US dollars, SDMX-JSON not served;
    - ``sdmx-twg/sdmx-ml-v2_1`` ``schemas/SDMXMessage.xsd``: the ``Error`` message.

Units
    ``OBS_VALUE`` is in US dollars; the ``SCALE`` attribute (``6``) only says how the IMF
    displays the series and is never applied. Figures are returned in US$ million
    (value / 1,000,000, full precision). A ``UNIT`` other than ``USD`` is refused.

Caveats
    Exports are valued FOB and imports CIF, so a member's imports from Hong Kong exceed Hong
    Kong's recorded exports to it by freight and insurance even before any asymmetry. These are
    the member's (partner-recorded) figures: they do not equal Hong Kong's own records (C&SD),
    which attribute re-exports by destination and imports by origin. The IMF fills gaps for
    slow or non-reporting members with estimates (DOTS marked them ``e``, mostly Laos and
    Myanmar): the observation status (``STATUS`` or ``OBS_STATUS``) is put into every figure's
    note, an estimate as "estimated".
"""
from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests
import sdmx
from lxml import etree
from sdmx.format import MediaType
from sdmx.message import DataMessage, ErrorMessage

from hkasean.corpus.trade_sources.records import (
    ASEAN_MEMBERS,
    DEFAULT_PARTNERS,
    HONG_KONG,
    WORLD,
    FetchWindow,
    ResponseFormatError,
    SourceRequest,
    TradeFigure,
    body_preview,
    member_series,
)

NAME = "imf"
DEFAULT_BASE_URL = "https://api.imf.org"

SDMX_SOURCE = "IMF_DATA"
"""sdmx1's id of the IMF's SDMX 2.1 service (``https://api.imf.org/external/sdmx/2.1``)."""
DATAFLOW = "IMF.STA,IMTS"
"""Agency-qualified dataflow: International Trade in Goods (by partner country)."""
DIMENSIONS = ("COUNTRY", "INDICATOR", "COUNTERPART_COUNTRY", "FREQUENCY")
"""Dimensions of the series key, in key order."""
REPORTER_CODES = {"Brunei": "BRN", "Cambodia": "KHM", "Indonesia": "IDN", "Laos": "LAO", "Malaysia": "MYS",
                  "Myanmar": "MMR", "Philippines": "PHL", "Singapore": "SGP", "Thailand": "THA", "Vietnam": "VNM"}
"""``COUNTRY`` code of each member (ISO 3166 alpha-3)."""
PARTNER_CODES = {HONG_KONG: "HKG", WORLD: "G001"}
"""``COUNTERPART_COUNTRY`` code of each partner."""
INDICATOR_FLOWS = {"XG_FOB_USD": "total_exports_to_partner", "MG_CIF_USD": "imports_from_partner"}
"""``INDICATOR`` code of each flow: exports FOB and imports CIF, both in US dollars."""
ACCEPT = str(MediaType("structurespecificdata", "xml", "2.1"))
"""Media type asked for: SDMX-ML 2.1 structure-specific data."""
UNIT = "US$ million"

_STATUS_ATTRIBUTES = ("STATUS", "OBS_STATUS")
_STATUS_WORDS = {"E": "estimated", "P": "provisional", "F": "forecast", "B": "break in series", "I": "imputed"}
"""SDMX observation status codes (cross-domain ``CL_OBS_STATUS``) worth a word in the note; ``A``
(normal) says nothing; any other code is shown as it comes."""
_MISSING_VALUES = ("", "NaN")
_MESSAGE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_COMMON_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
_DATA_MESSAGES = ("StructureSpecificData", "StructureSpecificTimeSeriesData", "GenericData", "GenericTimeSeriesData")
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-M?(0[1-9]|1[0-2])$")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_SDMX_READER_LOG = "sdmx.reader.xml.v21"


def build_requests(base_url: str, window: FetchWindow, partners: tuple[str, ...],
                   key: str | None = None) -> list[SourceRequest]:
    """The one data query for ``window``: every member in ``partners`` as reporter, exports FOB and
    imports CIF, with Hong Kong, and with the World when ``partners`` holds ``World``.

    ``ASEAN`` and ``Hong Kong`` in ``partners`` ask for nothing more; no member, no request. The
    IMF needs no API key: ``key`` is ignored. Raises ``ValueError`` for an unknown partner name
    or a ``base_url`` that is not ``http(s)://host``.
    """
    reporters = _reporters(partners)
    if not reporters:
        return []
    counterparts = [HONG_KONG, *([WORLD] if WORLD in partners else [])]
    frequency = "M" if window.monthly else "A"
    sdmx_key = ".".join([
        "+".join(REPORTER_CODES[member] for member in reporters),
        "+".join(INDICATOR_FLOWS),
        "+".join(PARTNER_CODES[partner] for partner in counterparts),
        frequency,
    ])
    prepared = prepare_with_sdmx1(sdmx_key, window)
    return [SourceRequest(
        source=NAME,
        url=rebase(prepared.url, base_url),
        params={"key": sdmx_key, "startPeriod": window.start, "endPeriod": window.end},
        describes=(f"IMF IMTS {'monthly' if window.monthly else 'annual'} goods exports (FOB) and imports (CIF), "
                   f"US$, {window.start} to {window.end}, as reported by {', '.join(reporters)}, "
                   f"with {' and the '.join(counterparts)}"),
        headers={"Accept": prepared.headers["Accept"]},
    )]


def prepare_with_sdmx1(sdmx_key: str, window: FetchWindow) -> requests.PreparedRequest:
    """The request sdmx1 builds for the IMTS data query on its default IMF host (nothing is sent:
    a ``Client`` makes no request when created, and ``dry_run`` only prepares one)."""
    client = sdmx.Client(SDMX_SOURCE)
    return client.get(resource_type="data", resource_id=DATAFLOW, key=sdmx_key,
                      params={"startPeriod": window.start, "endPeriod": window.end},
                      headers={"Accept": ACCEPT}, dry_run=True)


def rebase(url: str, base_url: str) -> str:
    """``url`` with its scheme and host replaced by ``base_url`` (a path of ``base_url`` is kept as a prefix)."""
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ValueError(f"--base-url must be http(s)://host[:port], got {base_url!r}")
    parts = urlsplit(url)
    return f"{base_url.rstrip('/')}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def parse_response(request: SourceRequest, body: bytes, content_type: str | None) -> list[TradeFigure]:
    """The figures of one IMTS data message, for the members, partners, flows and periods ``request`` asked for.

    Raises ``ResponseFormatError`` for an HTML page, a body that is not well-formed XML (truncated),
    an SDMX error message, a message that is not SDMX-ML 2.1 data, a code the request did not ask
    for, a period or value that cannot be read, or a figure given twice. Observations without a
    value (absent or ``NaN``) carry no number and give no figure; periods outside the window are
    left out. Raises ``ValueError`` when ``request`` was not built by ``build_requests``.
    """
    asked = _Query.of(request)
    _check_xml(request, body, content_type)
    message = _read_message(request, body)
    figures: dict[tuple[str, str, str, str], TradeFigure] = {}
    for dataset in message.data:
        for observation in dataset.obs:
            figure = _figure(request, asked, _components(observation), observation.value)
            if figure is None:
                continue
            where = (figure.series, figure.partner, figure.flow, figure.period)
            if where in figures:
                raise ResponseFormatError(f"{_where(request)}: {' / '.join(where)} is given twice "
                                          f"({figures[where].value} and {figure.value} {UNIT})")
            figures[where] = figure
    return list(figures.values())


@dataclass(frozen=True)
class _Query:
    """What a request asked for, read back from its parameters."""

    reporters: dict[str, str]
    counterparts: dict[str, str]
    frequency: str
    window: FetchWindow

    @classmethod
    def of(cls, request: SourceRequest) -> _Query:
        """Read the SDMX key and the window from ``request.params``."""
        try:
            countries, _, partners, frequency = request.params["key"].split(".")
            window = FetchWindow(request.params["startPeriod"], request.params["endPeriod"])
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{request.url}: not a request of build_requests() (params {request.params})") from exc
        return cls(reporters=_decoder(REPORTER_CODES, countries), counterparts=_decoder(PARTNER_CODES, partners),
                   frequency=frequency, window=window)


def _decoder(names_to_codes: dict[str, str], joined: str) -> dict[str, str]:
    """Code -> name for the ``+``-joined codes of one key dimension."""
    codes_to_names = {code: name for name, code in names_to_codes.items()}
    return {code: codes_to_names[code] for code in joined.split("+")}


def _reporters(partners: tuple[str, ...]) -> list[str]:
    """The members among ``partners``, in ``ASEAN_MEMBERS`` order; ``ValueError`` for an unknown name."""
    unknown = [name for name in partners if name not in (*DEFAULT_PARTNERS, HONG_KONG)]
    if unknown:
        raise ValueError(f"imf: unknown partner(s) {', '.join(map(repr, unknown))}; "
                         f"expected any of {', '.join((*DEFAULT_PARTNERS, HONG_KONG))}")
    return [member for member in ASEAN_MEMBERS if member in partners]


def _where(request: SourceRequest) -> str:
    return f"{NAME} response to {request.url}"


def _check_xml(request: SourceRequest, body: bytes, content_type: str | None) -> None:
    """Refuse anything but a well-formed SDMX-ML 2.1 data message, before sdmx1 sees it."""
    expected = "expected an SDMX-ML 2.1 data message (StructureSpecificData)"
    if content_type and ("html" in content_type.lower() or "json" in content_type.lower()):
        raise ResponseFormatError(f"{_where(request)}: {expected}, found content type {content_type!r}: "
                                  f"{body_preview(body)}")
    if not body.strip():
        raise ResponseFormatError(f"{_where(request)}: {expected}, found an empty body")
    if _HTML.match(body):
        raise ResponseFormatError(f"{_where(request)}: {expected}, found an HTML page: {body_preview(body)}")
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ResponseFormatError(f"{_where(request)}: {expected}, found XML that is not well-formed "
                                  f"(truncated?): {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise ResponseFormatError(f"{_where(request)}: {expected}, found XML with a DOCTYPE")
    name = etree.QName(root)
    if name.namespace == _MESSAGE_NS and name.localname == "Error":
        raise ResponseFormatError(f"{_where(request)}: {expected}, found an SDMX error message: {_error_text(root)}")
    if name.namespace != _MESSAGE_NS or name.localname not in _DATA_MESSAGES:
        raise ResponseFormatError(f"{_where(request)}: {expected}, found <{name.localname}> "
                                  f"in namespace {name.namespace!r}")


def _error_text(root: etree._Element) -> str:
    """``code 100: No Results Found`` for each ``ErrorMessage`` of an SDMX error message."""
    parts = []
    for error in root.iter(f"{{{_MESSAGE_NS}}}ErrorMessage"):
        texts = " ".join(" ".join(text.text.split()) for text in error.iter(f"{{{_COMMON_NS}}}Text") if text.text)
        parts.append(f"code {error.get('code', '?')}: {texts or '(no text)'}")
    return "; ".join(parts) or "(no ErrorMessage)"


@contextmanager
def _quiet_sdmx_reader() -> Iterator[None]:
    """Silence what sdmx1 says while reading: its notice that no DSD was given (expected here) and
    the parser state it prints to stdout when a message cannot be read (the error says enough)."""
    reader_log = logging.getLogger(_SDMX_READER_LOG)
    no_structure = _DropNoStructureNotice()
    reader_log.addFilter(no_structure)
    try:
        with redirect_stdout(io.StringIO()):
            yield
    finally:
        reader_log.removeFilter(no_structure)


class _DropNoStructureNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "got no structure" not in record.getMessage()


def _read_message(request: SourceRequest, body: bytes) -> DataMessage:
    """The data message, read by sdmx1 without a data structure definition."""
    try:
        with _quiet_sdmx_reader():
            message = sdmx.read_sdmx(io.BytesIO(body))
    except Exception as exc:  # sdmx1 raises many kinds; the body is what failed
        raise ResponseFormatError(f"{_where(request)}: sdmx1 cannot read the data message: "
                                  f"{type(exc).__name__}: {exc}") from exc
    if isinstance(message, ErrorMessage) or not isinstance(message, DataMessage):
        raise ResponseFormatError(f"{_where(request)}: expected an SDMX data message, sdmx1 read "
                                  f"{type(message).__name__}")
    footer = message.footer
    if footer is not None and str(footer.severity).lower() == "error":
        raise ResponseFormatError(f"{_where(request)}: the data message reports an error in its footer "
                                  f"(code {footer.code}): {' '.join(map(str, footer.text))}")
    return message


def _components(observation) -> dict[str, str]:
    """Every key value and attribute of one observation, as strings: group attributes first, then the
    series key (its dimensions and, without a DSD, its attributes), then the observation's own."""
    components: dict[str, str] = {}
    for group_key in observation.group_keys:
        components.update(_strings(group_key.attrib))
    series_key = observation.series_key
    if series_key is not None:
        components.update(_strings(series_key.values))
        components.update(_strings(series_key.attrib))
    components.update(_strings(observation.attached_attribute))
    if observation.dimension is not None:
        components.update(_strings(observation.dimension.values))
    return components


def _strings(values) -> dict[str, str]:
    return {name: str(getattr(item.value, "id", item.value)) for name, item in values.items()}


def _figure(request: SourceRequest, asked: _Query, components: dict[str, str], value) -> TradeFigure | None:
    """One observation as a figure; None when it has no value or lies outside the window."""
    missing = [name for name in (*DIMENSIONS, "TIME_PERIOD") if name not in components]
    if missing:
        raise ResponseFormatError(f"{_where(request)}: an observation lacks {', '.join(missing)} "
                                  f"(has {', '.join(sorted(components))})")
    member = _decode(request, "COUNTRY", components, asked.reporters)
    partner = _decode(request, "COUNTERPART_COUNTRY", components, asked.counterparts)
    flow = _decode(request, "INDICATOR", components, INDICATOR_FLOWS)
    _decode(request, "FREQUENCY", components, {asked.frequency: asked.frequency})
    unit = components.get("UNIT", "USD")
    if unit != "USD":
        raise ResponseFormatError(f"{_where(request)}: {_series(components)} is in {unit!r}, expected 'USD'")
    period = _period(request, components)
    number = "" if value is None else str(value).strip()
    if number in _MISSING_VALUES or period not in asked.window.periods:
        return None
    return TradeFigure(series=member_series(member), period=period, partner=partner, flow=flow,
                       value=_million(request, components, number), unit=UNIT, note=_note(components))


def _decode(request: SourceRequest, dimension: str, components: dict[str, str], names: dict[str, str]) -> str:
    code = components[dimension]
    if code not in names:
        raise ResponseFormatError(f"{_where(request)}: {dimension}={code!r} was not asked for "
                                  f"(expected {' or '.join(names)}) in {_series(components)}")
    return names[code]


def _series(components: dict[str, str]) -> str:
    return "series " + ".".join(components.get(name, "?") for name in DIMENSIONS)


def _period(request: SourceRequest, components: dict[str, str]) -> str:
    """``2015`` for annual, ``2019-01`` for monthly (from ``2019-M01`` or ``2019-01``)."""
    raw = components["TIME_PERIOD"]
    if components["FREQUENCY"] == "A" and _YEAR.match(raw):
        return raw
    month = _MONTH.match(raw)
    if components["FREQUENCY"] == "M" and month:
        return f"{month.group(1)}-{month.group(2)}"
    raise ResponseFormatError(f"{_where(request)}: TIME_PERIOD={raw!r} is not a period of frequency "
                              f"{components['FREQUENCY']} (expected 2015 or 2015-M01) in {_series(components)}")


def _million(request: SourceRequest, components: dict[str, str], number: str) -> float:
    """US dollars (``OBS_VALUE``; ``SCALE`` is display only) as US$ million."""
    try:
        return float(Decimal(number) / Decimal(1_000_000))
    except InvalidOperation as exc:
        raise ResponseFormatError(f"{_where(request)}: OBS_VALUE={number!r} is not a number in "
                                  f"{_series(components)} {components['TIME_PERIOD']}") from exc


def _note(components: dict[str, str]) -> str:
    """The service's indicator (code, and its series name when the message gives one) and the
    observation status: ``IMF IMTS MG_CIF_USD; estimated (STATUS=E)``."""
    indicator = components["INDICATOR"]
    parts = [f"IMF IMTS {indicator}" + (f" ({components['SERIES_NAME']})" if components.get("SERIES_NAME") else "")]
    for attribute in _STATUS_ATTRIBUTES:
        code = components.get(attribute, "").strip()
        if code and code.upper() != "A":
            word = _STATUS_WORDS.get(code.upper(), "status")
            parts.append(f"{word} ({attribute}={code})")
    return "; ".join(parts)

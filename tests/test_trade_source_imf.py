"""IMF IMTS adapter: requests built through sdmx1, the recorded answers parsed, bad bodies refused."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import sdmx

from hkasean.corpus.trade_sources.fetch import SOURCE_TITLES
from hkasean.corpus.trade_sources import imf
from hkasean.corpus.trade_sources.records import (
    ASEAN_MEMBERS,
    DEFAULT_PARTNERS,
    HONG_KONG,
    WORLD,
    FetchWindow,
    ResponseFormatError,
    member_series,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trade_sources" / "imf"
ANNUAL = FIXTURES / "imts_annual_2015_2019.xml"
MONTHLY = FIXTURES / "imts_monthly_placeholder.xml"
DOTS_CSV = Path("/work/shared/data/trade/official/imf_dots_asean_trade_with_hk_annual.csv")
BASE = "http://127.0.0.1:1"
ALL_KEY = "BRN+KHM+IDN+LAO+MYS+MMR+PHL+SGP+THA+VNM.XG_FOB_USD+MG_CIF_USD.HKG+G001.A"
FLOWS = {"exports_fob": "total_exports_to_partner", "imports_cif": "imports_from_partner"}


def annual_request(start: str = "2015", end: str = "2019", partners: tuple[str, ...] = DEFAULT_PARTNERS):
    (request,) = imf.build_requests(BASE, FetchWindow(start, end), partners)
    return request


def parse_annual(body: bytes | None = None, request=None, content_type: str | None = "application/xml"):
    return imf.parse_response(request or annual_request(), ANNUAL.read_bytes() if body is None else body,
                              content_type)


def by_key(figures) -> dict[tuple[str, str, str, str], object]:
    return {(f.series, f.partner, f.flow, f.period): f for f in figures}


# Requests


def test_module_interface():
    assert imf.NAME == "imf"
    assert SOURCE_TITLES["imf"] == ("IMF trade by partner country (successor of DOTS; each ASEAN member's own exports to "
                         "and imports from Hong Kong and the World; US$)")
    source_url = urlsplit(sdmx.source.sources[imf.SDMX_SOURCE].url)
    assert imf.DEFAULT_BASE_URL == f"{source_url.scheme}://{source_url.netloc}"


def test_url_is_what_sdmx1_builds_for_its_imf_source_rebased():
    built = sdmx.Client("IMF_DATA").get(
        resource_type="data", resource_id="IMF.STA,IMTS", key=ALL_KEY,
        params={"startPeriod": "2015", "endPeriod": "2019"}, dry_run=True)
    request = annual_request()
    assert built.url.startswith(imf.DEFAULT_BASE_URL + "/external/sdmx/2.1/data/IMF.STA,IMTS/")
    assert request.url == BASE + built.url.removeprefix(imf.DEFAULT_BASE_URL)
    assert request.url == f"{BASE}/external/sdmx/2.1/data/IMF.STA,IMTS/{ALL_KEY}?startPeriod=2015&endPeriod=2019"
    assert imf.build_requests(imf.DEFAULT_BASE_URL, FetchWindow("2015", "2019"), DEFAULT_PARTNERS)[0].url == built.url


def test_one_request_covers_members_flows_partners_and_window():
    request = annual_request()
    assert request.source == "imf"
    assert request.params == {"key": ALL_KEY, "startPeriod": "2015", "endPeriod": "2019"}
    assert request.headers == {"Accept": "application/vnd.sdmx.structurespecificdata+xml; version=2.1"}
    assert len(request.url) < 2000
    for member in ASEAN_MEMBERS:
        assert member in request.describes
    assert "Hong Kong and the World" in request.describes


def test_partners_choose_reporters_and_world():
    (request,) = imf.build_requests(BASE, FetchWindow("2018", "2018"), ("Singapore", "Malaysia", HONG_KONG))
    assert request.params["key"] == "MYS+SGP.XG_FOB_USD+MG_CIF_USD.HKG.A"
    assert imf.build_requests(BASE, FetchWindow("2018", "2018"), ("ASEAN", WORLD)) == []


def test_monthly_window_asks_frequency_m_with_months():
    (request,) = imf.build_requests(BASE, FetchWindow("2018-11", "2019-02"), ("Laos", WORLD))
    assert request.params == {"key": "LAO.XG_FOB_USD+MG_CIF_USD.HKG+G001.M",
                              "startPeriod": "2018-11", "endPeriod": "2019-02"}
    assert request.url.endswith("/LAO.XG_FOB_USD+MG_CIF_USD.HKG+G001.M?startPeriod=2018-11&endPeriod=2019-02")


def test_base_url_keeps_its_path_and_must_be_http():
    (request,) = imf.build_requests("https://mirror.example/imf/", FetchWindow("2019", "2019"), ("Brunei",))
    assert request.url.startswith("https://mirror.example/imf/external/sdmx/2.1/data/IMF.STA,IMTS/BRN.")
    with pytest.raises(ValueError, match="base-url"):
        imf.build_requests("api.imf.org", FetchWindow("2019", "2019"), ("Brunei",))


def test_unknown_partner_is_refused():
    with pytest.raises(ValueError, match="'Macau'"):
        imf.build_requests(BASE, FetchWindow("2019", "2019"), ("Singapore", "Macau"))


def test_building_sends_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("build_requests() tried to send a request")

    monkeypatch.setattr(requests.Session, "send", refuse)
    assert len(imf.build_requests(BASE, FetchWindow("2015", "2019"), DEFAULT_PARTNERS)) == 1


# Parsing the recorded answers


def test_annual_fixture_gives_every_member_partner_flow_and_year():
    figures = parse_annual()
    assert len(figures) == 200
    assert set(by_key(figures)) == {
        (member_series(member), partner, flow, str(year))
        for member in ASEAN_MEMBERS for partner in (HONG_KONG, WORLD)
        for flow in ("total_exports_to_partner", "imports_from_partner") for year in range(2015, 2020)
    }
    assert {figure.unit for figure in figures} == {"US$ million"}


def test_annual_values_equal_the_bundled_dots_csv():
    if not DOTS_CSV.exists():
        pytest.skip(f"{DOTS_CSV} is not on this machine")
    figures = by_key(parse_annual())
    rows = [row for row in csv.DictReader(DOTS_CSV.open(encoding="utf-8"))
            if row["reporter"] in ASEAN_MEMBERS and "2015" <= row["period"] <= "2019"]
    assert len(rows) == len(figures) == 200
    for row in rows:
        figure = figures[(member_series(row["reporter"]), row["partner"], FLOWS[row["flow"]], row["period"])]
        assert figure.value == float(row["value"]), row
        assert ("estimated" in figure.note) == ("estimat" in row["note"].lower()), row


def test_spot_values_scale_and_estimates():
    figures = by_key(parse_annual())
    brunei = figures[("bn_recorded_trade", HONG_KONG, "total_exports_to_partner", "2015")]
    assert brunei.value == 6.76411  # OBS_VALUE 6764110 US$; SCALE="6" is not applied
    assert brunei.note == "IMF IMTS XG_FOB_USD"
    singapore = figures[("sg_recorded_trade", WORLD, "imports_from_partner", "2019")]
    assert singapore.note == "IMF IMTS MG_CIF_USD"
    laos = figures[("la_recorded_trade", HONG_KONG, "imports_from_partner", "2017")]
    assert laos.value == 23.14
    assert laos.note == "IMF IMTS MG_CIF_USD; estimated (STATUS=E)"
    assert sum("estimated" in figure.note for figure in figures.values()) == 10


def test_only_periods_inside_the_window_are_returned():
    figures = parse_annual(request=annual_request("2016", "2018"))
    assert {figure.period for figure in figures} == {"2016", "2017", "2018"}
    assert len(figures) == 120


def test_monthly_placeholder_fixture():
    (request,) = imf.build_requests(BASE, FetchWindow("2019-02", "2019-03"), DEFAULT_PARTNERS)
    figures = by_key(imf.parse_response(request, MONTHLY.read_bytes(), None))
    assert {period for _, _, _, period in figures} == {"2019-02", "2019-03"}
    assert {series for series, _, _, _ in figures} == {"sg_recorded_trade"}
    assert len(figures) == 8
    march = figures[("sg_recorded_trade", HONG_KONG, "imports_from_partner", "2019-03")]
    assert (march.value, march.note) == (3.0, "IMF IMTS MG_CIF_USD; estimated (STATUS=E)")


def test_series_name_of_a_group_and_other_status_codes_reach_the_note():
    body = ANNUAL.read_bytes().replace(
        b'<Series COUNTRY="BRN"',
        b'<Group xsi:type="ns1:GROUP_INDICATOR" INDICATOR="XG_FOB_USD" SERIES_NAME="Exports of goods, FOB"/>\n'
        b'    <Series COUNTRY="BRN"', 1,
    ).replace(b'<Obs TIME_PERIOD="2019" OBS_VALUE="25809997"/>',
              b'<Obs TIME_PERIOD="2019" OBS_VALUE="25809997" STATUS="p"/>')
    figures = by_key(parse_annual(body))
    assert (figures[("bn_recorded_trade", HONG_KONG, "total_exports_to_partner", "2019")].note
            == "IMF IMTS XG_FOB_USD (Exports of goods, FOB); provisional (STATUS=p)")
    assert len(figures) == 200


def test_observation_without_a_value_gives_no_figure():
    body = ANNUAL.read_bytes().replace(b'OBS_VALUE="6764110"', b'OBS_VALUE="NaN"')
    figures = by_key(parse_annual(body))
    assert len(figures) == 199
    assert ("bn_recorded_trade", HONG_KONG, "total_exports_to_partner", "2015") not in figures


# Bodies that are not what the IMF sends


@pytest.mark.parametrize("body, content_type, message", [
    (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>busy</body></html>",
     "text/html", "content type 'text/html'"),
    (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>busy</body></html>",
     None, "found an HTML page"),
    (b'{"title":"Not Found","status":404}', "application/json", "content type 'application/json'"),
    (b"  \n", "application/xml", "found an empty body"),
    (b"<data><row>1</row></data>", "application/xml", "found <data>"),
])
def test_non_sdmx_bodies_are_refused(body, content_type, message):
    with pytest.raises(ResponseFormatError, match=message) as error:
        parse_annual(body, content_type=content_type)
    assert "expected an SDMX-ML 2.1 data message" in str(error.value)
    assert annual_request().url in str(error.value)


def test_truncated_xml_is_refused():
    body = ANNUAL.read_bytes()
    with pytest.raises(ResponseFormatError, match="not well-formed"):
        parse_annual(body[: len(body) // 2])


def test_sdmx_error_message_is_refused_with_its_code_and_text():
    with pytest.raises(ResponseFormatError, match="SDMX error message: code 100: No Results Found"):
        parse_annual((FIXTURES / "sdmx_error_no_results.xml").read_bytes())


def test_xml_with_a_doctype_is_refused():
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<!--'
    body = ANNUAL.read_bytes().replace(b"<!-- hkasean", doctype, 1)
    with pytest.raises(ResponseFormatError, match="DOCTYPE"):
        parse_annual(body)


@pytest.mark.parametrize("old, new, message", [
    (b'COUNTRY="BRN"', b'COUNTRY="XYZ"', "COUNTRY='XYZ' was not asked for"),
    (b'COUNTRY="BRN"', b'COUNTRY="HKG"', "COUNTRY='HKG' was not asked for"),
    (b'COUNTERPART_COUNTRY="G001"', b'COUNTERPART_COUNTRY="CHN"', "COUNTERPART_COUNTRY='CHN' was not asked for"),
    (b'INDICATOR="MG_CIF_USD"', b'INDICATOR="MG_FOB_USD"', "INDICATOR='MG_FOB_USD' was not asked for"),
    (b'FREQUENCY="A"', b'FREQUENCY="Q"', "FREQUENCY='Q' was not asked for"),
    (b'TIME_PERIOD="2016"', b'TIME_PERIOD="2016-Q1"', "TIME_PERIOD='2016-Q1' is not a period of frequency A"),
    (b'OBS_VALUE="3384799"', b'OBS_VALUE="n/a"', "OBS_VALUE='n/a' is not a number"),
    (b'SCALE="6">', b'SCALE="6" UNIT="XDC">', "is in 'XDC', expected 'USD'"),
    (b' COUNTERPART_COUNTRY="HKG"', b"", "lacks COUNTERPART_COUNTRY"),
])
def test_unknown_codes_and_unreadable_fields_are_refused(old, new, message):
    body = ANNUAL.read_bytes()
    assert old in body
    with pytest.raises(ResponseFormatError, match=message):
        parse_annual(body.replace(old, new))


def test_a_figure_given_twice_is_refused():
    body = ANNUAL.read_bytes()
    series_start = body.index(b"<Series ")
    first_series = body[series_start: body.index(b"</Series>") + len(b"</Series>\n    ")]
    with pytest.raises(ResponseFormatError, match="given twice"):
        parse_annual(body[:series_start] + first_series + body[series_start:])


def test_an_error_in_the_footer_is_refused():
    footer = (b'<footer:Footer><footer:Message code="413" severity="Error"><common:Text xml:lang="en">'
              b"Response too large</common:Text></footer:Message></footer:Footer>\n</message:StructureSpecificData>")
    body = ANNUAL.read_bytes().replace(b"</message:StructureSpecificData>", footer)
    with pytest.raises(ResponseFormatError, match=r"error in its footer \(code 413\): Response too large"):
        parse_annual(body)


def test_a_message_sdmx1_cannot_read_is_refused_quietly(capsys):
    body = ANNUAL.read_bytes().replace(b"<message:DataSetAction>", b"<message:Unknown/><message:DataSetAction>")
    with pytest.raises(ResponseFormatError, match="sdmx1 cannot read the data message"):
        parse_annual(body)
    assert capsys.readouterr().out == ""


def test_a_request_not_built_by_the_adapter_is_refused():
    request = annual_request()
    stray = type(request)(source="imf", url=request.url, params={}, describes="")
    with pytest.raises(ValueError, match="not a request of build_requests"):
        imf.parse_response(stray, ANNUAL.read_bytes(), None)


# The recorded answers for the local test server


def recorded_entry(url: str) -> dict | None:
    """The first recorded.json entry the test server would answer ``url`` with."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for entry in json.loads((FIXTURES / "recorded.json").read_text(encoding="utf-8")):
        if entry["path"] == parts.path and all(query.get(k) == v for k, v in entry["query"].items()):
            return entry
    return None


@pytest.mark.parametrize("window", [FetchWindow("2015", "2019"), FetchWindow("2019-01", "2019-03")])
def test_every_request_of_the_window_is_answered_by_a_recorded_file(window):
    for request in imf.build_requests(BASE, window, DEFAULT_PARTNERS):
        entry = recorded_entry(request.url)
        assert entry is not None, request.url
        figures = imf.parse_response(request, (FIXTURES / entry["file"]).read_bytes(), entry["content_type"])
        assert figures and {figure.period for figure in figures} <= set(window.periods)


def test_fixtures_are_small():
    assert sum(path.stat().st_size for path in FIXTURES.iterdir()) < 300_000


# Live smoke test (deselected by default)


@pytest.mark.network
def test_live_singapore_2019_with_hong_kong_and_world():
    (request,) = imf.build_requests(imf.DEFAULT_BASE_URL, FetchWindow("2019", "2019"), ("Singapore", WORLD))
    response = requests.get(request.url, headers=request.headers, timeout=30)
    response.raise_for_status()
    figures = by_key(imf.parse_response(request, response.content, response.headers.get("Content-Type")))
    exports_to_hk = figures[("sg_recorded_trade", HONG_KONG, "total_exports_to_partner", "2019")]
    exports_to_world = figures[("sg_recorded_trade", WORLD, "total_exports_to_partner", "2019")]
    assert 10_000 < exports_to_hk.value < exports_to_world.value < 1_000_000  # US$ million

"""The UN Comtrade adapter of ``trade fetch``: requests built through comtradeapicall, answers parsed offline.

The recorded answers in ``fixtures/trade_sources/comtrade`` have Comtrade's real structure and placeholder
values (see their README): Hong Kong-recorded HK$ figures / 7.8, and IMF DOTS figures for the members. The
source figures the tests quote are rows of ``shared/data/trade/official/hk_trade_by_partner_annual.csv`` (HK$
million) and ``imf_dots_asean_trade_with_hk_annual.csv`` (US$ million).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from comtradeapicall import PreviewGet

from hkasean.corpus.trade_sources.fetch import SOURCE_TITLES
from hkasean.corpus.trade_sources import comtrade
from hkasean.corpus.trade_sources.records import (ASEAN_MEMBERS, DEFAULT_PARTNERS, FetchWindow, ResponseFormatError,
                                                  SourceRequest)

FIXTURES = Path(__file__).parent / "fixtures" / "trade_sources" / "comtrade"
LOCAL = "http://127.0.0.1:1"
ANNUAL = FetchWindow("2018", "2019")
MONTHLY = FetchWindow("2018-01", "2019-12")
JSON_TYPE = "application/json; charset=utf-8"


def annual_requests() -> list[SourceRequest]:
    return comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS)


def monthly_requests() -> list[SourceRequest]:
    return comtrade.build_requests(LOCAL, MONTHLY, ("Singapore", "World"))


def recorded() -> list[dict]:
    return json.loads((FIXTURES / "recorded.json").read_text(encoding="utf-8"))


def answer_for(request: SourceRequest) -> dict:
    """The first recorded.json entry whose path equals the request's and whose query it contains."""
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query))
    for entry in recorded():
        if entry["path"] == parts.path and all(query.get(k) == v for k, v in entry["query"].items()):
            return entry
    raise AssertionError(f"no recorded answer for {request.url}")


def body_for(request: SourceRequest) -> bytes:
    return (FIXTURES / answer_for(request)["file"]).read_bytes()


def parsed(request: SourceRequest) -> list:
    return comtrade.parse_response(request, body_for(request), JSON_TYPE)


def by_cell(figures) -> dict[tuple[str, str, str, str], object]:
    return {(f.series, f.period, f.partner, f.flow): f for f in figures}


def with_rows(request: SourceRequest, change) -> bytes:
    """The recorded body of ``request`` with ``change(rows)`` applied and ``count`` kept in step."""
    payload = json.loads(body_for(request))
    payload["data"] = change(payload["data"])
    payload["count"] = len(payload["data"])
    return json.dumps(payload).encode()


# --- requests ---------------------------------------------------------------------------------------------------

def test_the_module_offers_the_adapter_interface():
    assert comtrade.NAME == "comtrade"
    assert SOURCE_TITLES["comtrade"] == ("UN Comtrade (Hong Kong as reporter, and each ASEAN member's mirror with Hong Kong; "
                              "US$)")
    assert comtrade.DEFAULT_BASE_URL == "https://comtradeapi.un.org"
    assert comtrade.KEY_ENVIRONMENT_VARIABLE == "COMTRADE_API_KEY"


def test_keyless_requests_go_to_the_preview_on_the_base_url_with_the_documented_parameters():
    hk_2018, members_2018, hk_2019, members_2019 = annual_requests()
    for request in (hk_2018, members_2018, hk_2019, members_2019):
        parts = urlsplit(request.url)
        assert f"{parts.scheme}://{parts.netloc}" == LOCAL and parts.path == "/public/v1/preview/C/A/HS"
        assert request.url == f"{LOCAL}/public/v1/preview/C/A/HS?{urlencode(request.params)}"
        assert dict(parse_qsl(parts.query)) == request.params
        assert request.source == "comtrade" and request.headers == {} and request.describes.endswith(".")
        assert {k: request.params[k] for k in ("cmdCode", "partner2Code", "motCode", "customsCode", "maxRecords",
                                               "format", "breakdownMode", "includeDesc")} == {
            "cmdCode": "TOTAL", "partner2Code": "0", "motCode": "0", "customsCode": "C00", "maxRecords": "500",
            "format": "JSON", "breakdownMode": "classic", "includeDesc": "True"}
    assert hk_2018.params["reportercode"] == "344" and hk_2018.params["flowCode"] == "M,X,RX,DX"
    assert hk_2018.params["partnerCode"] == "96,116,360,418,458,104,608,702,764,704,0"
    assert members_2018.params["reportercode"] == "96,116,360,418,458,104,608,702,764,704"
    assert members_2018.params["partnerCode"] == "344,0" and members_2018.params["flowCode"] == "X,M"
    assert [r.params["period"] for r in annual_requests()] == ["2018", "2018", "2019", "2019"]


def test_keyless_requests_ask_one_period_each_and_cover_the_window():
    requests = monthly_requests()
    assert len(requests) == 48
    for side in ("344", "702"):
        periods = [r.params["period"] for r in requests if r.params["reportercode"] == side]
        assert periods == [p.replace("-", "") for p in MONTHLY.periods]
    assert all(urlsplit(r.url).path == "/public/v1/preview/C/M/HS" for r in requests)


def test_partners_choose_the_codes_asean_brings_all_ten_members():
    hk, mirror = comtrade.build_requests(LOCAL, FetchWindow("2020", "2020"), ("Singapore", "World"))
    assert hk.params["partnerCode"] == "702,0" and mirror.params["reportercode"] == "702"
    assert mirror.params["partnerCode"] == "344,0"
    hk, mirror = comtrade.build_requests(LOCAL, FetchWindow("2020", "2020"), ("ASEAN", "Laos"))
    assert hk.params["partnerCode"].split(",") == [comtrade.M49_CODES[m] for m in ASEAN_MEMBERS]
    assert mirror.params["partnerCode"] == "344"
    (only,) = comtrade.build_requests(LOCAL, FetchWindow("2020", "2020"), ("World",))
    assert only.params["reportercode"] == "344" and only.params["partnerCode"] == "0"


@pytest.mark.parametrize("partners", [(), ("Hong Kong",), ("Singapore", "Atlantis")])
def test_unknown_or_no_partners_are_refused(partners):
    with pytest.raises(ValueError, match="partners must be names"):
        comtrade.build_requests(LOCAL, ANNUAL, partners)


def test_a_key_goes_to_the_data_api_in_the_header_never_into_the_url_or_params():
    key = "s3cret-subscription-key"
    requests = comtrade.build_requests("https://mirror.example/comtrade/", FetchWindow("2015-01", "2025-12"),
                                       DEFAULT_PARTNERS, key=key)
    assert len(requests) == 22
    for request in requests:
        assert request.url.startswith("https://mirror.example/comtrade/data/v1/get/C/M/HS?")
        assert request.headers == {"Ocp-Apim-Subscription-Key": key}
        visible = request.url + json.dumps(request.params) + request.describes + repr(request)
        assert key not in visible and "subscription-key" not in visible.lower()
        assert "placeholder" not in visible
        assert len(request.params["period"].split(",")) <= 12 and request.params["maxRecords"] == "2500"


def test_an_empty_key_is_no_key():
    assert comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS, key="") == annual_requests()
    assert all(r.headers == {} for r in comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS, key=""))


def test_the_request_is_the_one_comtradeapicall_would_send():
    """Independently of the adapter's stand-in: what previewFinalData hands to urllib3 is what we send."""
    (request, _) = comtrade.build_requests(comtrade.DEFAULT_BASE_URL, FetchWindow("2019", "2019"),
                                           ("Singapore", "World"))

    class Sent(Exception):
        pass

    with mock.patch.object(PreviewGet.urllib3, "PoolManager") as pool:
        pool.return_value.request.side_effect = Sent
        with pytest.raises(Sent):
            PreviewGet.previewFinalData(
                typeCode="C", freqCode="A", clCode="HS", period="2019", reporterCode="344", cmdCode="TOTAL",
                flowCode="M,X,RX,DX", partnerCode="702,0", partner2Code="0", customsCode="C00", motCode="0",
                maxRecords=500, format_output="JSON", breakdownMode="classic", includeDesc=True)
    (method, url), options = pool.return_value.request.call_args
    assert method == "GET" and url == "https://comtradeapi.un.org/public/v1/preview/C/A/HS"
    assert request.url == f"{url}?{urlencode(options['fields'])}"


def test_every_request_is_built_by_a_call_of_comtradeapicall(monkeypatch):
    calls = []
    real = PreviewGet.getPreviewData

    def spy(*args, **kwargs):
        calls.append(args[:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(PreviewGet, "getPreviewData", spy)
    keyless = comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS)
    keyed = comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS, key="k")
    assert len(calls) == len(keyless) + len(keyed)
    assert calls[:len(keyless)] == [(None, "FINAL")] * len(keyless)
    assert all(subscription is not None and kind == "FINAL" for subscription, kind in calls[len(keyless):])
    assert PreviewGet.urllib3.PoolManager.__module__.startswith("urllib3")


def test_a_comtradeapicall_that_sends_nothing_is_an_error(monkeypatch):
    monkeypatch.setattr("comtradeapicall.previewFinalData", lambda **selection: None)
    with pytest.raises(RuntimeError, match="previewFinalData made 0 requests"):
        comtrade.build_requests(LOCAL, ANNUAL, DEFAULT_PARTNERS)


# --- answers ----------------------------------------------------------------------------------------------------

def test_hong_kong_as_reporter_gives_us_dollar_millions_per_partner_and_flow():
    figures = by_cell(parsed(annual_requests()[0]))
    assert len(figures) == 11 * 4 + 4
    singapore = figures[("hk_member_trade", "2018", "Singapore", "imports")]
    assert singapore.unit == "US$ million"
    assert singapore.value == pytest.approx(314126.468234 / 7.8, abs=1e-8)  # 2018,Singapore,imports (HK$ mn)
    assert singapore.note == ("Comtrade flowCode M (Import), CIF; isReported=true; isAggregate=false; "
                              "legacyEstimationFlag=0")
    world = figures[("hk_total_trade", "2018", "World", "total_exports")]
    assert world.note.startswith("Comtrade flowCode X (Export), FOB")
    assert figures[("hk_member_trade", "2018", "Vietnam", "re_exports")].note.startswith("Comtrade flowCode RX")
    assert figures[("hk_member_trade", "2018", "Laos", "domestic_exports")].note.startswith("Comtrade flowCode DX")
    assert {f.flow for f in figures.values()} == {"imports", "total_exports", "re_exports", "domestic_exports"}
    assert {f.period for f in figures.values()} == {"2018"}


def test_asean_is_the_sum_of_the_ten_members_when_all_are_present():
    figures = parsed(annual_requests()[2])
    cells = by_cell(figures)
    asean = [f for f in figures if f.partner == "ASEAN"]
    assert len(asean) == 4 and all(f.series == "hk_asean_trade" and f.period == "2019" for f in asean)
    for figure in asean:
        assert figure.note.startswith("COMPUTED: sum of the ten members")
        assert figure.value == pytest.approx(math.fsum(cells[("hk_member_trade", "2019", m, figure.flow)].value
                                                       for m in ASEAN_MEMBERS))
    # hk_trade_by_partner_annual.csv: 2019,ASEAN,total_exports,310732.312264 (itself the sum of the ten)
    assert cells[("hk_asean_trade", "2019", "ASEAN", "total_exports")].value == pytest.approx(310732.312264 / 7.8)


def test_no_asean_sum_when_a_member_is_missing():
    request = annual_requests()[0]
    body = with_rows(request, lambda rows: [r for r in rows if (r["partnerCode"], r["flowCode"]) != (96, "M")])
    asean = {f.flow for f in comtrade.parse_response(request, body, JSON_TYPE) if f.partner == "ASEAN"}
    assert asean == {"total_exports", "re_exports", "domestic_exports"}
    assert not [f for f in parsed(monthly_requests()[0]) if f.partner == "ASEAN"]


def test_the_mirror_gives_each_members_own_records_with_hong_kong_and_world():
    figures = by_cell(parsed(annual_requests()[1]))
    assert len(figures) == 10 * 2 * 2
    exports = figures[("sg_recorded_trade", "2018", "Hong Kong", "total_exports_to_partner")]
    assert exports.value == pytest.approx(48632.666701, abs=1e-8)  # IMF DOTS 2018, Singapore exports to HK
    assert exports.note.startswith("Comtrade flowCode X (Export), FOB")
    assert figures[("vn_recorded_trade", "2018", "World", "imports_from_partner")].note.startswith(
        "Comtrade flowCode M (Import), CIF")
    assert not [f for f in figures.values() if f.partner == "ASEAN"]


def test_monthly_answers_give_yyyy_mm_periods_of_their_own_month():
    requests = monthly_requests()
    hk_may = next(r for r in requests if r.params["period"] == "201805" and r.params["reportercode"] == "344")
    figures = by_cell(parsed(hk_may))
    assert {f.period for f in figures.values()} == {"2018-05"} and len(figures) == 8
    share = (114 + 5) / 1446
    assert figures[("hk_member_trade", "2018-05", "Singapore", "total_exports")].value == pytest.approx(
        69150.202761 / 7.8 * share, abs=1e-6)
    sg_december = next(r for r in requests if (r.params["period"], r.params["reportercode"]) == ("201912", "702"))
    mirror = by_cell(parsed(sg_december))
    assert set(mirror) == {("sg_recorded_trade", "2019-12", partner, flow) for partner in ("Hong Kong", "World")
                           for flow in ("total_exports_to_partner", "imports_from_partner")}


def test_rows_of_periods_not_asked_for_and_rows_without_a_value_give_no_figure():
    request = annual_requests()[1]

    def change(rows):
        stray = {**rows[0], "period": "2017", "refYear": 2017, "refPeriodId": 20170101}
        rows[1]["primaryValue"] = None
        return [*rows, stray]

    figures = comtrade.parse_response(request, with_rows(request, change), JSON_TYPE)
    assert len(figures) == 39 and {f.period for f in figures} == {"2018"}


def test_the_recorded_answers_answer_every_request_of_both_windows():
    requests = annual_requests() + monthly_requests()
    files = {answer_for(r)["file"] for r in requests}
    assert len(files) == len(requests) == 52
    assert files == {entry["file"] for entry in recorded()}
    for request in requests:
        assert answer_for(request)["content_type"] == JSON_TYPE
        figures = parsed(request)
        assert figures and {f.period.replace("-", "") for f in figures} == {request.params["period"]}


def test_the_fixtures_keep_comtrades_row_structure():
    reference = ["typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
                 "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO", "partnerDesc",
                 "partner2Code", "partner2ISO", "partner2Desc", "classificationCode", "classificationSearchCode",
                 "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel", "isLeaf", "customsCode",
                 "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode", "qtyUnitAbbr", "qty",
                 "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty", "isAltQtyEstimated", "netWgt",
                 "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated", "cifvalue", "fobvalue", "primaryValue",
                 "legacyEstimationFlag", "isReported", "isAggregate"]
    for path in FIXTURES.glob("[AM]-*.json"):
        payload = json.loads(path.read_bytes())
        assert list(payload) == ["elapsedTime", "count", "data", "error"] and payload["error"] == ""
        assert all(list(row) == reference for row in payload["data"]), path.name


# --- bodies that are not answers --------------------------------------------------------------------------------

BAD_BODIES = {
    "html page": (b"<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>", "text/html",
                  "an HTML page"),
    "html under a json type": (b"\n<html><head><title>Request URL Too Long</title></head></html>", JSON_TYPE,
                               "an HTML page"),
    "empty": (b"", JSON_TYPE, "not valid JSON"),
    "rate limit": (b'{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds." }',
                   "application/json", "statusCode 429: Rate limit is exceeded"),
    "bad key": (b'{ "statusCode": 401, "message": "Access denied due to invalid subscription key." }',
                "application/json", "statusCode 401"),
    "error field": (b'{"elapsedTime":"0.01 secs","count":0,"data":[],"error":"Invalid period"}', JSON_TYPE,
                    "'error': 'Invalid period'"),
    "no data": (b'{"elapsedTime":"0.01 secs","count":0,"error":""}', JSON_TYPE, "without a 'data' list"),
    "a list": (b"[]", JSON_TYPE, "not Comtrade's answer object"),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bodies_that_are_not_answers_are_refused_with_the_url(name):
    body, content_type, message = BAD_BODIES[name]
    request = annual_requests()[0]
    with pytest.raises(ResponseFormatError, match=message) as caught:
        comtrade.parse_response(request, body, content_type)
    assert request.url in str(caught.value)


def test_a_truncated_answer_is_refused():
    request = annual_requests()[0]
    body = body_for(request)
    with pytest.raises(ResponseFormatError, match="not valid JSON, truncated"):
        comtrade.parse_response(request, body[: len(body) // 2], JSON_TYPE)


def set_field(field, value):
    def change(rows):
        rows[3][field] = value
        return rows
    return change


@pytest.mark.parametrize("change, message", [
    (set_field("reporterCode", 999), r"data\[3\]: unknown reporterCode 999"),
    (set_field("partnerCode", 156), "unknown partnerCode 156"),
    (set_field("flowCode", "RM"), "unknown flowCode 'RM'"),
    (set_field("freqCode", "M"), "freqCode is 'M'"),
    (set_field("motCode", 1000), "motCode is 1000"),
    (set_field("cmdCode", "27"), "cmdCode is '27'"),
    (set_field("period", "2018-13"), "period '2018-13' is not a year"),
    (set_field("primaryValue", "12"), "primaryValue must be a number"),
    (lambda rows: [*rows, rows[0]], "a second row"),
    (lambda rows: rows * 12, "reach the request's maxRecords"),
])
def test_rows_the_request_did_not_ask_for_are_refused(change, message):
    request = annual_requests()[0]
    with pytest.raises(ResponseFormatError, match=message):
        comtrade.parse_response(request, with_rows(request, change), JSON_TYPE)


def test_a_count_that_disagrees_with_the_data_is_refused():
    request = annual_requests()[1]
    payload = json.loads(body_for(request))
    payload["count"] = 41
    with pytest.raises(ResponseFormatError, match="'count' is 41 but 'data' holds 40 rows"):
        comtrade.parse_response(request, json.dumps(payload).encode(), JSON_TYPE)


# --- live -------------------------------------------------------------------------------------------------------

@pytest.mark.network
def test_live_keyless_preview_answers_in_the_format_we_parse():
    """One tiny real request (Hong Kong with Singapore, 2019): 4 rows at most."""
    import urllib.error
    import urllib.request

    request = comtrade.build_requests(comtrade.DEFAULT_BASE_URL, FetchWindow("2019", "2019"), ("Singapore",))[0]
    http = urllib.request.Request(request.url, headers={"User-Agent": "hkasean-smoke-test", **request.headers})
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            body, content_type = response.read(), response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        if error.code == 429:
            pytest.skip("Comtrade rate limit")
        raise
    figures = comtrade.parse_response(request, body, content_type)
    assert figures and all(f.series == "hk_member_trade" and f.period == "2019" for f in figures)

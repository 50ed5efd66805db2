"""The C&SD adapter offline: the requests it builds, the recorded answers it parses, the bodies it refuses,
and that the local test server's ``recorded.json`` answers every request of the two reference windows."""
from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lzstring import LZString

from hkasean.corpus.trade_sources.fetch import SOURCE_TITLES
from hkasean.corpus.trade_sources import censtatd
from hkasean.corpus.trade_sources.records import (
    ASEAN,
    ASEAN_MEMBERS,
    DEFAULT_PARTNERS,
    HK_FLOWS,
    WORLD,
    FetchWindow,
    ResponseFormatError,
    SourceRequest,
    hk_series,
)

RECORDED = Path(__file__).parent / "fixtures" / "trade_sources" / "censtatd"
OFFICIAL_CSV = (Path(__file__).resolve().parents[2] / "shared" / "data" / "trade" / "official"
                / "hk_trade_by_partner_annual.csv")
BASE = "http://127.0.0.1:1"
ANNUAL = FetchWindow("2018", "2019")
MONTHLY = FetchWindow("2018-01", "2019-12")
JSON_TYPE = "application/json; charset=utf-8"


def recorded_entries() -> list[dict]:
    return json.loads((RECORDED / "recorded.json").read_text(encoding="utf-8"))


def recorded_answer(request: SourceRequest) -> dict | None:
    """The ``recorded.json`` entry the test server answers ``request`` with: the path equals ``path`` and
    the query has every key/value of ``query`` (exact string match, first match wins); None if none does."""
    parts = urlsplit(request.url)
    query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    for entry in recorded_entries():
        if parts.path == entry["path"] and all(query.get(key) == value for key, value in entry["query"].items()):
            return entry
    return None


def answered(request: SourceRequest) -> list:
    entry = recorded_answer(request)
    assert entry is not None, f"no recorded answer for {request.url}"
    return censtatd.parse_response(request, (RECORDED / entry["file"]).read_bytes(), entry["content_type"])


def request_for(window: FetchWindow, table: str, partners: tuple[str, ...] = DEFAULT_PARTNERS) -> SourceRequest:
    return next(r for r in censtatd.build_requests(BASE, window, partners) if r.params["id"] == table)


def body_with(file: str, edit) -> bytes:
    """A recorded body with ``edit`` applied to its parsed JSON (for flags, gaps and faults)."""
    document = json.loads((RECORDED / file).read_text(encoding="utf-8"))
    edit(document)
    return json.dumps(document).encode("utf-8")


WORLD_FILE = "world_410-50001_201801-201912.json"
PARTNERS_FILE = "partners_410-50011_201801-201912.json"


def by_key(figures) -> dict:
    return {(f.partner, f.flow, f.period): f for f in figures}


# --- build_requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [ANNUAL, MONTHLY])
def test_requests_go_to_the_base_url_with_the_table_and_a_compressed_query(window):
    requests = censtatd.build_requests(BASE, window, DEFAULT_PARTNERS)
    assert [r.params["id"] for r in requests] == [censtatd.WORLD_TABLE, censtatd.PARTNER_TABLE]
    for request in requests:
        parts = urlsplit(request.url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE and parts.path == "/api/get.php"
        sent = {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert sent == {"id": request.params["id"], "lang": "en", "param": request.params["param"]}
        query = json.loads(LZString().decompressFromEncodedURIComponent(sent["param"]))
        assert query == json.loads(request.params["query"])
        assert query["id"] == request.params["id"] and query["lang"] == "en"
        assert query["period"] == {"start": "201801", "end": "201912"}
        assert query["sv"] == {sv: ["Raw_M_hkd_d"] for sv in censtatd.TABLES[query["id"]]}
        assert request.source == "censtatd" and request.describes.startswith(f"C&SD table {query['id']}")


def test_the_partner_request_asks_every_partner_by_its_country_code():
    query = json.loads(request_for(ANNUAL, censtatd.PARTNER_TABLE).params["query"])
    codes = query["cv"]["COUNTRY"]
    assert codes == [censtatd.PARTNER_CODES[p] for p in (ASEAN, *ASEAN_MEMBERS)]
    assert codes[0] == "300" and len(set(codes)) == 11
    assert json.loads(request_for(ANNUAL, censtatd.WORLD_TABLE).params["query"])["cv"] == {}


def test_requests_ask_only_what_is_needed():
    only_world = censtatd.build_requests(BASE, ANNUAL, (WORLD,))
    assert [r.params["id"] for r in only_world] == [censtatd.WORLD_TABLE]
    (singapore,) = censtatd.build_requests(BASE, MONTHLY, ("Singapore",))
    assert json.loads(singapore.params["query"])["cv"] == {"COUNTRY": ["697"]}
    assert singapore.params["partners"] == "Singapore" and singapore.params["window"] == "2018-01/2019-12"


def test_a_window_of_months_asks_exactly_its_months():
    (request,) = censtatd.build_requests(BASE, FetchWindow("2019-03", "2019-04"), (WORLD,))
    assert json.loads(request.params["query"])["period"] == {"start": "201903", "end": "201904"}


def test_a_base_url_with_a_trailing_slash_and_the_default_host():
    (request,) = censtatd.build_requests(BASE + "/", ANNUAL, (WORLD,))
    assert request.url.startswith(BASE + "/api/get.php?id=410-50001&lang=en&param=")
    (real,) = censtatd.build_requests(censtatd.DEFAULT_BASE_URL, ANNUAL, (WORLD,))
    assert real.url.startswith("https://www.censtatd.gov.hk/api/get.php?")


def test_an_unknown_partner_is_refused():
    with pytest.raises(ValueError, match="'Japan'"):
        censtatd.build_requests(BASE, ANNUAL, ("ASEAN", "Japan"))


def test_the_interface_constants():
    assert censtatd.NAME == "censtatd"
    assert censtatd.DEFAULT_BASE_URL == "https://www.censtatd.gov.hk"
    assert SOURCE_TITLES["censtatd"].startswith("Hong Kong C&SD (Hong Kong-recorded; monthly and annual;")


# --- parse_response on the recorded answers ------------------------------------------------------------


def test_annual_figures_match_the_bundled_official_tabulation():
    figures = by_key(answered(request_for(ANNUAL, censtatd.WORLD_TABLE))
                     + answered(request_for(ANNUAL, censtatd.PARTNER_TABLE)))
    # HK$ million, rounded to whole millions in the recorded answer (values of the bundled CSV)
    expected = {(ASEAN, "total_exports", "2019"): 310732.3, (ASEAN, "imports", "2019"): 707120.3,
                (ASEAN, "re_exports", "2018"): 299738.8, ("Singapore", "imports", "2018"): 314126.5,
                ("Singapore", "domestic_exports", "2019"): 2837.7, (WORLD, "total_trade", "2019"): 8404125.6,
                (WORLD, "total_exports", "2018"): 4158106.2, (WORLD, "imports", "2019"): 4415440.2}
    for key, value in expected.items():
        assert figures[key].value == pytest.approx(value, abs=0.5), key
    # ASEAN 2019 total trade (1,017,852.6) = total exports + imports, as both are rounded
    asean_2019 = figures[(ASEAN, "total_exports", "2019")].value + figures[(ASEAN, "imports", "2019")].value
    assert asean_2019 == pytest.approx(1017852.6, abs=1.0)


def test_every_annual_figure_agrees_with_the_csv_when_it_is_there():
    if not OFFICIAL_CSV.exists():
        pytest.skip(f"{OFFICIAL_CSV} is not beside the repository")
    with OFFICIAL_CSV.open(encoding="utf-8") as handle:
        official = {(r["partner"], r["flow"], r["period"]): float(r["value"]) for r in csv.DictReader(handle)}
    figures = (answered(request_for(ANNUAL, censtatd.WORLD_TABLE))
               + answered(request_for(ANNUAL, censtatd.PARTNER_TABLE)))
    assert len(figures) == 3 * 2 + 11 * 4 * 2
    for figure in figures:
        assert figure.value == pytest.approx(official[(figure.partner, figure.flow, figure.period)], abs=0.5)


@pytest.mark.parametrize("window", [ANNUAL, MONTHLY])
def test_every_partner_period_and_flow_is_answered(window):
    figures = [f for r in censtatd.build_requests(BASE, window, DEFAULT_PARTNERS) for f in answered(r)]
    keys = by_key(figures)
    assert len(keys) == len(figures)
    for partner in DEFAULT_PARTNERS:
        table = censtatd.WORLD_TABLE if partner == WORLD else censtatd.PARTNER_TABLE
        for flow in censtatd.TABLES[table].values():
            for period in window.periods:
                assert (partner, flow, period) in keys, (partner, flow, period)
    assert {f.period for f in figures} == set(window.periods)


def test_figures_are_in_the_trade_table_vocabulary():
    figures = [f for r in censtatd.build_requests(BASE, ANNUAL, DEFAULT_PARTNERS) for f in answered(r)]
    for figure in figures:
        assert figure.series == hk_series(figure.partner)
        assert figure.partner in DEFAULT_PARTNERS and figure.flow in HK_FLOWS
        assert figure.unit == "HK$ million" and isinstance(figure.value, float)
    series = {f.partner: f.series for f in figures}
    assert series[ASEAN] == "hk_asean_trade" and series[WORLD] == "hk_total_trade"
    assert series["Vietnam"] == "hk_member_trade"
    note = next(f.note for f in figures if f.partner == "Vietnam" and f.flow == "re_exports")
    assert note == "C&SD 410-50011 VAL_RX, 633 Viet Nam"


def test_a_monthly_answer_gives_months_and_only_the_window():
    figures = answered(request_for(MONTHLY, censtatd.WORLD_TABLE))
    assert {f.period for f in figures} == set(MONTHLY.periods) and len(figures) == 3 * 24
    narrow = FetchWindow("2019-11", "2019-12")
    (request,) = censtatd.build_requests(BASE, narrow, (WORLD,))
    body = (RECORDED / WORLD_FILE).read_bytes()  # the recorded answer has more months than asked
    assert {f.period for f in censtatd.parse_response(request, body, JSON_TYPE)} == {"2019-11", "2019-12"}


def test_an_annual_window_takes_the_annual_rows_not_the_months():
    figures = answered(request_for(ANNUAL, censtatd.PARTNER_TABLE))
    assert {f.period for f in figures} == {"2018", "2019"}
    assert by_key(figures)[(ASEAN, "imports", "2018")].value == 761517.0


# --- flags and cells without figures -------------------------------------------------------------------


def set_cell(period: str, sv: str, changes: dict):
    """An edit that updates the row of ``period`` and ``sv`` with ``changes``."""
    def edit(document):
        for row in document["dataSet"]:
            if row["period"] == period and row["sv"] == sv:
                row.update(changes)
    return edit


def test_provisional_and_revised_flags_go_into_the_note():
    request = request_for(MONTHLY, censtatd.WORLD_TABLE)
    body = body_with(WORLD_FILE, lambda d: (set_cell("201912", "VAL_IM", {"sd_value": "p"})(d),
                                            set_cell("201911", "VAL_TX", {"sd_value": "r"})(d)))
    figures = by_key(censtatd.parse_response(request, body, JSON_TYPE))
    assert figures[(WORLD, "imports", "2019-12")].note == "C&SD 410-50001 VAL_IM; provisional figure (p)"
    assert figures[(WORLD, "total_exports", "2019-11")].note == "C&SD 410-50001 VAL_TX; revised figure (r)"


def test_an_unknown_flag_keeps_the_number_and_says_so():
    request = request_for(MONTHLY, censtatd.WORLD_TABLE)
    body = body_with(WORLD_FILE, set_cell("201901", "VAL_TT", {"sd_value": "a", "figure": "770,000"}))
    figure = by_key(censtatd.parse_response(request, body, JSON_TYPE))[(WORLD, "total_trade", "2019-01")]
    assert figure.value == 770000.0 and figure.note.endswith("C&SD flag 'a'")


@pytest.mark.parametrize("flag", ["N.A.", "n.y.a.", "-", "[*3]"])
def test_a_cell_marked_without_figure_is_skipped(flag):
    request = request_for(MONTHLY, censtatd.WORLD_TABLE)
    body = body_with(WORLD_FILE, set_cell("201912", "VAL_IM", {"figure": "", "sd_value": flag}))
    figures = by_key(censtatd.parse_response(request, body, JSON_TYPE))
    assert (WORLD, "imports", "2019-12") not in figures and len(figures) == 3 * 24 - 1


def test_a_cell_without_figure_and_without_flag_is_refused():
    request = request_for(MONTHLY, censtatd.WORLD_TABLE)
    body = body_with(WORLD_FILE, set_cell("201912", "VAL_IM", {"figure": ""}))
    with pytest.raises(ResponseFormatError, match="without a figure and without a flag"):
        censtatd.parse_response(request, body, JSON_TYPE)


# --- bodies that are not the service's answer ----------------------------------------------------------


def test_an_html_error_page_is_refused():
    request = request_for(ANNUAL, censtatd.WORLD_TABLE)
    page = b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>Access denied</body></html>"
    with pytest.raises(ResponseFormatError, match="expected JSON, got an HTML page.*403 Forbidden"):
        censtatd.parse_response(request, page, "text/html")
    with pytest.raises(ResponseFormatError, match="HTML page"):
        censtatd.parse_response(request, page, None)


def test_truncated_json_is_refused():
    request = request_for(ANNUAL, censtatd.PARTNER_TABLE)
    body = (RECORDED / PARTNERS_FILE).read_bytes()[:5000]
    with pytest.raises(ResponseFormatError, match="not JSON"):
        censtatd.parse_response(request, body, JSON_TYPE)


def test_an_error_object_is_refused_with_the_service_message():
    request = request_for(ANNUAL, censtatd.PARTNER_TABLE)
    body = json.dumps({"header": {"status": {"name": "Fail", "code": 1,
                                             "message": ["Table ID (410-50011) is not defined"]}}}).encode()
    with pytest.raises(ResponseFormatError, match=r"answered 'Fail' \(code 1\): Table ID \(410-50011\) is not defined"):
        censtatd.parse_response(request, body, JSON_TYPE)


@pytest.mark.parametrize("document, message", [
    ([1, 2], "header.status.name"),
    ({"header": {"title": "x"}}, "header.status.name"),
    ({"header": {"status": {"name": "Success"}}}, "expected dataSet"),
    ({"header": {"status": {"name": "Success"}}, "dataSet": []}, "dataSet is empty"),
])
def test_json_without_the_expected_fields_is_refused(document, message):
    with pytest.raises(ResponseFormatError, match=message):
        censtatd.parse_response(request_for(ANNUAL, censtatd.WORLD_TABLE), json.dumps(document).encode(), JSON_TYPE)


def test_a_row_without_its_fields_is_refused():
    body = body_with(WORLD_FILE, lambda d: d["dataSet"][3].pop("svDesc"))
    with pytest.raises(ResponseFormatError, match=r"dataSet\[3\]: expected fields svDesc"):
        censtatd.parse_response(request_for(ANNUAL, censtatd.WORLD_TABLE), body, JSON_TYPE)


def test_an_unknown_country_code_is_refused():
    # what the service does with a code the table lacks: it answers the Total, code ""
    def total_instead(document):
        for row in document["dataSet"]:
            if row["COUNTRY"] == "697":
                row.update(COUNTRY="", COUNTRYDesc="All countries/territories")
    body = body_with(PARTNERS_FILE, total_instead)
    with pytest.raises(ResponseFormatError, match="unknown COUNTRY code '' .*All countries"):
        censtatd.parse_response(request_for(ANNUAL, censtatd.PARTNER_TABLE), body, JSON_TYPE)


def test_a_country_not_asked_is_refused():
    (singapore,) = censtatd.build_requests(BASE, ANNUAL, ("Singapore",))
    with pytest.raises(ResponseFormatError, match="unknown COUNTRY code '300'.*asked 697"):
        censtatd.parse_response(singapore, (RECORDED / PARTNERS_FILE).read_bytes(), JSON_TYPE)


@pytest.mark.parametrize("field, value, message", [
    ("sv", "VAL_XX", "unexpected sv 'VAL_XX'"),
    ("svDesc", "Year-on-year % change", "expected svDesc 'HK\\$ million'"),
    ("period", "2019-01", "expected a period YYYYMM"),
    ("figure", "n/a", "expected a number in figure"),
])
def test_unexpected_cells_are_refused(field, value, message):
    body = body_with(WORLD_FILE, set_cell("201901", "VAL_IM", {field: value}))
    with pytest.raises(ResponseFormatError, match=message):
        censtatd.parse_response(request_for(MONTHLY, censtatd.WORLD_TABLE), body, JSON_TYPE)


def test_an_answer_without_the_asked_frequency_is_refused():
    body = body_with(WORLD_FILE, lambda d: d.update(dataSet=[r for r in d["dataSet"] if r["freq"] == "M"]))
    with pytest.raises(ResponseFormatError, match="no row of freq 'Y' for World"):
        censtatd.parse_response(request_for(ANNUAL, censtatd.WORLD_TABLE), body, JSON_TYPE)


def test_a_repeated_cell_is_refused():
    body = body_with(WORLD_FILE, lambda d: d["dataSet"].append(copy.deepcopy(d["dataSet"][0])))
    with pytest.raises(ResponseFormatError, match="a second row for World imports 2018"):
        censtatd.parse_response(request_for(ANNUAL, censtatd.WORLD_TABLE), body, JSON_TYPE)


def test_the_units_of_the_service_are_spelt_as_the_trade_table_spells_them():
    body = body_with(WORLD_FILE, lambda d: [r.update(svDesc="HK$ Thousand") for r in d["dataSet"]])
    figures = censtatd.parse_response(request_for(ANNUAL, censtatd.WORLD_TABLE), body, JSON_TYPE)
    assert {f.unit for f in figures} == {"HK$ thousand"}


# --- the local test server's map -----------------------------------------------------------------------


@pytest.mark.parametrize("window", [ANNUAL, MONTHLY])
def test_recorded_json_answers_every_request_of_the_reference_windows(window):
    for request in censtatd.build_requests(BASE, window, DEFAULT_PARTNERS):
        entry = recorded_answer(request)
        assert entry is not None, f"no recorded answer for {request.url}"
        assert entry["content_type"].startswith("application/json")
        assert (RECORDED / entry["file"]).is_file()
        assert answered(request)


def test_recorded_files_are_small():
    assert sum(path.stat().st_size for path in RECORDED.iterdir()) < 200_000


# --- live ----------------------------------------------------------------------------------------------


@pytest.mark.network
def test_live_smoke_world_imports_of_three_months(monkeypatch):
    """One small real request (three months of 410-50001); run with ``pytest -m network``."""
    import requests

    monkeypatch.undo()  # lift the suite's no-internet guard for this one test
    (request,) = censtatd.build_requests(censtatd.DEFAULT_BASE_URL, FetchWindow("2019-01", "2019-03"), (WORLD,))
    headers = {"Accept": "application/json", "User-Agent": "hkasean research suite (trade fetch smoke test)"}
    response = requests.get(request.url, timeout=20, headers=headers)
    response.raise_for_status()
    figures = censtatd.parse_response(request, response.content, response.headers.get("Content-Type"))
    assert {f.period for f in figures} == {"2019-01", "2019-02", "2019-03"}
    assert {f.flow for f in figures} == {"imports", "total_exports", "total_trade"}

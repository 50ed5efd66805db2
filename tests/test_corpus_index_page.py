"""Daily index parser on the synthetic index pages (STRUCTURE.md §2 variants)."""
from __future__ import annotations

from pathlib import Path

import pytest

from hkasean.corpus.crawl.decoding import InvalidPage
from hkasean.corpus.crawl.index_page import parse_daily_index, parse_day_select, release_folder_date

INDEX = Path(__file__).resolve().parent / "fixtures" / "infogovhk" / "index_pages"
BASE = "http://127.0.0.1:8000"


def parse(name: str, day_path: str):
    return parse_daily_index((INDEX / name).read_bytes(), f"{BASE}/gia/general/{day_path}.htm")


def test_every_index_fixture_is_marked_synthetic():
    for page in INDEX.glob("*.htm"):
        assert b"SYNTHETIC" in page.read_bytes()[:400], page.name


def test_variants_class_span_comment_nbsp_and_suffix():
    entries = parse("201912_31.htm", "201912/31")
    assert [entry.id for entry in entries] == [
        "P2019123100667", "P2019123100709", "P2019123100711", "P2019123100801", "P2019123100802",
    ]
    titles = {entry.id: entry.title for entry in entries}
    assert titles["P2019123100709"] == "Suspected MERS case reported"  # class="NEW"
    assert titles["P2019123100711"] == "Public hospitals heighten vigilance against suspected pneumonia cases on Mainland"
    assert titles["P2019123100801"].endswith("in Jakarta (English only) (with photos/video)")
    assert titles["P2019123100802"] == "Hong Kong's merchandise trade statistics with ASEAN for November 2019"  # &nbsp; &#39;
    assert entries[0].url == f"{BASE}/gia/general/201912/31/P2019123100667.htm"


def test_title_spanning_lines_with_inner_span():
    entries = parse("202001_06.htm", "202001/06")
    assert entries[-1].title == "Speech by SCED at ASEAN business luncheon"


def test_absolute_href_duplicate_and_folder_date_differing_from_id():
    entries = parse("202001_07.htm", "202001/07")
    assert [entry.id for entry in entries] == ["P2020010700549", "P2020010700560", "P2020010700901", "P2020010600950"]
    assert entries[1].url == f"{BASE}/gia/general/202001/07/P2020010700560.htm"  # absolute href mapped to this site
    assert entries[3].url == f"{BASE}/gia/general/202001/07/P2020010600950.htm"
    assert release_folder_date(entries[3].url) == "2020-01-07"


@pytest.mark.parametrize("name", ["202001_01.htm", "202001_03.htm"])
def test_empty_days(name):
    assert parse(name, "202001/" + name[7:9]) == []


def test_links_outside_left_body_and_non_release_links_are_ignored():
    html = b"""<html><body><a href="/gia/general/202001/02/P2020010200831.htm">outside</a>
    <div class="leftBody"><ul><li><a href="/gia/general/202001/02.htm">index</a></li>
    <li><a href="/gia/general/202001/02/P2020010200831p.htm">print version</a></li>
    <li><a href="https://elsewhere.example/gia/general/202001/02/P2020010200773.htm">other host</a></li>
    </ul></div></body></html>"""
    assert parse_daily_index(html, f"{BASE}/gia/general/202001/02.htm") == []


@pytest.mark.parametrize("html", [b"", b"\xff\xfe not html", b"<html><body>Service busy, please try later</body></html>",
                                  b"<html><body><p>Maintenance</p><a href='/gia/general/202001/02.htm'>x</a></body></html>"])
def test_a_page_that_is_not_an_index_is_invalid_not_an_empty_day(html):
    with pytest.raises(InvalidPage, match="202001/02.htm"):
        parse_daily_index(html, f"{BASE}/gia/general/202001/02.htm")


def test_without_left_body_release_links_come_from_the_whole_page_in_order():
    html = b"""<html><body><div id="x">
    <a href="/gia/general/202001/02/P2020010200900.htm">root-relative</a>
    <a href="/gia/general/202001/02/P2020010200900p.htm">print version</a>
    <a href="https://www.info.gov.hk/gia/general/202001/02/P2020010200831.htm">absolute</a>
    <a href="http://127.0.0.1:8000/gia/general/202001/02/P2020010200005.htm">absolute on this host</a>
    <a href="/gia/general/202001/02/P2020010200900.htm">duplicate</a>
    <a href="/gia/general/202001/01/P2020010100001.htm">another day: a cross-reference</a>
    <a href="https://elsewhere.example/gia/general/202001/02/P2020010200773.htm">other host</a>
    </div></body></html>"""
    entries = parse_daily_index(html, f"{BASE}/gia/general/202001/02.htm")
    assert [entry.id for entry in entries] == ["P2020010200900", "P2020010200831", "P2020010200005"]
    assert entries[1].url == f"{BASE}/gia/general/202001/02/P2020010200831.htm"


def test_day_select_lists_the_release_ids():
    html = b"""<div id="includedContent"><select id="selectManual"><option value="">Select</option>
    <option value="P2020010200831">One</option><option value="P2020010200773">Two</option></select></div>"""
    assert parse_day_select(html, f"{BASE}/gia/general/202001/02/select_en.htm") == ["P2020010200831", "P2020010200773"]
    with pytest.raises(InvalidPage, match="not a release select"):
        parse_day_select(b"<html>Service busy</html>", f"{BASE}/gia/general/202001/02/select_en.htm")

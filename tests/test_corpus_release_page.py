"""Release page parser on the 12 real pages (byte-exact) and the synthetic variants."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hkasean.corpus.crawl.release_page import (
    ReleaseParseError,
    classify_doc_type,
    find_speaker,
    parse_release,
    to_document,
)

PAGES = Path(__file__).resolve().parent / "fixtures" / "infogovhk"

# id, title, date, time, paragraph count, start of the first paragraph, end of the last one
# (read off the HTML: e.g. P2019123100667 has 7 prose paragraphs, then 4 + 5 list items and one
# prose line between the lists; P2019123100709 has 1 paragraph, 7 table rows, 3 paragraphs)
REAL = [
    ("P2019123100667", "CHP closely monitors cluster of pneumonia cases on Mainland", "2019-12-31", "19:06", 17,
     "The Centre for Health Protection (CHP) of the Department of Health is today (December 31) closely monitoring",
     "inform the doctor of recent travel history and wear a surgical mask to help prevent spread of the disease."),
    ("P2019123100709", "Suspected MERS case reported", "2019-12-31", "19:50", 11,
     "The Centre for Health Protection (CHP) of the Department of Health today (December 31) reported a suspected",
     "are advised to refer to the CHP's health advice on MERS."),
    ("P2019123100711", "Public hospitals heighten vigilance against suspected pneumonia cases on Mainland", "2019-12-31",
     "19:30", 4, "The following is issued on behalf of the Hospital Authority:",
     "with the Centre of Health Protection of the DH to monitor the development of the situation."),
    ("P2020010200831",
     "Government holds inter-departmental meeting on cluster of pneumonia cases in Wuhan (with photo)", "2020-01-02",
     "23:56", 33, "The Government today (January 2) held an inter-departmental meeting",
     "refrain from work or attending class at school, avoid going to crowded places and seek medical advice promptly."),
    ("P2020010400582", "Public hospital daily update on Wuhan-related cases", "2020-01-04", "17:35", 3,
     "The following is issued on behalf of the Hospital Authority:", "Five of them have been discharged."),
    ("P2020010500498", "Suspected MERS case reported", "2020-01-05", "18:00", 12,
     "The Centre for Health Protection (CHP) of the Department of Health today (January 5)",
     "refer to the CHP's health advice on MERS."),
    ("P2020010600511", "Public hospital daily update on Wuhan-related cases", "2020-01-06", "17:20", 11,
     "The following is issued on behalf of the Hospital Authority:", "Seven of the patients have been discharged."),
    ("P2020010600666", "Suspected MERS case reported", "2020-01-06", "18:40", 11,
     "The Centre for Health Protection (CHP) of the Department of Health today (January 6)",
     "refer to the CHP's health advice on MERS."),
    ("P2020010700549", "Public hospital daily update on Wuhan-related cases", "2020-01-07", "17:12", 14,
     "The following is issued on behalf of the Hospital Authority:", "Thirteen of the patients have been discharged."),
    ("P2020010700560", "Blood Donation Precautionary Measures in Response to the Wuhan Pneumonia Cases", "2020-01-07",
     "20:05", 4, "The following is issued on behalf of the Hospital Authority:",
     "to maintain a stable blood supply for patients in need throughout the long holiday."),
    ("P2020010800491", "Public hospital daily update on Wuhan-related cases", "2020-01-08", "17:15", 14,
     "The following is issued on behalf of the Hospital Authority:", "Twenty-one of the patients have been discharged."),
    ("P2020010900455", "Update on latest MERS situation in United Arab Emirates", "2020-01-09", "15:00", 8,
     "The Centre for Health Protection (CHP) of the Department of Health is today (January 9)",
     "refer to the CHP's health advice on MERS."),
]


def real_url(release_id: str) -> str:
    return f"https://www.info.gov.hk/gia/general/{release_id[1:7]}/{release_id[7:9]}/{release_id}.htm"  # parser input only, never fetched


def parse_real(release_id: str):
    return parse_release((PAGES / "release_pages" / f"{release_id}.htm").read_bytes(), real_url(release_id))


def parse_synthetic(name: str):
    month, day, rid = name.split("_")
    page = PAGES / "synthetic_pages" / f"{name}.htm"
    return parse_release(page.read_bytes(), f"http://127.0.0.1:8000/gia/general/{month}/{day}/{rid}.htm")


@pytest.mark.parametrize("rid,title,date,time,n_paragraphs,first,last", REAL, ids=[row[0] for row in REAL])
def test_real_pages(rid, title, date, time, n_paragraphs, first, last):
    release = parse_real(rid)
    assert release.id == rid
    assert release.title == title
    assert (release.date, release.time) == (date, time)
    assert len(release.paragraphs) == n_paragraphs
    assert release.paragraphs[0].startswith(first)
    assert release.paragraphs[-1].endswith(last)
    assert release.doc_type == "press_release" and release.speaker == ""
    assert release.english_only is False
    assert release.text == "\n\n".join(release.paragraphs)
    for paragraph in release.paragraphs:  # what a reader sees: no markup, entities or odd spaces
        assert paragraph == paragraph.strip() and "  " not in paragraph and "\n" not in paragraph
        assert not re.search(r"&(nbsp|amp|quot|#39);|<[a-z/]|\u00a0", paragraph)
    assert "NNNN" not in release.text and "Ends/" not in release.text and "Issued at HKT" not in release.text
    assert release.related == [] and release.attachments == []  # never harvest P….htm links


def test_exact_paragraphs_of_a_chp_release():
    paragraphs = parse_real("P2019123100667").paragraphs
    assert paragraphs[4] == (
        "The CHP's Port Health Division conducts health surveillance measures at all boundary control points. "
        "Thermal imaging systems are in place for body temperature checks on inbound travellers. Suspected cases "
        "with serious infectious diseases identified will be immediately referred to public hospitals for "
        "isolation, treatment and follow-up. The CHP has also informed the Hospital Authority about the cluster "
        "of pneumonia cases in Wuhan."
    )
    assert paragraphs[6].endswith("They are advised to:")
    assert paragraphs[7].startswith("Perform hand hygiene frequently") and paragraphs[7].endswith("sneezing.")
    assert paragraphs[11] == "The public should take heed of the health advice below when travelling outside Hong Kong:"
    # "close contacts&nbsp;and medical surveillance": the nbsp is a plain space
    assert "Contact tracing of close contacts and medical surveillance are ongoing." in paragraphs[1]


def test_tables_become_one_paragraph_per_row():
    paragraphs = parse_real("P2019123100709").paragraphs
    assert paragraphs[1:8] == [
        "Sex | Female",
        "Age | 60",
        "Affected area involved | Dubai, United Arab Emirates",
        "High-risk exposure | Nil",
        "Hospital | Pamela Youde Nethersole Eastern Hospital",
        "Condition | Stable",
        "MERS-Coronavirus preliminary test result | Negative",
    ]
    assert paragraphs[8].startswith('"Travellers to the Middle East should avoid going to farms')


def test_headline_split_in_spans_and_photo_metadata():
    release = parse_real("P2020010200831")
    assert release.title.endswith("in Wuhan (with photo)")
    assert "Surveillance, prevention and control measures" in release.paragraphs
    assert len(release.photos) == 1
    assert release.photos[0].url == "http://gia.info.gov.hk/general/202001/02/P2020010200831_photo_1170212.jpg"


def test_english_only_with_photos_and_video_lf_only():
    release = parse_synthetic("201912_31_P2019123100801")
    assert release.english_only is True
    assert release.title.endswith("(English only) (with photos/video)")
    assert [photo.url.rsplit("_", 1)[1] for photo in release.photos] == ["1170001.jpg", "1170002.jpg"]
    assert release.photos[0].label.endswith("business leaders in Jakarta today (December 31).")
    assert [(video.label, video.url) for video in release.videos] == [("SCED visits Jakarta", "https://isd.wecast.hk/vod/?id=10001")]
    assert len(release.paragraphs) == 3
    assert "Hong Kong's role" in release.paragraphs[0] and "companies & professionals" in release.paragraphs[1]


def test_related_links_are_metadata_not_releases():
    release = parse_synthetic("202001_07_P2020010700901")
    assert [(link.label, link.url) for link in release.related] == [
        ("Suspected MERS case reported", "/gia/general/202001/06/P2020010600666.htm")
    ]
    assert "Suspected MERS case reported" not in release.text


def test_attachments_table_and_statistics_type():
    release = parse_synthetic("201912_31_P2019123100802")
    assert [link.label for link in release.attachments] == ["Annex I", "Annex II"]
    assert release.doc_type == "statistics"
    assert release.paragraphs[1:5] == ["Trade with ASEAN members", "| HK$ million", "Singapore | 12,345", "Viet Nam | 9,876"]


def test_body_without_br_is_one_paragraph_and_speech_speaker():
    release = parse_synthetic("202001_06_P2020010600903")
    assert len(release.paragraphs) == 1
    assert release.paragraphs[0].startswith("Following is the speech by the Secretary")
    assert (release.doc_type, release.speaker, release.time) == ("speech", "SCED", "09:05")


def test_lf_only_legco_reply():
    assert b"\r" not in (PAGES / "synthetic_pages" / "202001_06_P2020010600902.htm").read_bytes()
    release = parse_synthetic("202001_06_P2020010600902")
    assert release.doc_type == "legco_reply"
    assert release.paragraphs[1] == "Question:"
    assert release.paragraphs[2].startswith("Will the Government inform this Council")
    assert release.paragraphs[-1] == "The Government will continue to seek early accession once the agreement enters into force."


def test_folder_date_not_id_date():
    release = parse_synthetic("202001_07_P2020010600950")
    assert release.id == "P2020010600950"
    assert release.date == "2020-01-07"
    assert release.doc_type == "statement"


def test_date_falls_back_to_folder_when_footer_missing():
    html = (PAGES / "release_pages" / "P2020010900455.htm").read_bytes()
    html = html.replace(b"Ends/Thursday, January 9, 2020", b"")
    release = parse_release(html, "https://www.info.gov.hk/gia/general/202001/10/P2020010900455.htm")  # parser input only  # data: parser input, never fetched
    assert (release.date, release.time) == ("2020-01-10", "")


@pytest.mark.parametrize("footer", [b"Ends/Sunday, February 30, 2021", b"Ends/Wednesday, Sept 22, 2021"])
def test_an_unreadable_footer_date_falls_back_to_the_folder_with_a_warning(footer, caplog):
    html = (PAGES / "release_pages" / "P2020010900455.htm").read_bytes().replace(b"Ends/Thursday, January 9, 2020", footer)
    url = "https://www.info.gov.hk/gia/general/202001/10/P2020010900455.htm"  # parser input only
    release = parse_release(html, url)
    assert (release.date, release.time) == ("2020-01-10", "15:00")
    assert any(url in r.getMessage() and footer[-12:].decode() in r.getMessage() for r in caplog.records)


def test_declared_charset_is_honoured_and_undecodable_bytes_raise():
    html = (PAGES / "release_pages" / "P2020010900455.htm").read_bytes()
    url = "https://www.info.gov.hk/gia/general/202001/09/P2020010900455.htm"  # parser input only
    cp1252 = html.replace(b"charset=utf-8", b"charset=windows-1252").replace(b"The Centre", b"Caf\xe9 \x96 The Centre")
    assert parse_release(cp1252, url).paragraphs[0].startswith("Caf\u00e9 \u2013 The Centre")
    with pytest.raises(ReleaseParseError, match="not valid utf-8: 0xe9"):
        parse_release(html.replace(b"The Centre", b"Caf\xe9 The Centre"), url)


def test_not_a_release_page_raises():
    with pytest.raises(ReleaseParseError, match="no body"):
        parse_release(b"<html><head><title>Index</title></head><body></body></html>",
                      "https://www.info.gov.hk/gia/general/202001/10/P2020010900455.htm")


@pytest.mark.parametrize("title,doc_type,speaker", [
    ("LCQ5: Trade with ASEAN", "legco_reply", ""),
    ("Speech by CE at Belt and Road Summit (English only)", "speech", "CE"),
    ("Transcript of remarks by FS at media session", "speech", "FS"),
    ("SCED's speech at ASEAN forum", "speech", "SCED"),
    ("Statement by the Government", "statement", ""),
    ("External merchandise trade statistics for May", "statistics", ""),
    ("Hong Kong signs deal with Thailand", "press_release", ""),
])
def test_doc_type_and_speaker_rules(title, doc_type, speaker):
    assert (classify_doc_type(title), find_speaker(title)) == (doc_type, speaker)


def test_to_document():
    document = to_document(parse_synthetic("201912_31_P2019123100802"))
    assert (document.id, document.date, document.source, document.lang) == ("P2019123100802", "2019-12-31", "info.gov.hk", "en")
    assert document.extra["issued_time"] == "16:30"
    assert document.extra["attachments"][0] == {"label": "Annex I", "url": "https://www.info.gov.hk/gia/general/201912/P2019123100802_annex_1.pdf"}
    assert document.paragraphs == parse_synthetic("201912_31_P2019123100802").paragraphs

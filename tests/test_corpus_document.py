"""The document record and the JSONL exchange format."""
from __future__ import annotations

import json
import os
import stat

import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.document import Document, DocumentError
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import read_documents, write_documents

GOOD = {"id": "P2024010900345", "url": "https://www.info.gov.hk/x.htm", "date": "2024-01-09",  # data only, never fetched
        "title": "T", "text": "Para one.\n\nPara two.", "source": "info.gov.hk", "doc_type": "speech",
        "speaker": "X", "lang": "en"}


def test_extra_fields_survive_a_round_trip():
    record = dict(GOOD, copy_url="https://copy", title_is_descriptive=True)
    doc = Document.from_dict(record)
    assert doc.extra == {"copy_url": "https://copy", "title_is_descriptive": True}
    assert doc.to_dict() == record
    assert doc.paragraphs == ["Para one.", "Para two."]
    assert doc.year == 2024


@pytest.mark.parametrize(
    "change, field_name",
    [({"date": "2024-1-9"}, "date"), ({"date": "2024-02-30"}, "date"), ({"id": ""}, "id"),
     ({"doc_type": "tweet"}, "doc_type"), ({"text": "  "}, "text"), ({"title": 3}, "title")],
)
def test_invalid_fields_are_named(change, field_name):
    with pytest.raises(DocumentError) as err:
        Document.from_dict(dict(GOOD, **change))
    assert err.value.field == field_name


def test_missing_required_field():
    record = dict(GOOD)
    del record["text"]
    with pytest.raises(DocumentError, match="'text'"):
        Document.from_dict(record)


def test_content_hash_changes_with_any_field():
    a = Document.from_dict(GOOD)
    assert a.content_hash() == Document.from_dict(dict(GOOD)).content_hash()
    assert a.content_hash() != Document.from_dict(dict(GOOD, speaker="Y")).content_hash()


def test_bad_line_names_file_line_and_field(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(dict(GOOD, id="b", date="09/01/2024")) + "\n")
    with pytest.raises(InputError) as err:
        read_documents(path)
    assert f"{path}:line 2" in str(err.value) and "'date'" in str(err.value)


def test_malformed_json_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n{not json\n")
    with pytest.raises(InputError, match="line 3: not valid JSON"):
        read_documents(path)


def test_duplicate_ids_rejected(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    with pytest.raises(InputError, match="duplicate id"):
        read_documents(path)


def test_sample_round_trips_losslessly(tmp_path):
    docs = read_documents(sample_corpus_path())
    assert len(docs) == 88
    out = tmp_path / "out.jsonl"
    assert write_documents(docs, out) == 88
    original = [json.loads(line) for line in sample_corpus_path().read_text(encoding="utf-8").splitlines() if line]
    again = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert again == original


def test_an_export_is_readable_like_any_new_file(tmp_path):
    previous = os.umask(0o022)
    try:
        out = tmp_path / "out.jsonl"
        write_documents(read_documents(sample_corpus_path())[:2], out)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's private 0600


def test_n_words_is_one_count_of_title_and_text_everywhere():
    from hkasean.corpus.frame import documents_frame
    from hkasean.models.codebook import load_codebook
    from hkasean.models.text import process_documents

    document = Document(id="a", date="2020-01-01", title="Two words", text="three more words\n\nand two")
    assert document.n_words == 7
    docs = read_documents(sample_corpus_path())[:5]
    frame = documents_frame(docs).set_index("doc_id")["n_words"]
    processed = process_documents(docs, load_codebook())
    assert frame.to_dict() == processed.n_words == {d.id: d.n_words for d in docs}

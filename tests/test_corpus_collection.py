"""Re-iterable collections: a corpus read from its file or store on every pass, validated up front."""
from __future__ import annotations

import dataclasses
import json

import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.collection import JsonlDocuments, StoredDocuments
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import read_documents
from hkasean.corpus.store import DocumentStore


def test_jsonl_collection_streams_the_file_on_every_pass():
    collection = JsonlDocuments(sample_corpus_path())
    expected = read_documents(sample_corpus_path())
    assert len(collection) == len(expected)
    assert list(collection) == expected and list(collection) == expected


def test_jsonl_collection_reports_a_bad_line_before_any_pass(tmp_path):
    path = tmp_path / "corpus.jsonl"
    good = read_documents(sample_corpus_path())[0].to_dict()
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id"):
        JsonlDocuments(path)
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no documents"):
        JsonlDocuments(path)


def test_store_collection_streams_in_date_order(tmp_path):
    documents = read_documents(sample_corpus_path())
    with DocumentStore(tmp_path / "corpus.sqlite") as store:
        for document in reversed(documents):
            store.upsert(document)
    collection = StoredDocuments(tmp_path / "corpus.sqlite")
    assert len(collection) == len(documents)
    streamed = list(collection)
    assert streamed == list(collection)
    assert [(d.date, d.id) for d in streamed] == sorted((d.date, d.id) for d in documents)


def test_store_collection_errors_name_the_store(tmp_path):
    with pytest.raises(InputError, match="not found"):
        StoredDocuments(tmp_path / "missing.sqlite")
    DocumentStore(tmp_path / "empty.sqlite").close()
    with pytest.raises(InputError, match="holds no documents"):
        StoredDocuments(tmp_path / "empty.sqlite")


def test_store_collection_passes_agree_while_a_crawl_writes(tmp_path):
    documents = read_documents(sample_corpus_path())
    db = tmp_path / "corpus.sqlite"
    with DocumentStore(db) as store:
        for document in documents[:-1]:
            store.upsert(document)
    collection = StoredDocuments(db)
    first_pass = list(collection)
    with DocumentStore(db) as crawler:  # another writer adds a document and changes one
        crawler.upsert(documents[-1])
        crawler.upsert(dataclasses.replace(documents[0], text=documents[0].text + " Updated."))
        assert len(crawler) == len(documents)
    assert list(collection) == first_pass and len(collection) == len(documents) - 1
    collection.close()
    assert len(StoredDocuments(db)) == len(documents)

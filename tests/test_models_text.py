import dataclasses
import gc
import logging
import weakref

import nltk
import pytest

from hkasean.corpus.bundled import sample_corpus_path
from hkasean.corpus.document import Document
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import read_documents
from hkasean.corpus.sentences import split_sentences
from hkasean.models import stopwords, text
from hkasean.models.text import ProcessedCorpus, TextSettings, process_documents
from hkasean.models.tokenize import tokenize
from hkasean.models.token_file import TokenFile
from synthetic_corpus import tiny_codebook, two_topic_documents

DOC = Document(id="d1", date="2020-01-01", title="Belt and Road", text=(
    "Hong Kong's role in the Belt and Road is growing. The Belt-and-Road links ports.\n\n"
    "Rules of origin matter for garments. The Belt and Road helps."))


def test_tokenize_keeps_hyphenated_words_and_drops_possessive():
    assert tokenize("Hong Kong's fast-growing win-win 2019") == ["hong", "kong", "fast-growing", "win-win", "2019"]


def test_indicator_phrase_survives_stopword_removal():
    processed = process_documents([DOC], tiny_codebook(), TextSettings(min_df=1, max_df=1.0, learn_phrases=False))
    assert processed.tokens[0].count("belt_and_road") == 4  # title + 3 mentions, hyphenated one included
    assert "rules_of_origin" in processed.tokens[0]
    assert "and" not in processed.tokens[0] and "hong" not in processed.tokens[0]


def test_stems_have_readable_surface_forms():
    doc = Document(id="d", date="2020-01-01", title="t", text="opportunities opportunities opportunity")
    processed = process_documents([doc], tiny_codebook(), TextSettings(min_df=1, max_df=1.0))
    assert processed.tokens[0] == ["opportun"] * 3
    assert processed.surface("opportun") == "opportunities"


def test_paragraph_units_carry_their_document():
    processed = process_documents([DOC], tiny_codebook(), TextSettings(unit="paragraph", min_df=1, max_df=1.0))
    assert len(processed.tokens) == 2 and processed.unit_doc_ids == ["d1", "d1"]
    assert list(processed.document_tokens()) == [processed.tokens[0] + processed.tokens[1]]


def test_learned_collocations_are_joined():
    verbs = ["was signed", "helps", "covers", "lowered tariffs", "took effect", "grew"]
    docs = [Document(id=f"d{i}", date="2020-01-01", title="t", text=f"the free trade agreement {verb} with cargo vessel")
            for i, verb in enumerate(verbs)]
    processed = process_documents(docs, tiny_codebook(), TextSettings(min_df=1, max_df=1.0, phrase_min_count=3))
    assert any("trade" in t and "_" in t for t in processed.tokens[0])
    assert "cargo" in processed.tokens[0] and "vessel" in processed.tokens[0]  # indicators never glued


def test_stopword_fallback_without_nltk_data(monkeypatch, caplog):
    class MissingStopwords:
        def words(self, _lang):
            raise LookupError("no stopwords data")

    monkeypatch.setattr(nltk.corpus, "stopwords", MissingStopwords())
    stopwords.english_stopwords.cache_clear()
    with caplog.at_level(logging.INFO, logger="hkasean.models.stopwords"):
        words = stopwords.english_stopwords()
    stopwords.english_stopwords.cache_clear()
    assert len(words) == 179 and {"the", "and", "wouldn't"} <= words
    assert "shipped" in caplog.text


class _Unreadable:
    """Documents that must not be read: iterating them fails the test."""

    def __iter__(self):
        pytest.fail("the documents were read again despite the cache")


def test_cache_roundtrip(tmp_path):
    docs = two_topic_documents(4)
    first = process_documents(docs, tiny_codebook(), cache_dir=tmp_path)
    fingerprint = first.fingerprint
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".hkasean-cache-key", f"processed-{fingerprint}.json", f"processed-{fingerprint}.tokens"]
    hashes = [d.content_hash() for d in docs]
    second = process_documents(_Unreadable(), tiny_codebook(), cache_dir=tmp_path, content_hashes=hashes)
    assert list(second.tokens) == list(first.tokens) and second.fingerprint == fingerprint
    assert second.settings == first.settings and second.indicator_hits == first.indicator_hits
    assert second.unit_doc_ids == first.unit_doc_ids and second.surface_forms == first.surface_forms


def test_a_changed_token_file_invalidates_the_cache(tmp_path, caplog):
    docs = two_topic_documents(4)
    first = process_documents(docs, tiny_codebook(), cache_dir=tmp_path)
    expected = list(first.tokens)
    with first.tokens.path.open("a", encoding="utf-8") as handle:
        handle.write("extra tokens\n")
    second = process_documents(docs, tiny_codebook(), cache_dir=tmp_path)
    assert "ignoring" in caplog.text and list(second.tokens) == expected


def test_without_cache_the_tokens_are_a_temporary_file_deleted_with_the_corpus():
    processed = process_documents(two_topic_documents(4), tiny_codebook())
    assert isinstance(processed.tokens, TokenFile)
    folder = processed.tokens.path.parent
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == ["units.tokens"]  # no scratch left
    del processed
    gc.collect()
    assert not folder.exists()


class _CountingDocuments:
    """A re-iterable corpus that records how many of the documents it yielded are still alive."""

    def __init__(self, documents):
        self.records = [d.to_dict() for d in documents]
        self.alive = 0
        self.most_alive = 0
        self.passes = 0

    def _gone(self):
        self.alive -= 1

    def __iter__(self):
        self.passes += 1
        for record in self.records:
            document = Document.from_dict(record)
            weakref.finalize(document, self._gone)
            self.alive += 1
            self.most_alive = max(self.most_alive, self.alive)
            yield document
            del document


def test_documents_are_streamed_not_held(monkeypatch):
    monkeypatch.setattr(text, "CHUNK_DOCUMENTS", 7)
    documents = _CountingDocuments(two_topic_documents(30))
    processed = process_documents(documents, tiny_codebook(), TextSettings(max_df=1.0))
    assert len(processed.doc_ids) == 60 and documents.passes == 2  # fingerprint + tokens
    assert documents.most_alive <= 15  # a chunk or two of documents at a time (a held list would reach 60)


def test_streamed_and_listed_documents_give_the_same_corpus():
    listed = read_documents(sample_corpus_path())
    from_list = process_documents(listed, tiny_codebook())
    from_stream = process_documents(_CountingDocuments(listed), tiny_codebook())
    assert list(from_stream.tokens) == list(from_list.tokens)
    assert from_stream.fingerprint == from_list.fingerprint and from_stream.surface_forms == from_list.surface_forms


def test_bad_settings_raise_input_error():
    with pytest.raises(InputError, match="unit"):
        process_documents([DOC], tiny_codebook(), TextSettings(unit="clause"))


def test_wordnet_without_data_raises_input_error(monkeypatch):
    def missing(_name):
        raise LookupError("no wordnet")

    monkeypatch.setattr(nltk.data, "find", missing)
    with pytest.raises(InputError, match="wordnet"):
        process_documents([DOC], tiny_codebook(), TextSettings(normalizer="wordnet"))


def test_learned_names_form_whole_and_never_cross_punctuation():
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    docs = [Document(id=f"d{i}", date="2020-01-01", title="t", text=(
        f"{w} Ho Chi Minh City {words[i - 1]}. Members: Myanmar, Singapore, Thailand; {words[i - 2]} Ho Chi Minh City {w}"))
        for i, w in enumerate(words)]
    processed = process_documents(docs, tiny_codebook(), TextSettings(min_df=1, max_df=1.0, phrase_min_count=3))
    assert "ho_chi_minh_city" in processed.tokens[0]
    assert not any(t.startswith(("ho_chi_", "minh")) and t != "ho_chi_minh_city" for t in processed.tokens[0])
    assert not any("myanmar_" in t or "_singapore" in t for t in processed.tokens[0])


def test_speaker_names_and_ampersand_variants():
    doc = Document(id="d", date="2020-01-01", title="t", speaker="Edward Yau",
                   text="Mr Edward Yau spoke of the Belt & Road and the harbour. Yau left.")
    processed = process_documents([doc], tiny_codebook(), TextSettings(min_df=1, max_df=1.0))
    assert processed.tokens[0].count("belt_and_road") == 1
    assert "yau" not in processed.tokens[0] and "edward" not in processed.tokens[0]
    kept = process_documents([doc], tiny_codebook(), TextSettings(min_df=1, max_df=1.0, drop_speaker_names=False))
    assert "yau" in kept.tokens[0]


def test_theme_terms_are_content_stems_of_indicator_phrases():
    processed = process_documents([DOC], tiny_codebook(), TextSettings(min_df=1, max_df=1.0))
    assert processed.theme_terms == {"shipping": ["belt", "road"], "farming": ["origin", "rule"]}
    assert {"rules_of_origin", "wheat", "rule", "origin"} <= processed.theme_vocabulary()["farming"]


def test_a_corpus_with_in_memory_tokens_saves_and_loads(tmp_path):
    processed = process_documents(two_topic_documents(4), tiny_codebook())
    in_memory = dataclasses.replace(processed, tokens=list(processed.tokens))
    in_memory.save(tmp_path)
    loaded = ProcessedCorpus.load(tmp_path, processed.fingerprint)
    assert isinstance(loaded.tokens, TokenFile) and list(loaded.tokens) == list(processed.tokens)
    assert loaded.doc_ids == processed.doc_ids and loaded.theme_terms == processed.theme_terms
    assert ProcessedCorpus.load(tmp_path, "another-fingerprint") is None


def test_sentence_units_split_after_sentence_ends_not_after_titles():
    document = Document(id="s", date="2020-01-01", title="Visit",
                        text="Mr. Yau met Dr. Lim. Trade rose 1.2% in 2019! Is it more?\n\nA new paragraph.")
    assert split_sentences(document.paragraphs[0]) == ["Mr. Yau met Dr. Lim.", "Trade rose 1.2% in 2019!", "Is it more?"]
    processed = process_documents([document], tiny_codebook(), TextSettings(unit="sentence", min_df=1, max_df=1.0))
    assert len(processed) == 5 and processed.unit_doc_ids == ["s"] * 5  # the title, three sentences, one paragraph

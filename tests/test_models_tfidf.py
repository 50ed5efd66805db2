from hkasean.corpus.document import Document
from hkasean.corpus.frame import documents_frame
from hkasean.models.indicators import indicator_pattern
from hkasean.models.text import TextSettings, process_documents
from hkasean.models.tfidf import distinctive_terms, indicator_frequency
from synthetic_corpus import tiny_codebook, two_topic_documents


def test_distinctive_terms_by_group():
    docs = two_topic_documents(6)
    processed = process_documents(docs, tiny_codebook(), TextSettings(max_df=1.0))
    frame = documents_frame(docs)
    frame["year"] = [1 if d.id.startswith("ship") else 2 for d in docs]
    table = distinctive_terms(processed, frame, by="year", n=3)
    assert list(table.columns) == ["by", "group", "rank", "term", "score", "n_docs"]
    top = table[table["rank"] == 1].set_index("group")["term"]
    assert top[1] in {"vessel", "harbour", "cargo", "container", "port", "freight", "crane", "dock", "berth", "tanker"}
    assert (table["score"] > 0).all()


def test_indicator_frequency_counts_inflections():
    docs = [
        Document(id="a", date="2020-01-01", title="t", text="Harvesting wheat; the harvest was big. Belt-and-Road."),
        Document(id="b", date="2020-05-01", title="t", text="Nothing here."),
        Document(id="c", date="2021-01-01", title="t", text="Tractors and rule of origin."),
    ]
    processed = process_documents(docs, tiny_codebook(), TextSettings(min_df=1, max_df=1.0))
    table = indicator_frequency(processed, documents_frame(docs), tiny_codebook()).set_index(["year", "indicator"])
    assert table.loc[(2020, "harvest"), "occurrences"] == 2
    assert table.loc[(2020, "harvest"), "share_docs"] == 0.5
    assert table.loc[(2020, "belt and road"), "n_docs_with"] == 1
    assert table.loc[(2021, "tractor"), "n_docs_with"] == 1
    assert table.loc[(2021, "rules of origin"), "n_docs_with"] == 1
    assert table.loc[(2021, "wheat"), "n_docs_with"] == 0


def test_indicator_pattern_whole_words_only():
    assert not indicator_pattern("bridge").search("Cambridge")
    assert indicator_pattern("tap into").search("tapping into")
    assert indicator_pattern("one country, two systems").search("One Country Two Systems")

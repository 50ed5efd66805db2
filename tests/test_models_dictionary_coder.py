from hkasean.corpus.document import Document
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook

DOCS = [
    Document(id="a", date="2020-01-01", title="Ports", text="Cargo through the port; more ports and cargo."),
    Document(id="b", date="2020-01-01", title="Farms", text="Harvesting wheat under the rules of origin."),
    Document(id="c", date="2020-01-01", title="None", text="Nothing of interest here at all."),
]


def test_hits_exactly_the_documents_with_the_phrases():
    processed = process_documents(DOCS, tiny_codebook(), TextSettings(min_df=1, max_df=1.0))
    coder = DictionaryCoder().fit(processed)
    themes = coder.doc_themes().set_index(["doc_id", "theme"])
    assert themes.loc[("a", "shipping"), "score"] == 2 and themes.loc[("a", "shipping"), "present"] == 1
    assert themes.loc[("b", "farming"), "score"] == 3
    assert themes["present"].sum() == 2
    evidence = coder.evidence().set_index(["doc_id", "topic_or_theme"])["terms"]
    assert evidence[("a", "shipping")] == "port; cargo" and ("c", "shipping") not in evidence.index
    strict = DictionaryCoder(threshold=3).fit(processed).doc_themes()
    assert strict["present"].sum() == 1

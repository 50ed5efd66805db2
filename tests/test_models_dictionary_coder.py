from hkasean.corpus.document import Document
from hkasean.models.dictionary_coder import DictionaryCoder, feature_tokens
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
    strict = DictionaryCoder(min_indicators=3).fit(processed).doc_themes()
    assert strict["present"].sum() == 1


STEM_DOCS = [
    Document(id="s", date="2020-01-01", title="Trade", text="The origin of these rules matters. Nothing else."),
    Document(id="t", date="2020-01-01", title="Trade", text="New rules were set. The origin was unclear."),
    Document(id="u", date="2020-01-01", title="Trade", text="Goods under the rules of origin. Rules again."),
]


def test_stems_of_a_phrase_in_one_sentence_match_it_only_when_asked():
    processed = process_documents(STEM_DOCS, tiny_codebook(), TextSettings(unit="sentence", min_df=1, max_df=1.0))
    exact = DictionaryCoder().fit(processed).doc_themes().set_index(["doc_id", "theme"])["present"]
    stems = DictionaryCoder(match="stems").fit(processed)
    found = stems.doc_themes().set_index(["doc_id", "theme"])["present"]
    assert exact[("s", "farming")] == 0 and found[("s", "farming")] == 1  # both stems in one sentence
    assert found[("t", "farming")] == 0  # the stems are in different sentences
    assert exact[("u", "farming")] == 1 and found[("u", "farming")] == 1
    evidence = stems.evidence().set_index(["doc_id", "topic_or_theme"])["terms"]
    assert evidence[("s", "farming")] == "rules of origin~" and evidence[("u", "farming")] == "rules of origin"


def test_feature_tokens_count_phrases_and_sentence_scores():
    processed = process_documents(STEM_DOCS, tiny_codebook(), TextSettings(unit="sentence", min_df=1, max_df=1.0))
    features = dict(zip(processed.doc_ids, feature_tokens(processed)))
    assert features["u"].count("dict:farming") == 1 and features["s"].count("dict:farming") == 0
    assert features["s"].count("dict~stems:farming") == 2 and features["t"].count("dict~stems:farming") == 2
    assert not any(token.endswith("shipping") for token in features["s"])

import dataclasses

import pandas as pd
import pytest

from hkasean.models.lda import LdaTopicModel
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import SHIPPING, tiny_codebook, two_topic_documents


@pytest.fixture(scope="module")
def processed():
    return process_documents(two_topic_documents(), tiny_codebook(), TextSettings(max_df=1.0, learn_phrases=False, normalizer="none"))


BACKENDS = [lambda: LdaTopicModel(n_topics=2, passes=10, iterations=50, backend="gensim"),
            lambda: LdaTopicModel(n_topics=2, passes=50, backend="tomotopy")]


@pytest.mark.parametrize("make", BACKENDS + [lambda: NmfTopicModel(n_topics=2)], ids=["gensim", "tomotopy", "nmf"])
def test_two_vocabularies_are_separated(processed, make):
    model = make().fit(processed)
    topics = model.doc_topics()
    assert topics.groupby("doc_id")["score"].sum().round(6).eq(1).all()
    dominant = topics.loc[topics.groupby("doc_id")["score"].idxmax()].set_index("doc_id")["topic"]
    ship = {dominant[d] for d in dominant.index if d.startswith("ship")}
    farm = {dominant[d] for d in dominant.index if d.startswith("farm")}
    assert len(ship) == 1 and len(farm) == 1 and ship != farm
    terms = model.top_terms(5)
    top_ship = set(terms[terms["topic"] == ship.pop()]["term"])
    assert top_ship <= set(SHIPPING)
    themes = model.topics().set_index("topic")["mapped_theme"]
    assert sorted(themes) == ["farming", "shipping"]
    present = model.doc_themes().query("present == 1")
    assert set(present[present["theme"] == "farming"]["doc_id"]) == {d for d in dominant.index if d.startswith("farm")}


@pytest.mark.parametrize("make", BACKENDS + [lambda: NmfTopicModel(n_topics=2)], ids=["gensim", "tomotopy", "nmf"])
def test_deterministic_and_save_load(processed, make, tmp_path):
    first, second = make().fit(processed), make().fit(processed)
    for table in ("doc_topics", "doc_themes", "topics", "evidence"):
        pd.testing.assert_frame_equal(getattr(first, table)(), getattr(second, table)())
    path = first.save(tmp_path / "model.joblib")
    loaded = type(first).load(path)
    pd.testing.assert_frame_equal(loaded.top_terms(5), first.top_terms(5))
    assert loaded.get_params() == first.get_params()


def test_evidence_terms_come_from_the_document(processed):
    model = LdaTopicModel(n_topics=2, passes=5, iterations=50).fit(processed)
    tokens = dict(zip(processed.doc_ids, processed.document_tokens()))
    for row in model.evidence().itertuples():
        terms = row.terms.split("; ")
        assert 1 <= len(terms) <= 5 and set(terms) <= set(tokens[row.doc_id])


def test_tomotopy_seed_decides_the_topics_and_auto_passes_follow_the_corpus_size(processed):
    def fit(seed: int) -> LdaTopicModel:
        return LdaTopicModel(n_topics=3, random_state=seed).fit(processed)

    first, again, other = fit(3), fit(3), fit(4)
    assert (first.components_ == again.components_).all() and (first.doc_topic_ == again.doc_topic_).all()
    assert not (first.components_ == other.components_).all()
    assert first.passes == "auto" and first.passes_ == 1000  # a corpus this small: the most sweeps of the rule


def test_a_unit_without_tokens_gets_the_prior():
    documents = two_topic_documents(4)
    documents[0] = dataclasses.replace(documents[0], title="the", text="the of and")  # only stopwords: no tokens left
    processed = process_documents(documents, tiny_codebook(), TextSettings(max_df=1.0, min_df=1, learn_phrases=False))
    model = LdaTopicModel(n_topics=2, passes=20).fit(processed)
    assert list(processed)[0] == [] and model.doc_topic_[0] == pytest.approx([0.5, 0.5])

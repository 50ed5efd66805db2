"""explore.html: the payload built from a run's tables (pure), and the page a real run of the sample writes."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from hkasean import contract
from hkasean.corpus.bundled import sample_corpus_path
from hkasean.analysis.explorer import CSP, json_for_html, page_details, read_page, render_explorer
from hkasean.analysis.explorer_packing import varints
from hkasean.analysis.explorer_payload import ExplorerInput, explorer_payload
from hkasean.analysis.explorer_topics import TopicTerms
from hkasean.analysis.topic_map import relevant_terms, topic_positions, topic_prevalence

THEMES = [{"id": "alpha", "label": "Alpha", "definition": "", "indicators": ["fast-growing market", "hub"]},
          {"id": "beta", "label": "Beta", "definition": "", "indicators": ["value adder"]}]
DOCUMENTS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3"], "date": ["2020-01-02", "2021-05-06", "2021-07-08"], "year": [2020, 2021, 2021],
    "title": ["One", "Two </script><script>window.pwned = 1</script>", "Three & <b>four</b>"],
    "source": ["info.gov.hk", "news.gov.hk", "info.gov.hk"], "doc_type": ["speech", "news", "speech"],
    "speaker": ["", "", "X"], "url": ["", "", ""], "n_words": [100, 300, 0],
})
DOC_THEMES = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3"] * 2, "model": ["dictionary"] * 6,
    "theme": ["alpha"] * 3 + ["beta"] * 3, "score": [2.0, 0.0, 1.0, 0.0, 0.123456, 0.0],
    "present": [1, 0, 1, 0, 0, 0], "fold": [np.nan] * 6,
})
WEIGHTS = np.array([[0.5, 0.3, 0.2, 0.0], [0.1, 0.1, 0.4, 0.4]])
DOC_TOPICS = pd.DataFrame({
    "doc_id": ["d1", "d1", "d2", "d2", "d3", "d3"], "model": ["lda"] * 6,
    "topic": ["lda_0", "lda_1"] * 3, "score": [0.9, 0.1, 0.2, 0.8, 0.5, 0.5],
})
TOPICS = pd.DataFrame({"model": ["lda", "lda"], "topic": ["lda_0", "lda_1"], "top_terms": ["a; b", "c; d"],
                       "coherence": [0.1, -0.2], "mapped_theme": ["alpha", ""]})


def small_input(**changes) -> ExplorerInput:
    tables = {contract.DOCUMENTS.name: DOCUMENTS, contract.DOC_THEMES.name: DOC_THEMES,
              contract.DOC_TOPICS.name: DOC_TOPICS, contract.TOPICS.name: TOPICS}
    values = dict(
        tables=tables, texts=[("d2", "A hub.\n\nA value adder"), ("d1", "Fast-growing markets </script> here"), ("zz", "x")],
        themes=THEMES, gold=pd.DataFrame({"alpha": [1, 0], "beta": [0, 1]}, index=pd.Index(["d1", "d2"], name="doc_id")),
        topic_terms=[TopicTerms("lda", ["lda_0", "lda_1"], ["a", "b", "c", "d"], WEIGHTS)],
        evidence=pd.DataFrame({"doc_id": ["d1"], "model": ["dictionary"], "topic_or_theme": ["alpha"],
                               "terms": ["fast-growing market"]}),
        title="Title </script>", detail_chunk=2)
    values.update(changes)
    return ExplorerInput(**values)


# ---------------------------------------------------------------- LDAvis pieces
def test_relevance_keeps_the_top_terms_by_probability_and_by_lift():
    weights = np.array([[0.4, 0.3, 0.2, 0.1, 0.0], [0.6, 0.1, 0.1, 0.1, 0.1]])
    marginal = np.array([0.5, 0.5]) @ weights  # 0.5, 0.2, 0.15, 0.1, 0.05
    kept = relevant_terms(weights, marginal, n_terms=2, lambdas=(0.0, 1.0))
    assert kept[0].tolist() == [0, 1, 2]  # lambda 1: 0 and 1 (most probable); lambda 0: 1 and 2 (largest lift)
    assert kept[1].tolist() == [0, 1, 4]  # lambda 1: 0, then 1 (ties to the lower index); lambda 0: 4 and 0
    assert relevant_terms(weights, marginal, n_terms=2, lambdas=(0.5,))[0].tolist() == [0, 1]


def test_topic_positions_keep_the_jensen_shannon_distances_and_a_fixed_sign():
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(30), size=3)
    coords = topic_positions(weights)
    for i in range(3):
        for j in range(3):
            expected = jensenshannon(weights[i], weights[j], base=2)
            assert np.linalg.norm(coords[i] - coords[j]) == pytest.approx(expected, abs=1e-9)  # 3 points embed exactly
    for axis in range(2):
        assert coords[np.argmax(np.abs(coords[:, axis])), axis] >= 0
    assert np.array_equal(coords, topic_positions(weights))
    assert topic_positions(weights[:1]).tolist() == [[0.0, 0.0]]


def test_topic_prevalence_weighs_documents_by_their_length():
    shares = topic_prevalence(DOC_TOPICS, DOCUMENTS, "lda", ["lda_0", "lda_1"])
    expected = np.array([100 * 0.9 + 300 * 0.2, 100 * 0.1 + 300 * 0.8]) / 400  # d3 has 0 words
    assert shares == pytest.approx(expected)
    assert topic_prevalence(DOC_TOPICS, None, "lda", ["lda_0", "lda_1"]) == pytest.approx([1.6 / 3, 1.4 / 3])


# ---------------------------------------------------------------- the payload
def test_payload_holds_documents_decisions_gold_and_topics_compactly():
    page = explorer_payload(small_input())
    payload = page.payload
    assert payload["documents"]["doc_id"] == ["d1", "d2", "d3"]
    assert payload["documents"]["doc_type"] == {"levels": ["speech", "news"], "codes": [0, 1, 0]}
    assert payload["gold"] == {"alpha": "10-", "beta": "01-"}  # d3 is not coded
    dictionary = payload["decisions"]["by_model"]["dictionary"]
    assert payload["decisions"]["score_scale"] == 1000  # scores as whole numbers
    assert dictionary["alpha"] == {"present": "101", "score": [2000, 0, 1000], "fold": "..."}
    assert dictionary["beta"]["score"] == [0, 123, 0]
    (lda,) = payload["topic_models"]
    assert [t["id"] for t in lda["topics"]] == ["lda_0", "lda_1"]
    assert [t["theme"] for t in lda["topics"]] == ["alpha", ""]
    assert sum(t["prevalence"] for t in lda["topics"]) == pytest.approx(1, abs=1e-4)
    assert lda["topics"][0]["top_docs"][0] == [0, 0.9]  # d1 first, by share
    marginal = np.array([t["prevalence"] for t in lda["topics"]]) @ WEIGHTS
    assert [round(math.exp(v), 3) for v in lda["log_pw"]] == [round(v, 3) for v in marginal]
    first = {lda["vocab"][v]: math.exp(logp) for v, logp in lda["topics"][0]["terms"]}
    assert first == pytest.approx({"a": 0.5, "b": 0.3, "c": 0.2}, abs=1e-3)  # "d" has p(w|t) = 0 in topic 0
    assert payload["topics"]["topic"] == ["lda_0", "lda_1"]


def test_details_carry_every_document_once_text_evidence_and_topics():
    page = explorer_payload(small_input())
    assert page.payload["n_chunks"] == 2 and len(page.chunks) == 3  # chunks of 2 documents, then the vocabulary
    assert [c[:2] for c in page.chunks] == ["d:", "d:", "v:"]
    details = page_details(page)
    assert sorted(details) == [0, 1, 2]  # "zz" is not a document of the run; d3 has no text
    assert details[0][1] == "Fast-growing markets </script> here"
    assert details[0][2] == [[0, "alpha", "fast-growing market"]]
    assert details[1][1] == "A hub.\n\nA value adder" and details[2][1] == ""
    assert details[0][3][0] == [0, 0, 0.9]


def test_texts_are_stored_as_pieces_of_one_vocabulary_and_come_back_exactly():
    texts = [("d1", "Trade, trade; TRADE!\n\n  Hong Kong's 12.1% — \u00e9t\u00e9 \u4e2d\u6587 "), ("d2", "trade, again"),
             ("d3", "")]
    page = explorer_payload(small_input(texts=texts))
    details = page_details(page)
    assert [details[i][1] for i in range(3)] == [t for _, t in texts]
    vocabulary = json.loads(gzip.decompress(base64.b64decode(page.chunks[-1][2:])))
    assert vocabulary.count("trade, ") == 1  # a repeated piece is stored once
    assert varints(np.array([0, 127, 128, 300, 2**21])) == bytes([0, 127, 0x80, 1, 0xAC, 2, 0x80, 0x80, 0x80, 1])


def test_json_for_html_cannot_close_its_script_element():
    text = json_for_html({"title": "</script><script>alert(1)</script> & <!--", "line": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script> & <!--"


def test_bidirectional_and_control_characters_are_neutralised():
    documents = DOCUMENTS.assign(title=["\u202eevil", "bell\x07", "ok"])
    page = explorer_payload(small_input(tables={contract.DOCUMENTS.name: documents}, texts=[("d1", "a\u2066b")]))
    assert page.payload["documents"]["title"] == ["evil", "bell\u2407", "ok"]
    assert page_details(page)[0][1] == "ab"


def test_a_run_without_models_or_time_series_still_gives_a_page():
    page = explorer_payload(ExplorerInput(tables={contract.DOCUMENTS.name: DOCUMENTS}, texts=[]))
    assert page.payload["topic_models"] == [] and page.payload["prevalence"] is None and page.payload["claims"] is None
    assert page.payload["decisions"]["models"] == []
    assert len(page_details(page)) == 3


# ---------------------------------------------------------------- the page
class _Outside(HTMLParser):
    """Attributes of every element and the text of each script, as a browser parses the page."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.attributes.append((tag, dict(attrs)))
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_page_forbids_network_loads_and_runs_only_its_own_scripts():
    html = render_explorer(explorer_payload(small_input()), plotly="window.Plotly = {};")
    parser = _Outside()
    parser.feed(html)
    meta = [attrs for tag, attrs in parser.attributes if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    (csp,) = [m["content"] for m in meta]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "'unsafe-eval'" not in csp
    executable = [text for attrs, text in parser.scripts if "type" not in attrs]
    assert len(executable) == 2  # plotly.js and the app
    for text in executable:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    data = [text for attrs, text in parser.scripts if attrs.get("type") == "application/json"]
    assert json.loads(data[0])["documents"]["title"][1] == DOCUMENTS["title"][1]  # the title is data, whole
    assert "</script><script>window.pwned" not in html
    for tag, attrs in parser.attributes:
        for name in ("src", "href", "action", "data"):
            value = attrs.get(name) or ""
            assert not re.match(r"^\s*(https?:|//|ftp:)", value), (tag, name, value)
    assert CSP.split(";")[0] == "default-src 'none'"


def test_read_page_gives_back_the_payload():
    page = explorer_payload(small_input())
    again = read_page(render_explorer(page, plotly="window.Plotly = {};"))
    assert again.payload == json.loads(json.dumps(page.payload)) and again.chunks == page.chunks


# ---------------------------------------------------------------- a real run of the sample
@pytest.fixture(scope="module")
def run_page(sample_run):
    text = (sample_run / contract.EXPLORER).read_text(encoding="utf-8")
    return sample_run, text, read_page(text)


def test_the_run_writes_explore_html_lists_it_and_links_it_from_the_report(run_page):
    out, text, _ = run_page
    marker = json.loads((out / ".hkasean-output").read_text())
    assert contract.EXPLORER in marker["files"]
    assert f'<a href="{contract.EXPLORER}">' in (out / "report.html").read_text()
    assert f"]({contract.EXPLORER})" in (out / "report.md").read_text()
    assert text.startswith("<!DOCTYPE html>") and len(text) < 30_000_000


def test_the_page_names_every_document_topic_and_decision_of_the_tables(run_page):
    out, _, page = run_page
    payload = page.payload
    documents = pd.read_csv(out / "tables" / "documents.csv", dtype={"doc_id": str})
    assert payload["documents"]["doc_id"] == documents["doc_id"].tolist()
    topics = pd.read_csv(out / "tables" / "topics.csv")
    assert sorted(payload["topics"]["topic"]) == sorted(topics["topic"])
    for model in payload["topic_models"]:
        assert [t["id"] for t in model["topics"]] == topics.loc[topics["model"] == model["model"], "topic"].tolist()
    assert {m["model"] for m in payload["topic_models"]} == {"lda", "nmf", "seeded_lda"}
    seeded = next(m for m in payload["topic_models"] if m["model"] == "seeded_lda")
    seed_map = pd.read_csv(out / "tables" / "seed_topic_map.csv", keep_default_na=False)
    assert {t["id"]: t["theme"] for t in seeded["topics"]} == dict(zip(seed_map["topic"], seed_map["theme"]))
    doc_themes = pd.read_csv(out / "tables" / "doc_themes.csv", dtype={"doc_id": str})
    position = {d: i for i, d in enumerate(documents["doc_id"])}
    for row in doc_themes.sample(50, random_state=0).itertuples():
        decision = payload["decisions"]["by_model"][row.model][row.theme]
        assert decision["present"][position[row.doc_id]] == str(row.present)
        assert decision["score"][position[row.doc_id]] / 1000 == pytest.approx(row.score, abs=6e-4)
    details = page_details(page)
    texts = pd.read_json(sample_corpus_path(), lines=True, dtype={"id": str}).set_index("id")["text"]
    assert {documents["doc_id"][i]: record[1] for i, record in details.items()} == texts.to_dict()  # every text, exact


def test_the_seeded_topics_name_the_theme_they_serve(run_page):
    out, _, _ = run_page
    topics = pd.read_csv(out / "tables" / "topics.csv", keep_default_na=False)
    seed_map = pd.read_csv(out / "tables" / "seed_topic_map.csv", keep_default_na=False)
    seeded = topics[topics["model"] == "seeded_lda"]
    assert dict(zip(seeded["topic"], seeded["mapped_theme"])) == dict(zip(seed_map["topic"], seed_map["theme"]))
    assert set(seed_map["theme"]) - {""} == set(pd.read_csv(out / "tables" / "doc_themes.csv")["theme"])

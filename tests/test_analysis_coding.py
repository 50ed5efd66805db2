"""Loading the manual coding: every kind of bad input is named; the bundled coding loads; standards."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from hkasean.analysis.coding import load_coding
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path
from hkasean.corpus.errors import InputError
from hkasean.corpus.jsonl import read_documents
from hkasean.models.codebook import load_codebook

THEMES = ["alpha_theme", "beta_theme"]
HEADER = "doc_id,coder,alpha_theme,beta_theme"


def write(tmp_path, *lines: str):
    path = tmp_path / "coding.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_long_table_and_gold_standard(tmp_path):
    path = write(tmp_path, HEADER, "d1,coder_a,1,0", "d1,gold,1,1", "d2,coder_a,0,0", "d2,gold,0,1")
    coding = load_coding(path, THEMES, doc_ids={"d1", "d2"})
    assert coding.coders == ("coder_a", "gold")
    assert len(coding.long) == 8
    assert list(coding.long.columns) == ["doc_id", "coder", "theme", "value"]
    assert coding.standard_name == "gold"
    expected = pd.DataFrame({"alpha_theme": [1, 0], "beta_theme": [1, 1]}, index=pd.Index(["d1", "d2"], name="doc_id"))
    pd.testing.assert_frame_equal(coding.standard(), expected, check_index_type=False)


@pytest.mark.parametrize(
    ("lines", "fragments"),
    [
        (["coder,alpha_theme,beta_theme", "a,1,0"], ["line 1", "missing column 'doc_id'"]),
        (["doc_id,alpha_theme,beta_theme", "d1,1,0"], ["line 1", "missing column 'coder'"]),
        ([HEADER + ",gamma", "d1,a,1,0,1"], ["line 1", "'gamma' is not a theme id", "known theme ids: alpha_theme, beta_theme"]),
        (["doc_id,coder,alpha_theme", "d1,a,1"], ["line 1", "without a column: beta_theme"]),
        ([HEADER, "d1,a,1,0", "d2,a,1,2"], ["line 3", "column 'beta_theme'", "expected 0 or 1", "'2'"]),
        ([HEADER, "d1,a,1,0", "d2,a,,0"], ["line 3", "column 'alpha_theme'", "expected 0 or 1", "''"]),
        ([HEADER, "d1,a,1,0", "d2,a,yes,0"], ["line 3", "column 'alpha_theme'", "'yes'"]),
        ([HEADER, "d1,a,1,0", "d2,b,0,0", "d1,a,0,0"], ["line 4", "'doc_id', 'coder'", "(d1, a)", "line 2"]),
        ([HEADER, "d1,a,1,0", ",a,1,0"], ["line 3", "column 'doc_id'", "empty"]),
        ([HEADER, "d1,a,1"], ["line 2", "expected 4 cells"]),
        ([HEADER, "d1,a,1,0", "zz9,a,0,0", "zz8,b,0,0"], ["column 'doc_id'", "2 document(s) not in the corpus", "zz9 (line 3)", "zz8 (line 4)"]),
    ],
)
def test_rejects_bad_input_naming_file_row_and_column(tmp_path, lines, fragments):
    path = write(tmp_path, *lines)
    with pytest.raises(InputError) as caught:
        load_coding(path, THEMES, doc_ids={"d1", "d2"})
    message = str(caught.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_coding(tmp_path / "absent.csv", THEMES)


def test_majority_standard_without_gold_breaks_ties_to_absent_and_warns(tmp_path):
    path = write(
        tmp_path, HEADER,
        "d1,a,1,1", "d1,b,1,0", "d1,c,0,0",  # alpha 2 of 3 -> 1; beta 1 of 3 -> 0
        "d2,a,1,0", "d2,b,0,0",  # only two coders on d2: alpha is a 1-1 tie -> 0
    )
    coding = load_coding(path, THEMES)
    assert coding.standard_name == "majority"
    with pytest.warns(UserWarning, match="1 tied"):
        standard = coding.standard()
    assert standard.loc["d1"].tolist() == [1, 0]
    assert standard.loc["d2"].tolist() == [0, 0]


def test_as_doc_themes_gives_model_shape(tmp_path):
    path = write(tmp_path, HEADER, "d1,coder_a,1,0", "d1,gold,1,1")
    coding = load_coding(path, THEMES)
    gold = coding.as_doc_themes()
    assert list(gold.columns) == ["doc_id", "model", "theme", "score", "present"]
    assert set(gold["model"]) == {"gold"}
    assert gold.set_index("theme")["present"].to_dict() == {"alpha_theme": 1, "beta_theme": 1}
    coder = coding.as_doc_themes("coder_a")
    assert set(coder["model"]) == {"human:coder_a"}
    assert coder.set_index("theme")["score"].to_dict() == {"alpha_theme": 1.0, "beta_theme": 0.0}


def test_bundled_coding_loads_and_standard_is_gold():
    codebook = load_codebook()
    doc_ids = {document.id for document in read_documents(sample_corpus_path())}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coding = load_coding(sample_coding_path(), codebook.theme_ids, doc_ids)
    assert coding.coders == ("coder_a", "coder_b", "gold")
    assert coding.long.groupby("coder")["doc_id"].nunique().to_dict() == {"coder_a": 88, "coder_b": 88, "gold": 88}
    raw = pd.read_csv(sample_coding_path(), dtype={"doc_id": str})
    gold_rows = raw[raw["coder"] == "gold"].set_index("doc_id")[codebook.theme_ids].sort_index()
    standard = coding.standard()
    assert standard.shape == (88, 5)
    assert (standard.to_numpy() == gold_rows.to_numpy()).all()
    assert list(standard.index) == list(gold_rows.index)

"""The notebook API: ``hkasean.run(...)`` returns the run's tables and figures, validated like the CLI."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import hkasean
from hkasean import contract
from hkasean.corpus.errors import InputError

FAST = Path(__file__).with_name("fast_config.yaml")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def in_memory(cache, tmp_path_factory):
    """A run with no output folder, from an empty working directory."""
    workdir = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        result = hkasean.run(config=FAST, cache_dir=cache)
    assert not any(workdir.iterdir()), "a run without `out` writes nothing in the working directory"
    return result


def test_tables_come_back_as_dataframes_in_their_declared_shape(in_memory):
    assert set(in_memory.tables) <= set(contract.WRITTEN_TABLES)
    for name, frame in in_memory.tables.items():
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == contract.WRITTEN_TABLES[name].column_list, name
    assert len(in_memory["documents"]) == 88
    assert {"dictionary", "supervised", "lda+cv_map"} <= set(in_memory["agreement"]["model"])
    with pytest.raises(KeyError, match="no table 'agreemnt'.*agreement"):
        in_memory["agreemnt"]


def test_figures_come_back_as_png_images_with_their_captions(in_memory, tmp_path):
    assert set(in_memory.figures) == set(contract.FIGURES)
    figure = in_memory.figures[contract.AGREEMENT_F1.name]
    assert figure.png.startswith(PNG_SIGNATURE) and figure._repr_png_() == figure.png
    assert figure.caption == contract.AGREEMENT_F1.caption
    saved = figure.save(tmp_path / "f1.png")
    assert saved.read_bytes() == figure.png
    with pytest.raises(FileExistsError):
        figure.save(saved)


def test_the_manifest_and_models_come_back(in_memory):
    assert in_memory.manifest["corpus"]["n_documents"] == 88
    assert in_memory.manifest["seeds"]["seed"] == 7
    assert set(in_memory.models) == {"lda", "nmf", "seeded_lda", "dictionary", "supervised", "ensemble"}
    assert in_memory.out is None


def test_with_out_it_writes_the_folder_and_returns_the_same_tables(in_memory, cache, tmp_path):
    result = hkasean.run(config=str(FAST), cache_dir=cache, out=tmp_path / "results")
    assert (tmp_path / "results" / "report.html").is_file()
    for name, frame in in_memory.tables.items():
        written = pd.read_csv(tmp_path / "results" / "tables" / f"{name}.csv")
        same = pd.read_csv(io.StringIO(frame.to_csv(index=False, float_format="%.6g")))
        pd.testing.assert_frame_equal(written, same, check_dtype=False, obj=name)
        pd.testing.assert_frame_equal(result.tables[name], frame, obj=name)


def test_bad_input_is_refused_as_on_the_command_line(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "x", "date": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"corpus\.jsonl.*line 1"):
        hkasean.run(corpus=corpus, config=FAST)


def test_seed_and_config_object_are_accepted(in_memory, cache):
    from hkasean.scripts.config import load_config

    again = hkasean.run(config=load_config(FAST), seed=7, cache_dir=cache, until="fit")
    pd.testing.assert_frame_equal(again["doc_themes"], in_memory["doc_themes"])
    assert "agreement" not in again.tables


def test_a_run_hashes_each_document_once(monkeypatch):
    from hkasean.corpus.document import Document

    calls = []
    real = Document.content_hash
    monkeypatch.setattr(Document, "content_hash", lambda self: calls.append(self.id) or real(self))
    hkasean.run(config=FAST, until="process", no_coding=True)
    assert len(calls) == len(set(calls)) == 88

"""Saved models are signed with the user's key: a planted or foreign pickle is never run unasked."""
from __future__ import annotations

import pickle

import pandas as pd
import pytest

from hkasean.corpus.errors import InputError
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.nmf import NmfTopicModel
from hkasean.models.text import TextSettings, process_documents
from synthetic_corpus import tiny_codebook, two_topic_documents


class _Planted:
    """Unpickling this creates a file: the test's witness that code ran."""

    def __init__(self, witness):
        self.witness = witness

    def __reduce__(self):
        return (open, (str(self.witness), "w"))


@pytest.fixture(scope="module")
def model():
    settings = TextSettings(max_df=1.0, learn_phrases=False, normalizer="none")
    return NmfTopicModel(n_topics=2).fit(process_documents(two_topic_documents(), tiny_codebook(), settings))


def test_a_saved_model_reloads_and_is_never_written_over(model, tmp_path):
    path = model.save(tmp_path / "nmf.joblib")
    pd.testing.assert_frame_equal(NmfTopicModel.load(path).top_terms(5), model.top_terms(5))
    with pytest.raises(FileExistsError):
        model.save(path)
    with pytest.raises(InputError, match="expected a saved DictionaryCoder"):
        DictionaryCoder.load(path)


@pytest.mark.parametrize("trusted", [False, True])
def test_a_planted_pickle_is_never_unpickled(tmp_path, trusted):
    witness = tmp_path / "code-ran"
    planted = tmp_path / "nmf.joblib"
    planted.write_bytes(pickle.dumps(_Planted(witness)))
    with pytest.raises(InputError, match="not a signed hkasean file"):
        NmfTopicModel.load(planted, trusted=trusted)
    assert not witness.exists()


def test_an_edited_model_file_is_refused(model, tmp_path):
    path = model.save(tmp_path / "nmf.joblib")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="integrity check failed"):
        NmfTopicModel.load(path)


def test_a_colleagues_model_loads_only_when_trusted(model, tmp_path, monkeypatch):
    monkeypatch.setenv("HKASEAN_HOME", str(tmp_path / "colleague"))
    path = model.save(tmp_path / "theirs.joblib")
    monkeypatch.setenv("HKASEAN_HOME", str(tmp_path / "me"))
    with pytest.raises(InputError, match="trusted=True"):
        NmfTopicModel.load(path)
    pd.testing.assert_frame_equal(NmfTopicModel.load(path, trusted=True).top_terms(5), model.top_terms(5))

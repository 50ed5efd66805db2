"""The on-disk token lists the models stream: round trip, random access, pickling, clean-up."""
from __future__ import annotations

import gc
import pickle
import tempfile
from pathlib import Path

import pytest

from hkasean.models.token_file import TokenFile, TokenFileError

UNITS = [["belt_and_road", "opportun"], [], ["café", "win-win", "hong's"], ["x"]]


def test_round_trip_keeps_units_in_order_including_empty_ones(tmp_path):
    tokens = TokenFile.write(tmp_path / "t.tokens", iter(UNITS))
    assert len(tokens) == 4 and list(tokens) == UNITS and list(tokens) == UNITS  # re-iterable
    assert TokenFile(tmp_path / "t.tokens").__getstate__()["offsets"].tolist() == tokens.__getstate__()["offsets"].tolist()


def test_random_access_and_slices(tmp_path):
    tokens = TokenFile.write(tmp_path / "t.tokens", UNITS)
    assert tokens[2] == UNITS[2] and tokens[-1] == ["x"] and tokens[1] == []
    assert tokens[1:3] == UNITS[1:3] and tokens[::-2] == UNITS[::-2]
    with pytest.raises(IndexError):
        tokens[4]


def test_pickle_holds_the_path_not_the_tokens(tmp_path):
    many = [["token%d" % (i % 50)] * 20 for i in range(2000)]
    tokens = TokenFile.write(tmp_path / "t.tokens", many)
    payload = pickle.dumps(tokens)
    assert len(payload) < 8 * len(many) + 1000 < tokens.path.stat().st_size
    assert list(pickle.loads(payload)) == many


def test_a_changed_or_missing_file_fails_loudly(tmp_path):
    tokens = TokenFile.write(tmp_path / "t.tokens", UNITS)
    payload = pickle.dumps(tokens)
    with tokens.path.open("a", encoding="utf-8") as handle:
        handle.write("more\n")
    with pytest.raises(TokenFileError, match="changed"):
        pickle.loads(payload)
    tokens.path.unlink()
    with pytest.raises(TokenFileError, match="not found"):
        pickle.loads(payload)


def test_move_keeps_the_contents(tmp_path):
    tokens = TokenFile.write(tmp_path / "a.tokens", UNITS)
    moved = tokens.move_to(tmp_path / "b.tokens")
    assert not (tmp_path / "a.tokens").exists() and list(moved) == UNITS


def test_tied_folder_goes_with_the_object_but_not_with_unpickled_copies():
    folder = Path(tempfile.mkdtemp())
    tokens = TokenFile.write(folder / "t.tokens", UNITS).delete_folder_with(folder)
    copy = pickle.loads(pickle.dumps(tokens))
    del copy
    gc.collect()
    assert folder.is_dir()
    del tokens
    gc.collect()
    assert not folder.exists()

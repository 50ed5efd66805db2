"""Issue #25: the cache folder loses nothing of the user's, trusts nothing unsigned, and names every file it judges.

- ``--cache-dir`` on a folder of the user's is refused before any work; in a cache of ours, clean-up
  deletes only entries whose signature verifies (files named like entries stay);
- every file the cache trusts is signed: an edited token file whose new SHA-256 was put into its
  JSON is recomputed with a warning naming the file, like a tampered entry of any other kind;
- key files: a problem names the key file (not a file descriptor); a model key readable by others
  stops a run that saves models with exit status 2 and ``chmod 600`` in the message.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import time
from pathlib import Path

import pytest

from hkasean.corpus.errors import InputError
from hkasean.integrity import read_key
from hkasean.models.base import model_key_path
from hkasean.models.dictionary_coder import DictionaryCoder
from hkasean.models.processed_corpus import ProcessedCorpus, remove_stale_cache
from hkasean.models.text import process_documents
from hkasean.scripts.cli import main
from hkasean.scripts.stage_cache import KEY_NAME, StageCache
from synthetic_corpus import tiny_codebook, two_topic_documents

TINY_CONFIG = """\
seed: 7
models:
  models: [dictionary]
  k_grid: [3]
  seeds: [0]
  n_jobs: 1
"""
"""The cheapest full ``fit``: every cached stage (process, units, tfidf, fit) runs, in a few seconds."""

LOOKALIKES = ("fit-final.joblib", "claims-2024.joblib", "process-v2.joblib", "units-0123456789abcdef0123.joblib",
              "processed/processed-" + "ab" * 32 + ".tokens", "processed/processed-" + "ab" * 32 + ".json",
              "processed-units/processed-" + "cd" * 32 + ".tokens")
"""The user's files, named like cache entries."""


@pytest.fixture()
def tiny_config(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_CONFIG)
    return path


def fit_cli(config: Path, out: Path, cache: Path) -> int:
    return main(["--quiet", "fit", "--config", str(config), "--out", str(out), "--cache-dir", str(cache)])


def plant(folder: Path, names=LOOKALIKES) -> dict[Path, bytes]:
    """The user's files in ``folder``, each with its own content; returns what each must still hold."""
    planted = {}
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"the user's own {name}\n".encode())
        planted[path] = path.read_bytes()
    return planted


def unchanged(planted: dict[Path, bytes]) -> list[str]:
    """The planted files that are gone or changed."""
    return [str(p) for p, data in planted.items() if not p.is_file() or p.read_bytes() != data]


def manifest_cached(out: Path) -> dict[str, bool]:
    return {s["name"]: s["cached"] for s in json.loads((out / "manifest.json").read_text())["stages"]}


# ---------------------------------------------------------------- 1. the cache folder deletes nothing of the user's
def test_the_run_refuses_a_cache_dir_of_the_users_files_before_any_work(tmp_path, tiny_config, capsys):
    mine = tmp_path / "mine"
    planted = plant(mine, LOOKALIKES + ("notes.txt",))
    started = time.perf_counter()
    code = fit_cli(tiny_config, tmp_path / "out", mine)
    assert code == 2 and time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert f"refusing the cache folder {mine}" in err and "--cache-dir" in err and KEY_NAME in err
    assert "fit-final.joblib" in err
    assert not unchanged(planted) and not (mine / KEY_NAME).exists(), "nothing may be written into the user's folder"
    assert sorted(p.name for p in mine.rglob("*")) == sorted({Path(n).name for n in LOOKALIKES + ("notes.txt",)} | {"processed", "processed-units"})
    assert not (tmp_path / "out").exists()


def test_which_folders_are_a_cache(tmp_path):
    from hkasean.scripts.stage_cache import check_cache_folder

    check_cache_folder(tmp_path / "new")  # created by the run
    (tmp_path / "empty" / "processed").mkdir(parents=True)
    check_cache_folder(tmp_path / "empty")  # empty sub-folders (an interrupted first run) hold nothing of the user's
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        check_cache_folder(tmp_path / "file")
    plant(tmp_path / "deep", ["a/b/c/notes.txt"])
    with pytest.raises(InputError, match="a/b/c/notes.txt"):
        StageCache(tmp_path / "deep")
    StageCache(tmp_path / "ours").save("fit", "k1", 1)
    plant(tmp_path / "ours", ["notes.txt"])  # a cache of ours, with a file of the user's beside it: still ours
    assert StageCache(tmp_path / "ours").load("fit", "k1") == 1


def test_stage_clean_up_deletes_only_entries_it_signed(tmp_path):
    folder = tmp_path / "cache"
    old = StageCache(folder)
    for stage in ("fit", "claims", "process", "units"):
        old.save(stage, "0" * 20, f"old {stage}")
    elsewhere = StageCache(tmp_path / "another-cache")  # signed, but with another key
    elsewhere.save("fit", "f" * 20, "theirs")
    os.replace(tmp_path / "another-cache" / f"fit-{'f' * 20}.joblib", folder / f"fit-{'f' * 20}.joblib")
    planted = plant(folder, [n for n in LOOKALIKES if "/" not in n])
    del old, elsewhere
    gc.collect()
    cache = StageCache(folder)
    for stage in ("fit", "claims", "process", "units"):
        cache.save(stage, "1" * 20, f"new {stage}")
    assert not unchanged(planted), "clean-up deleted the user's files"
    assert (folder / f"fit-{'f' * 20}.joblib").is_file(), "an entry signed with another key is not provably ours"
    assert not list(folder.glob(f"*-{'0' * 20}.joblib")), "the cache's own older entries go"
    assert cache.load("fit", "1" * 20) == "new fit"


def test_processed_clean_up_deletes_only_pairs_it_signed(tmp_path):
    planted = plant(tmp_path, ["processed-" + "ab" * 32 + ".tokens", "processed-" + "ab" * 32 + ".json"])
    tokens = next(p for p in planted if p.suffix == ".tokens")
    forged = {"fingerprint": "ab" * 32, "tokens_sha256": hashlib.sha256(planted[tokens]).hexdigest()}
    json_path = tokens.with_suffix(".json")
    json_path.write_text(json.dumps(forged))  # an unsigned JSON vouching for the user's file proves nothing
    planted[json_path] = json_path.read_bytes()
    first = process_documents(two_topic_documents(4, seed=1), tiny_codebook(), cache_dir=tmp_path)
    second = process_documents(two_topic_documents(4, seed=2), tiny_codebook(), cache_dir=tmp_path)
    stale = first.tokens.path
    del first
    gc.collect()
    remove_stale_cache(tmp_path, keep=second.fingerprint)
    assert not unchanged(planted), "clean-up deleted the user's files"
    assert not stale.exists() and not stale.with_suffix(".json").exists(), "the suite's own stale pair goes"


def test_a_cache_of_ours_keeps_the_users_files_through_runs(tmp_path, tiny_config):
    cache = tmp_path / "cache"
    assert fit_cli(tiny_config, tmp_path / "a", cache) == 0
    for entry in [*cache.glob("*.joblib"), *cache.glob("processed*/processed-*")]:
        entry.unlink()  # every stage recomputes, saves and cleans up
    planted = plant(cache)
    assert fit_cli(tiny_config, tmp_path / "b", cache) == 0
    assert not manifest_cached(tmp_path / "b")["process"]
    assert not unchanged(planted), "the run's clean-up deleted the user's files"


# ---------------------------------------------------------------- 2. tampered entries of any kind are recomputed, named
def test_edited_tokens_with_their_new_sha256_in_the_json_are_recomputed_with_a_warning(tmp_path, tiny_config, capsys):
    cache = tmp_path / "cache"
    assert fit_cli(tiny_config, tmp_path / "a", cache) == 0
    tokens = next((cache / "processed").glob("processed-*.tokens"))
    original = tokens.read_bytes()
    edited = original.replace(b"\n", b" tamper\n", 1)
    tokens.write_bytes(edited)
    json_path = tokens.with_suffix(".json")
    record = json.loads(json_path.read_text())
    record["tokens_sha256"] = hashlib.sha256(edited).hexdigest()
    record["n_units"] = edited.count(b"\n")
    json_path.write_text(json.dumps(record))
    for entry in cache.glob("*.joblib"):
        entry.unlink()
    capsys.readouterr()
    assert fit_cli(tiny_config, tmp_path / "b", cache) == 0
    err = capsys.readouterr().err
    assert str(json_path) in err and "integrity check failed" in err
    assert not manifest_cached(tmp_path / "b")["process"]
    assert tokens.read_bytes() == original, "the edited tokens were used"
    for table in ("doc_themes", "top_terms"):
        assert (tmp_path / "b" / "tables" / f"{table}.csv").read_bytes() == (tmp_path / "a" / "tables" / f"{table}.csv").read_bytes()


def _tamper(kind: str, cache_dir: Path) -> Path:
    """Tamper with one file of a cache holding a ``process`` entry and its processed corpus; return that file."""
    tokens_path = next((cache_dir / "processed").glob("processed-*.tokens"))
    json_path = tokens_path.with_suffix(".json")
    if kind == "stage entry":
        path = next(cache_dir.glob("process-*.joblib"))
        data = bytearray(path.read_bytes())
        data[-3] ^= 0x01
        path.write_bytes(bytes(data))
        return path
    if kind == "token file":
        tokens_path.write_bytes(tokens_path.read_bytes().replace(b"\n", b" x\n", 1))
        return tokens_path
    record = json.loads(json_path.read_text())
    if kind == "json edited":
        record["n_words"] = {doc: 1 for doc in record["n_words"]}
    elif kind == "json unsigned":
        record.pop("hmac_sha256")
    elif kind == "json signed with another key":  # the same corpus, cached (and signed) by another cache
        other = StageCache(cache_dir.parent / "other")
        theirs = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=cache_dir.parent / "other" / "processed")
        record = json.loads(theirs.tokens.path.with_suffix(".json").read_text())
        assert theirs.tokens.path.name == tokens_path.name
        del other, theirs
    json_path.write_text(json.dumps(record))
    return json_path


@pytest.mark.parametrize("kind", ["stage entry", "token file", "json edited", "json unsigned", "json signed with another key"])
def test_a_tampered_cache_entry_of_any_kind_is_recomputed_with_a_warning_naming_it(tmp_path, kind, caplog):
    cache_dir = tmp_path / "cache"
    cache = StageCache(cache_dir)
    processed = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=cache_dir / "processed")
    expected = list(processed.tokens)
    cache.save("process", "k" * 20, processed)
    del cache, processed
    gc.collect()
    named = _tamper(kind, cache_dir)
    gc.collect()
    with caplog.at_level(logging.WARNING):
        entry = StageCache(cache_dir).load("process", "k" * 20)
        # what the process stage does when its entry is not usable; the json is read only then
        recomputed = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=cache_dir / "processed")
    if kind in ("stage entry", "token file"):
        assert entry is None
    else:  # a stage entry pins its token file's SHA-256 in its own signature: still good
        assert list(entry.tokens) == expected
    assert str(named) in caplog.text, caplog.text
    assert list(recomputed.tokens) == expected
    assert ProcessedCorpus.load(cache_dir / "processed", recomputed.fingerprint) is not None, "recomputed and signed again"


def test_a_cache_written_before_the_sidecars_were_signed_still_works(tmp_path, caplog):
    cache_dir = tmp_path / "cache"
    cache = StageCache(cache_dir)
    processed = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=cache_dir / "processed")
    expected = list(processed.tokens)
    cache.save("process", "k" * 20, processed)
    json_path = processed.tokens.path.with_suffix(".json")
    record = json.loads(json_path.read_text())
    record.pop("hmac_sha256")
    json_path.write_text(json.dumps(record))  # the unsigned sidecar of the previous version
    del cache, processed
    gc.collect()
    cache = StageCache(cache_dir)  # the folder holds the key: accepted, and its signed entries load
    assert list(cache.load("process", "k" * 20).tokens) == expected
    with caplog.at_level(logging.WARNING):
        again = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=cache_dir / "processed")
    assert "not signed" in caplog.text and str(json_path) in caplog.text
    assert list(again.tokens) == expected and "hmac_sha256" in json.loads(json_path.read_text())


# ---------------------------------------------------------------- 3. key files
def test_a_cache_key_that_is_a_folder_is_named_not_a_file_descriptor(tmp_path, caplog):
    (tmp_path / "cache" / KEY_NAME).mkdir(parents=True)
    with caplog.at_level(logging.WARNING):
        cache = StageCache(tmp_path / "cache")
        cache.save("fit", "k1", 1)
    assert str(tmp_path / "cache" / KEY_NAME) in caplog.text and "not a regular file" in caplog.text
    assert "Is a directory" not in caplog.text
    assert not (tmp_path / "cache" / "fit-k1.joblib").exists()
    with pytest.raises(OSError, match=str(tmp_path / "cache" / KEY_NAME)):
        read_key(tmp_path / "cache" / KEY_NAME)


@pytest.fixture()
def own_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("HKASEAN_HOME", str(home))
    return home


def test_a_model_key_readable_by_others_is_refused_naming_it(own_home, tmp_path):
    from hkasean.models.base import check_model_key

    key = check_model_key()
    assert key == model_key_path() and not key.exists()  # the check makes nothing: a refused run leaves no trace
    read_key(key)  # made on first use, private
    assert key.stat().st_mode & 0o777 == 0o600 and check_model_key() == key
    key.chmod(0o644)
    with pytest.raises(InputError, match=rf"{key}.*chmod 600 {key}"):
        check_model_key()
    model = DictionaryCoder().fit(process_documents(two_topic_documents(4), tiny_codebook()))
    with pytest.raises(InputError, match="chmod 600"):
        model.save(tmp_path / "model.joblib")
    assert not (tmp_path / "model.joblib").exists(), "nothing written with a key others can read"
    key.chmod(0o600)
    assert DictionaryCoder.load(model.save(tmp_path / "model.joblib")).doc_ids_ == model.doc_ids_


def test_a_run_with_a_model_key_readable_by_others_exits_2_naming_it(own_home, tmp_path, tiny_config, capsys):
    key = model_key_path()
    read_key(key)  # made as the suite makes it
    key.chmod(0o644)
    code = fit_cli(tiny_config, tmp_path / "out", tmp_path / "cache")
    err = capsys.readouterr().err
    assert code == 2 and str(key) in err and f"chmod 600 {key}" in err
    assert not (tmp_path / "out").exists()


def test_a_model_key_readable_by_others_stops_the_run_before_any_work(own_home, tmp_path, tiny_config, capsys):
    read_key(model_key_path())
    model_key_path().chmod(0o644)
    started = time.perf_counter()
    assert fit_cli(tiny_config, tmp_path / "out", tmp_path / "cache") == 2
    assert not list((tmp_path / "cache").glob("*.joblib")), "stages ran before the key was checked"
    assert time.perf_counter() - started < 5

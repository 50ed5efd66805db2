"""The stage cache runs no planted code, trusts nothing unchecked, and concurrent runs keep each other's files."""
from __future__ import annotations

import gc
import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hkasean.models.processed_corpus import ProcessedCorpus, remove_stale_cache
from hkasean.models.text import process_documents
from hkasean.models.token_file import TokenFile, TokenFileError
from hkasean.scripts.stage_cache import KEY_NAME, StageCache
from synthetic_corpus import tiny_codebook, two_topic_documents

UNITS = [["belt_and_road", "opportun"], [], ["café", "win-win"], ["x"]]


class CreatesAFile:
    """Unpickling this would create ``path``: what a planted cache entry could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_planted_pickle_is_never_loaded_and_is_recomputed(tmp_path, caplog):
    cache = StageCache(tmp_path / "cache")
    cache.save("fit", "k1", {"ok": 1})  # creates the folder and its key
    marker = tmp_path / "pwned"
    for name in ("fit-k1.joblib", "fit-k2.joblib"):
        (tmp_path / "cache" / name).write_bytes(pickle.dumps(CreatesAFile(marker)))
    with caplog.at_level(logging.WARNING):
        assert cache.load("fit", "k1") is None and cache.load("fit", "k2") is None
    assert not marker.exists(), "a planted cache entry ran code"
    assert "ignoring" in caplog.text and "fit-k1" in caplog.text


def test_round_trip_and_a_tampered_entry_is_ignored_with_a_warning(tmp_path, caplog):
    cache = StageCache(tmp_path)
    cache.save("fit", "k1", {"value": [1, 2, 3]})
    assert cache.load("fit", "k1") == {"value": [1, 2, 3]}
    path = tmp_path / "fit-k1.joblib"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assert cache.load("fit", "k1") is None
    assert "integrity" in caplog.text
    path.write_bytes(b"")
    assert cache.load("fit", "k1") is None
    assert cache.load("fit", "absent") is None


def test_an_entry_renamed_to_another_stage_is_refused(tmp_path):
    cache = StageCache(tmp_path)
    cache.save("claims", "k1", "claims result")
    os.replace(tmp_path / "claims-k1.joblib", tmp_path / "fit-k1.joblib")
    assert cache.load("fit", "k1") is None


def test_the_key_is_private_and_an_unsafe_key_disables_the_cache(tmp_path, caplog):
    cache = StageCache(tmp_path)
    cache.save("fit", "k1", 1)
    key = tmp_path / KEY_NAME
    assert key.stat().st_mode & 0o777 == 0o600 and key.stat().st_size == 32
    key.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert StageCache(tmp_path).load("fit", "k1") is None
    assert "readable by others" in caplog.text
    key.chmod(0o600)
    assert StageCache(tmp_path).load("fit", "k1") == 1


def test_a_symlinked_key_is_refused(tmp_path, caplog):
    (tmp_path / "elsewhere").write_bytes(os.urandom(32))
    (tmp_path / "elsewhere").chmod(0o600)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / KEY_NAME).symlink_to(tmp_path / "elsewhere")
    with caplog.at_level(logging.WARNING):
        StageCache(tmp_path / "cache").save("fit", "k1", 1)
    assert "disabled" in caplog.text and not (tmp_path / "cache" / "fit-k1.joblib").exists()


def test_concurrent_key_creation_agrees(tmp_path):
    caches = [StageCache(tmp_path) for _ in range(8)]
    threads = [threading.Thread(target=c.save, args=("s", f"k{i}", i)) for i, c in enumerate(caches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = StageCache(tmp_path)  # every writer used the one key; every entry is still held by its writer
    assert [reader.load("s", f"k{i}") for i in range(8)] == list(range(8))


def test_a_token_file_edited_in_place_is_detected(tmp_path):
    tokens = TokenFile.write(tmp_path / "t.tokens", UNITS)
    payload = pickle.dumps(tokens)
    data = tokens.path.read_bytes()
    tokens.path.write_bytes(data.replace(b"opportun", b"opportuX"))  # same size
    with pytest.raises(TokenFileError, match="changed"):
        pickle.loads(payload)


def test_a_processed_cache_with_a_token_file_edited_in_place_is_recomputed(tmp_path, caplog):
    docs = two_topic_documents(4)
    first = process_documents(docs, tiny_codebook(), cache_dir=tmp_path)
    expected = list(first.tokens)
    path = first.tokens.path
    del first
    gc.collect()
    data = bytearray(path.read_bytes())
    index = data.index(b"\n") - 1
    data[index] = ord("Q")
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assert ProcessedCorpus.load(tmp_path, path.stem.removeprefix("processed-")) is None
        second = process_documents(docs, tiny_codebook(), cache_dir=tmp_path)
    assert "ignoring" in caplog.text and list(second.tokens) == expected


def test_a_stage_entry_pointing_at_an_edited_token_file_is_recomputed(tmp_path, caplog):
    cache = StageCache(tmp_path / "cache")
    processed = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=tmp_path / "cache" / "processed")
    cache.save("process", "k", processed)
    path = processed.tokens.path
    del processed
    gc.collect()
    data = path.read_bytes()
    path.write_bytes(data[:3] + bytes([data[3] ^ 0x20]) + data[4:])
    with caplog.at_level(logging.WARNING):
        assert cache.load("process", "k") is None
    assert "ignoring" in caplog.text


def test_clean_up_never_removes_a_processed_corpus_another_run_uses(tmp_path):
    first = process_documents(two_topic_documents(4, seed=1), tiny_codebook(), cache_dir=tmp_path)
    second = process_documents(two_topic_documents(4, seed=2), tiny_codebook(), cache_dir=tmp_path)
    assert first.fingerprint != second.fingerprint
    expected = list(first.tokens)
    remove_stale_cache(tmp_path, keep=second.fingerprint)  # the second run cleans up while the first still works
    assert first.tokens.path.is_file() and list(first.tokens) == expected
    assert ProcessedCorpus.load(tmp_path, first.fingerprint) is not None
    path = first.tokens.path
    del first
    gc.collect()
    remove_stale_cache(tmp_path, keep=second.fingerprint)  # nobody uses it any more: now it goes
    assert not path.exists() and not path.with_suffix(".json").exists()
    assert list(second.tokens)


def test_clean_up_leaves_files_it_did_not_write(tmp_path):
    processed = process_documents(two_topic_documents(4), tiny_codebook(), cache_dir=tmp_path)
    foreign = [tmp_path / "notes.txt", tmp_path / "processed-notes.txt", tmp_path / "processed-abc.json.tmp"]
    for path in foreign:
        path.write_text("x")
    remove_stale_cache(tmp_path, keep=processed.fingerprint)
    assert all(path.exists() for path in foreign)


HOLDER = """
import sys
from hkasean.models.token_file import TokenFile
tokens = TokenFile(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
print(len(list(tokens)), flush=True)
"""


def test_clean_up_in_one_process_spares_a_token_file_another_process_uses(tmp_path):
    first = process_documents(two_topic_documents(4, seed=1), tiny_codebook(), cache_dir=tmp_path)
    second = process_documents(two_topic_documents(4, seed=2), tiny_codebook(), cache_dir=tmp_path)
    path, n_units = first.tokens.path, len(first.tokens)
    del first
    gc.collect()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        remove_stale_cache(tmp_path, keep=second.fingerprint)
        assert path.is_file()
        out, _ = holder.communicate("go\n", timeout=60)
        assert holder.returncode == 0 and out.strip() == str(n_units)
    finally:
        if holder.poll() is None:
            holder.kill()
    remove_stale_cache(tmp_path, keep=second.fingerprint)
    assert not path.exists()


def test_a_stage_entry_another_run_holds_is_not_cleaned_up(tmp_path):
    run_a, run_b = StageCache(tmp_path), StageCache(tmp_path)
    run_a.save("fit", "a", "result of a")
    run_b.save("fit", "b", "result of b")  # b's clean-up of older "fit" entries
    assert (tmp_path / "fit-a.joblib").is_file() and run_a.load("fit", "a") == "result of a"
    del run_a
    gc.collect()
    StageCache(tmp_path).save("fit", "c", "result of c")
    assert not (tmp_path / "fit-a.joblib").exists()
    assert (tmp_path / "fit-b.joblib").is_file(), "run b is still alive"


def test_threads_sharing_a_cache_never_lose_a_token_file(tmp_path):
    errors: list[BaseException] = []

    def one_run(seed: int) -> None:
        try:
            for _ in range(3):
                processed = process_documents(two_topic_documents(3, seed=seed), tiny_codebook(), cache_dir=tmp_path)
                remove_stale_cache(tmp_path, keep=processed.fingerprint)
                assert len(list(processed.tokens)) == len(processed.tokens)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one_run, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

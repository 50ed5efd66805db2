"""The output folder replaces only what the suite wrote: foreign folders, files and system places are refused."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from hkasean.corpus.errors import InputError
from hkasean.scripts.cli import main
from hkasean.scripts.output_folder import OutputFolder, check_output_target
from hkasean.scripts.output_marker import MARKER

FAST = Path(__file__).with_name("fast_config.yaml")


def write_run(out: Path, text: str = "first") -> None:
    with OutputFolder(out) as folder:
        folder.table(pd.DataFrame({"a": [1]}), "t")
        folder.file("report.md").write_text(text)
        (folder.file("models") / "m").mkdir(parents=True)
        (folder.file("models") / "m" / "x.joblib").write_bytes(b"x")


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_folder_the_suite_wrote_is_replaced_whole(tmp_path):
    out = tmp_path / "out"
    write_run(out, "first")
    marker = json.loads((out / MARKER).read_text())
    assert set(marker["files"]) == {"tables/t.csv", "report.md", "models/m/x.joblib"}
    with OutputFolder(out) as folder:
        folder.file("report.md").write_text("second")
    assert (out / "report.md").read_text() == "second" and not (out / "tables" / "t.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no backup or partial folder is left"


def test_an_empty_existing_folder_may_be_used(tmp_path):
    (tmp_path / "out").mkdir()
    write_run(tmp_path / "out")
    assert (tmp_path / "out" / "report.md").read_text() == "first"


@pytest.mark.parametrize("foreign", ["notes.txt", "tables/mine.csv", "empty-dir/"])
def test_a_folder_with_anything_the_suite_did_not_write_is_refused(tmp_path, foreign):
    out = tmp_path / "out"
    write_run(out)
    target = out / foreign
    if foreign.endswith("/"):
        target.mkdir()
    else:
        target.write_text("keep me")
    before = tree(out)
    with pytest.raises(InputError, match="did not write"):
        check_output_target(out)
    with pytest.raises(InputError, match="did not write"):
        write_run(out, "second")
    assert tree(out) == before and (out / "report.md").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_file_the_suite_wrote_but_someone_edited_is_refused(tmp_path):
    out = tmp_path / "out"
    write_run(out)
    (out / "report.md").write_text("my annotations")
    with pytest.raises(InputError, match="changed since"):
        check_output_target(out)


def test_a_forged_or_broken_marker_does_not_unlock_a_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "corpus.jsonl").write_text("{}\n")
    (out / MARKER).write_text("not json")
    with pytest.raises(InputError, match="marker"):
        check_output_target(out)
    (out / MARKER).write_text(json.dumps({"written_by": "hkasean", "format": 1, "files": {}, "folders": []}))
    with pytest.raises(InputError, match="did not write.*corpus.jsonl"):
        check_output_target(out)


def test_a_file_is_refused(tmp_path):
    important = tmp_path / "important.txt"
    important.write_text("data")
    with pytest.raises(InputError, match="not a folder"):
        write_run(important)
    assert important.read_text() == "data"


def test_a_symlink_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(InputError, match="symbolic link"):
        check_output_target(tmp_path / "link")


@pytest.mark.parametrize("where", [".", "..", "~", "/", "/etc", "/usr/lib", "/tmp"])
def test_working_directory_home_root_and_system_folders_are_refused(tmp_path, monkeypatch, where):
    workdir = tmp_path / "work" / "here"
    workdir.mkdir(parents=True)
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("HOME", str(tmp_path / "work"))
    with pytest.raises(InputError, match="refusing"):
        check_output_target(Path(where).expanduser())


def test_folders_under_system_trees_are_refused_but_ordinary_new_folders_are_fine(tmp_path):
    with pytest.raises(InputError, match="system folder"):
        check_output_target(Path("/etc/hkasean-out"))
    check_output_target(tmp_path / "new" / "out")  # does not exist yet: fine


def test_the_run_refuses_a_foreign_folder_before_any_work(tmp_path, repo_root, capsys):
    mydata = tmp_path / "mydata"
    mydata.mkdir()
    corpus = mydata / "corpus.jsonl"
    corpus.write_bytes((repo_root / "corpus" / "sample" / "corpus.jsonl").read_bytes())
    (mydata / "notes.txt").write_text("notes")
    before = tree(mydata)
    started = time.perf_counter()
    code = main(["--quiet", "run", "--config", str(FAST), "--corpus", str(corpus), "--no-coding",
                 "--out", str(mydata), "--no-cache"])
    assert code == 2 and time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert "did not write" in err and "corpus.jsonl" in err and "--out" in err
    assert tree(mydata) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydata"]


def test_the_run_refuses_the_working_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("x")
    assert main(["--quiet", "run", "--config", str(FAST), "--out", ".", "--no-cache"]) == 2
    assert "working directory" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text() == "x"


def test_a_foreign_file_appearing_during_the_run_keeps_both_folders(tmp_path):
    out = tmp_path / "out"
    write_run(out)
    with pytest.raises(InputError, match="did not write") as caught:
        with OutputFolder(out) as folder:
            folder.file("report.md").write_text("second")
            (out / "added-meanwhile.txt").write_text("mine")
    assert (out / "added-meanwhile.txt").read_text() == "mine" and (out / "report.md").read_text() == "first"
    partial = [p for p in tmp_path.iterdir() if p.name.startswith(".out.partial-")]
    assert len(partial) == 1 and (partial[0] / "report.md").read_text() == "second"
    assert str(partial[0]) in str(caught.value)


def test_a_failed_run_leaves_the_previous_folder_and_no_partial_one(tmp_path):
    out = tmp_path / "out"
    write_run(out)
    with pytest.raises(RuntimeError):
        with OutputFolder(out) as folder:
            folder.file("report.md").write_text("half")
            raise RuntimeError("boom")
    assert (out / "report.md").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_output_folder_has_ordinary_permissions(tmp_path):
    write_run(tmp_path / "out")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask

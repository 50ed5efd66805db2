"""Nothing lost, second round (#25): output paths checked whole before any work, folder modes kept,
partial folders of dead runs cleaned (and only those), folders of another command refused, and
control characters of document text neutralised in report.md and report.html."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.report import write_report_files
from hkasean.analysis.report_data import ReportInput
from hkasean.analysis.report_render import Figure, Paragraph, Section, Table, render_html, render_markdown
from hkasean.corpus.errors import InputError
from hkasean.scripts.cli import main
from hkasean.scripts.output_folder import OutputFolder, check_output_target
from hkasean.scripts.output_marker import MARKER
from hkasean.scripts.partial_folders import PARTIAL_MARKER

FAST = Path(__file__).with_name("fast_config.yaml")
SUGGESTIONS = f"tables/{contract.INDICATOR_SUGGESTIONS.name}.csv"
SOURCES = f"tables/{contract.INDICATOR_SOURCES.name}.csv"


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def run_cli(*args: str) -> int:
    return main(["--quiet", *args])


@pytest.fixture()
def no_work(monkeypatch):
    """Any loading of the inputs fails the test: a refusal must come before any work."""
    def must_not_run(*args, **kwargs):
        raise AssertionError("the inputs were loaded: the output path was not checked before the work")

    monkeypatch.setattr("hkasean.scripts.pipeline.load_inputs", must_not_run)  # run and codebook suggest alike


def fake_run_folder(out: Path, command: str = "run") -> None:
    """A small folder as ``run`` (or another command) writes it, without running the pipeline."""
    with OutputFolder(out, command=command) as folder:
        folder.table(pd.DataFrame({"a": [1]}), "topics")
        folder.file("report.md").write_text("report")
        folder.file("manifest.json").write_text("{}")


# 1. The output path is checked whole before any work --------------------------------------------

@pytest.mark.parametrize("below", ["sub", "a/b/sub"])
@pytest.mark.parametrize("command", [["run", "--config", str(FAST), "--no-cache"], ["codebook", "suggest"]])
def test_out_under_a_regular_file_is_refused_before_any_work(tmp_path, capsys, no_work, command, below):
    important = tmp_path / "important.txt"
    important.write_text("data")
    started = time.perf_counter()
    assert run_cli(*command, "--out", str(important / below)) == 2
    assert time.perf_counter() - started < 10, "refused before the pipeline ran"
    err = capsys.readouterr().err
    assert f"refusing --out {important / below}" in err and f"{important} is a file, not a folder" in err
    assert important.read_text() == "data" and sorted(p.name for p in tmp_path.iterdir()) == ["important.txt"]


@pytest.mark.parametrize("command", [["run", "--config", str(FAST), "--no-cache"], ["codebook", "suggest"]])
def test_an_out_name_too_long_for_the_hidden_sibling_is_refused_before_any_work(tmp_path, capsys, no_work, command):
    out = tmp_path / ("x" * 250)
    started = time.perf_counter()
    assert run_cli(*command, "--out", str(out)) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert f"refusing --out {out}" in err and "too long" in err and "255" in err
    assert list(tmp_path.iterdir()) == []


def test_the_longest_name_allowed_is_the_limit_less_the_hidden_sibling(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    longest = limit - len(".") - len(".partial-") - 8
    check_output_target(tmp_path / ("y" * longest))
    with pytest.raises(InputError, match="too long"):
        check_output_target(tmp_path / ("y" * (longest + 1)))
    with pytest.raises(InputError, match="too long"):
        check_output_target(tmp_path / ("z" * (limit + 1)) / "out")  # a folder on the way that cannot be made
    fake_run_folder(tmp_path / ("y" * longest))  # and it really can be written
    assert (tmp_path / ("y" * longest) / "report.md").read_text() == "report"
    # multibyte names count in bytes: 80 CJK characters are 240 bytes
    with pytest.raises(InputError, match="too long"):
        check_output_target(tmp_path / ("港" * 80))


def test_an_out_in_a_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path, capsys, monkeypatch, no_work):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: let os.access answer as for an ordinary user
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
            False if Path(path) == locked and mode & os.W_OK else real_access(path, mode, **kw)))
    try:
        started = time.perf_counter()
        assert run_cli("run", "--config", str(FAST), "--no-cache", "--out", str(locked / "new" / "out")) == 2
        assert time.perf_counter() - started < 10
        err = capsys.readouterr().err
        assert f"cannot create folders or files in {locked}" in err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_a_dangling_symbolic_link_on_the_way_is_refused(tmp_path):
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="not a folder"):
        check_output_target(tmp_path / "gone" / "out")


# 2. A replaced folder keeps its mode ---------------------------------------------------------------

def modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.lstat().st_mode) for p in [folder, *folder.rglob("*")]}


@pytest.mark.parametrize("mode, file_mode", [(0o700, 0o600), (0o750, 0o640), (0o2770, 0o640), (0o500, 0o400)])
def test_a_replaced_folder_keeps_its_mode_and_new_files_follow_it(tmp_path, mode, file_mode):
    out = tmp_path / "out"
    fake_run_folder(out)
    out.chmod(mode)
    fake_run_folder(out)
    found = modes(out)
    assert found.pop(".") == mode
    for name, got in found.items():
        assert got == (mode if (out / name).is_dir() else file_mode), name


def test_a_private_suggest_folder_stays_private_when_the_command_replaces_it(tmp_path):
    out = tmp_path / "private"
    assert run_cli("codebook", "suggest", "--config", str(FAST), "--out", str(out)) == 0
    out.chmod(0o700)
    assert run_cli("codebook", "suggest", "--config", str(FAST), "--out", str(out)) == 0
    found = modes(out)
    assert found.pop(".") == 0o700
    assert found == {name: 0o700 if (out / name).is_dir() else 0o600 for name in found}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private"]


def test_a_new_folder_has_ordinary_permissions_and_is_private_while_written(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    with OutputFolder(tmp_path / "out") as folder:
        assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700, "nobody else reads a half-written run"
        folder.file("report.md").write_text("x")
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path / "out" / "report.md").stat().st_mode) == 0o666 & ~umask


# 3. Partial folders of dead runs are cleaned, and only those ----------------------------------------

WRITER = """
import sys, time
from hkasean.scripts.output_folder import OutputFolder
with OutputFolder(sys.argv[1]) as folder:
    folder.file("report.md").write_text("half")
    print(folder.path, flush=True)
    time.sleep(120)
"""


def start_writer(out: Path) -> tuple[subprocess.Popen, Path]:
    """A run writing ``out`` in another process, paused in the middle: its partial folder and the process."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True)
    partial = Path(process.stdout.readline().strip())
    assert partial.name.startswith(f".{out.name}.partial-") and (partial / PARTIAL_MARKER).is_file()
    return process, partial


def partials(folder: Path, name: str = "out") -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(f".{name}.partial-"))


def test_the_partial_folder_of_a_run_killed_with_kill_9_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    live, alive = start_writer(out)  # still writing: its folder must survive
    killed, dead = start_writer(out)  # (entering, it kept the live run's folder)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    try:
        assert partials(tmp_path) == sorted([dead, alive])
        assert run_cli("codebook", "suggest", "--config", str(FAST), "--out", str(out)) == 0
        assert partials(tmp_path) == [alive], "the dead run's folder is gone, the live run's is kept"
        assert (alive / "report.md").read_text() == "half" and (alive / PARTIAL_MARKER).is_file()
    finally:
        live.kill()
        live.wait()


def fake_partial(parent: Path, name: str, **fields) -> Path:
    """A partial folder as a killed run leaves it: its marker (unlocked: the writer is gone) and a file."""
    partial = parent / name
    partial.mkdir()
    (partial / "report.md").write_text("half")
    marker = {"written_by": "hkasean", "pid": dead_pid(), "host": socket.gethostname(),
              "started": "2024-01-01T00:00:00+00:00", "command": "run", **fields}
    (partial / PARTIAL_MARKER).write_text(json.dumps(marker))
    return partial


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_provably_dead_partial_folders_of_ours_are_removed(tmp_path, caplog):
    import fcntl

    caplog.set_level("INFO", logger="hkasean.scripts.partial_folders")

    dead = fake_partial(tmp_path, ".out.partial-dead0000")
    held = fake_partial(tmp_path, ".out.partial-held0000", pid=os.getpid())
    live_pid_unlocked = fake_partial(tmp_path, ".out.partial-pidlive0", pid=os.getpid())  # maybe a reused pid: kept
    other_host = fake_partial(tmp_path, ".out.partial-remote00", host="another-machine.example")
    other_output = fake_partial(tmp_path, ".other.partial-dead0000")
    unmarked = tmp_path / ".out.partial-nomarker"
    unmarked.mkdir()
    (unmarked / "report.md").write_text("an older version's leftover, or someone's")
    forged = fake_partial(tmp_path, ".out.partial-forged00", written_by="someone")
    (tmp_path / ".out.partial-isafile0").write_text("not a folder")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    fake_partial(target, "inner")
    (tmp_path / ".out.partial-symlink0").symlink_to(target / "inner")
    linked_marker = tmp_path / ".out.partial-linkmark"
    linked_marker.mkdir()
    (linked_marker / PARTIAL_MARKER).symlink_to(dead / PARTIAL_MARKER)

    lock = os.open(held / PARTIAL_MARKER, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # the live writer's lock (another open file: it conflicts even in this process)
    try:
        fake_run_folder(tmp_path / "out")
    finally:
        os.close(lock)
    assert not dead.exists()
    for kept in (held, live_pid_unlocked, other_host, other_output, unmarked, forged):
        assert (kept / "report.md").read_text() != "", kept
    assert (linked_marker / PARTIAL_MARKER).is_symlink()
    assert str(dead) in caplog.text and "pid" in caplog.text
    assert (tmp_path / ".out.partial-isafile0").read_text() == "not a folder"
    assert (tmp_path / ".out.partial-symlink0").is_symlink() and (target / "inner" / "report.md").is_file()
    assert (target / "keep.txt").read_text() == "keep"


def test_the_finished_folder_kept_after_a_late_refusal_is_never_cleaned(tmp_path):
    out = tmp_path / "out"
    fake_run_folder(out)
    with pytest.raises(InputError, match="kept in"):
        with OutputFolder(out) as folder:
            folder.file("report.md").write_text("second")
            (out / "added-meanwhile.txt").write_text("mine")
    kept = partials(tmp_path)
    assert len(kept) == 1 and not (kept[0] / PARTIAL_MARKER).exists()
    (out / "added-meanwhile.txt").unlink()
    fake_run_folder(out)
    assert partials(tmp_path) == kept and (kept[0] / "report.md").read_text() == "second"


def test_a_failed_run_removes_its_partial_folder_and_a_successful_one_leaves_no_lock(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with OutputFolder(out) as folder:
            raise RuntimeError("boom")
    fake_run_folder(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert PARTIAL_MARKER not in {p.name for p in out.iterdir()}


# 4. A folder of another command is refused ------------------------------------------------------

def test_codebook_suggest_refuses_a_run_folder_before_any_work(tmp_path, capsys, no_work):
    out = tmp_path / "results"
    fake_run_folder(out)
    before = tree(out)
    started = time.perf_counter()
    assert run_cli("codebook", "suggest", "--out", str(out)) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert f"refusing --out {out}" in err and "hkasean run" in err and "codebook suggest" in err
    assert tree(out) == before and (out / "report.md").read_text() == "report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_run_refuses_a_suggest_folder_and_each_command_replaces_its_own(tmp_path, capsys, monkeypatch):
    out = tmp_path / "suggestions"
    assert run_cli("codebook", "suggest", "--config", str(FAST), "--out", str(out)) == 0
    assert json.loads((out / MARKER).read_text())["command"] == "codebook suggest"
    before = tree(out)
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr("hkasean.scripts.pipeline.load_inputs", lambda *a, **k: pytest.fail("run did work before refusing"))
        assert run_cli("run", "--config", str(FAST), "--no-cache", "--out", str(out)) == 2
    assert "hkasean codebook suggest" in capsys.readouterr().err and tree(out) == before
    assert run_cli("codebook", "suggest", "--config", str(FAST), "--out", str(out)) == 0
    run_folder = tmp_path / "run"
    fake_run_folder(run_folder)
    assert json.loads((run_folder / MARKER).read_text())["command"] == "run"
    check_output_target(run_folder)  # run, fit and evaluate (and hkasean.run) replace it
    fake_run_folder(run_folder)


def legacy_folder(out: Path, files: list[str]) -> None:
    """A folder as the suite wrote it before markers named the command (format 1, no "command")."""
    fake_run_folder(out)
    for path in [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]:
        path.unlink()
    for name in files:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name)
    marker = json.loads((out / MARKER).read_text())
    marker.pop("command")
    marker["format"] = 1
    from hkasean.scripts.output_marker import _sha256
    marker["files"] = {name: {"size": (out / name).stat().st_size, "sha256": _sha256(out / name)} for name in files}
    (out / MARKER).write_text(json.dumps(marker))


@pytest.mark.parametrize("files, allowed", [
    (["manifest.json", "report.md", "tables/topics.csv"], {"run"}),
    (["manifest.json", "tables/topics.csv"], {"run"}),  # hkasean fit
    ([SUGGESTIONS, SOURCES], {"codebook suggest"}),
    ([], {"run", "codebook suggest"}),  # nothing to lose
    (["tables/other.csv"], set()),  # cannot tell: neither
])
def test_a_marker_without_the_command_is_judged_by_what_it_lists(tmp_path, files, allowed):
    out = tmp_path / "old"
    legacy_folder(out, files)
    for command in ("run", "codebook suggest"):
        if command in allowed:
            check_output_target(out, command=command)
        else:
            with pytest.raises(InputError, match="refusing --out"):
                check_output_target(out, command=command)


def test_a_marker_of_an_unknown_command_is_refused(tmp_path):
    out = tmp_path / "future"
    fake_run_folder(out)
    marker = json.loads((out / MARKER).read_text())
    marker["command"] = "something new"
    (out / MARKER).write_text(json.dumps(marker))
    with pytest.raises(InputError, match="something new"):
        check_output_target(out)


# 5. Control characters of document text in the report -------------------------------------------

CONTROLS = ["\x1b", "\x07", "\x00", "\u202e", "\x08", "\x0b", "\x0c", "\x7f", "\x85", "\x9b", "\u202a", "\u202d",
            "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029"]
BIDI = {"\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def unsafe(text: str) -> set[str]:
    """Characters a terminal, an editor or a browser would act on rather than show."""
    return {c for c in text if c not in "\n" and (unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI)}


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_both_renderers_neutralise_a_control_character_in_document_text(tmp_path, char):
    title = f"Trade{char}mission to ASEAN"
    figure = tmp_path / "figures" / "f.png"
    figure.parent.mkdir()
    figure.write_bytes(b"png")
    frame = pd.DataFrame({"title" + char: [title], "doc_id": ["d" + char]})
    sections = [Section("Findings " + char, "s" + char, [
        Paragraph(title), Paragraph(title, kind="warning"), Table(frame, "Caption " + char, csv_name="t" + char),
        Figure(figure, "Figure " + char),
    ])]
    html_text = render_html(title, title, sections)
    markdown = render_markdown(title, title, sections, tmp_path)
    for text in (html_text, markdown):
        assert unsafe(text) == set()
        assert "Trade" in text and "mission to ASEAN" in text  # the rest of the title is kept
    if char < " " or char == "\x7f":  # a C0 control is shown as its symbol, so the reader sees it was there
        symbol = "\u2421" if char == "\x7f" else chr(0x2400 + ord(char))
        assert f"Trade{symbol}mission" in html_text and f"Trade{symbol}mission" in markdown


def test_report_files_neutralise_control_characters_of_document_titles(tmp_path):
    title = "".join(f"t{c}" for c in CONTROLS) + "<script>alert(1)</script>"
    disagreements = pd.DataFrame({
        "model": ["lda"], "theme": ["macro"], "doc_id": ["d1"], "kind": ["missed"], "evidence_terms": ["x\x1b[2J"],
        "title": [title],
    })
    report = ReportInput(manifest={"corpus": {"source": "corpus\x1b]0;pwned\x07.jsonl", "n_documents": 1},
                         "warnings": [f"bad title {title}"]}, tables={"disagreements": disagreements})
    write_report_files(report, tmp_path / "report.html", tmp_path / "report.md")
    for name in ("report.html", "report.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert unsafe(text) == set(), name
        assert "<script" not in text and "corpus\u241b" in text and "0;pwned\u2407.jsonl" in text, name


def test_a_marker_nested_100000_deep_is_refused_not_a_traceback(tmp_path, capsys):
    from hkasean.scripts.cli import main

    out = tmp_path / "out"
    out.mkdir()
    (out / ".hkasean-output").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main(["-q", "run", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "marker cannot be read (JSON nested too deep)" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [".hkasean-output"]

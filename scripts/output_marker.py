"""The ``.hkasean-output`` marker: what the suite wrote in an output folder, and which command may replace it.

**What may be replaced.** The suite marks each folder it writes with ``.hkasean-output``: a JSON
manifest of every file (size and SHA-256) and sub-folder it wrote. A folder that is not empty may be
replaced only if its marker lists exactly what is in it, unchanged: a folder holding anything the
marker does not list (a corpus, notes, an older run's folder without a marker) or a file the suite
wrote but someone edited is refused with an ``InputError``.

**One command per folder.** The marker (format 2) records the command that wrote the folder:
``run`` (``run``, ``fit``, ``evaluate``, ``hkasean.run``) or ``codebook suggest``; a folder is
replaced only by its own command. A format-1 marker (before the command was recorded) is judged by
what it lists: ``manifest.json`` (which every run writes) makes it a ``run`` folder, only the two
suggestion tables a ``codebook suggest`` folder, no files at all either; anything else is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from hkasean import contract
from hkasean.scripts.output_paths import refusal

MARKER = ".hkasean-output"
MARKER_FORMAT = 2
"""Format 2 records the ``command``; format 1 (without it) is still read."""
RUN = "run"
SUGGEST = "codebook suggest"
COMMANDS = {RUN: "hkasean run (or fit, evaluate, hkasean.run)", SUGGEST: "hkasean codebook suggest"}
"""The commands that write output folders, each replacing only its own folders."""
SUGGEST_FILES = frozenset(f"tables/{spec.name}.csv" for spec in (contract.INDICATOR_SUGGESTIONS, contract.INDICATOR_SOURCES))


def _sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path`` (hex), read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_marker(folder: Path) -> tuple[dict, set[str], str | None]:
    """The files (relative path -> size and SHA-256) and sub-folders the marker of ``folder`` lists, and
    the command that wrote it (None for a format-1 marker, written before the command was recorded)."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker.get("written_by") != "hkasean" or marker.get("format") not in (1, MARKER_FORMAT):
            raise ValueError("not an hkasean output marker")
        files, folders = marker["files"], marker["folders"]
        command = marker["command"] if marker["format"] >= 2 else None
        if not (isinstance(files, dict) and all(isinstance(v, dict) for v in files.values()) and isinstance(folders, list)
                and (command is None or isinstance(command, str))):
            raise ValueError("malformed")
        return files, set(folders), command
    except RecursionError:
        raise refusal(folder, f"its {MARKER} marker cannot be read (JSON nested too deep)") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise refusal(folder, f"its {MARKER} marker cannot be read ({exc})") from None


def suite_contents(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and sub-folders of ``folder``, all found there and listed unchanged by its marker.

    ``InputError`` if ``folder`` holds anything its marker does not list (or has no marker) or a
    listed file was changed. Only what is found is returned: a marker cannot name paths elsewhere.
    """
    if not (folder / MARKER).is_file():
        raise refusal(folder, f"it holds files hkasean did not write ({_some(sorted(p.name for p in folder.iterdir()))})")
    listed_files, listed_folders, _ = _read_marker(folder)
    files, folders, foreign, changed = [], [], [], []
    for root, dirnames, filenames in os.walk(folder):
        base = Path(root)
        for name in sorted(dirnames + filenames):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode) and relative in listed_folders:
                folders.append(path)
            elif stat.S_ISREG(mode) and relative == MARKER:
                continue
            elif not (stat.S_ISREG(mode) and relative in listed_files):
                foreign.append(relative + ("/" if stat.S_ISDIR(mode) else ""))
            elif path.stat().st_size != listed_files[relative].get("size") or _sha256(path) != listed_files[relative].get("sha256"):
                changed.append(relative)
            else:
                files.append(path)
        dirnames[:] = [d for d in dirnames if base / d in folders]
    if foreign:
        raise refusal(folder, f"it holds files hkasean did not write ({_some(foreign)})")
    if changed:
        raise refusal(folder, f"files hkasean wrote there were changed since ({_some(changed)}); "
                              "move the folder away, or delete it yourself if the changes may go")
    return files, folders


def _some(names: list[str], limit: int = 5) -> str:
    """The first ``limit`` of ``names``, comma-separated, and how many more there are."""
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _replaceable_by(listed_files: dict, command: str | None) -> set[str]:
    """The commands that may replace a folder whose marker lists ``listed_files`` and names ``command``.

    A format-1 marker does not name the command: ``manifest.json`` (every run writes it) means
    ``run``; nothing but the suggestion tables means ``codebook suggest``; no files means nothing
    can be lost, so either; anything else cannot be told, so neither.
    """
    if command is not None:
        return {command}
    names = set(listed_files)
    if not names:
        return set(COMMANDS)
    if "manifest.json" in names:
        return {RUN}
    if names <= SUGGEST_FILES:
        return {SUGGEST}
    return set()


def check_command(folder: Path, command: str) -> None:
    """Refuse ``folder`` (verified output of the suite) unless ``command`` may replace it."""
    listed_files, _, wrote = _read_marker(folder)
    if command in _replaceable_by(listed_files, wrote):
        return
    if wrote is not None and wrote not in COMMANDS:
        raise refusal(folder, f"its marker says it was written by {wrote!r}, a command this version of hkasean does "
                              f"not know, so {COMMANDS[command]} does not replace it")
    if wrote is None and not _replaceable_by(listed_files, None):
        raise refusal(folder, f"its {MARKER} marker is from an older hkasean that did not record which command wrote "
                              f"the folder, and its files ({_some(sorted(listed_files))}) do not show it, so "
                              f"{COMMANDS[command]} does not replace it")
    owner = wrote if wrote is not None else next(iter(_replaceable_by(listed_files, None)))
    raise refusal(folder, f"it holds the output of {COMMANDS[owner]}, which {COMMANDS[command]} does not replace "
                          "(each command replaces only its own folders)")


def write_marker(folder: Path, command: str) -> None:
    """List every file (size, SHA-256) and sub-folder under ``folder`` in its marker, with the command that wrote them."""
    files, folders = {}, []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            folders.append(relative)
        else:
            files[relative] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    marker = {"written_by": "hkasean", "format": MARKER_FORMAT, "command": command, "files": files, "folders": folders}
    (folder / MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")

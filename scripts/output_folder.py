"""The run's output folder, written whole or not at all, and never over anything the suite did not write.

Everything goes to a hidden sibling folder first; only when the run succeeds is it moved into
place. A run that fails leaves the previous folder untouched and no half-written one behind.

**What may be replaced.** The suite marks each folder it writes with ``.hkasean-output``: a JSON
manifest of every file (size and SHA-256) and sub-folder it wrote. ``--out`` may name a folder
that does not exist yet, an empty folder, or a folder whose marker lists exactly what is in it,
unchanged. Anything else is refused with an ``InputError`` (exit status 2) before any work starts:
a folder holding anything the marker does not list (a corpus, notes, an older run's folder
without a marker), a file the suite wrote but someone edited, a file, a symbolic link, the
working directory or a folder holding it, the home folder or a folder holding it, ``/``, a
top-level folder (``/etc``, ``/tmp``, ``/home`` ...) and anything under a system tree
(``/usr``, ``/bin``, ``/boot`` ...). The check runs again just before the swap; the previous
folder is then moved aside and only the files its marker lists are deleted, one by one.

**The whole path, before any work.** ``check_output_target`` also refuses a path that cannot be
written: a file (or a symbolic link to nothing) anywhere on the way (``important.txt/sub``), a
folder on the way that cannot be looked into or written in, a name longer than the file system
allows (``PC_NAME_MAX``, usually 255 bytes) once the hidden sibling's ``.`` and ``.partial-XXXXXXXX``
are added (so at most 237 bytes), and a path too long for the files inside.

**One command per folder.** The marker (format 2) records the command that wrote the folder:
``run`` (``run``, ``fit``, ``evaluate``, ``hkasean.run``) or ``codebook suggest``; a folder is
replaced only by its own command. A format-1 marker (before the command was recorded) is judged by
what it lists: ``manifest.json`` (which every run writes) makes it a ``run`` folder, only the two
suggestion tables a ``codebook suggest`` folder, no files at all either; anything else is refused.

**Modes.** The hidden sibling is private (0700) while it is written. A folder that replaces an
earlier one gets that folder's mode (and group, where the user may set it) for itself and every
sub-folder, and each file's mode is narrowed by it (0700 gives 0600 files, 0750 gives 0640); a new
folder gets the ordinary mode of a new folder (0777 less the umask).

**Partial folders of dead runs.** The hidden sibling ``.<name>.partial-XXXXXXXX`` holds
``.hkasean-partial``: the writer's PID, host, start time and command, and an exclusive ``flock``
the writer holds until the folder has its final name (or is deleted after a failure). A later
run writing the same ``<name>`` deletes a partial folder only when it is provably a dead run's:
a real folder owned by the user, its marker a regular file naming hkasean, this host, and a PID
that is not running, and the lock free. A live run's folder, a folder without the marker (an
older version's, or one kept after a late refusal, which loses its marker), another host's and
anything else is left alone.
"""
from __future__ import annotations

import datetime
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import socket
import stat
import tempfile
from pathlib import Path
from types import TracebackType

import pandas as pd

from hkasean import contract
from hkasean.corpus.errors import InputError

MARKER = ".hkasean-output"
MARKER_FORMAT = 2
"""Format 2 records the ``command``; format 1 (without it) is still read."""
PARTIAL_MARKER = ".hkasean-partial"
"""In a partial (hidden, being written) output folder: who writes it, locked by the writer."""
RUN = "run"
SUGGEST = "codebook suggest"
COMMANDS = {RUN: "hkasean run (or fit, evaluate, hkasean.run)", SUGGEST: "hkasean codebook suggest"}
"""The commands that write output folders, each replacing only its own folders."""
SUGGEST_FILES = frozenset(f"tables/{spec.name}.csv" for spec in (contract.INDICATOR_SUGGESTIONS, contract.INDICATOR_SOURCES))
RANDOM_CHARS = 8
"""``tempfile.mkdtemp`` adds this many characters to the hidden siblings' names."""
PATH_ROOM = 255
"""Bytes of path kept free below the hidden sibling for the files the run writes inside it."""
SYSTEM_TREES = tuple(Path(p) for p in (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr",
    "/System", "/Library", "/Applications", "/private/etc",
))
"""Folders that are the operating system's: no output folder at or under them."""
LOG = logging.getLogger(__name__)
HOW_TO = "give --out a new folder name (it is created) or an empty folder"


def stable_floats(frame: pd.DataFrame, decimals: int = 10) -> pd.DataFrame:
    """Float columns rounded to ``decimals`` places and negative zero made zero.

    Rounding noise (a kappa of -5e-16 on one machine, 0 on another) would otherwise make equal
    results print differently.
    """
    floats = frame.select_dtypes(include="float").columns
    if len(floats) == 0:
        return frame
    out = frame.copy()
    out[floats] = out[floats].round(decimals) + 0.0
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse(folder: Path, why: str) -> InputError:
    return InputError(f"refusing --out {folder}: {why}; {HOW_TO}")


def _refuse_place(folder: Path) -> None:
    """Refuse the working directory, the home folder, ``/``, top-level and system folders (and what holds them)."""
    if os.path.islink(folder):  # False also when it cannot be looked at: _check_path says why
        raise _refuse(folder, "it is a symbolic link (name the real folder)")
    resolved = folder.resolve()
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise _refuse(folder, "it is the working directory or holds it")
    if resolved == home or resolved in home.parents:
        raise _refuse(folder, "it is your home folder or holds it")
    if len(resolved.parts) <= 2:
        raise _refuse(folder, "it is / or a top-level system folder")
    if any(resolved == tree or tree in resolved.parents for tree in SYSTEM_TREES):
        raise _refuse(folder, "it is in a system folder")


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
        raise _refuse(folder, f"its {MARKER} marker cannot be read (JSON nested too deep)") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _refuse(folder, f"its {MARKER} marker cannot be read ({exc})") from None


def _suite_contents(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and sub-folders of ``folder``, all found there and listed unchanged by its marker.

    ``InputError`` if ``folder`` holds anything its marker does not list (or has no marker) or a
    listed file was changed. Only what is found is returned: a marker cannot name paths elsewhere.
    """
    if not (folder / MARKER).is_file():
        raise _refuse(folder, f"it holds files hkasean did not write ({_some(sorted(p.name for p in folder.iterdir()))})")
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
        raise _refuse(folder, f"it holds files hkasean did not write ({_some(foreign)})")
    if changed:
        raise _refuse(folder, f"files hkasean wrote there were changed since ({_some(changed)}); "
                              "move the folder away, or delete it yourself if the changes may go")
    return files, folders


def _some(names: list[str], limit: int = 5) -> str:
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


def _check_command(folder: Path, command: str) -> None:
    """Refuse ``folder`` (verified output of the suite) unless ``command`` may replace it."""
    listed_files, _, wrote = _read_marker(folder)
    if command in _replaceable_by(listed_files, wrote):
        return
    if wrote is not None and wrote not in COMMANDS:
        raise _refuse(folder, f"its marker says it was written by {wrote!r}, a command this version of hkasean does "
                              f"not know, so {COMMANDS[command]} does not replace it")
    if wrote is None and not _replaceable_by(listed_files, None):
        raise _refuse(folder, f"its {MARKER} marker is from an older hkasean that did not record which command wrote "
                              f"the folder, and its files ({_some(sorted(listed_files))}) do not show it, so "
                              f"{COMMANDS[command]} does not replace it")
    owner = wrote if wrote is not None else next(iter(_replaceable_by(listed_files, None)))
    raise _refuse(folder, f"it holds the output of {COMMANDS[owner]}, which {COMMANDS[command]} does not replace "
                          "(each command replaces only its own folders)")


def _nearest_existing(folder: Path) -> tuple[Path, os.stat_result, list[Path]]:
    """The nearest of ``folder`` and its parents that exists, its ``lstat``, and the paths below it that do not."""
    missing: list[Path] = []
    current = folder
    while True:
        try:
            return current, os.lstat(current), missing
        except OSError as exc:
            # Not there, a file on the way, a folder that cannot be looked into or a name too long:
            # look further up, where the reason is found (a file, no permission, the name's length).
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.ENAMETOOLONG) or current.parent == current:
                raise _refuse(folder, f"{current} cannot be looked at ({exc.strerror})") from None
        missing.append(current)
        current = current.parent


def _limit(folder: Path, name: str, default: int) -> int:
    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError, TypeError):
        return default


def _check_path(folder: Path) -> None:
    """Refuse ``folder`` unless the folders on the way, the hidden sibling and the folder itself can all be made.

    Refused: a file or anything but a folder on the way (a symbolic link to a folder is fine), a
    folder to write in that cannot be written in or looked into, a name over the file system's
    limit (for ``folder`` itself: with the hidden sibling's ``.`` and ``.partial-XXXXXXXX``
    added), and a path that leaves too little room for the files the run writes.
    """
    existing, status, missing = _nearest_existing(folder)
    if existing != folder:
        if stat.S_ISREG(status.st_mode):
            raise _refuse(folder, f"{existing} is a file, not a folder")
        if not os.path.isdir(existing):
            kind = "a symbolic link to nothing" if stat.S_ISLNK(status.st_mode) else "not a regular folder"
            raise _refuse(folder, f"{existing} is not a folder ({kind})")
    writable = existing if existing != folder else folder.parent
    if not os.access(writable, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        raise _refuse(folder, f"cannot create folders or files in {writable} (no permission)")
    name_max = _limit(writable, "PC_NAME_MAX", 255)
    for path in reversed(missing[1:]):
        size = len(os.fsencode(path.name))
        if size > name_max:
            raise _refuse(folder, f"the folder name {path.name!r} on the way is too long: {size} bytes, over this "
                                  f"file system's limit of {name_max} bytes a name")
    sibling = f".{folder.name}.partial-" + "X" * RANDOM_CHARS
    size, longest = len(os.fsencode(folder.name)), name_max - (len(os.fsencode(sibling)) - len(os.fsencode(folder.name)))
    if size > longest:
        raise _refuse(folder, f"its name is too long: {size} bytes; the hidden folder written beside it first "
                              f"(.NAME.partial-{'X' * RANDOM_CHARS}) would be over this file system's limit of {name_max} "
                              f"bytes a name; use a name of at most {longest} bytes")
    path_max = _limit(writable, "PC_PATH_MAX", 4096)
    if len(os.fsencode(folder.parent / sibling)) + PATH_ROOM > path_max:
        raise _refuse(folder, f"the path is too long: it leaves less than {PATH_ROOM} of this file system's "
                              f"{path_max} bytes a path for the files written inside it")
    if existing == folder and stat.S_ISDIR(status.st_mode) and not os.access(folder, os.R_OK | os.X_OK):
        raise _refuse(folder, "it cannot be read (no permission), so hkasean cannot check what it holds")


def check_output_target(folder: str | os.PathLike[str], command: str = RUN) -> None:
    """Raise ``InputError`` unless ``folder`` may be (created or) replaced by the output of ``command``.

    Allowed: a folder that does not exist and can be made (the whole path is checked, see the
    module docstring), an empty folder, or a folder holding exactly what its ``.hkasean-output``
    marker lists, unchanged, written by the same ``command`` (``run`` or ``codebook suggest``).
    """
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")
    folder = Path(os.path.abspath(folder))
    _refuse_place(folder)
    _check_path(folder)
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise _refuse(folder, "it exists and is not a folder")
    if next(folder.iterdir(), None) is not None:
        _suite_contents(folder)
        _check_command(folder, command)


def _write_marker(folder: Path, command: str) -> None:
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


def _discard_previous(folder: Path) -> None:
    """Delete the previous output folder (moved aside to ``folder``) if it is still only what the suite wrote.

    Its verified files are unlinked one by one and its folders removed with ``rmdir``, which fails
    on anything that arrived meanwhile; then, or if the check fails, the folder is kept with a warning.
    """
    try:
        if any(folder.iterdir()):
            files, folders = _suite_contents(folder)
            for path in files:
                path.unlink()
            (folder / MARKER).unlink()
            for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
                path.rmdir()
        folder.rmdir()
    except (InputError, OSError) as problem:
        LOG.warning("the previous output folder was kept as %s: %s", folder, problem)


def _new_folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _give_mode(root: Path, mode: int, gid: int | None) -> None:
    """Give ``root`` and every folder in it ``mode``, narrow every file's mode by it; group ``gid`` where allowed.

    Bottom up, so that a mode without the owner's read or search bit cannot lock the walk out.
    """
    for base, dirnames, filenames in os.walk(root, topdown=False):
        entries = [(Path(base, n), False) for n in filenames] + [(Path(base, n), True) for n in dirnames]
        if Path(base) == root:
            entries.append((root, True))
        for path, is_folder in entries:
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                continue
            if gid is not None and status.st_gid != gid:
                try:
                    os.chown(path, -1, gid)
                except OSError:
                    gid = None  # not a group of this user: the group stays the default one
            os.chmod(path, mode if is_folder else stat.S_IMODE(status.st_mode) & mode & 0o777)


def _claim(partial: Path, command: str, final: Path) -> int:
    """Create the partial folder's marker, locked (``flock``) before it says whose it is; the open descriptor."""
    fd = os.open(partial / PARTIAL_MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        about = {"written_by": "hkasean", "pid": os.getpid(), "host": socket.gethostname(), "command": command,
                 "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "final": str(final)}
        os.write(fd, (json.dumps(about, sort_keys=True) + "\n").encode("utf-8"))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process (PermissionError) or cannot tell: alive for all we know
    return True


def _dead_writer(partial: Path) -> tuple[int, dict] | None:
    """The locked marker descriptor and what it says if ``partial`` is provably a dead run's partial folder; else None."""
    marker = partial / PARTIAL_MARKER
    try:
        fd = os.open(marker, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.geteuid() or status.st_size > 65536:
            raise ValueError("not our marker")
        try:
            about = json.loads(os.read(fd, 65536).decode("utf-8"))
        except RecursionError:
            raise ValueError("not our marker: JSON nested too deep") from None
        pid = about["pid"]
        if about.get("written_by") != "hkasean" or about.get("host") != socket.gethostname() \
                or not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            raise ValueError("not ours, or another host's")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while the writer lives: it holds the lock
        again = os.lstat(marker)
        if os.fstat(fd).st_nlink == 0 or (again.st_dev, again.st_ino) != (status.st_dev, status.st_ino):
            raise ValueError("finished meanwhile")  # the writer unlinks the marker before it lets go of the folder
        if _running(pid):
            raise ValueError("its process runs (or the PID was reused)")
        return fd, about
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        os.close(fd)
        return None


def remove_dead_partials(final: str | os.PathLike[str]) -> list[Path]:
    """Delete the partial folders (``.<name>.partial-*`` beside ``final``) that dead runs left; the ones deleted.

    Only a real folder owned by this user whose ``.hkasean-partial`` marker names hkasean, this
    host and a PID that no longer runs, and whose lock (held by a live writer) is free, is deleted.
    """
    final = Path(os.path.abspath(final))
    prefix = f".{final.name}.partial-"
    removed: list[Path] = []
    try:
        candidates = sorted(entry.path for entry in os.scandir(final.parent) if entry.name.startswith(prefix))
    except OSError:
        return removed
    for candidate in map(Path, candidates):
        try:
            status = candidate.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.geteuid():
            continue
        dead = _dead_writer(candidate)
        if dead is None:
            continue
        fd, about = dead
        try:
            shutil.rmtree(candidate)
            removed.append(candidate)
            LOG.info("removed %s: the partial output folder of a run that ended without finishing "
                     "(pid %s on %s, started %s)", candidate, about.get("pid"), about.get("host"), about.get("started"))
        except OSError as problem:
            LOG.warning("could not remove %s, the partial output folder of a run that ended without finishing: %s",
                        candidate, problem)
        finally:
            os.close(fd)
    return removed


class OutputFolder:
    """Context manager: ``with OutputFolder(out) as folder: folder.table(df, "agreement")``.

    ``InputError`` on entering if ``out`` must not be replaced by ``command``'s output
    (``check_output_target``); the check is repeated just before the finished folder is moved into
    place, and if it fails then, the finished folder is kept under its hidden name (the error says
    where; it loses its partial marker, so no later run deletes it). Entering also deletes the
    partial folders dead runs left for ``out`` (``remove_dead_partials``).
    """

    def __init__(self, final: str | os.PathLike[str], command: str = RUN) -> None:
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")
        self.final = Path(os.path.abspath(final))
        self.command = command
        self.path: Path | None = None
        self._lock: int | None = None

    def __enter__(self) -> "OutputFolder":
        check_output_target(self.final, self.command)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        remove_dead_partials(self.final)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.final.parent))  # 0700 while written
        try:
            self._lock = _claim(self.path, self.command, self.final)
            (self.path / "tables").mkdir()
            (self.path / "figures").mkdir()
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.path is not None
        try:
            if exc_type is not None:
                shutil.rmtree(self.path, ignore_errors=True)  # made by mkdtemp in __enter__: only this run wrote into it
                return
            (self.path / PARTIAL_MARKER).unlink()  # its lock stays held until the folder has its final name
            _write_marker(self.path, self.command)
            try:
                check_output_target(self.final, self.command)
            except InputError as refusal:
                raise InputError(f"{refusal}. This run's output was kept in {self.path}") from None
            try:
                previous = self.final.lstat()
                _give_mode(self.path, stat.S_IMODE(previous.st_mode), previous.st_gid)
            except FileNotFoundError:
                _give_mode(self.path, _new_folder_mode(), None)
            backup = None
            if os.path.lexists(self.final):
                backup = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old-", dir=self.final.parent))
                os.replace(self.final, backup)
            os.replace(self.path, self.final)
            if backup is not None:
                _discard_previous(backup)
        finally:
            self._release()

    @property
    def tables(self) -> Path:
        assert self.path is not None
        return self.path / "tables"

    @property
    def figures(self) -> Path:
        assert self.path is not None
        return self.path / "figures"

    def table(self, frame: pd.DataFrame, name: str) -> Path:
        """Write ``tables/<name>.csv`` (UTF-8, no index, fixed float format for stable files)."""
        path = self.tables / f"{name}.csv"
        stable_floats(frame).to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
        return path

    def figure_path(self, name: str) -> Path:
        """Where ``figures/<name>.png`` goes."""
        return self.figures / f"{name}.png"

    def file(self, name: str) -> Path:
        """A path at the folder's top level (report.html, manifest.json ...)."""
        assert self.path is not None
        return self.path / name

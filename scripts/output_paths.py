"""Where an output folder may go: the places refused outright and the whole path checked before any work.

Refused with an ``InputError`` (exit status 2): a symbolic link, the working directory or a folder
holding it, the home folder or a folder holding it, ``/``, a top-level folder (``/etc``, ``/tmp``,
``/home`` ...) and anything under a system tree (``/usr``, ``/bin``, ``/boot`` ...).

**The whole path, before any work.** Also refused is a path that cannot be written: a file (or a
symbolic link to nothing) anywhere on the way (``important.txt/sub``), a folder on the way that
cannot be looked into or written in, a name longer than the file system allows (``PC_NAME_MAX``,
usually 255 bytes) once the hidden sibling's ``.`` and ``.partial-XXXXXXXX`` are added (so at most
237 bytes), and a path too long for the files inside.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from hkasean.corpus.errors import InputError

RANDOM_CHARS = 8
"""``tempfile.mkdtemp`` adds this many characters to the hidden siblings' names."""
PATH_ROOM = 255
"""Bytes of path kept free below the hidden sibling for the files the run writes inside it."""
SYSTEM_TREES = tuple(Path(p) for p in (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr",
    "/System", "/Library", "/Applications", "/private/etc",
))
"""Folders that are the operating system's: no output folder at or under them."""
HOW_TO = "give --out a new folder name (it is created) or an empty folder"


def refusal(folder: Path, why: str) -> InputError:
    """The ``InputError`` refusing ``--out folder`` because of ``why``, saying what to give instead."""
    return InputError(f"refusing --out {folder}: {why}; {HOW_TO}")


def refuse_place(folder: Path) -> None:
    """Refuse the working directory, the home folder, ``/``, top-level and system folders (and what holds them)."""
    if os.path.islink(folder):  # False also when it cannot be looked at: check_path says why
        raise refusal(folder, "it is a symbolic link (name the real folder)")
    resolved = folder.resolve()
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise refusal(folder, "it is the working directory or holds it")
    if resolved == home or resolved in home.parents:
        raise refusal(folder, "it is your home folder or holds it")
    if len(resolved.parts) <= 2:
        raise refusal(folder, "it is / or a top-level system folder")
    if any(resolved == tree or tree in resolved.parents for tree in SYSTEM_TREES):
        raise refusal(folder, "it is in a system folder")


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
                raise refusal(folder, f"{current} cannot be looked at ({exc.strerror})") from None
        missing.append(current)
        current = current.parent


def _limit(folder: Path, name: str, default: int) -> int:
    """The file system limit ``name`` (``os.pathconf``) where ``folder`` is; ``default`` when it cannot be told."""
    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError, TypeError):
        return default


def check_path(folder: Path) -> None:
    """Refuse ``folder`` unless the folders on the way, the hidden sibling and the folder itself can all be made.

    Refused: a file or anything but a folder on the way (a symbolic link to a folder is fine), a
    folder to write in that cannot be written in or looked into, a name over the file system's
    limit (for ``folder`` itself: with the hidden sibling's ``.`` and ``.partial-XXXXXXXX``
    added), and a path that leaves too little room for the files the run writes.
    """
    existing, status, missing = _nearest_existing(folder)
    if existing != folder:
        if stat.S_ISREG(status.st_mode):
            raise refusal(folder, f"{existing} is a file, not a folder")
        if not os.path.isdir(existing):
            kind = "a symbolic link to nothing" if stat.S_ISLNK(status.st_mode) else "not a regular folder"
            raise refusal(folder, f"{existing} is not a folder ({kind})")
    writable = existing if existing != folder else folder.parent
    if not os.access(writable, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        raise refusal(folder, f"cannot create folders or files in {writable} (no permission)")
    name_max = _limit(writable, "PC_NAME_MAX", 255)
    for path in reversed(missing[1:]):
        size = len(os.fsencode(path.name))
        if size > name_max:
            raise refusal(folder, f"the folder name {path.name!r} on the way is too long: {size} bytes, over this "
                                  f"file system's limit of {name_max} bytes a name")
    sibling = f".{folder.name}.partial-" + "X" * RANDOM_CHARS
    size, longest = len(os.fsencode(folder.name)), name_max - (len(os.fsencode(sibling)) - len(os.fsencode(folder.name)))
    if size > longest:
        raise refusal(folder, f"its name is too long: {size} bytes; the hidden folder written beside it first "
                              f"(.NAME.partial-{'X' * RANDOM_CHARS}) would be over this file system's limit of {name_max} "
                              f"bytes a name; use a name of at most {longest} bytes")
    path_max = _limit(writable, "PC_PATH_MAX", 4096)
    if len(os.fsencode(folder.parent / sibling)) + PATH_ROOM > path_max:
        raise refusal(folder, f"the path is too long: it leaves less than {PATH_ROOM} of this file system's "
                              f"{path_max} bytes a path for the files written inside it")
    if existing == folder and stat.S_ISDIR(status.st_mode) and not os.access(folder, os.R_OK | os.X_OK):
        raise refusal(folder, "it cannot be read (no permission), so hkasean cannot check what it holds")

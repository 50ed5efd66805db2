"""The modes of a finished output folder, given just before it is moved into place.

The hidden sibling is private (0700) while it is written. A folder that replaces an earlier one
gets that folder's mode (and group, where the user may set it) for itself and every sub-folder, and
each file's mode is narrowed by it (0700 gives 0600 files, 0750 gives 0640); a new folder gets the
ordinary mode of a new folder (0777 less the umask).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


def new_folder_mode() -> int:
    """The mode a new folder gets: 0777 less the umask (read without changing it for good)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def give_mode(root: Path, mode: int, gid: int | None) -> None:
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

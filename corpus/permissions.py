"""Permissions of files made through ``tempfile`` and then renamed into place for the user.

``mkstemp`` and ``mkdtemp`` create private entries (0600 / 0700) whatever the umask; an export or
an output folder renamed from one would stay unreadable to colleagues and web servers. These give
them the mode an ordinary ``open`` or ``mkdir`` would have given under the current umask.
"""
from __future__ import annotations

import os


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_like_new_file(path: str | os.PathLike[str]) -> None:
    """Give ``path`` the mode of a newly created file (0666 minus the umask)."""
    os.chmod(path, 0o666 & ~_umask())


def make_like_new_folder(path: str | os.PathLike[str]) -> None:
    """Give the folder ``path`` the mode of a newly created folder (0777 minus the umask)."""
    os.chmod(path, 0o777 & ~_umask())

"""Partial output folders: claimed by their writer, and deleted only when provably a dead run's.

The hidden sibling ``.<name>.partial-XXXXXXXX`` an output folder is written in holds
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
import fcntl
import json
import logging
import os
import shutil
import socket
import stat
from pathlib import Path

PARTIAL_MARKER = ".hkasean-partial"
"""In a partial (hidden, being written) output folder: who writes it, locked by the writer."""
LOG = logging.getLogger(__name__)


def claim_partial(partial: Path, command: str, final: Path) -> int:
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
    """Whether process ``pid`` may be running (True when it cannot be told)."""
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

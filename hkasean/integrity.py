"""Signed pickles: a pickle is only ever loaded after its HMAC tag, keyed with a per-user secret, checks.

The stage cache (``scripts.stage_cache``) and saved models (``models.base.ZooModel.save``) write
joblib payloads as ``MAGIC + tag + payload``; the tag is HMAC-SHA256 over a label (what the file
is for, e.g. the stage name and key) and every payload byte. Reading checks the tag on the bytes
in memory before anything is unpickled, so a planted or edited file never runs code.

JSON records (the processed-corpus sidecars of the stage cache) are signed the same way without
pickling: ``sign_record`` adds an HMAC over the record's canonical JSON, ``verify_record`` checks
it. ``signed_file_verifies`` checks a signed file through an open descriptor (clean-up deletes
only files that verify: files the suite wrote under this key).

The secret is 32 random bytes in a key file (mode 0600, created race-free); a key file that is a
symbolic link, someone else's, readable by others, not a regular file or of the wrong size raises
``UnsafeKeyError``, whose message names the key file. This module imports nothing of the suite.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import stat
from pathlib import Path
from typing import IO, Any, Iterable

import joblib

KEY_SIZE = 32
TAG_SIZE = hashlib.sha256().digest_size
BLOCK = 1 << 20
CACHE_KEY_NAME = ".hkasean-cache-key"
"""The key file of a cache folder (the stage cache and the processed-corpus folders inside it)."""
SIGNATURE_FIELD = "hmac_sha256"
"""The field of a signed JSON record holding its tag (hex)."""


class UnsafeKeyError(OSError):
    """The key file cannot be trusted (a link, someone else's, readable by others, wrong size)."""


class IntegrityError(ValueError):
    """A signed file is not one, or its tag does not check (changed, or signed with another key)."""


def read_key(path: str | os.PathLike[str]) -> bytes:
    """The secret in the key file ``path``, created on first use (0600, 32 random bytes).

    Creation is race-free: the key is written to a new private file (``O_CREAT | O_EXCL``, 0600)
    that is then hard-linked to its name, so concurrent processes agree on one complete key.
    Raises ``UnsafeKeyError`` when the existing key file must not be trusted.
    """
    path = Path(path)
    if not os.path.lexists(path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}-{os.getpid()}-{os.urandom(6).hex()}")
        try:
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot create the key file {path} ({exc.strerror})") from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(os.urandom(KEY_SIZE))
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made the key first: use theirs
        finally:
            draft.unlink(missing_ok=True)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise UnsafeKeyError(f"cannot open the key file {path} ({exc.strerror}; a symbolic link is refused)") from None
    try:
        info = os.fstat(fd)  # checked on the descriptor before reading: a folder or a pipe is never read
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeKeyError(f"the key file {path} is not a regular file (delete it to make a new one)")
        if info.st_uid != os.geteuid():
            raise UnsafeKeyError(f"the key file {path} belongs to another user")
        if info.st_mode & 0o077:
            raise UnsafeKeyError(f"the key file {path} is readable by others (run `chmod 600 {path}`, or delete it)")
        secret = os.pread(fd, KEY_SIZE + 1, 0)
    except UnsafeKeyError:
        raise
    except OSError as exc:
        raise UnsafeKeyError(f"cannot read the key file {path} ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(secret) != KEY_SIZE:
        raise UnsafeKeyError(f"the key file {path} does not hold a {KEY_SIZE}-byte key (delete it to make a new one)")
    return secret


def signature(secret: bytes, magic: bytes, label: bytes, chunks: Iterable[bytes]) -> bytes:
    """HMAC-SHA256 over ``magic``, ``label`` and the payload ``chunks``."""
    mac = hmac.new(secret, magic + label + b"\n", hashlib.sha256)
    for chunk in chunks:
        mac.update(chunk)
    return mac.digest()


def dump_signed(obj: Any, handle: IO[bytes], secret: bytes, magic: bytes, label: bytes) -> None:
    """Write ``obj`` as ``magic + tag + joblib payload`` to ``handle`` (opened ``w+b``, at its start)."""
    handle.write(magic + bytes(TAG_SIZE))
    joblib.dump(obj, handle)
    handle.flush()
    handle.seek(len(magic) + TAG_SIZE)
    tag = signature(secret, magic, label, iter(lambda: handle.read(BLOCK), b""))
    handle.seek(len(magic))
    handle.write(tag)


def load_signed(data: bytes, secret: bytes, magic: bytes, label: bytes) -> Any:
    """The object in ``data`` (the bytes of a file written by ``dump_signed``), unpickled only after its tag checks.

    Raises ``IntegrityError`` when ``data`` is not a signed file of this kind or its tag does not check.
    """
    if not data.startswith(magic) or len(data) < len(magic) + TAG_SIZE:
        raise IntegrityError("not a signed hkasean file")
    tag, payload = data[len(magic):len(magic) + TAG_SIZE], data[len(magic) + TAG_SIZE:]
    if not hmac.compare_digest(tag, signature(secret, magic, label, [payload])):
        raise IntegrityError("integrity check failed: the file was changed or signed with another key")
    return joblib.load(io.BytesIO(payload))  # verified bytes only


def signed_file_verifies(fd: int, secret: bytes, magic: bytes, label: bytes) -> bool:
    """Whether the open file ``fd`` is a file ``dump_signed`` wrote with ``secret`` for ``label``, unchanged.

    Streams the file with positioned reads (no shared offset moves); nothing is unpickled.
    """
    header = os.pread(fd, len(magic) + TAG_SIZE, 0)
    if len(header) != len(magic) + TAG_SIZE or not header.startswith(magic):
        return False

    def payload() -> Iterable[bytes]:
        position = len(header)
        while block := os.pread(fd, BLOCK, position):
            position += len(block)
            yield block

    return hmac.compare_digest(header[len(magic):], signature(secret, magic, label, payload()))


def _canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_record(record: dict, secret: bytes, magic: bytes, label: bytes) -> dict:
    """``record`` as JSON reads it back (string keys), plus ``SIGNATURE_FIELD``: HMAC-SHA256 of its canonical JSON.

    Write the result with any JSON encoder; ``verify_record`` on what is read back checks it.
    """
    if SIGNATURE_FIELD in record:
        raise ValueError(f"a record to sign may not hold {SIGNATURE_FIELD!r}")
    normal = json.loads(_canonical(record))
    return {**normal, SIGNATURE_FIELD: signature(secret, magic, label, [_canonical(normal)]).hex()}


def verify_record(record: Any, secret: bytes, magic: bytes, label: bytes) -> dict:
    """The record ``sign_record`` signed (without its tag); ``IntegrityError`` if it is unsigned or its tag does not check."""
    if not isinstance(record, dict) or not isinstance(record.get(SIGNATURE_FIELD), str):
        raise IntegrityError("not signed (written by an older version, or not by hkasean)")
    body = {name: value for name, value in record.items() if name != SIGNATURE_FIELD}
    expected = signature(secret, magic, label, [_canonical(body)]).hex()
    if not hmac.compare_digest(record[SIGNATURE_FIELD].encode("utf-8"), expected.encode("ascii")):
        raise IntegrityError("integrity check failed: the file was changed or signed with another key")
    return body

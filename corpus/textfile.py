"""Reading user files safely: one implementation for every loader (JSONL, CSV, YAML).

- ``iter_lines``/``read_text``: UTF-8 text, a leading UTF-8 BOM accepted and dropped, and bytes
  that are not UTF-8 reported as ``file:line N`` with the byte's value and offset (no
  ``UnicodeDecodeError`` traceback);
- ``iter_csv_rows``: CSV rows with the line each ends on; a malformed row or an over-long cell is an
  ``InputError`` naming the line;
- ``load_yaml``: YAML through a ``SafeLoader`` that refuses anchors/aliases expanding to more than
  ``MAX_YAML_NODES`` values ("billion laughs") or to more than ``MAX_YAML_CHARS`` characters (one long
  string aliased many times: a "string bomb") while the document is composed, before any Python value
  is built; a file too large to hold that few characters is refused before it is read.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hkasean.corpus.errors import InputError

BOM = "\ufeff"
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # what ``surrogateescape`` makes of a byte that is not UTF-8
MAX_YAML_NODES = 100_000
"""Most values (scalars, lists, mappings) a YAML input may hold once its aliases are expanded."""
MAX_YAML_CHARS = 10_000_000
"""Most characters the scalars (keys and values) of a YAML input may hold once its aliases are expanded:
a codebook or a config is a few kilobytes; a 1 MB string aliased 99,000 times (under ``MAX_YAML_NODES``)
would be 99 GB once a loader joins or copies it."""
MAX_YAML_BYTES = 4 * MAX_YAML_CHARS
"""Largest YAML file read at all (UTF-8 takes at most 4 bytes a character)."""


def iter_lines(path: str | os.PathLike[str]) -> Iterator[str]:
    """The lines of a UTF-8 text file, line endings kept (``\\n``, ``\\r\\n`` or ``\\r``), BOM dropped.

    Streams the file. Raises ``InputError`` naming ``path:line N``, the byte and its offset in the
    file when a byte sequence is not UTF-8, and when the file cannot be read at all.
    """
    path = Path(path)
    try:
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            for line_no, line in enumerate(handle, start=1):
                bad = _BAD_BYTE.search(line)
                if bad is not None:
                    raise _not_utf8(path, line_no, line, bad.start())
                yield line[1:] if line_no == 1 and line.startswith(BOM) else line
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """The whole of a UTF-8 text file (see ``iter_lines``: BOM dropped, bad bytes reported)."""
    return "".join(iter_lines(path))


def _not_utf8(path: Path, line_no: int, line: str, column: int) -> InputError:
    """The error for a byte that is not UTF-8 at character ``column`` of line ``line_no``."""
    in_line = len(line[:column].encode("utf-8", "surrogateescape"))
    offset = in_line
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        for _, before in zip(range(line_no - 1), handle):
            offset += len(before.encode("utf-8", "surrogateescape"))
    byte = ord(line[column]) - 0xDC00
    return InputError(
        f"not valid UTF-8: byte 0x{byte:02X} at byte offset {offset} of the file (byte {in_line + 1} of the line); "
        "expected UTF-8 text (save the file as UTF-8; a UTF-8 BOM is fine)",
        path=path, where=f"line {line_no}",
    )


def iter_csv_rows(path: str | os.PathLike[str]) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` for each CSV record of a UTF-8 file; ``line`` is the line the record ends on
    (the header is line 1). A record the ``csv`` module cannot read (a cell over its limit of
    ``csv.field_size_limit()`` characters, a NUL byte) is an ``InputError`` naming the line."""
    reader = csv.reader(iter_lines(path))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                f"not readable as CSV ({exc}); a cell may hold at most {csv.field_size_limit():,} characters",
                path=path, where=f"line {reader.line_num}",
            ) from None
        yield reader.line_num, row


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """The YAML document of a UTF-8 file as plain Python values (``SafeLoader`` types only).

    Raises ``InputError`` naming the file and line for bad bytes (see ``iter_lines``), invalid
    YAML, nesting too deep to read, aliases that would expand past ``MAX_YAML_NODES`` values or
    ``MAX_YAML_CHARS`` characters or refer to themselves, and a file over ``MAX_YAML_BYTES``.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_text reports a file that cannot be read
    if size > MAX_YAML_BYTES:
        raise InputError(f"file of {size:,} bytes; a YAML input may hold at most {MAX_YAML_CHARS:,} characters "
                         "(a codebook or a config is a few kilobytes)", path=path)
    loader = _GuardedLoader(read_text(path))
    try:
        return loader.get_single_data()
    except _AliasBomb as exc:
        raise InputError(str(exc), path=path, where=f"line {exc.line}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})", path=path, where=where) from None
    except RecursionError:
        raise InputError("YAML nested too deeply to read", path=path) from None
    finally:
        loader.dispose()


class _AliasBomb(Exception):
    """Aliases that expand too far (or a document too large); ``line`` is where (1-based)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _GuardedLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that weighs every composed node by its size with aliases expanded: values
    (scalars, lists, mappings) and characters of its scalars.

    Composition shares an aliased node instead of copying it, so weighing is cheap: each node's
    weight is the sum of its children's, counted once. A node heavier than ``MAX_YAML_NODES`` values
    or ``MAX_YAML_CHARS`` characters, or an alias to a node still being composed (a recursive
    structure), stops loading before construction.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._weights: dict[int, tuple[int, int]] = {}
        self._aliased = False

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose as usual, then weigh the node (an alias refers to an already weighed one)."""
        is_alias = self.check_event(yaml.AliasEvent)
        line = self.peek_event().start_mark.line + 1
        node = super().compose_node(parent, index)
        self._aliased = self._aliased or is_alias
        if id(node) not in self._weights:
            if is_alias:
                raise _AliasBomb("an alias refers to the value that contains it (a recursive structure); "
                                 "expected plain values (anchors & and aliases * only for small repeats)", line)
            children = [self._weights[id(child)] for child in _children(node)]
            own = len(node.value) if isinstance(node, ScalarNode) else 0
            self._weights[id(node)] = (1 + sum(n for n, _ in children), own + sum(c for _, c in children))
        values, chars = self._weights[id(node)]
        if values > MAX_YAML_NODES or chars > MAX_YAML_CHARS:
            size = f"{MAX_YAML_NODES:,} values" if values > MAX_YAML_NODES else f"{MAX_YAML_CHARS:,} characters"
            if self._aliased:
                raise _AliasBomb(f"YAML aliases (*) expand to more than {size}; expected plain values "
                                 "(anchors & and aliases * only for small repeats)", line)
            raise _AliasBomb(f"the YAML holds more than {size}; expected a small file of settings "
                             "(a codebook or a config is a few kilobytes)", line)
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return []

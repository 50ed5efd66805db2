"""The scratch file of the text processing (``models.text``): every unit's clauses on disk, written by the
tokenising pass and re-read (or rewritten) by each collocation pass and the cleaning pass."""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator


class ClauseFile:
    """Every unit's clauses on disk, one unit per line (clauses separated by a tab, tokens by a space).

    Written once, part after part (``write``); ``parts(n)`` cuts it into ``ClauseRange`` s of about n
    units each (byte ranges, so a worker process reads only its own lines).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_starts = array("q", [0])

    @staticmethod
    def line(clauses: list[list[str]]) -> bytes:
        """One unit's line."""
        return ("\t".join(" ".join(clause) for clause in clauses) + "\n").encode("utf-8")

    def write(self, handle: BinaryIO, lines: list[bytes]) -> None:
        """Append the lines of some units to the open file ``handle``."""
        for line in lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        handle.write(b"".join(lines))

    def parts(self, units: int) -> list["ClauseRange"]:
        """The file in consecutive ranges of ``units`` units (the last may be shorter)."""
        n_units = len(self.line_starts) - 1
        return [ClauseRange(self.path, self.line_starts[i], self.line_starts[min(i + units, n_units)])
                for i in range(0, n_units, units)]


@dataclass(frozen=True)
class ClauseRange:
    """Some consecutive units of a ``ClauseFile`` (bytes ``start`` to ``end``): ``units()`` yields each
    unit's clauses; iterating yields the clauses of all of them (re-iterable)."""

    path: Path
    start: int
    end: int

    def units(self) -> Iterator[list[list[str]]]:
        """The clauses of each unit, in order."""
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            text = handle.read(self.end - self.start).decode("utf-8")
        for line in text.split("\n")[:-1]:
            yield [clause.split(" ") for clause in line.split("\t")] if line else []

    def __iter__(self) -> Iterator[list[str]]:
        return (clause for unit in self.units() for clause in unit)

"""The manual coding: loading and validating the coders' CSV, and deriving the standard."""
from __future__ import annotations

import os
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hkasean.corpus.errors import InputError
from hkasean.corpus.textfile import iter_csv_rows

GOLD = "gold"
"""The coder name of the adjudicated standard."""
ID_COLUMNS = ("doc_id", "coder")
_SHOWN = 5  # how many offending doc ids an error message lists


@dataclass(frozen=True)
class Coding:
    """Manual 0/1 theme decisions of any number of coders.

    ``long``: DataFrame[doc_id, coder, theme, value (0/1 int)], one row per coded decision.
    ``coders``: coder names in order of first appearance; ``theme_ids``: codebook order.
    """

    long: pd.DataFrame
    coders: tuple[str, ...]
    theme_ids: tuple[str, ...]
    path: str = ""

    @property
    def independent_coders(self) -> tuple[str, ...]:
        """The coders other than ``gold`` (the ones inter-coder reliability is computed among)."""
        return tuple(c for c in self.coders if c != GOLD)

    @property
    def standard_name(self) -> str:
        """``"gold"`` when a gold coder is present, else ``"majority"``."""
        return GOLD if GOLD in self.coders else "majority"

    def wide(self, coder: str) -> pd.DataFrame:
        """One coder's decisions: index doc_id (that coder's documents, sorted), columns theme ids, 0/1 ints."""
        if coder not in self.coders:
            raise KeyError(f"no coder {coder!r}; coders are {', '.join(self.coders)}")
        rows = self.long[self.long["coder"] == coder]
        table = rows.pivot(index="doc_id", columns="theme", values="value")
        return table.reindex(columns=list(self.theme_ids)).sort_index().astype(int).rename_axis(columns=None)

    def standard(self) -> pd.DataFrame:
        """The standard models are scored against: index doc_id (sorted), columns theme ids, 0/1 ints.

        The ``gold`` coder when present; otherwise, per document and theme, the majority of the
        coders who coded that document. A tie (e.g. one of two coders says 1) counts as 0, the
        theme not being *clearly* expressed; ties are counted in a warning.
        """
        if GOLD in self.coders:
            return self.wide(GOLD)
        grouped = self.long.groupby(["doc_id", "theme"])["value"]
        ones = grouped.sum()
        votes = grouped.count()
        ties = int((2 * ones == votes).sum())
        if ties:
            warnings.warn(
                f"majority standard: {ties} tied document-theme decisions counted as 0 (theme absent)",
                stacklevel=2,
            )
        majority = (2 * ones > votes).astype(int).rename("value").reset_index()
        table = majority.pivot(index="doc_id", columns="theme", values="value")
        return table.reindex(columns=list(self.theme_ids)).sort_index().astype(int).rename_axis(columns=None)

    def as_doc_themes(self, source: str = GOLD) -> pd.DataFrame:
        """Decisions in the models' tidy shape: DataFrame[doc_id, model, theme, score, present].

        ``source="gold"`` gives the standard (model = ``standard_name``, i.e. the majority when
        there is no gold coder); a coder name gives that coder (model = ``"human:<coder>"``).
        ``score`` is the 0/1 decision as a float, ``present`` the same as an int.
        """
        if source == GOLD:
            table, model = self.standard(), self.standard_name
        else:
            table, model = self.wide(source), f"human:{source}"
        long = table.rename_axis(index="doc_id", columns="theme").stack().rename("present").reset_index()
        long["present"] = long["present"].astype(int)
        long["score"] = long["present"].astype(float)
        long["model"] = model
        return long[["doc_id", "model", "theme", "score", "present"]]


def load_coding(
    path: str | os.PathLike[str],
    theme_ids: Sequence[str],
    doc_ids: Collection[str] | None = None,
) -> Coding:
    """Load a wide coding CSV ``doc_id, coder, <one 0/1 column per theme id>`` (any number of coders).

    Raises ``InputError`` naming the file, the line (as an editor shows it; the header is line 1)
    and the column for: a missing ``doc_id``/``coder`` column, a column that is not a theme id, a
    codebook theme without a column, an empty doc_id or coder, a value other than 0/1 (empty cells
    included), a repeated (doc_id, coder) pair, documents absent from ``doc_ids`` (when given), bytes
    that are not UTF-8 and unreadable CSV such as an over-long cell. A UTF-8 BOM is fine.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("coding file not found", path=path)
    rows = iter_csv_rows(path)
    header = [name.strip() for name in next(rows, (1, []))[1]]
    theme_columns = _check_header(header, theme_ids, path)
    records: list[tuple[str, str, str, int]] = []
    first_line: dict[tuple[str, str], int] = {}
    unknown_docs: dict[str, int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} cells (as in the header), got {len(row)}", path=path, where=f"line {line}"
            )
        cells = dict(zip(header, (cell.strip() for cell in row)))
        doc_id, coder = cells["doc_id"], cells["coder"]
        for column in ID_COLUMNS:
            if not cells[column]:
                raise InputError(f"column '{column}': empty, expected a value", path=path, where=f"line {line}")
        if (doc_id, coder) in first_line:
            raise InputError(
                f"columns 'doc_id', 'coder': ({doc_id}, {coder}) already coded on line {first_line[doc_id, coder]}",
                path=path,
                where=f"line {line}",
            )
        first_line[doc_id, coder] = line
        if doc_ids is not None and doc_id not in doc_ids:
            unknown_docs.setdefault(doc_id, line)
        for theme in theme_columns:
            value = cells[theme]
            if value not in ("0", "1"):
                raise InputError(
                    f"column '{theme}': expected 0 or 1, got {value!r}", path=path, where=f"line {line}"
                )
            records.append((doc_id, coder, theme, int(value)))
    if unknown_docs:
        shown = ", ".join(f"{doc} (line {line})" for doc, line in list(unknown_docs.items())[:_SHOWN])
        more = f" and {len(unknown_docs) - _SHOWN} more" if len(unknown_docs) > _SHOWN else ""
        raise InputError(
            f"column 'doc_id': {len(unknown_docs)} document(s) not in the corpus: {shown}{more}", path=path
        )
    if not records:
        raise InputError("no coded rows below the header", path=path)
    long = pd.DataFrame(records, columns=["doc_id", "coder", "theme", "value"])
    coders = tuple(dict.fromkeys(coder for _, coder in first_line))
    return Coding(long=long, coders=coders, theme_ids=tuple(theme_ids), path=str(path))


def _check_header(header: list[str], theme_ids: Sequence[str], path: Path) -> list[str]:
    """The theme columns of a valid header, in codebook order; ``InputError`` otherwise."""
    for column in ID_COLUMNS:
        if column not in header:
            raise InputError(
                f"missing column '{column}'; expected columns doc_id, coder, {', '.join(theme_ids)}",
                path=path,
                where="line 1",
            )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise InputError(f"column(s) {', '.join(duplicated)} appear twice", path=path, where="line 1")
    for position, name in enumerate(header, start=1):
        if name not in ID_COLUMNS and name not in theme_ids:
            raise InputError(
                f"column {position} '{name}' is not a theme id; known theme ids: {', '.join(theme_ids)}",
                path=path,
                where="line 1",
            )
    missing = [theme for theme in theme_ids if theme not in header]
    if missing:
        raise InputError(
            f"codebook theme(s) without a column: {', '.join(missing)}", path=path, where="line 1"
        )
    return list(theme_ids)

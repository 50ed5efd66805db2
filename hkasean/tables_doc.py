"""``docs/tables.md``, generated from ``hkasean.contract``: every table and figure a run produces.

Regenerate it after changing the contract::

    .venv/bin/python -m hkasean.tables_doc > docs/tables.md

``tests/test_docs.py`` fails while the file and the contract disagree.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from hkasean import contract

REGENERATE = ".venv/bin/python -m hkasean.tables_doc > docs/tables.md"
"""The command that rewrites ``docs/tables.md`` from the contract."""

TABLE_HEADER = ("table", "stage", "columns", "what it holds")
FIGURE_HEADER = ("figure", "stage", "what it shows")

_INTRO = f"""\
# Every table and figure

<!-- Generated from hkasean/contract.py by `{REGENERATE}`: edit the contract, not this file. -->

`hkasean/contract.py` declares every table a run writes (`tables/<name>.csv`, columns in this order)
and every figure (`figures/<name>.png`). The stages, the report and the tests read their names and
columns from there, and a run whose table differs from its declaration stops with a `ContractError`
(a bug, never your input). This page is generated from those declarations
(`{REGENERATE}`), and a test fails while the two disagree. How to read the main tables:
[reading-results.md](reading-results.md)."""


def _cell(text: str) -> str:
    """Text made safe for one cell of a markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def _markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A markdown table: the header line, its rule and one line per row."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _table_rows(specs: Iterable[contract.TableSpec]) -> list[tuple[str, str, str, str]]:
    """One row per table: name, stage, columns and meaning (plus the columns a reader needs, when fewer)."""
    rows = []
    for spec in specs:
        meaning = spec.meaning
        if spec.required != spec.columns:
            meaning += f" (a reader of this shape needs only: {', '.join(spec.required)})"
        rows.append((f"`{spec.name}`", spec.stage, ", ".join(spec.columns), meaning))
    return rows


def tables_markdown() -> str:
    """The markdown of ``docs/tables.md``: every table and figure of ``hkasean.contract``, in declaration order.

    Written tables first (``tables/<name>.csv``), then the figures in the order the report shows them,
    then the shapes passed between stages without being written, then the columns of the trade CSV
    that ``hkasean trade fetch`` writes.
    """
    unwritten = [spec for spec in contract.TABLES.values() if not spec.written]
    figures = [(f"`{spec.name}`", spec.stage, spec.caption) for spec in contract.FIGURES.values()]
    lines = [
        _INTRO, "",
        "## Tables", "",
        *_markdown_table(TABLE_HEADER, _table_rows(contract.WRITTEN_TABLES.values())), "",
        "## Figures", "",
        *_markdown_table(FIGURE_HEADER, figures), "",
        "## Shapes passed between stages (not written)", "",
        *_markdown_table(TABLE_HEADER, _table_rows(unwritten)), "",
        "## The trade CSV of `hkasean trade fetch`", "",
        "Its columns, in order: " + ", ".join(f"`{column}`" for column in contract.FETCHED_TRADE_COLUMNS)
        + f". The first {len(contract.TRADE.required)} are the columns every trade CSV has (`hkasean run --trade FILE` "
        f"reads it), `source_class` says how far the figure can be trusted, and the last "
        f"{len(contract.FETCHED_TRADE_PROVENANCE)} record where it came from (see [crawling.md](crawling.md)).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(tables_markdown(), end="")

"""The contract module: one declaration of every table and figure, mirrored in the README."""
from __future__ import annotations

import re

from hkasean import contract


def test_names_are_unique_and_required_columns_are_declared():
    assert len(contract.TABLES) == len({spec.name for spec in contract.TABLES.values()})
    for spec in contract.TABLES.values():
        assert set(spec.required) <= set(spec.columns), spec.name
        assert len(spec.columns) == len(set(spec.columns)), spec.name
        assert spec.meaning and spec.stage, spec.name
    assert all(spec.caption for spec in contract.FIGURES.values())


def _readme_rows(readme: str, header: str) -> dict[str, list[str]]:
    """Rows of the README's markdown table whose header line starts with ``header``."""
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells
    return rows


def test_readme_lists_every_table_with_its_columns(repo_root):
    rows = _readme_rows((repo_root / "README.md").read_text(), "| table | stage | columns |")
    assert set(rows) == set(contract.WRITTEN_TABLES)
    for name, cells in rows.items():
        assert re.split(r",\s*", cells[2]) == contract.WRITTEN_TABLES[name].column_list, name


def test_readme_lists_every_figure(repo_root):
    rows = _readme_rows((repo_root / "README.md").read_text(), "| figure | stage |")
    assert set(rows) == set(contract.FIGURES)

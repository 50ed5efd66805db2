"""The documentation: docs/tables.md is generated from the contract, README and docs/ link only to files that exist."""
from __future__ import annotations

import re
from pathlib import Path

from hkasean import contract
from hkasean.tables_doc import REGENERATE, tables_markdown

README_MAX_LINES = 300
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
"""A markdown link ``[text](target)``; its target is group 1."""


def _markdown_rows(text: str, header: str) -> dict[str, list[str]]:
    """Rows of every markdown table whose header line starts with ``header``: first cell (backticks off) -> cells."""
    lines = text.splitlines()
    rows = {}
    for start in (i for i, line in enumerate(lines) if line.startswith(header)):
        for line in lines[start + 2:]:
            if not line.startswith("|"):
                break
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            rows[cells[0].strip("`")] = cells
    return rows


def _documentation(repo_root: Path) -> list[Path]:
    return [repo_root / "README.md", *sorted((repo_root / "docs").glob("*.md"))]


def test_tables_doc_is_generated_from_the_contract(repo_root):
    assert (repo_root / "docs" / "tables.md").read_text(encoding="utf-8") == tables_markdown(), (
        f"docs/tables.md is out of date with hkasean/contract.py: run `{REGENERATE}`")


def test_tables_doc_lists_every_table_with_its_columns(repo_root):
    rows = _markdown_rows((repo_root / "docs" / "tables.md").read_text(encoding="utf-8"), "| table | stage | columns |")
    assert set(rows) == set(contract.TABLES)
    for name, cells in rows.items():
        assert cells[1] == contract.TABLES[name].stage, name
        assert re.split(r",\s*", cells[2]) == contract.TABLES[name].column_list, name


def test_tables_doc_lists_every_figure(repo_root):
    rows = _markdown_rows((repo_root / "docs" / "tables.md").read_text(encoding="utf-8"), "| figure | stage |")
    assert set(rows) == set(contract.FIGURES)
    for name, cells in rows.items():
        assert cells[1] == contract.FIGURES[name].stage, name


def test_every_relative_link_points_to_an_existing_file(repo_root):
    broken = []
    for page in _documentation(repo_root):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address, mailto:, or a place on the same page
            if not (page.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{page.relative_to(repo_root)}: {target}")
    assert not broken, broken


def test_readme_links_every_docs_page_and_stays_short(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    linked = {Path(target.split("#", 1)[0]).as_posix() for target in LINK.findall(readme)}
    pages = {f"docs/{page.name}" for page in (repo_root / "docs").glob("*.md")}
    assert pages <= linked, sorted(pages - linked)
    assert len(readme.splitlines()) <= README_MAX_LINES


def test_readme_shows_the_command_ci_runs(repo_root):
    """.ci/run runs exactly the README's test command: the command of its last line is in the README's quickstart."""
    ci_command = (repo_root / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1].strip()
    quickstart = (repo_root / "README.md").read_text(encoding="utf-8").split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in quickstart.splitlines()]
    assert ci_command in commands and "make run" in commands

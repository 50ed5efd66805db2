"""Render a report (sections of paragraphs, tables and figures) as self-contained HTML or Markdown."""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import pandas as pd


@dataclass(frozen=True)
class Paragraph:
    """Plain text; ``kind`` "note" or "warning" renders as a call-out."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A DataFrame shown with a caption; long tables are cut to ``max_rows`` with a note of the full CSV."""

    frame: pd.DataFrame
    caption: str
    csv_name: str = ""
    max_rows: int = 40


@dataclass(frozen=True)
class Figure:
    """A PNG in the run's figures folder."""

    path: Path
    caption: str


Block = Union[Paragraph, Table, Figure]


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)


CSS = """
:root { --fg:#1d2733; --muted:#5b6776; --line:#d8dee6; --accent:#0173b2; --warn:#de8f05; --bg:#fff; }
* { box-sizing: border-box; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 1rem 1.1rem 4rem; }
h1 { font-size: 1.7rem; margin: 1.2rem 0 .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.4rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
nav ol { columns: 2; padding-left: 1.2rem; font-size: .95rem; }
@media (max-width: 640px) { nav ol { columns: 1; } body { font-size: 15px; } }
.subtitle { color: var(--muted); margin-top: 0; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1.2rem; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f3f6f9; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .45rem .55rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: .9rem; }
.note { background: #eef6fb; border-left: 4px solid var(--accent); padding: .5rem .8rem; margin: .8rem 0; }
.warning { background: #fdf4e7; border-left: 4px solid var(--warn); padding: .5rem .8rem; margin: .8rem 0; }
.more { color: var(--muted); font-size: .85rem; padding: .3rem .55rem; }
"""


def _format_cell(value: object) -> tuple[str, bool]:
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, float)) and not pd.isna(value):
        if isinstance(value, float) and not float(value).is_integer():
            return f"{value:.3g}" if abs(value) >= 1000 else f"{value:.3f}", True
        return f"{int(value)}" if float(value).is_integer() else str(value), True
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, pd.Timestamp):
        return (value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()), False
    return str(value), False


def _html_table(table: Table) -> str:
    frame = table.frame
    shown = frame.head(table.max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            text, numeric = _format_cell(value)
            cells.append(f'<td class="num">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > len(shown):
        where = f" in <code>tables/{html.escape(table.csv_name)}.csv</code>" if table.csv_name else ""
        more = f'<div class="more">First {len(shown)} of {len(frame)} rows; all rows{where}.</div>'
    return (
        f'<div class="table-wrap"><table><caption>{html.escape(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>"
    )


def _html_figure(figure: Figure) -> str:
    data = base64.b64encode(Path(figure.path).read_bytes()).decode("ascii")
    alt = html.escape(figure.caption)
    return f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'


def render_html(title: str, subtitle: str, sections: list[Section]) -> str:
    """One self-contained HTML page: CSS inline, figures embedded as data URIs, no external requests."""
    toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    body = []
    for section in sections:
        body.append(f'<section id="{section.anchor}"><h2>{html.escape(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                css = {"note": ' class="note"', "warning": ' class="warning"'}.get(block.kind, "")
                body.append(f"<p{css}>{html.escape(block.text)}</p>")
            elif isinstance(block, Table):
                body.append(_html_table(block))
            elif isinstance(block, Figure):
                body.append(_html_figure(block))
        body.append("</section>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>{html.escape(title)}</h1><p class=\"subtitle\">{html.escape(subtitle)}</p>"
        f"<nav><ol>{toc}</ol></nav>{''.join(body)}</main></body></html>\n"
    )


_MD_SYNTAX = re.compile(r"([\\`\[\]|])")


def _md_escape(text: str) -> str:
    """``text`` safe inline in Markdown, as ``html.escape`` makes it safe in HTML.

    Document titles, codebook labels and other data can carry ``<script>`` or ``<img onerror>``,
    which Markdown renderers pass through as HTML: ``&``, ``<`` and ``>`` become entities;
    backslashes, backticks, brackets (link syntax) and pipes (table cells) are backslash-escaped;
    line breaks become spaces, so text stays inside its paragraph, caption or table cell.
    """
    return _MD_SYNTAX.sub(r"\\\1", html.escape(text, quote=False)).replace("\r", " ").replace("\n", " ")


def _md_table(table: Table) -> str:
    shown = table.frame.head(table.max_rows)
    header = "| " + " | ".join(_md_escape(str(c)) for c in shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    lines = [f"**{_md_escape(table.caption)}**", "", header, rule]
    for record in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_md_escape(_format_cell(v)[0]) for v in record) + " |")
    if len(table.frame) > len(shown):
        where = f" in `tables/{table.csv_name}.csv`" if table.csv_name else ""
        lines.append("")
        lines.append(f"_First {len(shown)} of {len(table.frame)} rows; all rows{where}._")
    return "\n".join(lines)


def render_markdown(title: str, subtitle: str, sections: list[Section], figures_relative_to: Path) -> str:
    """The same report in Markdown; figures are linked relative to the report's folder."""
    lines = [f"# {_md_escape(title)}", "", f"_{_md_escape(subtitle)}_", ""]
    lines += [f"{i}. [{_md_escape(s.title)}](#{s.anchor})" for i, s in enumerate(sections, start=1)]
    for section in sections:
        lines += ["", f'<a id="{section.anchor}"></a>', "", f"## {_md_escape(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                prefix = {"note": "> **Note.** ", "warning": "> **Caution.** "}.get(block.kind, "")
                lines += [prefix + _md_escape(block.text), ""]
            elif isinstance(block, Table):
                lines += [_md_table(block), ""]
            elif isinstance(block, Figure):
                rel = Path(block.path).resolve().relative_to(figures_relative_to.resolve())
                caption = _md_escape(block.caption)
                lines += [f"![{caption}]({rel.as_posix()})", "", f"_{caption}_", ""]
    return "\n".join(lines).rstrip() + "\n"

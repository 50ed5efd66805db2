"""Render a report (sections of paragraphs, tables and figures) as self-contained HTML or Markdown.

Text in a report (document titles, codebook labels, file names, warnings) is data, never markup,
script or terminal commands: it is escaped for HTML (``html.escape``) or Markdown (``_md_escape``)
and, in both, neutralised by ``clean_text``: C0 controls (ESC, BEL, NUL ...; not tab and line
breaks) and DEL are shown as their Unicode control pictures (ESC as U+241B), C1 controls as U+FFFD,
bidirectional controls (U+202A-U+202E overrides and embeddings, U+2066-U+2069 isolates, U+200E,
U+200F, U+061C marks) are dropped and line/paragraph separators (U+2028, U+2029) become spaces.
The rendered page is passed through ``clean_text`` once more, so none of them reaches the file.
"""
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


@dataclass(frozen=True)
class Link:
    """A link to a file next to the report (a relative path, never a URL), shown under the subtitle."""

    href: str
    text: str
    note: str = ""

    def __post_init__(self) -> None:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", self.href) or self.href.startswith(("/", "\\")):
            raise ValueError(f"a report link must be a relative path, got {self.href!r}")


Block = Union[Paragraph, Table, Figure]

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Unicode's Bidi_Control characters: they reorder the text around them (Trojan Source, spoofed names)."""
_CLEAN = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"}
_CLEAN[0x7F] = "\u2421"
_CLEAN.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_CLEAN.update({ord(char): None for char in BIDI_CONTROLS})
_CLEAN.update({0x2028: " ", 0x2029: " "})
_UNSHOWN = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_CLEAN)) + "]")
"""Any character ``_CLEAN`` changes: text without one is returned as it is (no copy of a long text)."""


def clean_text(text: str) -> str:
    """``text`` without characters a terminal, editor or browser acts on instead of showing.

    C0 controls but tab, line feed and carriage return (ESC, BEL, NUL, backspace ...) and DEL
    become their visible control pictures (U+2400-U+241F, U+2421), C1 controls (U+0080-U+009F)
    U+FFFD, bidirectional controls are removed, U+2028 and U+2029 become spaces.
    """
    return text.translate(_CLEAN) if _UNSHOWN.search(text) else text


def _h(text: object) -> str:
    """Data as HTML text: control characters neutralised, markup escaped."""
    return html.escape(clean_text(str(text)))


def _anchor(anchor: str) -> str:
    """A section anchor as a safe fragment identifier (letters, digits, ``-`` and ``_``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", anchor)


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
    head = "".join(f"<th>{_h(c)}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            text, numeric = _format_cell(value)
            cells.append(f'<td class="num">{_h(text)}</td>' if numeric else f"<td>{_h(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > len(shown):
        where = f" in <code>tables/{_h(table.csv_name)}.csv</code>" if table.csv_name else ""
        more = f'<div class="more">First {len(shown)} of {len(frame)} rows; all rows{where}.</div>'
    return (
        f'<div class="table-wrap"><table><caption>{_h(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>"
    )


def _html_figure(figure: Figure) -> str:
    data = base64.b64encode(Path(figure.path).read_bytes()).decode("ascii")
    alt = _h(figure.caption)
    return f'<figure><img src="data:image/png;base64,{data}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'


def render_html(title: str, subtitle: str, sections: list[Section], links: tuple[Link, ...] = ()) -> str:
    """One self-contained HTML page: CSS inline, figures embedded as data URIs, no external requests; ``links``
    (to files next to the report) under the subtitle."""
    toc = "".join(f'<li><a href="#{_anchor(s.anchor)}">{_h(s.title)}</a></li>' for s in sections)
    body = []
    for section in sections:
        body.append(f'<section id="{_anchor(section.anchor)}"><h2>{_h(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                css = {"note": ' class="note"', "warning": ' class="warning"'}.get(block.kind, "")
                body.append(f"<p{css}>{_h(block.text)}</p>")
            elif isinstance(block, Table):
                body.append(_html_table(block))
            elif isinstance(block, Figure):
                body.append(_html_figure(block))
        body.append("</section>")
    return clean_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_h(title)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>{_h(title)}</h1><p class=\"subtitle\">{_h(subtitle)}</p>"
        + "".join(f'<p class="note"><a href="{html.escape(link.href, quote=True)}">{_h(link.text)}</a>'
                  f'{" " + _h(link.note) if link.note else ""}</p>' for link in links)
        + f"<nav><ol>{toc}</ol></nav>{''.join(body)}</main></body></html>\n"
    )


_MD_SYNTAX = re.compile(r"([\\`\[\]|])")


def _md_escape(text: str) -> str:
    """``text`` safe inline in Markdown, as ``html.escape`` makes it safe in HTML.

    Document titles, codebook labels and other data can carry ``<script>`` or ``<img onerror>``,
    which Markdown renderers pass through as HTML: ``&``, ``<`` and ``>`` become entities;
    backslashes, backticks, brackets (link syntax) and pipes (table cells) are backslash-escaped;
    line breaks become spaces, so text stays inside its paragraph, caption or table cell; control
    characters are neutralised (``clean_text``).
    """
    return _MD_SYNTAX.sub(r"\\\1", html.escape(clean_text(text), quote=False)).replace("\r", " ").replace("\n", " ")


def _md_table(table: Table) -> str:
    shown = table.frame.head(table.max_rows)
    header = "| " + " | ".join(_md_escape(str(c)) for c in shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    lines = [f"**{_md_escape(table.caption)}**", "", header, rule]
    for record in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_md_escape(_format_cell(v)[0]) for v in record) + " |")
    if len(table.frame) > len(shown):
        where = f" in `tables/{clean_text(table.csv_name)}.csv`" if table.csv_name else ""
        lines.append("")
        lines.append(f"_First {len(shown)} of {len(table.frame)} rows; all rows{where}._")
    return "\n".join(lines)


def render_markdown(title: str, subtitle: str, sections: list[Section], figures_relative_to: Path,
                    links: tuple[Link, ...] = ()) -> str:
    """The same report in Markdown; figures are linked relative to the report's folder, ``links`` under the subtitle."""
    lines = [f"# {_md_escape(title)}", "", f"_{_md_escape(subtitle)}_", ""]
    for link in links:
        lines += [f"[{_md_escape(link.text)}]({link.href.replace(' ', '%20').replace(')', '%29')})"
                  + (f" {_md_escape(link.note)}" if link.note else ""), ""]
    lines += [f"{i}. [{_md_escape(s.title)}](#{_anchor(s.anchor)})" for i, s in enumerate(sections, start=1)]
    for section in sections:
        lines += ["", f'<a id="{_anchor(section.anchor)}"></a>', "", f"## {_md_escape(section.title)}", ""]
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
    return clean_text("\n".join(lines).rstrip() + "\n")

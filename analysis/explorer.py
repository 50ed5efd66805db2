"""``explore.html``: the run's tables as one interactive page that works offline, from ``file://``.

The page is built around the payload of ``analysis.explorer_payload`` from the template in
``analysis/data/explorer.{html,css,js}`` with plotly.js inlined once; ``read_page`` and
``page_details`` read a written page back (tests, benchmarks).

The page has four tabs: topics (an intertopic distance map and LDAvis term relevance, Sievert &
Shirley 2014), documents (a filterable, sortable, searchable list; a document's text with the
indicator phrases and the evidence highlighted), prevalence over time beside the trade series,
and the claims audit. The document list is paginated.

What is safe by construction: document text, titles and every other value are data. They enter
the page only as JSON inside ``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped,
so ``</script>`` in a title cannot close the element) or as base64 of gzip inside a
``<script type="text/plain">``, and the page's JavaScript puts them into the DOM only through
``textContent`` and created nodes. A Content-Security-Policy meta forbids every network load
(``default-src 'none'``, ``connect-src 'none'``) and lets only the page's own two inline scripts
run (by their SHA-256).
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from hkasean.analysis.explorer_payload import ExplorerInput, ExplorerPage, explorer_payload

CSP = ("default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
       "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
       "manifest-src 'none'; base-uri 'none'; form-action 'none'")
"""The page's Content-Security-Policy: nothing is fetched from anywhere; only its own inline scripts run."""


def _template(name: str) -> str:
    """The text of ``analysis/data/<name>`` (package data)."""
    return resources.files("hkasean.analysis").joinpath("data", name).read_text(encoding="utf-8")


def plotly_js() -> str:
    """plotly.js, minified, as shipped by the plotly package (inlined once in the page)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def json_for_html(data: Any) -> str:
    """``data`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` escaped as \\u
    sequences (a title holding ``</script>`` cannot end the element), no NaN."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _script_hash(script: str) -> str:
    """The CSP source that lets the inline ``script`` run: its SHA-256, base64."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


TEMPLATE_MARKERS = ("{{CSP}}", "{{TITLE}}", "{{STYLE}}", "{{DATA}}", "{{DETAILS}}", "{{PLOTLY}}", "{{APP}}")
"""The placeholders of ``data/explorer.html``, each once and in this order."""


def _template_pieces() -> list[str]:
    """The template's literal text between its markers (one more piece than markers)."""
    rest = _template("explorer.html")
    pieces = []
    for marker in TEMPLATE_MARKERS:
        if rest.count(marker) != 1:
            raise ValueError(f"the explorer template must hold {marker} exactly once")
        before, rest = rest.split(marker, 1)
        pieces.append(before)
    return pieces + [rest]


def page_parts(page: ExplorerPage, plotly: str | None = None) -> Iterator[str]:
    """The HTML of the page, piece by piece (the caller writes them one after another)."""
    plotly = plotly_js() if plotly is None else plotly
    app = _template("explorer.js")
    if "</script" in plotly.lower() or "</script" in app.lower():
        raise ValueError("an inline script holds '</script': it would end its element")
    csp = CSP.format(scripts=" ".join([_script_hash(plotly), _script_hash(app)]))
    pieces = _template_pieces()
    yield pieces[0]
    yield html.escape(csp, quote=True)
    yield pieces[1]
    yield html.escape(str(page.payload.get("title", "")), quote=True)
    yield pieces[2]
    yield _template("explorer.css")
    yield pieces[3]
    yield json_for_html(page.payload)
    yield pieces[4]
    for chunk in page.chunks:
        yield chunk + "\n"
    yield pieces[5]
    yield plotly
    yield pieces[6]
    yield app
    yield pieces[7]


def render_explorer(page: ExplorerPage, plotly: str | None = None) -> str:
    """The whole page as one string."""
    return "".join(page_parts(page, plotly))


def write_explorer(source: ExplorerInput, path: str | Path) -> Path:
    """Build the page from ``source`` and write it to ``path`` (UTF-8); return the path."""
    path = Path(path)
    page = explorer_payload(source)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for part in page_parts(page):
            handle.write(part)
    return path


# ---------------------------------------------------------------- reading a page back (tests, benchmarks)
_DATA_RE = re.compile(r'<script type="application/json" id="hk-data">(.*?)</script>', re.S)
_DETAILS_RE = re.compile(r'<script type="text/plain" id="hk-details">(.*?)</script>', re.S)


def read_page(text: str) -> ExplorerPage:
    """The payload and detail chunks of a page written by ``write_explorer`` (``ValueError`` if it holds none)."""
    data, details = _DATA_RE.search(text), _DETAILS_RE.search(text)
    if data is None or details is None:
        raise ValueError("not an hkasean explorer page")
    return ExplorerPage(payload=json.loads(data.group(1)), chunks=[c for c in details.group(1).split("\n") if c])


def page_details(page: ExplorerPage) -> dict[int, list]:
    """Document index -> ``[index, text, evidence, topics, url]``, unpacked from the detail chunks as the page does."""
    vocabulary: list[str] = []
    packed = []
    for line in page.chunks:
        raw = gzip.decompress(base64.b64decode(line[2:]))
        if line.startswith("v:"):
            vocabulary = json.loads(raw.decode("utf-8"))
        else:
            size = int.from_bytes(raw[:4], "little")
            packed.append((json.loads(raw[4:4 + size].decode("utf-8")), raw[4 + size:]))
    out: dict[int, list] = {}
    for records, stream in packed:
        ids, value, shift = [], 0, 0
        for byte in stream:
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                ids.append(value)
                value, shift = 0, 0
        position = 0
        for index, n_pieces, evidence, topics, url in records:
            text = "".join(vocabulary[k] for k in ids[position:position + n_pieces])
            position += n_pieces
            out[index] = [index, text, evidence, topics, url]
    return out

"""The trade CSV that ``hkasean trade fetch`` writes: one fetched figure a row, with its provenance.

Columns ``contract.FETCHED_TRADE_COLUMNS``: the trade table's columns (``series, period, partner, flow,
value, unit, source_url, confidence, note``), ``source_class`` (``official_tabulation``: a statistics
office's or international organisation's own table) and the provenance (``source_name, request_url,
request_params, retrieved_at, response_sha256``). ``hkasean run --trade FILE`` reads it like any trade CSV.
Rows are sorted (series, partner, flow, period, source), so the same answers give the same file.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from hkasean import contract
from hkasean.corpus.errors import InputError
from hkasean.corpus.permissions import make_like_new_file
from hkasean.corpus.trade_sources.fetch import FetchedFigure

OFFICIAL_TABULATION = "official_tabulation"
"""The source class of every fetched figure (the trade table's best class)."""
RECORDER = {True: "Hong Kong-recorded", False: "partner-recorded"}


def fetched_rows(figures: list[FetchedFigure]) -> list[dict[str, str]]:
    """One CSV row (``contract.FETCHED_TRADE_COLUMNS``) per figure, sorted, values at full precision."""
    rows = []
    for fetched in figures:
        figure, provenance = fetched.figure, fetched.provenance
        note = f"{RECORDER[figure.series.startswith('hk_')]} official statistics fetched from {provenance.source}"
        rows.append({
            "series": figure.series, "period": figure.period, "partner": figure.partner, "flow": figure.flow,
            "value": repr(float(figure.value)), "unit": figure.unit, "source_url": provenance.request_url,
            "confidence": "high", "note": f"{note}: {figure.note}" if figure.note else note,
            "source_class": OFFICIAL_TABULATION, "source_name": provenance.source,
            "request_url": provenance.request_url, "request_params": provenance.request_params,
            "retrieved_at": provenance.retrieved_at, "response_sha256": provenance.response_sha256,
        })
    return sorted(rows, key=lambda row: (row["series"], row["partner"], row["flow"], row["period"], row["source_name"],
                                         row["request_url"]))


def check_output_path(path: Path, overwrite: bool) -> None:
    """Raise ``InputError`` unless ``path`` may be written: its folder exists and is writable, and the
    file does not exist (or ``overwrite`` and it is a regular file). Checked before any request."""
    if path.exists() and not overwrite:
        raise InputError("--out already exists; nothing was fetched or written (pass --overwrite to replace it)", path=path)
    if path.exists() and not path.is_file():
        raise InputError("--out is not a regular file; nothing was fetched or written", path=path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("the folder of --out does not exist; nothing was fetched or written", path=path)
    if not os.access(folder, os.W_OK):
        raise InputError("the folder of --out is not writable; nothing was fetched or written", path=path)
    if len(path.name.encode("utf-8")) > 255:
        raise InputError("the file name of --out is longer than 255 bytes; nothing was fetched or written", path=path)


def write_trade_csv(rows: list[dict[str, str]], path: Path) -> None:
    """Write ``rows`` as the fetched trade CSV at ``path`` atomically (a temporary file renamed into place)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(contract.FETCHED_TRADE_COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        make_like_new_file(tmp_name)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise

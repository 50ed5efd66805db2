"""Issue #25, "Nothing lost, second round": inputs that are well-formed but would exhaust memory, abort a
library or change the results silently are refused when they are read (exit status 2, the file and the
place named), before any work and before any write.

- YAML string bombs: a long string aliased many times (under the alias-count limit) in a codebook or a
  config is refused by the size its aliases expand to, before it is expanded;
- every numeric setting has an upper bound (and every list setting a most number of items), checked
  when the config loads and shown by ``hkasean config --show``;
- trade values: a negative level, share or rank, the same figure of one source listed twice with
  different values, and a period outside 1900-2100 are refused naming the row (both rows) and column.
"""
from __future__ import annotations

import dataclasses
import time
import tracemalloc
import typing
from pathlib import Path

import pytest

from test_inputs_settings import SETTINGS
from hkasean.analysis.trade import load_trade_table, parse_trade_records
from hkasean.analysis.trade_series import annual_series, monthly_trade_series
from hkasean.corpus.crawl.crawler import CrawlSettings
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.errors import InputError
from hkasean.corpus import textfile
from hkasean.corpus.textfile import MAX_YAML_CHARS, load_yaml
from hkasean.models.codebook import load_codebook
from hkasean.scripts.cli import main
from hkasean.scripts.config import RunConfig, load_config, render_config

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "models" / "data" / "codebook.yaml"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


def _run_refused(tmp_path: Path, capsys, *args: str) -> str:
    """Run ``hkasean run`` with ``args``; assert exit 2, no output and the inputs untouched; return stderr."""
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    capsys.readouterr()
    started = time.perf_counter()
    assert main(["--quiet", "run", "--out", str(out), "--no-cache", *args]) == 2
    assert time.perf_counter() - started < 20, "refused before any work"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    assert _snapshot(tmp_path) == before
    return err


# -- 1. YAML string bombs ---------------------------------------------------------------------------------

def _two_level_bomb(string_chars: int = 100_000, first: int = 200, second: int = 100) -> str:
    """A YAML flow list whose last item expands to ``string_chars * first * second`` characters (2 GB by
    default) through about 300 aliases: far below the alias-count limit."""
    return (f"[&s {'x' * string_chars}, &l [{', '.join(['*s'] * first)}], "
            f"[{', '.join(['*l'] * second)}]]")


def _measured(load):
    """(exception raised by ``load()``, seconds, peak MB of Python allocations while it ran)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as err:
            load()
        return err.value, time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_string_bomb_in_config_stopwords_is_refused_before_expansion(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("seed: 1\ntext:\n  domain_stopwords: " + _two_level_bomb() + "\n", encoding="utf-8")
    assert path.stat().st_size < 200_000
    error, seconds, peak_mb = _measured(lambda: load_config(path))
    message = str(error)
    assert message.startswith(f"{path}:line 3: ") and "characters" in message and f"{MAX_YAML_CHARS:,}" in message
    assert "alias" in message
    assert seconds < 5 and peak_mb < 100, (seconds, peak_mb)


def _codebook_with_definition(tmp_path: Path, value: str) -> tuple[Path, int]:
    """A copy of the bundled codebook whose first theme's ``definition`` is the YAML ``value``; and the
    index of that line (0-based)."""
    lines = CODEBOOK.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("definition:"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    lines[start:end] = [" " * indent + "definition: " + value]
    path = tmp_path / "codebook.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, start


def test_string_bomb_in_codebook_definition_is_refused_before_expansion(tmp_path):
    path, definition = _codebook_with_definition(tmp_path, _two_level_bomb(string_chars=100_000, first=200, second=60))
    error, seconds, peak_mb = _measured(lambda: load_codebook(path))
    assert str(error).startswith(f"{path}:line {definition + 1}: ") and "characters" in str(error)
    assert seconds < 5 and peak_mb < 100, (seconds, peak_mb)


def test_the_issue_bomb_one_megabyte_aliased_99000_times_is_refused(tmp_path):
    """The file of the issue: 1.4 MB, one 1 MB string aliased 99,000 times (99 GB expanded)."""
    path = tmp_path / "config.yaml"
    path.write_text("text:\n  domain_stopwords: [&a " + "x" * 1_000_000 + ", " + ", ".join(["*a"] * 99_000) + "]\n",
                    encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"config\.yaml:line 2: YAML aliases \(\*\) expand to more than "):
        load_config(path)
    assert time.perf_counter() - started < 10


def test_large_plain_text_and_small_repeats_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(f"long: {'y' * 1_000_000}\nbase: &b {{a: 1, b: two}}\nrepeats: [*b, *b, *b]\n", encoding="utf-8")
    data = load_yaml(path)
    assert len(data["long"]) == 1_000_000 and data["repeats"] == [{"a": 1, "b": "two"}] * 3


def test_plain_yaml_over_the_size_limits_is_refused_without_blaming_aliases(tmp_path, monkeypatch):
    """The limits apply to plain files too (scaled down here, so the test reads 100 kB, not 10 MB)."""
    monkeypatch.setattr(textfile, "MAX_YAML_CHARS", 100_000)
    path = tmp_path / "big.yaml"
    path.write_text("items:\n" + "".join(f"  - {'z' * 1000}\n" for _ in range(101)), encoding="utf-8")
    with pytest.raises(InputError, match=r"big\.yaml:line 2: the YAML holds more than 100,000 characters; ") as err:
        load_yaml(path)
    assert "alias" not in str(err.value)
    monkeypatch.setattr(textfile, "MAX_YAML_BYTES", 50_000)
    with pytest.raises(InputError, match=r"big\.yaml: file of 101,\d{3} bytes; a YAML input may hold at most "):
        load_yaml(path)


def test_codebook_text_fields_must_be_text(tmp_path):
    path, _ = _codebook_with_definition(tmp_path, "[a, list, of, words]")
    with pytest.raises(InputError, match=r"codebook\.yaml:themes\[1\]: theme '\w+': 'definition' must be text"):
        load_codebook(path)


def test_run_refuses_a_string_bomb_config_with_exit_2_and_writes_nothing(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("text:\n  domain_stopwords: " + _two_level_bomb() + "\n", encoding="utf-8")
    err = _run_refused(tmp_path, capsys, "--config", str(config))
    assert "config.yaml:line 2" in err and "characters" in err


# -- 2. every setting has an upper bound --------------------------------------------------------------------



def _numeric(hint) -> bool:
    """Whether a type hint allows a number (int, float; also inside a Literal/Union or a tuple)."""
    if hint in (int, float):
        return True
    return any(_numeric(arg) for arg in typing.get_args(hint) if arg is not Ellipsis)


def _listed(hint) -> bool:
    return typing.get_origin(hint) in (list, tuple) or any(_listed(arg) for arg in typing.get_args(hint))


def _hints(key: str):
    obj, (*sections, name) = RunConfig(), key.split(".")
    for section in sections:
        obj = getattr(obj, section)
    return typing.get_type_hints(type(obj))[name]


def test_every_numeric_setting_has_an_upper_bound_and_every_list_a_most_items():
    fields = [(key, spec) for key, spec, _ in SETTINGS]
    numeric = [(key, spec) for key, spec in fields if _numeric(_hints(key))]
    assert len(numeric) > 60
    unbounded = [key for key, spec in numeric if not {"at_most", "below"} & set(spec.metadata)]
    assert unbounded == []
    no_lower = [key for key, spec in numeric if not {"at_least", "above"} & set(spec.metadata)]
    assert no_lower == []
    lists = [(key, spec) for key, spec in fields if _listed(_hints(key))]
    assert [key for key, spec in lists if "max_items" not in spec.metadata] == []


def test_crawl_and_fetch_settings_declare_ranges_too():
    """The crawler's settings declare their bounds like every settings section and are checked by the same
    validator (corpus.settings), when made."""
    for settings in (FetchSettings, CrawlSettings):
        for spec in dataclasses.fields(settings):
            if spec.type in ("int", "float", int, float, "int | None"):
                assert {"at_least", "at_most"} <= set(spec.metadata), spec.name
    FetchSettings(seed=2**32 - 1)
    with pytest.raises(InputError, match="'seed' must be >= 0 and <= 4294967295, got 4294967296"):
        FetchSettings(seed=2**32)
    with pytest.raises(InputError, match="'max_retries' must be a whole number, got 2.5"):
        FetchSettings(max_retries=2.5)
    with pytest.raises(InputError, match="'rate' must be a number, got 'fast'"):
        FetchSettings(rate="fast")
    with pytest.raises(InputError, match="'recent_days' must be >= 0 and <= 366, got 400"):
        CrawlSettings(recent_days=400)


def test_a_million_free_topics_is_refused_naming_key_value_and_range(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("models:\n  n_free_topics: 1000000\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert str(err.value) == (f"{path}:models.n_free_topics: 'models.n_free_topics' must be >= 0 and <= 1000, "
                              "got 1000000")


@pytest.mark.parametrize("section, key, value, allowed", [
    ("models", "k_grid", "[4, 100000]", "<= 1000"),
    ("models", "passes", "1000000", "<= 100000"),
    ("models", "n_jobs", "100000", "<= 1024"),
    ("validation", "n_boot", "10000000", "<= 100000"),
    ("prevalence", "n_boot", "10000000", "<= 100000"),
    ("correlation", "lags", "[0, 1000000]", "<= 50"),
    ("correlation", "n_perm", "100000000", "<= 1000000"),
    ("text", "min_df", "1000000000", "<= 1000000"),
    ("trade", "hkd_per_usd", "780", "<= 20"),
    ("trade", "hkd_per_usd", "0.128", ">= 1"),
    ("suggestions", "vector_size", "100000", "<= 1000"),
])
def test_too_large_values_are_refused(tmp_path, section, key, value, allowed):
    path = tmp_path / "config.yaml"
    path.write_text(f"{section}:\n  {key}: {value}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:{section}\.{key}(\[\d+\])?: .*{allowed}.*, got "):
        load_config(path)


def test_lists_have_a_most_number_of_items(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("models:\n  k_grid: [" + ", ".join(str(k) for k in range(2, 200)) + "]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"models\.k_grid: 'models\.k_grid' may have at most 50 items, got 198"):
        load_config(path)


def test_config_show_prints_each_allowed_range():
    shown = render_config()
    line = next(line for line in shown.splitlines() if line.strip().startswith("n_free_topics:"))
    assert line.endswith("[>= 0, <= 1000]")
    assert "at most 50 items" in next(line for line in shown.splitlines() if line.strip().startswith("k_grid:"))


def test_run_refuses_a_million_topics_with_exit_2_and_writes_nothing(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("models:\n  n_free_topics: 1000000\n", encoding="utf-8")
    err = _run_refused(tmp_path, capsys, "--config", str(config))
    assert "config.yaml:models.n_free_topics" in err and "<= 1000" in err and "1000000" in err


# -- 3. trade values ----------------------------------------------------------------------------------------

HEADER = "series,period,partner,flow,value,unit,source_url,confidence,note"


def _row(period="2019", value="100", unit="HK$ billion", flow="total_trade", series="hk_asean_trade",
         partner="ASEAN", source="https://example.org/table", confidence="high", note="") -> str:
    return f"{series},{period},{partner},{flow},{value},{unit},{source},{confidence},{note}"


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "trade.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("row, row_no", [
    (_row(value="-1017.9"), 2),  # a negative annual total
    (_row(period="2020-03", value="-5", unit="S$ million", flow="imports_from_partner", series="sg_recorded_trade",
          partner="Hong Kong"), 2),  # a negative monthly level
    (_row(value="<-3"), 2),  # a bound below zero is no level either
    (_row(value="-4.2", unit="% of ASEAN total trade", flow="share_of_asean_total_trade"), 2),  # a negative share
    (_row(value="-2", unit="rank among ASEAN partners", flow="rank"), 2),
])
def test_a_negative_level_share_or_rank_is_refused_naming_row_and_column(tmp_path, row, row_no):
    path = _table(tmp_path, _row(period="2018", value="1000"), row)
    with pytest.raises(InputError) as err:
        load_trade_table(path)
    message = str(err.value)
    assert message.startswith(f"{path}:row {row_no} (line {row_no + 1}), column 'value': ") and "negative" in message


def test_negative_changes_and_balances_are_kept(tmp_path):
    table = load_trade_table(_table(
        tmp_path, _row(value="-27.7", unit="% yoy (value in HK$)", flow="total_exports"),
        _row(value="-55", unit="% yoy", flow="sg_nodx"),
        _row(value="-120.5", flow="trade_balance"),
        _row(value="0"),
    ))
    assert table["value_num"].tolist() == [-27.7, -55.0, -120.5, 0.0]


def test_the_same_month_listed_twice_with_different_values_is_refused_naming_both_rows(tmp_path):
    rows = [_row(period=f"2020-{m:02d}", value=str(100 + m), unit="S$ million") for m in range(1, 13)]
    rows.append(_row(period="2020-03", value="999", unit="S$ million"))
    path = _table(tmp_path, *rows)
    with pytest.raises(InputError) as err:
        load_trade_table(path)
    message = str(err.value)
    assert message.startswith(f"{path}:row 13 (line 14), column 'value': ")
    assert "2020-03" in message and "row 3 (line 4)" in message and "'103'" in message and "'999'" in message


def test_the_same_year_from_one_source_twice_with_different_values_is_refused(tmp_path):
    path = _table(tmp_path, _row(value="1017.9"), _row(period="2020", value="900"), _row(value="1071.9"))
    with pytest.raises(InputError, match=r"row 3 \(line 4\), column 'value': .*row 1 \(line 2\)"):
        load_trade_table(path)


def test_an_exact_repeat_is_not_a_conflict(tmp_path):
    table = load_trade_table(_table(tmp_path, _row(value='"1,017.9"'), _row(value="1017.9")))
    assert len(table) == 2


def test_different_sources_disagreeing_are_kept_and_flagged_with_the_other_row(tmp_path):
    rows = [_row(period=f"2020-{m:02d}", value=str(100 + m), unit="S$ million") for m in range(1, 13)]
    rows += [_row(period=f"2021-{m:02d}", value=str(200 + m), unit="S$ million") for m in range(1, 13)]
    rows.append(_row(period="2020-03", value="99", unit="S$ million", source="https://other.example/mirror"))
    table = load_trade_table(_table(tmp_path, *rows))
    assert "another source gives 99 (row 25, line 26)" in table["flag"].iloc[2]
    assert "another source gives 103 (row 3, line 4)" in table["flag"].iloc[24]
    monthly = monthly_trade_series(table, [("hk_asean_trade", "total_trade", "ASEAN")])
    march = monthly[monthly["period"] == "2020-03"].iloc[0]
    assert march["value"] == 103 and "another source gives 99 (row 25, line 26)" in march["flag"]


def test_bundled_trade_csv_keeps_its_two_reports_of_vietnam_2023_flagged():
    table = load_trade_table()
    vietnam = annual_series(table, "hk_member_trade", "total_trade", "Vietnam", "US$ billion").set_index("period")
    assert "another source gives 31.3 (row 56, line 57)" in vietnam.loc[2023, "flags"]


@pytest.mark.parametrize("period, problem", [
    ("0000", "year 0 is outside 1900-2100"),
    ("1899", "year 1899 is outside 1900-2100"),
    ("2101", "year 2101 is outside 1900-2100"),
    ("0000-01", "year 0 is outside 1900-2100"),
    ("2019-13", "expected YYYY"),
    ("2019-00", "expected YYYY"),
    ("~0999", "year 999 is outside 1900-2100"),
    ("0000->latest", "year 0 is outside 1900-2100"),
    ("2019-06/2019-01", "ends before it starts"),
])
def test_a_period_outside_1900_2100_or_not_a_month_is_refused_when_the_file_loads(tmp_path, period, problem):
    path = _table(tmp_path, _row(period="2018"), _row(period=period))
    with pytest.raises(InputError) as err:
        load_trade_table(path)
    message = str(err.value)
    assert message.startswith(f"{path}:row 2 (line 3), column 'period': ") and problem in message, message


def test_periods_at_the_ends_of_the_range_load(tmp_path):
    table = load_trade_table(_table(tmp_path, _row(period="1900"), _row(period="2100-12"), _row(period="2019-01/2019-06")))
    assert len(table) == 3


def test_official_records_are_checked_the_same_way():
    record = dict(zip(HEADER.split(","), _row(value="-1").split(","))) | {"source_class": "official_tabulation"}
    with pytest.raises(InputError, match=r"official:row 1, column 'value': .*negative"):
        parse_trade_records([record], Path("official"))


def test_run_refuses_trade_period_0000_with_exit_2_and_writes_nothing(tmp_path, capsys):
    lines = (REPO / "analysis" / "data" / "trade.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",2015,", ",0000,", 1)
    assert ",0000," in lines[3]
    trade = tmp_path / "trade.csv"
    trade.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _run_refused(tmp_path, capsys, "--trade", str(trade))
    assert "trade.csv:row 3 (line 4), column 'period'" in err and "1900-2100" in err


def test_run_refuses_a_negative_total_with_exit_2_and_writes_nothing(tmp_path, capsys):
    lines = (REPO / "analysis" / "data" / "trade.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",94.1,", ",-94.1,", 1)
    trade = tmp_path / "trade.csv"
    trade.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _run_refused(tmp_path, capsys, "--trade", str(trade))
    assert "trade.csv:row 1 (line 2), column 'value'" in err and "negative" in err


def test_bundled_trade_files_all_load():
    from hkasean.analysis.trade_official import official_trade_table

    assert len(load_trade_table()) > 100 and len(official_trade_table()) > 1000

"""`hkasean trade fetch` against local stand-ins of C&SD, UN Comtrade and the IMF (recorded responses in
each service's real format, ``tests/fixtures/trade_sources``), with faults injected; and the run's use
of what was fetched. Nothing here leaves 127.0.0.1."""
from __future__ import annotations

import csv
import hashlib
import socket

import pytest
from infogovhk_site import FakeClock, page, slow, status, truncated
from trade_services import TradeServices

from hkasean import contract
from hkasean.analysis.member_asymmetry import member_asymmetry
from hkasean.analysis.timeseries import HK_ASEAN_MONTHLY, analysis_trade_table, monthly_keys
from hkasean.analysis.trade import load_trade_table
from hkasean.analysis.trade_series import trade_series_for_correlation
from hkasean.analysis.trade_settings import TradeSettings
from hkasean.corpus.crawl.fetch_settings import FetchSettings
from hkasean.corpus.trade_sources.fetch import SOURCE_TITLES, fetch_trade
from hkasean.corpus.trade_sources.records import DEFAULT_PARTNERS, FetchWindow
from hkasean.corpus.trade_sources.table import fetched_rows, write_trade_csv
from hkasean.scripts.cli import main

ALL = ("censtatd", "comtrade", "imf")
FAST = ["--rate", "1000", "--retries", "0", "--timeout", "5"]


@pytest.fixture()
def services():
    running = TradeServices(ALL).start()
    yield running
    running.stop()


def fetch(services, tmp_path, *extra: str, out_name: str = "fetched.csv") -> tuple[int, object]:
    out = tmp_path / out_name
    code = main(["-q", "trade", "fetch", "--out", str(out), "--base-url", services.base_url,
                 "--cache", str(tmp_path / "cache"), *FAST, *extra])
    return code, out


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_help_names_the_three_sources(capsys):
    with pytest.raises(SystemExit) as done:
        main(["trade", "fetch", "--help"])
    assert done.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for name, title in SOURCE_TITLES.items():
        assert name in shown and " ".join(title.split()) in shown


def test_fetch_writes_every_figure_with_its_provenance_and_replays_from_the_cache(services, tmp_path, capsys):
    code, out = fetch(services, tmp_path, "--source", "censtatd", "--source", "comtrade", "--start", "2018", "--end", "2019")
    assert code == 0, capsys.readouterr().err
    rows = read(out)
    assert list(rows[0]) == list(contract.FETCHED_TRADE_COLUMNS)
    assert {row["source_name"] for row in rows} == {"censtatd", "comtrade"}
    assert {row["source_class"] for row in rows} == {"official_tabulation"}
    bodies = {entry["file"]: entry["body"] for entry in services.entries}
    hashes = {hashlib.sha256(body).hexdigest() for body in bodies.values()}
    assert {row["response_sha256"] for row in rows} <= hashes
    assert all(row["request_url"].startswith(services.base_url) and row["retrieved_at"].endswith("+00:00") for row in rows)
    asean = [row for row in rows if row["series"] == "hk_asean_trade" and row["period"] == "2019" and row["flow"] == "imports"]
    assert {row["source_name"] for row in asean} == {"censtatd", "comtrade"}  # HK-recorded, from C&SD and Comtrade
    table = load_trade_table(out)  # the run reads it as any trade CSV
    assert len(table) == len(rows) and set(table["source_class"]) == {"official_tabulation"}

    sent = len(services.requests)
    code, again = fetch(services, tmp_path, "--source", "censtatd", "--source", "comtrade", "--start", "2018",
                        "--end", "2019", "--offline", out_name="again.csv")
    assert code == 0 and len(services.requests) == sent  # replayed: no request
    assert again.read_bytes() == out.read_bytes()  # same answers, same file


def test_offline_with_an_empty_cache_exits_2_and_writes_nothing(services, tmp_path, capsys):
    code, out = fetch(services, tmp_path, "--offline", "--start", "2018", "--end", "2019")
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert not services.requests
    assert "not in the cache (--offline sends no request)" in err
    assert "no figure was fetched" in err and "nothing was written" in err


def test_a_dead_base_url_ends_with_a_clear_error_and_no_file(tmp_path, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    out = tmp_path / "fetched.csv"
    code = main(["-q", "trade", "fetch", "--out", str(out), "--base-url", dead, "--cache", str(tmp_path / "cache"),
                 *FAST, "--source", "imf", "--start", "2015", "--end", "2019"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "ConnectionError" in err or "robots.txt" in err
    assert "no figure was fetched (1 of 1 requests failed" in err


def test_an_existing_out_is_never_replaced_without_overwrite(services, tmp_path, capsys):
    out = tmp_path / "mine.csv"
    out.write_text("my own figures\n")
    code = main(["-q", "trade", "fetch", "--out", str(out), "--base-url", services.base_url, *FAST,
                 "--source", "imf", "--start", "2015", "--end", "2019"])
    err = capsys.readouterr().err
    assert code == 2 and out.read_text() == "my own figures\n" and not services.requests
    assert "--out already exists" in err
    code = main(["-q", "trade", "fetch", "--out", str(out), "--base-url", services.base_url, *FAST, "--overwrite",
                 "--cache", str(tmp_path / "cache"), "--source", "imf", "--start", "2015", "--end", "2019"])
    assert code == 0 and read(out)[0]["source_name"] == "imf"


@pytest.mark.parametrize("argument", [["--start", "2019", "--end", "2018"], ["--start", "2019", "--end", "2019-05"],
                                      ["--start", "0000", "--end", "2019"]])
def test_a_bad_window_is_refused_before_any_request(services, tmp_path, capsys, argument):
    code, out = fetch(services, tmp_path, *argument)
    assert code == 2 and not out.exists() and not services.requests
    assert "--start" in capsys.readouterr().err


def test_a_partial_failure_keeps_what_was_fetched_and_says_what_is_missing(services, tmp_path, capsys):
    services.entries = [entry for entry in services.entries if entry["query"].get("period") != "2019"]
    code, out = fetch(services, tmp_path, "--source", "comtrade", "--start", "2018", "--end", "2019")
    err = capsys.readouterr().err
    assert code == 1
    rows = read(out)
    assert {row["period"] for row in rows} == {"2018"}
    assert "missing:" in err and "period=2019" in err and "incomplete: 2 of 4 requests failed" in err


def test_the_subscription_key_goes_in_a_header_never_into_the_file(services, tmp_path, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", "secret-key-123")
    code, out = fetch(services, tmp_path, "--source", "comtrade", "--start", "2018", "--end", "2019")
    assert code in (1, 2)  # the recorded answers are of the keyless endpoint: the keyed path is not recorded
    keyed = [request for request in services.requests if request.path.startswith("/data/v1/get/")]
    assert keyed and all(("Ocp-Apim-Subscription-Key", "secret-key-123") in request.headers for request in keyed)
    assert all("secret-key-123" not in request.query for request in services.requests)
    assert not out.exists() or "secret-key-123" not in out.read_text()


@pytest.mark.parametrize("fault", [
    status(500), status(429, {"Retry-After": "7"}), truncated, slow(1.5),
    page(b"<html><body>Service busy</body></html>", "text/html"),
    page(b'{"header": {"status": {"name": "Fail"}}}', "text/plain"),
], ids=["500", "429", "truncated", "timeout", "html error page", "wrong content type and body"])
def test_a_transient_fault_is_retried_then_answered(services, tmp_path, fault):
    path = "/external/sdmx/2.1/data/IMF.STA,IMTS/BRN+KHM+IDN+LAO+MYS+MMR+PHL+SGP+THA+VNM.XG_FOB_USD+MG_CIF_USD.HKG+G001.A"
    services.add_faults(path, fault)
    clock = FakeClock()
    outcome = fetch_trade(("imf",), FetchWindow("2015", "2019"), DEFAULT_PARTNERS, cache_dir=tmp_path / "cache",
                          base_urls={"imf": services.base_url}, clock=clock,
                          settings=FetchSettings(rate=1000, timeout=1.0, max_retries=2))
    assert outcome.complete and len(outcome.figures) == 200
    assert sum(1 for request in services.requests if request.path == path) == 2
    if "429" in str(fault):
        assert 7.0 in clock.sleeps
    cache = tmp_path / "cache"
    assert not [p for p in cache.rglob("*") if p.is_file() and "Service busy" in p.read_text(errors="ignore")
                and not p.name.endswith((".rejected", ".rejected.meta.json"))]


def test_the_total_deadline_turns_unsent_requests_into_listed_failures(services, tmp_path):
    clock = FakeClock()
    services.add_faults("/public/v1/preview/C/A/HS", status(500))  # one retry on the fake clock: 10 s of backoff

    outcome = fetch_trade(("comtrade",), FetchWindow("2018", "2019"), DEFAULT_PARTNERS, cache_dir=tmp_path / "cache",
                          base_urls={"comtrade": services.base_url}, clock=clock, total_deadline=5.0,
                          settings=FetchSettings(rate=1000, max_retries=1, backoff_base=10.0, backoff_jitter=0.0))
    assert outcome.figures and not outcome.complete
    assert all("total deadline of 5 s" in failure.error for failure in outcome.failures)
    assert len(outcome.failures) == 3


def test_the_run_uses_both_sides_of_what_was_fetched(services, tmp_path):
    """HK-recorded figures for Hong Kong's side, partner-recorded for the partner's, never mixed; the
    Hong Kong-recorded monthly ASEAN series becomes the monthly series of the correlation."""
    options = {"cache_dir": tmp_path / "cache", "settings": FetchSettings(rate=1000, max_retries=0), "clock": FakeClock()}
    figures = []
    for sources, window, partners in [(("censtatd",), FetchWindow("2018-01", "2019-12"), DEFAULT_PARTNERS),
                                      (("imf",), FetchWindow("2015", "2019"), DEFAULT_PARTNERS)]:
        outcome = fetch_trade(sources, window, partners, base_urls=dict.fromkeys(sources, services.base_url), **options)
        assert outcome.complete
        figures += outcome.figures
    path = tmp_path / "fetched.csv"
    write_trade_csv(fetched_rows(figures), path)
    fetched = load_trade_table(path)
    settings = TradeSettings(official=False)  # only what was fetched
    table = analysis_trade_table(fetched, settings)

    assert monthly_keys(table, fetched, settings) == [HK_ASEAN_MONTHLY]
    series = trade_series_for_correlation(table, source_classes=settings.source_classes).set_index(["trade_series", "period"])
    assert series.loc[("asean_share_of_hk_trade", 2019), "source_class"] == "official_tabulation"
    assert series.loc[("hk_share_of_asean_trade", 2019), "value"] == pytest.approx(3.94, abs=0.005)  # members' own
    asymmetry = member_asymmetry(table).set_index(["partner", "year"])
    both = asymmetry[asymmetry["ratio"].notna()]
    assert both.reset_index().query("year == 2019")["partner"].nunique() >= 10
    hk_side = table[(table["series"] == "hk_member_trade") & (table["flow"] == "share_of_hk_total_trade")]
    partner_side = table[(table["series"] == "member_hk_trade") & (table["flow"] == "hk_share_of_member_total_trade")]
    assert hk_side["note"].str.contains("HK-recorded").all()
    assert partner_side["note"].str.contains("-recorded").all() and not partner_side["note"].str.contains("HK-recorded").any()

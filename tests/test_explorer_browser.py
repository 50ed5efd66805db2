"""explore.html in a real browser: headless Chromium, driven by Selenium, opening the page from ``file://``.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium chromium-driver``; ``.ci/run``
installs them) and selenium (the ``test`` extra). Without them the tests skip, saying why; with ``CI=true`` they
fail instead, so CI cannot pass without running them. Selenium is given both binaries, so its driver manager
never looks for (or downloads) one.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from hkasean import contract
from hkasean.analysis.explorer import write_explorer
from hkasean.analysis.explorer_payload import ExplorerInput
from hkasean.corpus.bundled import sample_coding_path, sample_corpus_path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
LOAD_TIMEOUT = 60


def _find(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(f"{reason} (install them: apt-get install chromium chromium-driver; pip install selenium)")


@pytest.fixture(scope="module")
def driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    browser = _find(BROWSERS, "HKASEAN_CHROMIUM")
    chromedriver = _find(DRIVERS, "HKASEAN_CHROMEDRIVER")
    if browser is None or chromedriver is None:
        _unavailable(f"no {'chromium' if browser is None else 'chromedriver'} found on PATH")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-default-apps"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    chrome.set_page_load_timeout(LOAD_TIMEOUT)
    yield chrome
    chrome.quit()


def wait_for(chrome, condition, timeout: float = LOAD_TIMEOUT, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def open_page(chrome, path: Path, fragment: str = "") -> None:
    chrome.get(path.resolve().as_uri() + fragment)
    wait_for(chrome, lambda: chrome.execute_script("return document.documentElement.dataset.ready") == "true",
             what="the explorer's ready state")


def go(chrome, fragment: str) -> None:
    chrome.execute_script("location.hash = arguments[0];", fragment)
    time.sleep(0.1)


def visible_doc_ids(chrome) -> list[str]:
    return chrome.execute_script("return Array.from(document.querySelectorAll('#doc-rows tr[data-doc]')).map(r => r.dataset.doc)")


def choose(chrome, select_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(chrome.find_element("id", select_id)).select_by_value(value)


@pytest.fixture(scope="module")
def sample(sample_run):
    """The run's output folder, its documents with their texts, and the standard coding."""
    documents = pd.read_json(sample_corpus_path(), lines=True, dtype={"id": str})
    coding = pd.read_csv(sample_coding_path(), dtype={"doc_id": str})
    gold = coding[coding["coder"] == "gold"].set_index("doc_id")
    return sample_run, documents, gold


@pytest.fixture(scope="module")
def loaded(driver, sample):
    """The run's explore.html, opened once; the logs of that load."""
    out, _, _ = sample
    open_page(driver, out / contract.EXPLORER)
    return {"browser": driver.get_log("browser"), "performance": driver.get_log("performance")}


def test_page_loads_from_file_without_console_error_or_network_request(driver, sample, loaded):
    out, _, _ = sample
    errors = [entry for entry in loaded["browser"] if entry["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors
    page = (out / contract.EXPLORER).resolve().as_uri()
    requested = [json.loads(entry["message"])["message"]["params"]["request"]["url"] for entry in loaded["performance"]
                 if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"]
    assert requested and all(url.split("#")[0] == page or url.startswith("data:") for url in requested), requested
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    csp = driver.execute_script(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').getAttribute('content')")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    external = driver.execute_script(
        "return Array.from(document.querySelectorAll('[src],[href]')).map(e => e.getAttribute('src') || e.getAttribute('href'))"
        ".filter(v => /^\\s*(https?:|\\/\\/)/i.test(v))")
    assert external == []


def test_rendered_page_names_every_document_and_every_topic(driver, sample, loaded):
    out, documents, _ = sample
    go(driver, "documents")
    shown = visible_doc_ids(driver)
    assert sorted(shown) == sorted(documents["id"])
    assert driver.find_element("id", "doc-count").text == f"{len(documents)} of {len(documents)} documents"
    body = driver.find_element("tag name", "body").text
    assert all(doc_id in body for doc_id in documents["id"])
    go(driver, "topics")
    body = driver.find_element("tag name", "body").text
    topics = pd.read_csv(out / "tables" / "topics.csv")
    assert all(topic in body for topic in topics["topic"])


def test_theme_filter_and_text_search_narrow_the_list_to_the_right_documents(driver, sample, loaded):
    _, documents, gold = sample
    go(driver, "documents")
    choose(driver, "doc-theme-by", "gold")
    choose(driver, "doc-theme", "made_in_hk")
    carrying = set(gold.index[gold["made_in_hk"] == 1])
    assert 0 < len(carrying) < len(documents)
    assert set(wait_for(driver, lambda: visible_doc_ids(driver) if len(visible_doc_ids(driver)) == len(carrying) else None,
                        10, "the theme filter")) == carrying
    haystack = (documents["id"] + " " + documents["title"] + " " + documents["text"]).str.lower()
    words = sorted({w for text in documents.loc[documents["id"].isin(carrying), "text"] for w in text.lower().split()
                    if w.isalpha() and len(w) >= 7})
    word, expected = next((w, found) for w in words
                          if 0 < len(found := set(documents.loc[haystack.str.contains(w, regex=False), "id"]) & carrying)
                          < len(carrying) // 2)
    search = driver.find_element("id", "doc-search")
    search.send_keys(word.upper())  # the search ignores case
    assert set(wait_for(driver, lambda: visible_doc_ids(driver) if len(visible_doc_ids(driver)) == len(expected) else None,
                        10, "the text search")) == expected
    search.clear()
    choose(driver, "doc-theme", "")
    wait_for(driver, lambda: len(visible_doc_ids(driver)) == len(documents), 10, "the full list again")


def test_opening_a_document_highlights_an_indicator(driver, sample, loaded):
    out, documents, _ = sample
    from hkasean.models.codebook import load_codebook

    codebook = load_codebook()
    doc_id, theme, phrase = next((row.id, t.id, p) for row in documents.itertuples() for t in codebook.themes
                                 for p in t.indicators if p.lower() in row.text.lower())
    go(driver, "documents")
    driver.find_element("css selector", f'#doc-rows tr[data-doc="{doc_id}"]').click()
    wait_for(driver, lambda: driver.find_element("id", "doc-view").is_displayed(), 10, "the document view")
    assert driver.find_element("id", "doc-view-title").text == documents.set_index("id").loc[doc_id, "title"]
    marks = driver.execute_script(
        "return Array.from(document.querySelectorAll('#doc-text mark.ind')).map(m => [m.dataset.theme, m.textContent])")
    highlighted = " ".join(text for t, text in marks if t == theme).lower()
    assert all(word in highlighted for word in phrase.lower().replace("-", " ").split()), (phrase, marks)
    assert driver.find_elements("css selector", "#doc-body table.reasons tbody tr")  # the reason per theme
    driver.find_element("id", "doc-close").click()
    assert not driver.find_element("id", "doc-view").is_displayed()


def test_topic_map_draws_one_mark_per_topic(driver, sample, loaded):
    out, _, _ = sample
    topics = pd.read_csv(out / "tables" / "topics.csv")
    go(driver, "topics")
    models = driver.execute_script("return Array.from(document.querySelectorAll('#topic-model option')).map(o => [o.value, o.text])")
    assert {name for _, name in models} == {"lda", "nmf", "seeded_lda"}
    for value, name in models:
        choose(driver, "topic-model", value)
        expected = int((topics["model"] == name).sum())
        count = wait_for(driver, lambda: (lambda n: n if n == expected else None)(
            driver.execute_script("return document.querySelectorAll('#topic-map .scatterlayer .trace .points path.point').length")),
            10, f"the topic map of {name}")
        assert count == expected


def test_moving_the_lambda_slider_reorders_the_terms(driver, sample, loaded):
    from selenium.webdriver.common.keys import Keys

    go(driver, "topics")
    choose(driver, "topic-model", "0")
    slider = driver.find_element("id", "lambda")

    def terms():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#term-chart .yaxislayer-above .ytick text')).map(t => t.textContent)")

    slider.send_keys(Keys.END)  # lambda = 1: by probability within the topic
    wait_for(driver, lambda: driver.find_element("id", "lambda-value").text == "1.00", 10, "lambda = 1")
    by_probability = terms()
    within = driver.execute_script("return Array.from(document.getElementById('term-chart').data[1].x)")
    assert within == sorted(within, reverse=True)
    slider.send_keys(Keys.HOME)  # lambda = 0: by lift
    wait_for(driver, lambda: driver.find_element("id", "lambda-value").text == "0.00", 10, "lambda = 0")
    by_lift = terms()
    assert len(by_probability) == len(by_lift) > 5
    assert by_probability != by_lift


def test_claims_link_to_their_documents(driver, sample, loaded):
    out, documents, _ = sample
    claims = pd.read_csv(out / "tables" / "claims.csv", dtype={"doc_id": str})
    go(driver, "claims")
    assert driver.find_element("id", "claim-count").text == f"{len(claims)} of {len(claims)} claims"
    choose(driver, "claim-verdict", "agree")
    links = driver.find_elements("css selector", "#claim-rows a")
    assert len(links) == int((claims["verdict"] == "agree").sum())
    doc_id = links[0].text
    links[0].click()
    wait_for(driver, lambda: driver.find_element("id", "doc-view").is_displayed(), 10, "the claim's document")
    assert driver.find_element("id", "doc-view-title").text == documents.set_index("id").loc[doc_id, "title"]
    driver.find_element("id", "doc-close").click()


def test_over_time_draws_prevalence_beside_trade(driver, sample, loaded):
    go(driver, "time")
    names = wait_for(driver, lambda: driver.execute_script(
        "var d = document.getElementById('time-chart').data; return d && d.map(t => t.name).filter(Boolean)"), 10, "the chart")
    assert {"untapped_market", "made_in_hk"} <= set(names)
    trade = driver.execute_script("return document.getElementById('time-trade').value")
    assert trade and trade in names
    assert not driver.get_log("browser")  # nothing went wrong while using the page


def test_a_title_holding_markup_stays_text(driver, tmp_path):
    documents = pd.DataFrame({"doc_id": ["a<b", "x"], "date": ["2020-01-01"] * 2, "year": [2020] * 2,
                              "title": ["</script><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>",
                                        "plain"],
                              "source": ["s"] * 2, "doc_type": ["news"] * 2, "speaker": [""] * 2, "url": [""] * 2,
                              "n_words": [3, 1]})
    page = write_explorer(ExplorerInput(tables={contract.DOCUMENTS.name: documents},
                                        texts=[("a<b", "<img src=x onerror='window.pwned = 3'> text")]),
                          tmp_path / contract.EXPLORER)
    open_page(driver, page, "#doc=" + "a%3Cb")
    assert driver.execute_script("return window.pwned === undefined")
    assert driver.find_element("id", "doc-view-title").text == documents["title"][0]
    assert "<img src=x" in driver.find_element("id", "doc-text").text
    assert not driver.find_elements("css selector", "#doc-body img")
    assert not [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]

"""End to end: the real app on a free local port, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from qa.config import PROJECT_ROOT
from qa.goldset import load_gold_set
from qa.runs import list_runs
from tests.conftest import CORPUS
from tests.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = PROJECT_ROOT / "artifacts"
QUESTION = "What did Clinton call the Guantanamo Bay prison?"  # answered from the article
SCRIPT = "<img src=x onerror=alert(1)>"
START_TIMEOUT_S = 240  # first start builds the index in a fresh home: model load + embedding
BOX = "#qa-question :is(input, textarea)"  # one line: Gradio renders an <input>
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
EDITOR_PASSWORD = "test-editor-password"


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(
        f"app.py did not serve {url} within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """app.py in a subprocess with its own data directory and corpus copy; yields (url, feedback
    database, corpus)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser installs it)")
    home = tmp_path_factory.mktemp("ui-home")
    corpus = tmp_path_factory.mktemp("ui-corpus") / "corpus"
    shutil.copytree(CORPUS, corpus)  # editors add gold items to it
    port = free_port()
    env = {
        **os.environ,
        "QA_HOME": str(home),
        "QA_CORPUS": str(corpus),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "QA_EDITOR_PASSWORD": EDITOR_PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }
    log = home / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, process, log)
        yield url, home / "feedback.sqlite3", corpus
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_reader_asks_sees_cited_passage_rates_and_stays_safe(
    app: tuple[str, Path, Path], browser: object
) -> None:
    url, database, _ = app
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load", timeout=60_000)
    box = page.locator(BOX)
    box.wait_for(timeout=60_000)

    # Enter submits; the answer streams in with a citation marker linked to its passage.
    box.fill(QUESTION)
    box.press("Enter")
    marker = page.locator('#qa-chat a[href^="#src-0-"]').first
    marker.wait_for(timeout=60_000)
    mark = page.locator("#qa-sources article[id^='src-0-'] mark").first
    mark.wait_for(timeout=30_000)
    assert mark.inner_text().strip()
    assert page.locator("#qa-sources").get_by_text("Primary source").count() >= 1

    # Clicking the marker brings its passage into view and focuses it.
    target = marker.get_attribute("href").removeprefix("#")
    marker.click()
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{target}'")

    # Thumbs up is stored with the question, the answer and its citations.
    page.locator("#qa-chat button[aria-label='Like']").last.click()
    page.get_by_text("Thanks, glad it helped").wait_for(timeout=30_000)
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT question, rating, refused, citations FROM feedback").fetchall()
    assert [(q, r, refused) for q, r, refused, _ in rows] == [(QUESTION, "up", 0)]
    assert '"quote"' in rows[0][3]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)

    # Typed HTML is shown as text and never runs.
    box.fill(SCRIPT)
    box.press("Enter")
    page.locator("#qa-chat").get_by_text(SCRIPT, exact=True).wait_for(timeout=60_000)
    page.wait_for_timeout(1000)  # give a would-be onerror handler time to fire
    assert dialogs == []
    assert page.locator("#qa-chat img[src='x']").count() == 0
    # It is refused: the nearest passage and a question the sources can answer are offered.
    page.locator("#qa-suggestion").wait_for(timeout=30_000)
    assert page.locator("#qa-sources").get_by_text("Nearest related passage").count() == 1

    # Phone width: nothing overflows sideways; the answer is still readable.
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "ui-phone.png"))

    # The buttons are reachable by keyboard.
    page.locator(BOX).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"

    # Offline: every request went to the app itself (or stayed in the page).
    foreign = [
        u for u in requests if urlparse(u).scheme not in ("data", "blob")
        and urlparse(u).hostname not in LOCAL_HOSTS
    ]  # fmt: skip
    assert foreign == []
    page.close()


def test_empty_question_gets_a_prompt(app: tuple[str, Path, Path], browser: object) -> None:
    url, _, _ = app
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(url, wait_until="load", timeout=60_000)
    page.locator(BOX).wait_for(timeout=60_000)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.get_by_text("Please type a question").wait_for(timeout=30_000)
    assert page.locator("#qa-chat [data-testid='user']").count() == 0
    page.close()


def test_editors_run_the_gold_set_and_see_reader_problems(
    app: tuple[str, Path, Path], browser: object
) -> None:
    from playwright.sync_api import expect

    url, _, _ = app
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(url, wait_until="load", timeout=60_000)
    page.locator(BOX).wait_for(timeout=60_000)  # the app is mounted and its events wired
    assert page.get_by_role("tab", name="Editors").count() == 0  # readers get no editors' tools
    page.goto(url + "editors/", wait_until="load", timeout=60_000)
    page.get_by_label("username").fill("editor")
    page.get_by_label("password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Login").click()
    # The reader test above left a refused question: it is listed, as text.
    expect(page.locator("#qa-problems")).to_contain_text(SCRIPT, timeout=30_000)
    page.get_by_role("button", name="Run evaluation").click()
    page.locator("#qa-eval-summary table").wait_for(timeout=300_000)
    assert "Answer accuracy" in page.locator("#qa-eval-summary").inner_text()
    for name in ("report.html", "items.csv"):  # downloadable from the app itself
        link = page.locator(f"#qa-report a[download='{name}']")
        link.wait_for(timeout=30_000)
        assert urlparse(link.get_attribute("href") or "").hostname in LOCAL_HOSTS
    page.close()


def test_editors_compare_runs_and_turn_a_reader_question_into_a_gold_item(
    app: tuple[str, Path, Path], browser: object
) -> None:
    from playwright.sync_api import expect

    url, database, corpus = app
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(url + "editors/", wait_until="load", timeout=60_000)
    page.get_by_label("username").fill("editor")
    page.get_by_label("password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Login").click()
    # A second run of the gold set (the test above made the first): the charts and the runs.
    page.get_by_role("button", name="Run evaluation").click()
    page.locator("#qa-eval-summary table").wait_for(timeout=300_000)
    runs = list_runs(database.parent)
    assert len(runs) == 2
    for run in runs:
        expect(page.locator("#qa-runs")).to_contain_text(run.id, timeout=30_000)
    page.locator("#qa-pass-rate :is(canvas, svg)").first.wait_for(timeout=30_000)
    page.locator("#qa-trend :is(canvas, svg)").first.wait_for(timeout=30_000)
    # The two latest runs are chosen; the same bot on the same gold set flips nothing.
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#qa-compare")).to_contain_text("0 items flipped", timeout=30_000)

    # The refused question from the reader's test becomes a gold item of reader.jsonl.
    gold = corpus / "eval" / "reader.jsonl"
    page.locator("#qa-gold-question input").click()
    page.get_by_role("option").filter(has_text=SCRIPT).first.click()
    page.get_by_role("button", name="Find passages").click()
    ticks = page.locator("#qa-gold-evidence input[type=checkbox]")
    ticks.first.wait_for(timeout=60_000)
    ticks.first.check()
    # It was asked after another question, so it comes as a follow-up; the editor says the bot
    # was right to decline it.
    expect(page.locator("#qa-gold-type input")).to_have_value("follow_up")
    page.locator("#qa-gold-type input").click()
    page.get_by_role("option", name="unanswerable", exact=True).click()
    add = page.get_by_role("button", name="Add to gold set")
    add.click()
    expect(page.locator("#qa-gold-status")).to_contain_text("Added reader-", timeout=30_000)
    (item,), warnings = load_gold_set(gold, corpus)  # what `qa eval` reads, without a warning
    assert item.question == SCRIPT and item.type == "unanswerable" and len(item.evidence) == 1
    assert [turn.question for turn in item.history] == [QUESTION]
    assert warnings == []
    content = gold.read_bytes()
    # The same item again is refused by the loader's check, and nothing is written.
    add.click()
    expect(page.locator("#qa-gold-status")).to_contain_text("duplicate id", timeout=30_000)
    page.get_by_label("Acceptable answers").fill("an answer for a should-decline type")
    page.locator("#qa-gold-id :is(input, textarea)").fill("reader-new")
    add.click()
    expect(page.locator("#qa-gold-status")).to_contain_text("no figure grades it", timeout=30_000)
    assert gold.read_bytes() == content
    page.close()

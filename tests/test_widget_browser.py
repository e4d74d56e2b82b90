"""End to end: `qa serve` on one port, a news page embedding the widget on two others, Chromium.

The page on the allowed origin gets a streamed, cited answer; the page on an origin that is not in
QA_ALLOWED_ORIGINS gets a clean refusal. Screenshots go to artifacts/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from qa.chain import Pipeline
from qa.config import PROJECT_ROOT, Settings
from tests.servers import free_port, qa_serve

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "Who asked Clinton to review the Khadr case?"
REFUSAL = "This site is not allowed to use this assistant."

# The host page's CSS is hostile on purpose: none of it may reach the widget.
ARTICLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>France pressed U.S. on Khadr as Ottawa stood silent</title>
<style>
  * {{ font-family: serif; color: #800; }}
  button {{ display: none !important; }}
  div, section, p {{ font-size: 40px; border: 5px dashed red; }}
</style></head>
<body>
<article><h1>France pressed U.S. on Khadr as Ottawa stood silent: WikiLeaks</h1>
<p>France's foreign minister asked Hillary Clinton to review Omar Khadr's case.</p></article>
<script src="{api}/widget.js" async data-accent="#0a6b3d"
        data-starters="Who asked Clinton to review the case?|When did they meet?"></script>
</body></html>
"""


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    return {"api": free_port(), "allowed": free_port(), "denied": free_port()}


@pytest.fixture(scope="module")
def api_url(
    ports: dict[str, int],
    real_pipeline: Pipeline,
    real_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """`qa serve` in a subprocess, on a copy of the session's real index (no re-embedding)."""
    origins = f"http://127.0.0.1:{ports['allowed']}"
    folder = tmp_path_factory.mktemp("serve")
    with qa_serve(real_settings, folder, ports["api"], QA_ALLOWED_ORIGINS=origins) as url:
        yield url


@pytest.fixture(scope="module")
def pages(
    ports: dict[str, int], api_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The same news article served from the allowed origin and from a non-allowed one."""
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(ARTICLE_PAGE.format(api=api_url), encoding="utf-8")
    handler = partial(QuietHandler, directory=str(root))
    servers = {
        name: ThreadingHTTPServer(("127.0.0.1", ports[name]), handler)
        for name in ("allowed", "denied")
    }
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {name: f"http://127.0.0.1:{ports[name]}/" for name in servers}
    for server in servers.values():
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_widget(browser: Browser, url: str, **context: Any) -> Page:
    page = browser.new_page(**context)
    page.goto(url, wait_until="load")
    launcher = page.get_by_role("button", name="Ask about this story")
    launcher.click()
    return page


def test_allowed_site_streams_a_cited_answer(browser: Browser, pages: dict[str, str]) -> None:
    page = open_widget(browser, pages["allowed"])
    textbox = page.get_by_role("textbox", name="Your question")
    expect(textbox).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")

    answer = page.locator(".msg.bot").last
    expect(answer).to_contain_text("Kouchner", timeout=20_000)
    source = answer.locator(".sources li").first
    expect(source).to_contain_text("[1]")
    expect(source.locator("blockquote")).not_to_be_empty()
    title = source.locator("a, span:not(.label)").first.inner_text()
    assert title.strip(), "the citation names its source"
    expect(answer).not_to_contain_text("…")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-allowed.png"))

    # Reader text is shown as text: markup in a question is never run or rendered, also where
    # the answer says how a misspelt name in it was read.
    page.keyboard.type('<img src=x onerror="window.pwned=1"> who is Kouchener?')
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user").last).to_contain_text("<img src=x")
    expect(page.locator(".msg.bot").last).not_to_contain_text("…", timeout=20_000)
    expect(page.locator(".msg.bot .read-as").last).to_have_text(
        'Read as: <img src=x onerror="window.pwned=1"> who is Kouchner?'
    )
    assert page.evaluate("window.pwned") is None

    # Esc closes the panel and hands focus back to the button; the page's CSS never hid it.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Ask about this story")).to_be_focused()
    page.close()


def test_panel_fills_a_phone_screen(browser: Browser, pages: dict[str, str]) -> None:
    page = open_widget(browser, pages["allowed"], viewport={"width": 390, "height": 780})
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None
    assert box["width"] == pytest.approx(390, abs=1)
    page.close()


def test_other_site_is_refused_cleanly(browser: Browser, pages: dict[str, str]) -> None:
    page = open_widget(browser, pages["denied"])
    page.get_by_role("button", name="Who asked Clinton to review the case?").click()
    notice = page.get_by_role("alert")
    expect(notice).to_have_text(REFUSAL, timeout=20_000)
    expect(page.locator(".sources")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-denied.png"))
    page.close()

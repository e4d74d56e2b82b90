"""Start-up and memory of the ways to serve, index already built (issue 15's targets).

Prints one JSON object:
- app: `python app.py` launched → the reader page loads in headless Chromium, a question typed in
  it is answered (ready_s); page_s (→ the page answers HTTP 200); answer_ms (a warm /api/ask);
  rss_mb (resident memory after answering) and torch_loaded (whether torch's libraries are mapped
  into the server: they should not be).
- api: `qa serve --no-ui` launched → first /api/ask answer (ready_s), answer_ms, rss_mb, torch_loaded.
- cli_ask_s: wall time of one `qa ask`.
- stages_s: where app.py's start-up goes, step by step in a fresh interpreter.
The index is built first, untimed, in a temp data directory (which also exports the query encoder).

    .venv/bin/python bench/ui.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.config import PROJECT_ROOT
from qa.environment import apply_offline_defaults

QUESTION = "What did Clinton call the Guantanamo Bay prison?"
TIMEOUT_S = 300
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# app.py's steps, timed one by one in a fresh interpreter.
STAGES = """
import json, time
t = time.perf_counter(); stages = {}
def lap(name):
    global t
    now = time.perf_counter(); stages[name] = round(now - t, 3); t = now
from qa.environment import apply_offline_defaults; apply_offline_defaults()
import gradio; lap("import_gradio")
from qa.api import create_app; from qa.chain import build_pipeline; from qa.config import Settings
lap("import_qa_langchain_chroma")
from qa.embeddings import load_embedding_model
settings = Settings(); model = load_embedding_model(settings.resolve_home())
lap("load_query_encoder")
from qa.store import open_or_rebuild_store; store = open_or_rebuild_store(settings, model)
lap("open_index")
from qa.indexing import ingest_corpus
ingest_corpus(settings.corpus, store, settings.chunk_chars); lap("sync_corpus_unchanged")
from qa.chain import Pipeline; pipeline = Pipeline(settings, store); lap("pipeline")
create_app(settings, pipeline, with_ui=True); lap("build_ui_and_mount")
pipeline.ask("warm-up question about Khadr"); lap("first_answer_incl_lexical_index")
print(json.dumps(stages))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def ask_api(base: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}/api/ask",
        data=json.dumps({"question": QUESTION}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, Any] = json.load(response)
    if answer.get("refused") or not answer.get("citations"):
        raise RuntimeError(f"no cited answer: {answer}")
    return answer


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def torch_loaded(pid: int) -> bool:
    """Whether the process has mapped torch's shared libraries (importing torch loads them)."""
    return "/site-packages/torch/" in Path(f"/proc/{pid}/maps").read_text()


def time_start(
    command: list[str], env: dict[str, str], base: str, ready: Callable[[], None]
) -> dict[str, Any]:
    """Launch a server, wait until `ready()` succeeds, then time one warm answer over HTTP."""
    launched = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not get(f"{base}/healthz"):
            if process.poll() is not None or time.perf_counter() - launched > TIMEOUT_S:
                raise RuntimeError(f"{command} did not start")
            time.sleep(0.02)
        healthy_s = time.perf_counter() - launched
        ready()
        ready_s = time.perf_counter() - launched
        started = time.perf_counter()
        ask_api(base)
        answer_ms = (time.perf_counter() - started) * 1000
        return {
            "ready_s": round(ready_s, 2),
            "healthy_s": round(healthy_s, 2),
            "answer_ms": round(answer_ms, 1),
            "rss_mb": round(rss_mb(process.pid)),
            "torch_loaded": torch_loaded(process.pid),
        }
    finally:
        process.kill()
        process.wait(timeout=30)


def answer_in_page(browser: Any, base: str) -> None:
    """Load the reader page, ask, and wait for an answer with a citation marker."""
    page = browser.new_page()
    try:
        page.goto(f"{base}/", wait_until="load", timeout=TIMEOUT_S * 1000)
        box = page.locator("#qa-question :is(input, textarea)")
        box.fill(QUESTION)
        box.press("Enter")
        page.locator('#qa-chat a[href^="#src-0-"]').first.wait_for(timeout=60_000)
    finally:
        page.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    apply_offline_defaults()
    qa = str(Path(sys.executable).with_name("qa"))
    with tempfile.TemporaryDirectory() as home, sync_playwright() as playwright:
        env = {**os.environ, "QA_HOME": home}
        subprocess.run([qa, "ingest", "--json"], env=env, check=True, capture_output=True)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        app_env = {**env, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
        app = time_start(
            [sys.executable, "app.py"], app_env, base, lambda: answer_in_page(browser, base)
        )
        browser.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        api = time_start(
            [qa, "serve", "--no-ui", "--port", str(port), "--no-access-log"],
            env,
            base,
            lambda: ask_api(base),
        )
        started = time.perf_counter()
        subprocess.run([qa, "ask", QUESTION], env=env, check=True, capture_output=True)
        cli_ask_s = time.perf_counter() - started
        stages = subprocess.run(
            [sys.executable, "-c", STAGES],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    print(
        json.dumps(
            {
                "app": app,
                "api": api,
                "cli_ask_s": round(cli_ask_s, 2),
                "stages_s": json.loads(stages.stdout.splitlines()[-1]),
                "targets": {"app_ready_s": 8, "api_ready_s": 3, "cli_ask_s": 3, "rss_mb": 500},
            }
        )
    )


if __name__ == "__main__":
    main()

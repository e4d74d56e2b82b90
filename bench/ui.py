"""Time from launching app.py (index already built) to the first answer over HTTP.

Prints one JSON object: ready_s (launch → first successful answer through Gradio's API, via
gradio_client), serving_s (launch → the page answers HTTP 200), answer_ms (a second, warm answer
over HTTP) and stages_s: where start-up time goes, measured in a separate fresh process that
does what app.py does step by step. The index is built first, untimed, in a temp data directory.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from gradio_client import Client

from qa.config import PROJECT_ROOT
from qa.environment import apply_offline_defaults

QUESTION = "What did Clinton call the Guantanamo Bay prison?"
TIMEOUT_S = 300
# app.py's steps, timed one by one in a fresh interpreter.
STAGES = """
import json, time
t = time.perf_counter(); stages = {}
def lap(name):
    global t
    now = time.perf_counter(); stages[name] = round(now - t, 2); t = now
from qa.environment import apply_offline_defaults; apply_offline_defaults()
import gradio; lap("import_gradio")
from qa.embeddings import load_embedding_model; lap("import_qa_and_langchain")
model = load_embedding_model(); lap("load_model_incl_torch")
from qa.chain import build_pipeline; from qa.config import Settings
settings = Settings(); pipeline = build_pipeline(settings, model, sync_corpus=True)
lap("open_index_and_sync")
from qa.ui import build_ui; build_ui(pipeline, settings); lap("build_ui")
pipeline.ask("warm-up question about Khadr"); lap("first_answer")
print(json.dumps(stages))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def answer_over_http(client: Client) -> str:
    """The last chat message of an /ask call; raises if the app answered with nothing."""
    messages = client.predict(QUESTION, api_name="/ask")[0]
    text = str(messages[-1]["content"]) if messages else ""
    if "[" not in text:
        raise RuntimeError(f"no cited answer over HTTP: {messages!r}")
    return text


def time_app_start(env: dict[str, str]) -> dict[str, float]:
    """Launch app.py and time it until it serves the page and answers a question."""
    url = f"http://127.0.0.1:{env['GRADIO_SERVER_PORT']}/"
    launched = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not serving(url):
            if process.poll() is not None or time.perf_counter() - launched > TIMEOUT_S:
                raise RuntimeError("app.py did not start")
            time.sleep(0.05)
        serving_s = time.perf_counter() - launched
        client = Client(url, verbose=False)
        answer_over_http(client)
        ready_s = time.perf_counter() - launched
        started = time.perf_counter()
        answer_over_http(client)
        answer_ms = (time.perf_counter() - started) * 1000
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"ready_s": ready_s, "serving_s": serving_s, "answer_ms": answer_ms}


def main() -> None:
    apply_offline_defaults()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "QA_HOME": home,
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(free_port()),
        }
        qa = Path(sys.executable).with_name("qa")
        subprocess.run([str(qa), "ingest", "--json"], env=env, check=True, capture_output=True)
        figures = time_app_start(env)
        stages = subprocess.run(
            [sys.executable, "-c", STAGES],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    result = {k: round(v, 2) for k, v in figures.items()}
    result |= {"target_ready_s": 5.0, "stages_s": json.loads(stages.stdout.splitlines()[-1])}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

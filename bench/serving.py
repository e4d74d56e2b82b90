"""The local model in-process (qa/answering/local_model.py, what generative mode runs) against the same
model behind llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`), on the requests
generative mode makes: the candidate sentences of the first N gold questions, the claims schema,
streamed. Both use llama.cpp with QA_LOCAL_THREADS threads; they take turns, never run at once.

Prints one JSON object: for each hosting, ms to the first streamed token and to the whole reply
(p50, p95), and the server's start-up (ms until it answers /v1/models). Needs the server's extra
packages: .venv/bin/pip install 'llama-cpp-python[server]==0.3.36'.

    QA_LOCAL_MODEL=qwen2.5-coder-1.5b .venv/bin/python bench/serving.py [--limit 10]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import BaseMessage

from qa.answering.generative import answer_messages, claims_schema, load_chat_model, structured
from qa.chain import build_pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.environment import apply_offline_defaults
from qa.models import model_path
from qa.prompts import load_prompt


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(timings: list[tuple[float, float]]) -> dict[str, float]:
    first, whole = [t[0] for t in timings], [t[1] for t in timings]
    return {
        "first_token_p50_ms": round(statistics.median(first), 1),
        "first_token_p95_ms": round(percentile(first, 0.95), 1),
        "total_p50_ms": round(statistics.median(whole), 1),
        "total_p95_ms": round(percentile(whole, 0.95), 1),
    }


def in_process(
    model: Any, messages: list[BaseMessage], schema: dict[str, Any]
) -> tuple[float, float]:
    started = time.perf_counter()
    first = None
    for _ in structured(model, schema).stream(messages):
        first = first or time.perf_counter()
    ended = time.perf_counter()
    return ((first or ended) - started) * 1000, (ended - started) * 1000


def served(
    client: httpx.Client, messages: list[BaseMessage], schema: dict[str, Any], max_tokens: int
) -> tuple[float, float]:
    roles = {"system": "system", "human": "user"}
    body = {
        "messages": [{"role": roles[m.type], "content": m.content} for m in messages],
        "response_format": {"type": "json_object", "schema": schema},  # llama_cpp.server's form
        "stream": True,
        "temperature": 0,
        "seed": 0,
        "max_tokens": max_tokens,
    }
    started = time.perf_counter()
    first = None
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data: ") and '"content"' in line:
                first = first or time.perf_counter()
    ended = time.perf_counter()
    return ((first or ended) - started) * 1000, (ended - started) * 1000


def start_server(path: Path, settings: Settings) -> tuple[subprocess.Popen[bytes], str, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--port", str(port),
               "--n_threads", str(settings.local_threads), "--n_ctx", "4096", "--n_batch", "256"]  # fmt: skip
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            httpx.get(f"{url}/v1/models", timeout=1).raise_for_status()
            return server, url, (time.perf_counter() - started) * 1000
        except httpx.HTTPError:
            if server.poll() is not None:
                raise SystemExit(
                    "llama_cpp.server exited: are its extra packages installed?"
                ) from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="?", default=PROJECT_ROOT / "corpus/eval/dev.jsonl")
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    apply_offline_defaults()
    items = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        pipeline = build_pipeline(settings, sync_corpus=True)
        system = load_prompt(settings.prompts, "answer_system")
        prompt = load_prompt(settings.prompts, "answer")
        requests = []
        for item in items[: args.limit]:
            state = pipeline.retrieval.invoke({"question": item["question"], "history": ()})
            candidates = pipeline.model_candidates(state)
            requests.append(
                (
                    answer_messages(state["query"], candidates, system, prompt),
                    claims_schema(len(candidates)),
                )
            )
        model = load_chat_model(settings)
        in_process(model, *requests[0])  # warm: loads the weights, caches the system prompt
        local = [in_process(model, *r) for r in requests]
        del model
        server, url, startup = start_server(
            model_path(settings.local_model, settings.resolve_home()), settings
        )
        try:
            with httpx.Client(base_url=url, timeout=300) as client:
                served(client, *requests[0], settings.chat_max_tokens)
                remote = [served(client, *r, settings.chat_max_tokens) for r in requests]
        finally:
            server.terminate()
            server.wait()
    print(json.dumps({
        "model": settings.local_model,
        "n": len(requests),
        "in_process": figures(local),
        "server": {**figures(remote), "startup_ms": round(startup, 1)},
    }))  # fmt: skip


if __name__ == "__main__":
    main()

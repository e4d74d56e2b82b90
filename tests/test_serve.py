"""`qa serve` as deployed: a real uvicorn server on a real port (client addresses, proxies)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa.chain import Pipeline
from qa.config import Settings
from tests.servers import free_port, qa_serve

pytestmark = pytest.mark.integration

SPOOFS = [
    {"X-Forwarded-For": "203.0.113.1"},
    {"X-Forwarded-For": "203.0.113.2, 198.51.100.7"},
    {"Forwarded": "for=203.0.113.3"},
    {"X-Forwarded-For": "203.0.113.4"},
]


def statuses(url: str) -> list[int]:
    return [
        httpx.post(f"{url}/api/ask", json={"question": "Who met Clinton?"}, headers=h).status_code
        for h in SPOOFS
    ]


def test_forwarding_headers_do_not_dodge_the_rate_limit(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    with qa_serve(real_settings, tmp_path, free_port(), QA_RATE_LIMIT_PER_MINUTE="3") as url:
        # From loopback, with a new made-up client address each time: still one client.
        assert statuses(url) == [200, 200, 200, 429]


def test_a_proxy_named_in_forwarded_allow_ips_is_believed(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    env = {"QA_RATE_LIMIT_PER_MINUTE": "3", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with qa_serve(real_settings, tmp_path, free_port(), **env) as url:
        # Each X-Forwarded-For or Forwarded address is another client...
        assert statuses(url) == [200, 200, 200, 200]
        # ...and one client behind the proxy has one budget, whichever header names it.
        same = {"Forwarded": 'for="[2001:db8::7]:4711";proto=https, for=127.0.0.1'}
        ask = {"question": "Who met Clinton?"}
        codes = [httpx.post(f"{url}/api/ask", json=ask, headers=same).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_only_its_own_host_is_answered_and_headers_are_capped(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    with qa_serve(real_settings, tmp_path, free_port()) as url:
        ask = {"question": "Who met Clinton?"}
        assert httpx.post(f"{url}/api/ask", json=ask).status_code == 200
        rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
        response = httpx.post(f"{url}/api/ask", json=ask, headers=rebound)
        assert response.status_code == 400 and response.json()["error"] == "bad_request"
        many = {f"X-Extra-{i}": "x" for i in range(200)}
        response = httpx.get(f"{url}/healthz", headers=many)
        assert response.status_code == 431 and response.json()["error"] == "headers_too_large"
        huge = httpx.get(f"{url}/healthz", headers={"X-Big": "x" * 1_000_000})
        assert 400 <= huge.status_code < 500
        assert httpx.get(f"{url}/healthz").status_code == 200  # still serving


def test_without_the_ui_it_serves_the_api_and_widget_only(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    with qa_serve(real_settings, tmp_path, free_port(), "--no-ui") as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": "Who released the memo?"})
        assert answer.status_code == 200 and answer.json()["citations"]
        assert httpx.get(f"{url}/widget.js").status_code == 200
        for gradio_path in ("/", "/gradio_api/info", "/config"):
            assert httpx.get(f"{url}{gradio_path}").status_code == 404


def test_a_running_server_answers_from_an_ingest_made_by_another_process(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path, corpus_copy: Path
) -> None:
    new, later = "Who filed the cable at the Paris embassy?", "What did Clinton call the prison?"
    with qa_serve(real_settings, tmp_path, free_port(), QA_CORPUS=str(corpus_copy)) as url:
        assert "Quartermaine" not in ask(url, new)["answer"]
        # A sentence inserted near the top: every later quote moves in the file.
        article = corpus_copy / "article.txt"
        head, rest = article.read_text(encoding="utf-8").split("\n\n", 1)
        fact = "The cable was filed by a clerk named Zebulon Quartermaine at the Paris embassy."
        article.write_text(f"{head}\n\n{fact}\n\n{rest}", encoding="utf-8")
        env = {**os.environ, "QA_HOME": str(tmp_path / "home"), "QA_CORPUS": str(corpus_copy)}
        qa = Path(sys.executable).with_name("qa")
        subprocess.run([str(qa), "ingest", "--json"], env=env, check=True, capture_output=True)
        answers = [ask(url, new), ask(url, later)]
        assert "Quartermaine" in answers[0]["answer"] and "cancer" in answers[1]["answer"]
        for citation in [c for a in answers for c in a["citations"]]:
            text = (corpus_copy / citation["source"]).read_text(encoding="utf-8")
            assert text[citation["start"] : citation["end"]] == citation["quote"]


def ask(url: str, question: str) -> dict[str, Any]:
    reply = httpx.post(f"{url}/api/ask", json={"question": question})
    assert reply.status_code == 200
    answer: dict[str, Any] = reply.json()
    return answer

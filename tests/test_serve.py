"""`qa serve` as deployed: a real uvicorn server on a real port (client addresses, proxies)."""

from __future__ import annotations

from pathlib import Path

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
        # Each X-Forwarded-For is another client; the Forwarded one counts as the proxy itself.
        assert statuses(url) == [200, 200, 200, 200]


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

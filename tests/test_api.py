"""The HTTP API through FastAPI's TestClient: every status path, the SSE stream, the limiter."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from qa.api import ORIGIN_REFUSAL, create_app, own_hosts, trusted_proxies
from qa.chain import Pipeline
from qa.config import Settings
from qa.errors import ConfigError
from qa.feedback import open_feedback_store
from qa.ratelimit import RateLimiter, retry_after_header
from tests.servers import free_port

QUESTION = "Who asked Clinton to review the Khadr case?"
OFF_TOPIC = "What is the capital of Peru?"
ALLOWED = "https://news.example"


def client_for(pipeline: Pipeline, **overrides: Any) -> TestClient:
    settings = pipeline.settings.model_copy(update={"allowed_origins": [ALLOWED], **overrides})
    return TestClient(create_app(settings, pipeline), raise_server_exceptions=False)


@pytest.fixture
def client(fake_pipeline: Pipeline) -> TestClient:
    return client_for(fake_pipeline)


def read_events(text: str) -> list[tuple[str, Any]]:
    """Parse an SSE body into (event name, decoded JSON data) pairs."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] == code
    assert body["message"]
    assert "Traceback" not in response.text
    return body


# --- 200 -------------------------------------------------------------------------------------


def test_ask_returns_the_cli_json_contract(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "question", "answer", "refused", "citations", "timings_ms", "answered_by", "verification",
        "read_as",
    }  # fmt: skip
    assert body["question"] == QUESTION
    assert not body["refused"]
    assert "Kouchner" in body["answer"]
    first = body["citations"][0]
    assert f"[{first['n']}]" in body["answer"]
    assert first["quote"] in body["answer"]


def test_ask_replays_history_for_follow_ups(client: TestClient) -> None:
    history = [{"question": QUESTION, "answer": "Bernard Kouchner, France's foreign minister."}]
    response = client.post("/api/ask", json={"question": "When did they meet?", "history": history})
    assert response.status_code == 200
    assert "2009" in response.json()["answer"]


def test_stream_sends_text_then_citations_then_done(client: TestClient) -> None:
    response = client.post("/api/ask/stream", json={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = read_events(response.text)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"]
    assert set(names[:-2]) == {"delta"}
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert streamed == done["answer"]
    assert events[-2][1]["citations"] == done["citations"]
    assert done["citations"] and not done["refused"]


def test_refused_questions_are_kept_for_editors(fake_pipeline: Pipeline) -> None:
    client = client_for(fake_pipeline)
    assert client.post("/api/ask", json={"question": OFF_TOPIC}).json()["refused"]
    client.post("/api/ask/stream", json={"question": OFF_TOPIC + " Really?"})
    client.post("/api/ask", json={"question": QUESTION})  # answered: not a problem
    entries = open_feedback_store(fake_pipeline.settings).read_entries(problems_only=True)
    assert [e.question for e in entries] == [OFF_TOPIC + " Really?", OFF_TOPIC]


def test_stream_of_a_refusal_names_the_nearest_related_passage(client: TestClient) -> None:
    events = dict(read_events(client.post("/api/ask/stream", json={"question": OFF_TOPIC}).text))
    assert events["done"]["refused"]
    assert events["citations"]["citations"] == []
    assert events["related"]["text"] and events["related"]["title"]


def test_html_in_a_question_comes_back_as_json_text(client: TestClient) -> None:
    question = "<script>alert(1)</script> who is Kouchner?"
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["question"] == question


def test_healthz_widget_and_docs(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["chunks"] > 0
    assert health.json()["corpus_sync"] == "off"  # this client's pipeline was built without one
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in widget.text
    assert "innerHTML" not in widget.text  # text is only ever set as text
    assert client.get("/docs").status_code == 200
    assert "/api/ask/stream" in client.get("/openapi.json").json()["paths"]


# --- origins (403) ---------------------------------------------------------------------------


def test_allowed_origin_gets_cors_headers(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    preflight = client.options(
        "/api/ask/stream",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED


def test_the_apps_own_origin_is_always_allowed(client: TestClient) -> None:
    response = client.post(
        "/api/ask", json={"question": QUESTION}, headers={"Origin": "http://testserver"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers  # same origin needs none


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_other_origins_get_a_readable_403(client: TestClient, path: str) -> None:
    evil = "https://elsewhere.example"
    response = client.post(path, json={"question": QUESTION}, headers={"Origin": evil})
    body = assert_error(response, 403, "origin_not_allowed")
    assert body["message"] == ORIGIN_REFUSAL
    # Readable by the refused page (so the widget can say why), and nothing else is.
    assert response.headers["access-control-allow-origin"] == evil


def test_default_allows_only_the_apps_own_origin(fake_pipeline: Pipeline) -> None:
    client = client_for(fake_pipeline, allowed_origins=[])
    response = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED})
    assert_error(response, 403, "origin_not_allowed")
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_allowed_origins_parse_from_json_or_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_ALLOWED_ORIGINS", "https://A.example/, http://b.example:8080")
    assert Settings().allowed_origins == ["https://a.example", "http://b.example:8080"]
    monkeypatch.setenv("QA_ALLOWED_ORIGINS", '["https://a.example"]')
    assert Settings().allowed_origins == ["https://a.example"]
    monkeypatch.setenv("QA_ALLOWED_ORIGINS", "news.example/page")
    with pytest.raises(ValidationError, match="not an origin"):
        Settings()


# --- size and shape (413, 422) ---------------------------------------------------------------


def test_oversized_body_is_413(fake_pipeline: Pipeline) -> None:
    client = client_for(fake_pipeline, max_body_bytes=2048)
    body = json.dumps({"question": "x" * 4000})
    declared = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert_error(declared, 413, "body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield body.encode()

    streamed = client.post(
        "/api/ask", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(streamed, 413, "body_too_large")


@pytest.mark.parametrize(
    "payload",
    [
        {"question": "x" * 600},  # over max_question_chars
        {"question": "   "},
        {"question": "\x00\x01\x02"},
    ],
)
def test_unusable_questions_are_422_before_any_stream(client: TestClient, payload: Any) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        assert_error(client.post(path, json=payload), 422, "invalid_request")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"question": ', "application/json"),
        (b'{"question": "hi"}', "text/plain"),
        (b"[1, 2]", "application/json"),
        (b'{"question": 42}', "application/json"),
        (b'{"question": "hi", "admin": true}', "application/json"),
        (b'{"question": "hi", "history": [{"question": "a"}]}', "application/json"),
    ],
)
def test_malformed_requests_are_422(client: TestClient, content: bytes, content_type: str) -> None:
    response = client.post("/api/ask", content=content, headers={"Content-Type": content_type})
    body = assert_error(response, 422, "invalid_request")
    assert "hint" in body


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00binary", b"[" * 5000 + b"]" * 5000, b'{"question": ' + b"9" * 5000 + b"}"],
)
def test_a_body_that_is_not_json_is_422(client: TestClient, body: bytes) -> None:
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 422, "invalid_request")


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/gradio_api/queue/join"])
def test_a_body_nested_too_deep_is_422_before_any_parser_reads_it(
    fake_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """A parser recursing to the interpreter's limit leaves finalizers run there no stack."""
    client = TestClient(create_app(fake_pipeline.settings, fake_pipeline, with_ui=True))
    nested = b'{"question": "hi", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    parsed: list[str | bytes] = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda s, **kw: parsed.append(s) or loads(s, **kw))
    headers = {"Content-Type": "application/json"}
    body = assert_error(client.post(path, content=nested, headers=headers), 422, "invalid_request")
    assert "nests deeper than" in body["message"]
    assert nested not in parsed
    # A string holding brackets is no nesting.
    shallow = json.dumps({"question": "[" * 100 + " Who asked Clinton?", "history": []})
    assert client.post("/api/ask", content=shallow, headers=headers).status_code == 200


@pytest.mark.parametrize("with_ui", [False, True])
def test_one_error_shape_for_wrong_methods_and_paths(
    fake_pipeline: Pipeline, with_ui: bool
) -> None:
    app = create_app(fake_pipeline.settings, fake_pipeline, with_ui=with_ui)
    client = TestClient(app, raise_server_exceptions=False)
    for method, path in [("GET", "/api/ask"), ("PUT", "/api/ask/stream"), ("POST", "/healthz")]:
        response = client.request(method, path)
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["Allow"]
    assert_error(client.get("/no/such/page"), 404, "not_found")
    assert client.head("/healthz").status_code == 200


def test_too_much_history_is_422(client: TestClient) -> None:
    history = [{"question": "q", "answer": "a"}] * 21
    response = client.post("/api/ask", json={"question": QUESTION, "history": history})
    assert_error(response, 422, "invalid_request")


def test_wrong_method_and_path_are_json(client: TestClient) -> None:
    assert_error(client.get("/api/ask"), 405, "method_not_allowed")
    assert_error(client.get("/api/nothing"), 404, "not_found")


def test_a_server_error_is_a_500_without_details(
    client: TestClient, fake_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(fake_pipeline, "ask", broken)
    response = client.post("/api/ask", json={"question": QUESTION})
    assert_error(response, 500, "server_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text


# --- rate limit (429) --------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(fake_pipeline: Pipeline) -> None:
    client = client_for(fake_pipeline, rate_limit_per_minute=2)
    for _ in range(2):
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
    for path in ("/api/ask", "/api/ask/stream"):
        response = client.post(path, json={"question": QUESTION}, headers={"Origin": ALLOWED})
        assert_error(response, 429, "rate_limited")
        assert 1 <= int(response.headers["retry-after"]) <= 60  # the oldest request expires
        # The widget on an allowed page can read both the refusal and when to retry.
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "retry-after" in response.headers["access-control-expose-headers"].lower()
    assert client.get("/healthz").status_code == 200  # only the API is limited


def test_limiter_counts_each_client_in_a_moving_minute() -> None:
    async def scenario() -> tuple[list[float], float]:
        limiter = RateLimiter(3)
        waits = [await limiter.acquire("a") for _ in range(4)]
        return waits, await limiter.acquire("b")

    waits, other = asyncio.run(scenario())
    assert waits[:3] == [0.0, 0.0, 0.0] and 0 < waits[3] <= 60
    assert other == 0.0  # clients have separate budgets
    assert retry_after_header(0.2) == "1" and retry_after_header(1.01) == "2"


def test_an_unusable_rate_limit_store_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="QA_RATE_LIMIT_STORAGE"):
        RateLimiter(3, "carrier-pigeon://loft")


def test_an_unreachable_redis_lets_requests_through_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RateLimiter(1, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    waits = asyncio.run(limiter.acquire("a")), asyncio.run(limiter.acquire("a"))
    assert waits == (0.0, 0.0)
    assert "rate limit store unavailable" in caplog.text


@pytest.mark.parametrize(
    ("public_url", "host", "port", "expected"),
    [
        ("", "127.0.0.1", 8000, {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}),
        ("https://qa.example.org", "10.0.0.5", 8000, {"qa.example.org", "10.0.0.5:8000"}),
        ("", "0.0.0.0", 8000, set()),  # every interface and no public name: no check
    ],
)
def test_the_hosts_a_server_answers_to(
    public_url: str, host: str, port: int, expected: set[str]
) -> None:
    assert own_hosts(public_url, host, port) == expected


@pytest.mark.parametrize(
    ("header", "client"),
    [
        ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ('for="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::17"),
        ("for=192.0.2.43:8080, for=198.51.100.17", "198.51.100.17"),
        ("for=198.51.100.17, for=10.0.0.2", "198.51.100.17"),  # 10.0.0.2: a proxy we trust
        ('For="_hidden"', "_hidden"),
        ("for=unknown", "unknown"),
    ],
)
def test_the_client_behind_a_trusted_proxy_comes_from_forwarded(
    fake_pipeline: Pipeline, header: str, client: str
) -> None:
    seen = client_seen(fake_pipeline, "10.0.0.1, 10.0.0.2", {"Forwarded": header})
    assert seen == client


def test_forwarded_from_an_untrusted_peer_is_ignored(fake_pipeline: Pipeline) -> None:
    seen = client_seen(fake_pipeline, "10.0.0.9", {"Forwarded": "for=192.0.2.60"})
    assert seen == PEER


PEER = "10.0.0.1"


def client_seen(pipeline: Pipeline, trusted: str, headers: dict[str, str]) -> str:
    """The client address the app's routes see for a request from PEER."""
    app = create_app(pipeline.settings, pipeline)
    app.state.trusted_proxies = trusted_proxies(trusted)

    @app.get("/client-seen")
    def echo(request: Request) -> dict[str, str]:
        return {"client": request.client.host if request.client else ""}

    response = TestClient(app, client=(PEER, 50000)).get("/client-seen", headers=headers)
    return str(response.json()["client"])

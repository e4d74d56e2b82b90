"""Reader and editor UI handlers, tested as plain functions; rendering escapes everything."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from qa.api import create_app
from qa.chain import Pipeline
from qa.config import Settings
from qa.corpus import read_manifest
from qa.editors import item_rows, problem_rows, resolve_gold_path, run_gold_set
from qa.errors import ConfigError, IndexNotBuiltError, InvalidQuestionError
from qa.feedback import FeedbackStore
from qa.types import Answer, Citation, Passage, Turn
from qa.ui import (
    Exchange,
    build_ui,
    chat_messages,
    friendly_notice,
    rate_answer,
    respond,
    send_note,
    suggest_question,
)
from qa.ui_render import (
    answer_markdown,
    escape_html,
    escape_markdown,
    highlighted_passage,
    piece_markdown,
    safe_url,
    sources_html,
    summary_html,
)
from tests.conftest import CORPUS
from tests.servers import free_port

SCRIPT = "<img src=x onerror=alert(1)>"
STARTERS = ["Who asked Hillary Clinton to review Omar Khadr's case?", "What did Clinton call it?"]
PASSAGE = Passage(
    "a.txt#1", "article.txt", "Title <b>", "https://example.org/story", "2010-12-01", "article",
    1.0, "", "Before. The cited sentence. After.", 100, 134, 0.9,
)  # fmt: skip
CITATION = Citation(
    1, "article.txt", "Title <b>", "https://example.org/story", "a.txt#1", 108, 127,
    "The cited sentence.", "article", "2010-12-01",
)  # fmt: skip
ANSWER = Answer("Q?", "The cited sentence. [1]", False, (CITATION,), (PASSAGE,))
REFUSAL = Answer(
    "Capital of Peru?", "The sources for this story don't answer that.", True, (), (PASSAGE,)
)


class ScriptedPipeline:
    """Stands in for Pipeline in handler tests: checks like the real one, streams a set Answer."""

    def __init__(self, answer: Answer | Exception, max_chars: int = 500) -> None:
        self.answer, self.max_chars, self.calls = answer, max_chars, 0

    def check_question(self, question: str) -> str:
        if not question.strip():
            raise InvalidQuestionError("Please type a question about the story.")
        if len(question) > self.max_chars:
            raise InvalidQuestionError("That question is too long.", "Ask something shorter.")
        return question.strip()

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        if self.answer.refused:
            yield self.answer.answer
        for c in self.answer.citations:
            yield f"{c.quote} [{c.n}]"
        yield self.answer


def ask(pipeline: Any, store: FeedbackStore, question: str, exchanges: list[Exchange]) -> list[Any]:
    return list(respond(pipeline, store, STARTERS, question, exchanges))


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")


# ---------------------------------------------------------------- rendering


def test_escape_markdown_shows_html_and_markdown_as_text() -> None:
    rendered = escape_markdown(f"{SCRIPT} **bold** [x](javascript:alert(1)) $${{t}}")
    assert "<img" not in rendered and "&lt;img" in rendered
    assert "\\*\\*bold\\*\\*" in rendered and "\\[x\\]\\(javascript" in rendered
    assert "{" not in rendered and "$" not in rendered


def test_escape_html_encodes_template_syntax() -> None:
    assert (
        escape_html('${alert(1)} {{x}} "q"')
        == "&#36;&#123;alert(1)&#125; &#123;&#123;x&#125;&#125; &quot;q&quot;"
    )


def test_piece_markers_link_to_the_cited_card() -> None:
    assert piece_markdown(" It said <b>no</b>. [2]", 3) == (
        " It said &lt;b&gt;no&lt;/b&gt;\\. [\\[2\\]](#src-3-2)"
    )
    assert piece_markdown("No marker here [x]", 0) == "No marker here \\[x\\]"
    assert answer_markdown(ANSWER, 0) == "The cited sentence\\. [\\[1\\]](#src-0-1)"
    assert "#src" not in answer_markdown(REFUSAL, 0)


def test_the_final_answer_keeps_what_stands_between_its_quotes() -> None:
    computed = replace(
        ANSWER,
        answer="February 2009: The cited sentence. [1] From 21 January 2009 to 5 February 2009: "
        "15 days. A stray [7] stays text.",
    )
    assert answer_markdown(computed, 2) == (
        "February 2009: The cited sentence\\. [\\[1\\]](#src-2-1) From 21 January 2009 to 5 "
        "February 2009: 15 days\\. A stray \\[7\\] stays text\\."
    )


def test_highlight_marks_exactly_the_cited_span() -> None:
    assert highlighted_passage(PASSAGE, CITATION) == (
        "Before. <mark>The cited sentence.</mark> After."
    )


def test_highlight_outside_the_passage_falls_back_to_the_quote() -> None:
    stray = Citation(1, "article.txt", "T", "", "a.txt#1", 900, 920, "<q>")
    assert highlighted_passage(PASSAGE, stray).endswith("<mark>&lt;q&gt;</mark>")


@pytest.mark.parametrize(
    ("url", "kept"),
    [("https://x.org/a", True), ("javascript:alert(1)", False), ("data:text/html,x", False),
     ("//evil.org", False), ("ftp://x.org/f", False)],
)  # fmt: skip
def test_only_http_links_are_kept(url: str, kept: bool) -> None:
    assert (safe_url(url) == url) is kept


def test_sources_panel_marks_the_article_as_primary_and_escapes_titles() -> None:
    panel = sources_html(ANSWER, 2)
    assert 'id="src-2-1"' in panel and "<mark>The cited sentence.</mark>" in panel
    assert "Primary source" in panel and "Title &lt;b&gt;" in panel
    assert 'href="https://example.org/story"' in panel and "2010-12-01" in panel


def test_refusal_panel_shows_nearest_passage_and_a_suggestion() -> None:
    panel = sources_html(REFUSAL, 0, suggestion=SCRIPT)
    assert "don't cover" in panel and "Nearest related passage" in panel
    assert "Before. The cited sentence. After." in panel
    assert "&lt;img src=x" in panel and "<img" not in panel


# ---------------------------------------------------------------- reader handlers


def test_empty_question_gets_a_prompt_and_no_call(store: FeedbackStore) -> None:
    pipeline = ScriptedPipeline(ANSWER)
    (reply,) = ask(pipeline, store, "   \n ", [])
    assert pipeline.calls == 0
    assert "Please type a question" in reply[3] and reply[0] == []


def test_too_long_question_is_refused_with_the_limit_and_kept_for_editing(
    store: FeedbackStore,
) -> None:
    pipeline = ScriptedPipeline(ANSWER, max_chars=20)
    (reply,) = ask(pipeline, store, "x" * 21, [])
    assert pipeline.calls == 0 and "too long" in reply[3] and reply[4] == "x" * 21


def test_answer_streams_then_shows_cited_sources(store: FeedbackStore) -> None:
    replies = ask(ScriptedPipeline(ANSWER), store, SCRIPT, [])
    assert len(replies) >= 3  # question shown, a piece streamed, final answer with sources
    messages, exchanges, panel, notice, box, _ = replies[-1]
    assert messages[0] == {"role": "user", "content": "&lt;img src=x onerror=alert\\(1\\)&gt;"}
    assert messages[1]["content"].endswith("[\\[1\\]](#src-0-1)")
    assert "<mark>" in panel and notice == "" and box == ""
    assert exchanges[0].answer == ANSWER and store.read_entries() == []


def test_refusal_is_logged_and_a_starter_suggested(store: FeedbackStore) -> None:
    replies = ask(ScriptedPipeline(REFUSAL), store, "Who was Clinton's deputy?", [])
    _, exchanges, panel, _, _, button = replies[-1]
    assert button["visible"] is True and button["value"] in STARTERS
    assert "Nearest related passage" in panel
    (entry,) = store.read_entries()
    assert entry.refused and entry.rating is None and exchanges[0].feedback_id == entry.id


def test_a_feedback_database_outage_never_costs_the_reader_an_answer() -> None:
    down = FeedbackStore(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/feedback")
    replies = ask(ScriptedPipeline(REFUSAL), down, "Who was Clinton's deputy?", [])
    _, exchanges, panel, notice, _, _ = replies[-1]
    assert "Nearest related passage" in panel and notice == ""  # refused as usual, not logged
    assert exchanges[0].feedback_id is None
    answered = ask(ScriptedPipeline(ANSWER), down, "Q?", [])[-1][1]
    _, entry_id, status, _ = rate_answer(down, answered, 1, True)
    assert entry_id is None and "Feedback cannot be saved" in status
    assert "Feedback cannot be saved" in send_note(down, 3, "a note")[0]


def test_domain_error_mid_answer_shows_how_to_fix_it(store: FeedbackStore) -> None:
    error = IndexNotBuiltError("The sources are not indexed yet.", "Build the index: qa ingest")
    replies = ask(ScriptedPipeline(error), store, "Who?", [])
    messages, exchanges, _, notice, box, _ = replies[-1]
    assert messages == [] and exchanges == [] and box == "Who?"
    assert "qa ingest" in notice and notice == friendly_notice(error)


def test_follow_ups_replay_earlier_answers(store: FeedbackStore) -> None:
    seen: list[Sequence[Turn]] = []
    pipeline = ScriptedPipeline(ANSWER)
    original = pipeline.stream

    def recording(question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        seen.append(history)
        return original(question, history)

    pipeline.stream = recording  # type: ignore[method-assign]
    first = ask(pipeline, store, "First?", [])[-1][1]
    ask(pipeline, store, "And then?", first)
    assert seen[1] == [Turn("First?", ANSWER.answer)]


def test_thumbs_store_one_row_per_answer_and_a_note(store: FeedbackStore) -> None:
    exchanges = ask(ScriptedPipeline(ANSWER), store, "Q?", [])[-1][1]
    exchanges, entry_id, status, box = rate_answer(store, exchanges, 1, True)
    assert "Thanks" in status and box["visible"] is True
    rate_answer(store, exchanges, 1, False)
    assert send_note(store, entry_id, SCRIPT) == (send_note(store, entry_id, "x")[0], "")
    (entry,) = store.read_entries()
    assert (entry.rating, entry.note, entry.question) == ("down", "x", "Q?")


def test_thumbs_on_a_bad_index_or_unknown_option_do_nothing(store: FeedbackStore) -> None:
    exchanges = [Exchange("Q?", "text", ANSWER)]
    assert rate_answer(store, exchanges, 7, True)[1] is None
    assert rate_answer(store, exchanges, 1, "Flag")[1] is None
    assert store.read_entries() == []
    assert "Rate an answer" in send_note(store, None, "hello")[0]


def test_chat_messages_pair_questions_and_answers() -> None:
    messages = chat_messages([Exchange("a *b*", "")])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "a \\*b\\*" and messages[1]["content"] == "…"


def test_suggestion_prefers_a_starter_sharing_words() -> None:
    assert suggest_question("What did Clinton call Guantanamo?", STARTERS) == STARTERS[1]
    assert suggest_question(STARTERS[0], STARTERS[:1]) == ""


# ---------------------------------------------------------------- editors' handlers


def test_problem_rows_list_refusals_and_thumbs_down(store: FeedbackStore) -> None:
    store.save_answer(ANSWER, rating="up")
    store.save_answer(REFUSAL)
    rows = problem_rows(store)
    assert [r[1:3] for r in rows] == [["unanswered", "Capital of Peru?"]]


def test_gold_path_is_a_listed_file_or_an_upload(settings: Settings, tmp_path: Path) -> None:
    assert resolve_gold_path(settings, "dev.jsonl", None) == CORPUS / "eval" / "dev.jsonl"
    assert resolve_gold_path(settings, "dev.jsonl", str(tmp_path / "u.jsonl")).name == "u.jsonl"
    with pytest.raises(ConfigError):
        resolve_gold_path(settings, "../sources.toml", None)


def test_gold_run_reports_figures_items_and_files(
    fake_pipeline: Pipeline, settings: Settings, tmp_path: Path
) -> None:
    gold = tmp_path / "small.jsonl"
    lines = (CORPUS / "eval" / "dev.jsonl").read_text().splitlines()[:3]
    gold.write_text("\n".join(lines) + "\n")
    steps: list[tuple[int, int]] = []
    figures, data, run = run_gold_set(
        fake_pipeline, settings, gold, lambda d, t: steps.append((d, t))
    )
    assert steps[-1] == (3, 3) and len(data["items"]) == 3
    assert "Answer accuracy" in figures and "Latency" in figures
    assert [f.suffix for f in run.files] == [".html", ".csv"]
    assert all(f.is_file() and f.is_relative_to(settings.resolve_home()) for f in run.files)


def test_item_rows_filter_to_failures() -> None:
    items = [
        {"id": "a", "correct": True, "question": SCRIPT},
        {"id": "b", "correct": False, "failures": ["wrong"]},
        {"id": "c", "correct": None},
    ]
    assert [r[0] for r in item_rows(items, failures_only=False)] == ["a", "b", "c"]
    (failed,) = item_rows(items, failures_only=True)
    assert failed[0] == "b" and failed[5] == "FAIL" and failed[6] == "wrong answer"


def test_summary_escapes_warnings_and_shows_missing_figures_as_dashes() -> None:
    html = summary_html({"n": 2, "answer_accuracy": 0.5, "latency_ms": {"p50": 3.0}}, [SCRIPT])
    assert "0.500" in html and "—" in html and "&lt;img" in html and "<img" not in html


def test_bad_gold_upload_is_a_clear_error(
    fake_pipeline: Pipeline, settings: Settings, tmp_path: Path
) -> None:
    from qa.errors import QAError

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\x00\xff not json")
    with pytest.raises(QAError) as caught:
        run_gold_set(fake_pipeline, settings, bad)
    assert "line 1" in friendly_notice(caught.value)


# ---------------------------------------------------------------- the app


def test_build_ui_wires_an_ask_endpoint_and_corpus_starters(
    fake_pipeline: Pipeline, settings: Settings
) -> None:
    demo = build_ui(fake_pipeline, settings)
    assert isinstance(demo, gr.Blocks)
    assert "on_ask" in [fn.name for fn in demo.fns.values()]
    config = json.dumps(demo.get_config_file(), default=str)
    starters = read_manifest(CORPUS).starters
    assert len(starters) >= 3 and all(json.dumps(q)[1:-1] in config for q in starters)
    assert "fonts.googleapis" not in config and "cdn" not in config.lower()


@pytest.mark.integration
def test_every_starter_is_answered_by_the_real_pipeline(real_pipeline: Pipeline) -> None:
    for question in read_manifest(CORPUS).starters:
        answer = real_pipeline.ask(question)
        assert not answer.refused, question
        assert answer.citations, question


def test_the_reader_app_has_no_editors_tools(fake_pipeline: Pipeline, settings: Settings) -> None:
    demo = build_ui(fake_pipeline, settings)
    names = {fn.name for fn in demo.fns.values()}
    assert "on_ask" in names and not names & {"on_run", "on_refresh", "on_filter"}
    config = json.dumps(demo.get_config_file(), default=str)
    assert "Run evaluation" not in config and "Editors" not in config


@pytest.mark.parametrize("password", ["", "s3cret"])
def test_editors_pages_exist_only_behind_a_password(
    fake_pipeline: Pipeline, settings: Settings, password: str
) -> None:
    guarded = settings.model_copy(update={"editor_password": SecretStr(password)})
    client = TestClient(create_app(guarded, fake_pipeline, with_ui=True))
    assert "Run evaluation" not in client.get("/config").text  # the reader's page
    for path in ("/editors/config", "/editors/gradio_api/info"):
        assert client.get(path).status_code == (401 if password else 404)
    join = client.post("/editors/gradio_api/queue/join", json={"fn_index": 0, "data": []})
    assert join.status_code == (401 if password else 404)
    if password:
        wrong = client.post("/editors/login", data={"username": "editor", "password": "guess"})
        assert wrong.status_code >= 400
        assert client.get("/editors/config").status_code == 401
        client.post("/editors/login", data={"username": "editor", "password": password})
        assert "Run evaluation" in client.get("/editors/config").text


def reader_client(pipeline: Pipeline, settings: Settings, **overrides: Any) -> TestClient:
    app = create_app(settings.model_copy(update=overrides), pipeline, with_ui=True)
    return TestClient(app, raise_server_exceptions=False)


def test_the_reader_page_offers_no_named_gradio_endpoints(
    fake_pipeline: Pipeline, settings: Settings
) -> None:
    client = reader_client(fake_pipeline, settings)
    assert client.get("/gradio_api/info").json()["named_endpoints"] == {}
    for path in ("/gradio_api/call/ask", "/gradio_api/run/predict", "/gradio_api/upload"):
        response = client.post(path, json={"data": ["Who?", []]})
        assert response.status_code == 404 and response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"fn_index": 9999, "data": [], "session_hash": "s"}', 422),  # no such event
        (b'{"fn_index": "0", "data": []}', 422),  # wrong type
        (b"[1, 2", 422),  # not JSON
        (b'{"data": ["' + b"x" * 70_000 + b'"], "fn_index": 0}', 413),  # over the body limit
    ],
)
def test_junk_sent_to_gradios_queue_is_a_clear_error(
    fake_pipeline: Pipeline, settings: Settings, body: bytes, status: int
) -> None:
    client = reader_client(fake_pipeline, settings)
    response = client.post("/gradio_api/queue/join", content=body)
    assert response.status_code == status
    assert set(response.json()) == {"error", "message"}


def test_gradios_queue_shares_the_apis_rate_limit(
    fake_pipeline: Pipeline, settings: Settings
) -> None:
    client = reader_client(fake_pipeline, settings, rate_limit_per_minute=2)
    assert client.post("/api/ask", json={"question": "Who met Clinton?"}).status_code == 200
    event = min(client.app.state.reader_events)  # type: ignore[attr-defined]
    join = {"fn_index": event, "data": ["Who met Clinton?", []], "session_hash": "s"}
    assert client.post("/gradio_api/queue/join", json=join).status_code == 200
    response = client.post("/gradio_api/queue/join", json=join)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.json()["error"] == "rate_limited"
    assert client.post("/api/ask", json={"question": "Who met Clinton?"}).status_code == 429


def test_the_final_answer_says_how_a_misspelt_question_was_read() -> None:
    read = replace(ANSWER, read_as="Who is <b>Kouchner</b>?")
    assert answer_markdown(read, 0) == (
        "*Read as: Who is &lt;b&gt;Kouchner&lt;/b&gt;?*\n\n"
        "The cited sentence\\. [\\[1\\]](#src-0-1)"
    )

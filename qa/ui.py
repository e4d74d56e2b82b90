"""Gradio Blocks: the reader's chat with cited sources (the editors' app is qa/editors.py).

Handlers are plain module-level functions that take the pipeline, store or settings they need as
arguments; `build_ui` only lays out components and wires thin closures to them. Domain errors are
turned into a reader-facing notice in one place, `friendly_notice`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from qa.chain import Pipeline
from qa.config import Settings
from qa.corpus import read_manifest
from qa.errors import QAError
from qa.feedback import (
    FeedbackError,
    FeedbackStore,
    Rating,
    log_refusal,
    open_feedback_store,
)
from qa.text import tokens
from qa.types import Answer, Turn
from qa.ui_render import (
    answer_markdown,
    empty_sources_html,
    escape_markdown,
    header_html,
    notice_html,
    piece_markdown,
    sources_html,
)

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
READER_CONCURRENCY = 4
# Reply outputs, in order: chat messages, exchanges, sources panel, notice, textbox, suggestion.
Reply = tuple[list[dict[str, str]], list["Exchange"], Any, str, str, Any]


@dataclass
class Exchange:
    """One question and its answer as the reader sees them; `text` grows while streaming."""

    question: str
    text: str = ""
    answer: Answer | None = None
    feedback_id: int | None = None


def friendly_notice(exc: QAError) -> str:
    """The one place a domain error becomes something a reader sees: message and what to do."""
    return notice_html(exc.user_message, exc.hint)


def chat_messages(exchanges: Sequence[Exchange]) -> list[dict[str, str]]:
    """The chat as Gradio messages; questions escaped so typed HTML shows as text."""
    messages = []
    for exchange in exchanges:
        messages.append({"role": "user", "content": escape_markdown(exchange.question)})
        messages.append({"role": "assistant", "content": exchange.text or "…"})
    return messages


def history_before(exchanges: Sequence[Exchange], turn: int) -> list[Turn]:
    """Prior answered turns, replayed so follow-up questions make sense."""
    return [Turn(e.question, e.answer.answer) for e in exchanges[:turn] if e.answer is not None]


def suggest_question(question: str, starters: Sequence[str]) -> str:
    """The starter sharing most words with the question (the first one when none do)."""
    asked = set(tokens(question))
    candidates = [s for s in starters if s.strip().lower() != question.strip().lower()]
    if not candidates:
        return ""
    return max(candidates, key=lambda s: len(asked & set(tokens(s))))


def respond(
    pipeline: Pipeline,
    store: FeedbackStore,
    starters: Sequence[str],
    question: str,
    exchanges: list[Exchange],
) -> Iterator[Reply]:
    """Stream an answer into the chat, then show its sources (or, for a refusal, what to try)."""
    try:
        cleaned = pipeline.check_question(question)
    except QAError as exc:  # empty or too long: a gentle prompt, and the text stays editable
        yield _unchanged(exchanges, friendly_notice(exc), question)
        return
    turn, history = len(exchanges), history_before(exchanges, len(exchanges))
    current = Exchange(cleaned)
    exchanges = [*exchanges, current]
    yield chat_messages(exchanges), exchanges, gr.skip(), "", "", gr.skip()
    pieces: list[str] = []
    try:
        for item in pipeline.stream(cleaned, history):
            if isinstance(item, Answer):
                current.answer = item
                break
            pieces.append(piece_markdown(item, turn))
            current.text = "".join(pieces)
            yield chat_messages(exchanges), exchanges, gr.skip(), "", "", gr.skip()
    except QAError as exc:
        yield _unchanged(exchanges[:-1], friendly_notice(exc), question)
        return
    answer = current.answer
    if answer is None:  # the stream contract ends with the Answer; never leave a silent bubble
        raise RuntimeError("Pipeline.stream ended without an Answer")
    current.text = answer_markdown(answer, turn)
    suggestion = ""
    if answer.refused:  # logged so editors see what readers wanted and the sources lack
        current.feedback_id = log_refusal(store, answer, history)
        suggestion = suggest_question(cleaned, starters)
    panel = sources_html(answer, turn, suggestion)
    button = gr.update(value=suggestion, visible=bool(suggestion))
    yield chat_messages(exchanges), exchanges, panel, "", "", button


def _unchanged(exchanges: list[Exchange], notice: str, question: str) -> Reply:
    """The chat as it was, a notice, and the question left in the box to edit."""
    return chat_messages(exchanges), exchanges, gr.skip(), notice, question, gr.skip()


def rate_answer(
    store: FeedbackStore, exchanges: list[Exchange], index: Any, liked: Any
) -> tuple[list[Exchange], int | None, str, Any]:
    """Store a thumbs up/down for the answer at chat message `index`; returns the row id.

    Outputs: exchanges, id of the rated row (for the note), a status line, the note box update.
    """
    position = index[0] if isinstance(index, list | tuple) else index
    turn = int(position) // 2  # messages alternate question, answer
    if not isinstance(liked, bool) or not 0 <= turn < len(exchanges):
        return exchanges, None, "", gr.skip()
    exchange = exchanges[turn]
    if exchange.answer is None:
        return exchanges, None, "", gr.skip()
    rating: Rating = "up" if liked else "down"
    try:
        if exchange.feedback_id is None:
            history = history_before(exchanges, turn)
            exchange.feedback_id = store.save_answer(exchange.answer, history, rating)
        else:
            store.save_rating(exchange.feedback_id, rating)
    except FeedbackError as exc:
        return exchanges, None, friendly_notice(exc), gr.skip()
    thanks = "Thanks, glad it helped." if liked else "Thanks, editors will look at this one."
    status = notice_html(f"{thanks} You can add a note below (optional).")
    return exchanges, exchange.feedback_id, status, gr.update(visible=True)


def send_note(store: FeedbackStore, entry_id: int | None, note: str) -> tuple[str, str]:
    """Attach a note to the last rated answer. Outputs: status line, cleared note box."""
    if entry_id is None:
        return notice_html("Rate an answer with the thumbs first, then add a note."), note
    if not note.strip():
        return notice_html("The note is empty; type a few words first."), note
    try:
        store.save_note(entry_id, note)
    except FeedbackError as exc:
        return friendly_notice(exc), note
    return notice_html("Note saved. Thank you."), ""


def read_asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def article_title(settings: Settings) -> tuple[str, str]:
    """Title and date of the story the bot is about: the manifest's "article" source."""
    manifest = read_manifest(settings.corpus)
    for meta in manifest.sources.values():
        if meta.kind == "article":
            return meta.title, meta.date
    return "the story", ""


def build_ui(pipeline: Pipeline, settings: Settings) -> gr.Blocks:
    """The reader's app: the chat with its cited sources. Editors' tools are a separate app
    (qa/editors.py) that readers never get. No network assets are used."""
    store = open_feedback_store(settings)
    title, date = article_title(settings)
    css = read_asset("ui.css")
    with gr.Blocks(title="Ask the story", analytics_enabled=False) as demo:
        gr.HTML(header_html(title, date), css_template=css, js_on_load=None)
        _reader_tab(pipeline, settings, store, title, css)
    # Answering only reads the index and the feedback store opens a connection per call, so
    # readers need not wait in one line behind each other.
    demo.queue(default_concurrency_limit=READER_CONCURRENCY)
    return demo


def _reader_tab(
    pipeline: Pipeline, settings: Settings, store: FeedbackStore, title: str, css: str
) -> None:
    starters = list(read_manifest(settings.corpus).starters)
    exchanges = gr.State([])
    rated_id = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chatbot = gr.Chatbot(
                label="Conversation",
                height=440,
                sanitize_html=True,
                latex_delimiters=[],
                feedback_options=("Like", "Dislike"),
                buttons=["copy"],
                placeholder="Ask about the story, or pick a question below.",
                allow_tags=False,
                elem_id="qa-chat",
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Ask a question about the story and press Enter",
                    lines=1,
                    max_lines=1,
                    autofocus=True,
                    scale=5,
                    elem_id="qa-question",
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=72)
            notice = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-notice")
            suggestion = gr.Button(visible=False, size="sm", elem_id="qa-suggestion")
            with gr.Column(visible=False) as note_box:
                rated = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-rated")
                note = gr.Textbox(label="Add a note (optional)", lines=2, max_lines=6)
                send = gr.Button("Send note", size="sm")
            gr.Markdown("**Try asking**", visible=bool(starters))
            starter_buttons = [gr.Button(q, size="sm") for q in starters]
        with gr.Column(scale=2, min_width=300):
            sources = gr.HTML(
                empty_sources_html(title),
                css_template=css,
                js_on_load=read_asset("markers.js"),
                elem_id="qa-sources",
            )

    def on_ask(text: str, state: list[Exchange]) -> Iterator[Reply]:
        yield from respond(pipeline, store, starters, text, state)

    def on_like(state: list[Exchange], data: gr.LikeData) -> Any:
        return rate_answer(store, state, data.index, data.liked)

    def on_note(entry_id: int | None, text: str) -> tuple[str, str]:
        return send_note(store, entry_id, text)

    reply = [chatbot, exchanges, sources, notice, question, suggestion]
    # No named API: programs ask through /api/ask, which this page's limits also guard.
    question.submit(on_ask, [question, exchanges], reply, api_visibility="private")
    ask.click(on_ask, [question, exchanges], reply, api_visibility="private")
    for button in [suggestion, *starter_buttons]:
        button.click(on_ask, [button, exchanges], reply, api_visibility="private")
    chatbot.like(
        on_like, [exchanges], [exchanges, rated_id, rated, note_box], api_visibility="private"
    )
    send.click(on_note, [rated_id, note], [rated, note], api_visibility="private")

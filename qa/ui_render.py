"""Pure rendering for the UI: chat markdown, the sources panel, the header and eval figures.

Everything that comes from a reader or a source passes through `escape_html` or `escape_markdown`
before it reaches the page, so typed or quoted HTML shows as text and never runs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from qa.reports import FIGURES, format_figure
from qa.types import Answer, Citation, Passage

# Markdown punctuation that could start emphasis, links, lists, headings, code or maths.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")
_MARKER = re.compile(r"\[(?P<n>\d+)\]")
# A streamed piece is one quoted sentence followed by its marker: "… sentence. [2]".
_PIECE = re.compile(r"^(?P<lead>\s*)(?P<body>.*?)\s\[(?P<n>\d+)\]$", re.DOTALL)


def escape_html(text: str) -> str:
    """HTML-escape, and also entity-encode `$ { }`.

    Gradio's HTML component fills a JS/Handlebars template; encoding these keeps a passage that
    happens to contain "${…}" or "{{…}}" from being read as template syntax.
    """
    return (
        html.escape(text, quote=True)
        .replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


def escape_markdown(text: str) -> str:
    """Reader or source text as literal chat markdown: HTML escaped, markdown syntax neutralised."""
    return escape_html(_MARKDOWN_SPECIALS.sub(r"\\\1", text))


def anchor_id(turn: int, n: int) -> str:
    """The id of citation n's card in the sources panel for the turn-th answer."""
    return f"src-{turn}-{n}"


def marker_link(turn: int, n: int) -> str:
    return f"[\\[{n}\\]](#{anchor_id(turn, n)})"


def piece_markdown(piece: str, turn: int) -> str:
    """One streamed piece as markdown, its trailing [n] marker turned into a link to the source."""
    match = _PIECE.match(piece)
    if not match:
        return escape_markdown(piece)
    return f"{match['lead']}{escape_markdown(match['body'])} {marker_link(turn, int(match['n']))}"


def answer_markdown(answer: Answer, turn: int) -> str:
    """The final answer as chat markdown: its text escaped, each marker of one of its citations
    a link to the source. The text, not the quotes alone: a computed figure ("From 21 January
    2009 to 5 February 2009: 15 days."), a date stated first and a model's claims are the answer.
    A question read with a misspelt word corrected says so first, so the reader can tell."""
    read_as = f"*Read as: {escape_markdown(answer.read_as)}*\n\n" if answer.read_as else ""
    cited = {c.n for c in answer.citations}
    parts, shown = [], 0
    for marker in _MARKER.finditer(answer.answer):
        if int(marker["n"]) in cited:
            parts.append(escape_markdown(answer.answer[shown : marker.start()]))
            parts.append(marker_link(turn, int(marker["n"])))
            shown = marker.end()
    return read_as + "".join(parts) + escape_markdown(answer.answer[shown:])


def safe_url(url: str) -> str:
    """The url when it is an http(s) link, else "" (no javascript:, data: or relative links)."""
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else ""


def highlighted_passage(passage: Passage, citation: Citation) -> str:
    """The passage text, escaped, with the cited span wrapped in <mark>."""
    text = passage.text
    start = min(max(citation.start - passage.start, 0), len(text))
    end = min(max(citation.end - passage.start, start), len(text))
    if end == start:  # the span falls outside this passage: show the quote itself as cited
        return f"{escape_html(text)} <mark>{escape_html(citation.quote)}</mark>"
    return (
        f"{escape_html(text[:start])}<mark>{escape_html(text[start:end])}</mark>"
        f"{escape_html(text[end:])}"
    )


def source_badge(kind: str) -> str:
    if kind == "article":
        return '<span class="qa-badge qa-primary">Primary source · the article</span>'
    return '<span class="qa-badge">Background</span>'


def source_meta(title: str, kind: str, date: str, url: str) -> str:
    """Badge, title, date and link of a source."""
    link = safe_url(url)
    parts = [escape_html(date)] if date else []
    if link:
        parts.append(
            f'<a href="{escape_html(link)}" target="_blank" rel="noopener noreferrer">'
            "Read the source</a>"
        )
    meta = f'<p class="qa-meta">{" · ".join(parts)}</p>' if parts else ""
    return f'{source_badge(kind)}<h3 class="qa-title">{escape_html(title)}</h3>{meta}'


def citation_card(citation: Citation, passages: Sequence[Passage], turn: int) -> str:
    passage = next((p for p in passages if p.chunk_id == citation.chunk_id), None)
    body = (
        highlighted_passage(passage, citation)
        if passage
        else f"<mark>{escape_html(citation.quote)}</mark>"
    )
    primary = " qa-article" if citation.kind == "article" else ""
    return (
        f'<article class="qa-source{primary}" id="{anchor_id(turn, citation.n)}" tabindex="-1">'
        f'<span class="qa-num">[{citation.n}]</span>'
        f"{source_meta(citation.title, citation.kind, citation.date, citation.url)}"
        f'<blockquote class="qa-passage">{body}</blockquote></article>'
    )


def sources_html(answer: Answer, turn: int, suggestion: str = "") -> str:
    """The sources panel for one answer: its citations, or for a refusal the nearest passage."""
    heading = f'<p class="qa-for">Sources for: <q>{escape_html(answer.question)}</q></p>'
    if not answer.refused:
        cards = "".join(citation_card(c, answer.passages, turn) for c in answer.citations)
        return f'<section class="qa-sources" aria-label="Sources">{heading}{cards}</section>'
    parts = [
        heading,
        '<p class="qa-refusal" role="status">The story\'s sources don\'t cover this question, so '
        "the bot won't guess.</p>",
    ]
    if answer.passages:
        nearest = answer.passages[0]
        parts.append(
            '<h2 class="qa-subhead">Nearest related passage</h2>'
            f'<article class="qa-source{" qa-article" if nearest.kind == "article" else ""}">'
            f"{source_meta(nearest.title, nearest.kind, nearest.date, nearest.url)}"
            f'<blockquote class="qa-passage">{escape_html(nearest.text)}</blockquote></article>'
        )
    if suggestion:
        parts.append(
            f'<p class="qa-suggest">A question the sources can answer: '
            f"<q>{escape_html(suggestion)}</q> (use the button under the chat to ask it).</p>"
        )
    return f'<section class="qa-sources" aria-label="Sources">{"".join(parts)}</section>'


def empty_sources_html(article_title: str) -> str:
    return (
        '<section class="qa-sources" aria-label="Sources"><p class="qa-for">Ask a question: the '
        "passages each answer quotes appear here, the cited words highlighted. "
        f"The primary source is the article <q>{escape_html(article_title)}</q>; "
        "background sources add context.</p></section>"
    )


def notice_html(message: str, hint: str = "") -> str:
    """A short message under the question box (errors, gentle prompts)."""
    if not message:
        return ""
    tail = f" {escape_html(hint)}" if hint else ""
    return f'<p class="qa-notice" role="alert">{escape_html(message)}{tail}</p>'


def header_html(title: str, date: str) -> str:
    dated = f"Published {escape_html(date)}. " if date else ""
    return (
        '<header class="qa-header"><p class="qa-kicker">Ask the story</p>'
        f"<h1>{escape_html(title)}</h1><p>{dated}Answers quote the article and its background "
        "sources; every claim links to the passage it comes from, and when the sources don't "
        "say, the bot says so.</p></header>"
    )


def summary_html(data: dict[str, Any], warnings: Sequence[str] = ()) -> str:
    """The headline figures of an eval report as a small table."""
    rows = [f"<tr><th>Questions</th><td>{escape_html(str(data.get('n', 0)))}</td></tr>"]
    for key, label, meaning in FIGURES:
        rows.append(
            f'<tr title="{escape_html(meaning)}"><th>{escape_html(label)}</th>'
            f"<td>{format_figure(data.get(key))}</td></tr>"
        )
    latency = data.get("latency_ms") or {}
    p50, p95 = (escape_html(str(latency.get(k, "—"))) for k in ("p50", "p95"))
    rows.append(f"<tr><th>Latency p50 / p95 (ms)</th><td>{p50} / {p95}</td></tr>")
    notes = "".join(f"<li>{escape_html(w)}</li>" for w in warnings)
    warned = f'<ul class="qa-warnings">{notes}</ul>' if notes else ""
    return f'<table class="qa-figures">{"".join(rows)}</table>{warned}'

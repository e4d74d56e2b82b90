"""The generative answerer: any LangChain chat model writes the answer from numbered passages, and
every sentence it writes is checked against the passages it cites before a reader sees it.

A sentence survives only if it cites at least one of the passages by its [n] marker and most of its
content words occur in the passages it cites; the rest (uncited, wrongly cited or invented claims)
is dropped. Each kept citation points at the span of the cited passage that best matches the
sentence, so the UI highlights it like an extractive quote. Nothing left means a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel

from qa.chunking import quotable_spans, split_sentences
from qa.citations import span_citation
from qa.config import Settings
from qa.errors import AnswerModelError, ConfigError
from qa.prompts import Prompt
from qa.text import tokens
from qa.types import Answer, Citation, Passage

# The model's way of declining, as the prompt asks for it.
NOT_IN_SOURCES = "NOT IN SOURCES"
_MARKERS = re.compile(r"\s*(\[\d+\])+")
_MARKER = re.compile(r"\[(\d+)\]")


def answer_generatively(
    question: str,
    passages: Sequence[Passage],
    model: BaseChatModel,
    *,
    prompt: Prompt,
    refusal: str,
    min_support: float = 0.6,
) -> Answer:
    """Ask the model, keep the sentences its cited passages bear out, or refuse."""
    refused = Answer(question=question, answer=refusal, refused=True, passages=tuple(passages))
    if not passages:
        return refused
    numbered = "\n\n".join(f"[{n}] {p.title}: {p.text}" for n, p in enumerate(passages, start=1))
    try:
        reply = model.invoke(prompt.render(question=question, passages=numbered)).text
    except Exception as exc:  # each provider raises its own errors (connection, quota, auth…)
        raise AnswerModelError(
            "The answer model could not be reached just now.",
            "Try again, or check QA_CHAT_MODEL / QA_CHAT_BASE_URL.",
        ) from exc
    if NOT_IN_SOURCES in reply.upper():
        return refused
    pieces: list[str] = []
    citations: list[Citation] = []
    for start, end in split_sentences(reply):
        sentence = reply[start:end]
        cited = _cited_passages(sentence, passages)
        claim = _MARKERS.sub("", sentence).strip()
        if not cited or _support(claim, cited) < min_support:
            continue
        markers = ""
        for passage in cited:
            citations.append(
                span_citation(len(citations) + 1, passage, *_best_span(claim, passage))
            )
            markers += f" [{len(citations)}]"
        pieces.append(claim + markers)
    if not pieces:
        return refused
    return Answer(
        question=question,
        answer=" ".join(pieces),
        refused=False,
        citations=tuple(citations),
        passages=tuple(passages),
    )


def load_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model QA_CHAT_MODEL names, through LangChain's init_chat_model."""
    # Imported here: the langchain package adds ~2 s to start-up and only this mode needs it.
    from langchain.chat_models import init_chat_model

    if not settings.chat_model:
        raise ConfigError(
            "Generative mode needs a chat model.",
            "Set QA_CHAT_MODEL, e.g. QA_CHAT_MODEL=ollama:llama3.1 (or use QA_MODE=extractive).",
        )
    try:
        return init_chat_model(
            settings.chat_model, temperature=0, base_url=settings.chat_base_url or None
        )
    except (ImportError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load chat model {settings.chat_model!r}: {exc}",
            "Install the provider's LangChain package (e.g. pip install langchain-ollama).",
        ) from exc


def _cited_passages(sentence: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages a sentence's markers name, in order, ignoring numbers no passage has."""
    numbers = dict.fromkeys(int(n) for n in _MARKER.findall(sentence))
    return [passages[n - 1] for n in numbers if 1 <= n <= len(passages)]


def _support(claim: str, cited: Sequence[Passage]) -> float:
    """Share of the claim's content words found in the passages it cites."""
    words = set(tokens(claim))
    found = {t for p in cited for t in tokens(p.text)}
    return len(words & found) / len(words) if words else 0.0


def _best_span(claim: str, passage: Passage) -> tuple[int, int]:
    """The passage's quotable span sharing the most content words with the claim."""
    words = set(tokens(claim))
    return max(
        quotable_spans(passage.text),
        key=lambda span: len(words & set(tokens(passage.text[span[0] : span[1]]))),
    )

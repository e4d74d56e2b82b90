"""The generative answerer: any LangChain chat model writes the answer from numbered passages, and
every sentence it writes is checked against the passages it cites before a reader sees it.

A sentence survives only if it cites at least one of the passages by its [n] marker, most of its
content words occur in the passages it cites, and every number and date it states stands, as a
number or as that date, in the sentence of a cited passage that best matches it; the rest
(uncited, wrongly cited or invented claims, a figure taken from another fact) is dropped. Each kept
citation points at that best-matching span, so the UI highlights it like an extractive quote.
Nothing left means a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from qa.answering.durations import find_dates
from qa.chunking import quotable_spans, split_sentences
from qa.citations import span_citation
from qa.config import Settings
from qa.errors import AnswerModelError, ConfigError
from qa.models import model_path
from qa.prompts import Prompt
from qa.text import tokens
from qa.types import Answer, Citation, Passage

# The model's way of declining, as the prompt asks for it.
NOT_IN_SOURCES = "NOT IN SOURCES"
_MARKERS = re.compile(r"\s*(\[\d+\])+")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+\])+")
_MARKER = re.compile(r"\[(\d+)\]")
_PARTIAL_MARKERS = re.compile(r"^[\s\[\]\d]*$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def stream_generatively(
    question: str,
    passages: Sequence[Passage],
    model: BaseChatModel,
    *,
    system: Prompt,
    prompt: Prompt,
    refusal: str,
    min_support: float = 0.6,
) -> Iterator[str | Answer]:
    """Each sentence the model writes, as soon as it is complete and verified (its text with its
    markers, a leading space after the first), then the Answer: refused when none survived.

    Our rules go in the system message, so the chat template adds no default system prompt of
    the model's own; the passages and the question go in the user message. An error before the
    first sentence raises AnswerModelError; one after it ends the answer where it stands.
    """
    refused = Answer(question=question, answer=refusal, refused=True, passages=tuple(passages))
    if not passages:
        yield refused
        return
    numbered = "\n\n".join(f"[{n}] {p.title}: {p.text}" for n, p in enumerate(passages, start=1))
    messages = [
        SystemMessage(system.render()),
        HumanMessage(prompt.render(question=question, passages=numbered)),
    ]
    verifier = _Verifier(passages, min_support)
    reply = ""
    try:
        for chunk in model.stream(messages):
            reply += chunk.text
            if NOT_IN_SOURCES in reply.upper():
                break
            sentences = _sentences(reply)
            # The last sentence may still grow, and one followed only by "[" or "[1" may still
            # receive its markers.
            pending = 2 if sentences and _PARTIAL_MARKERS.match(sentences[-1]) else 1
            yield from verifier.new_pieces(sentences[:-pending])
    except Exception as exc:  # each provider raises its own errors (connection, quota, auth…)
        if not verifier.pieces:
            raise AnswerModelError(
                "The answer model could not be reached just now.",
                "Try again, or check QA_CHAT_MODEL / QA_CHAT_BASE_URL.",
            ) from exc
    else:
        if NOT_IN_SOURCES not in reply.upper():
            yield from verifier.new_pieces(_sentences(reply))
    if not verifier.pieces:
        yield refused
        return
    yield Answer(
        question=question,
        answer="".join(verifier.pieces),
        refused=False,
        citations=tuple(verifier.citations),
        passages=tuple(passages),
    )


class _Verifier:
    """Checks the reply's sentences in order, each once, and numbers the citations it keeps."""

    def __init__(self, passages: Sequence[Passage], min_support: float) -> None:
        self.passages = passages
        self.min_support = min_support
        self.seen = 0  # sentences of the reply already checked
        self.pieces: list[str] = []
        self.citations: list[Citation] = []

    def new_pieces(self, sentences: list[str]) -> Iterator[str]:
        for sentence in sentences[self.seen :]:
            self.seen += 1
            piece = self._check(sentence)
            if piece is not None:
                self.pieces.append(piece if not self.pieces else " " + piece)
                yield self.pieces[-1]

    def _check(self, sentence: str) -> str | None:
        cited = _cited_passages(sentence, self.passages)
        claim = _MARKERS.sub("", sentence).strip()
        if not cited or _support(claim, cited) < self.min_support:
            return None
        spans = [(passage, _best_span(claim, passage)) for passage in cited]
        if not _figures_stand(claim, [p.text[s:e] for p, (s, e) in spans]):
            return None
        markers = ""
        for passage, span in spans:
            self.citations.append(span_citation(len(self.citations) + 1, passage, *span))
            markers += f" [{len(self.citations)}]"
        return claim + markers


def load_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model QA_CHAT_MODEL names (through LangChain's init_chat_model), or without one
    the local model QA_LOCAL_MODEL, run in-process by llama.cpp."""
    if not settings.chat_model:
        return _load_local_model(settings)
    # Imported here: the langchain package adds ~2 s to start-up and only this mode needs it.
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(
            settings.chat_model, temperature=0, base_url=settings.chat_base_url or None
        )
    except (ImportError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load chat model {settings.chat_model!r}: {exc}",
            "Install the provider's LangChain package (e.g. pip install langchain-ollama).",
        ) from exc


def _load_local_model(settings: Settings) -> BaseChatModel:
    try:
        from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as exc:
        raise ConfigError(
            "Generative mode needs a chat model or the local model's runtime.",
            "Run the app with: make run QA_MODE=generative (installs llama.cpp and the model), "
            "or set QA_CHAT_MODEL to a served model.",
        ) from exc
    path = model_path(settings.local_model, settings.resolve_home())
    return ChatLlamaCpp(
        model_path=str(path),
        n_ctx=4096,
        n_threads=settings.local_threads,
        n_batch=256,
        max_tokens=settings.chat_max_tokens,  # bounds the time a reply can take
        temperature=0,
        seed=0,
        verbose=False,
    )


def _sentences(reply: str) -> list[str]:
    """The reply's sentences, each with its markers: "… the meeting. [3][4]" splits after the full
    stop, so markers that open a sentence go back to the one before."""
    sentences: list[str] = []
    for start, end in split_sentences(reply):
        text = reply[start:end]
        leading = _LEADING_MARKERS.match(text)
        if leading and sentences:
            sentences[-1] += leading.group()
            text = text[leading.end() :].strip()
        if text:
            sentences.append(text)
    return sentences


def _figures_stand(claim: str, quotes: list[str]) -> bool:
    """Every date the claim states is a date of one of the quotes, and every other number in it
    stands in a quote outside its dates: "19" taken from "19 September 1986" does not stand."""
    claim_dates = find_dates(claim)
    quote_dates = [(d.year, d.month, d.day) for q in quotes for d in find_dates(q)]
    if any((d.year, d.month, d.day) not in quote_dates for d in claim_dates):
        return False
    numbers = set(_NUMBER.findall(_outside_dates(claim)))
    free = {n for q in quotes for n in _NUMBER.findall(_outside_dates(q))}
    return numbers <= free


def _outside_dates(text: str) -> str:
    for date in reversed(find_dates(text)):
        text = text[: date.start] + " " + text[date.end :]
    return text


def _cited_passages(sentence: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages a sentence's markers name, in order, ignoring numbers no passage has."""
    numbers = dict.fromkeys(int(n) for n in _MARKER.findall(sentence))
    return [passages[n - 1] for n in numbers if 1 <= n <= len(passages)]


def _support(claim: str, cited: Sequence[Passage]) -> float:
    """Share of the claim's content words found in the passages it cites (titles included: the
    model sees each passage under its title)."""
    words = set(tokens(claim))
    found = {t for p in cited for t in tokens(f"{p.title} {p.text}")}
    return len(words & found) / len(words) if words else 0.0


def _best_span(claim: str, passage: Passage) -> tuple[int, int]:
    """The passage's quotable span sharing the most content words with the claim."""
    words = set(tokens(claim))
    return max(
        quotable_spans(passage.text),
        key=lambda span: len(words & set(tokens(passage.text[span[0] : span[1]]))),
    )

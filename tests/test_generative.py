"""The generative answerer with a fake chat model (scripted replies): what survives verification."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import chromadb
import pytest
from langchain_core.language_models import FakeListChatModel
from pydantic import Field

from qa import models
from qa.answering.generative import stream_generatively
from qa.chain import Pipeline, build_pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.errors import AnswerModelError, ConfigError
from qa.indexing import ingest_corpus
from qa.models import LocalModel
from qa.prompts import load_prompt
from qa.store import open_store
from qa.types import Answer, Passage
from tests.fakes import fake_model
from tests.passages import make_passage

REFUSAL = "The sources don't say."


def answer_generatively(*args: Any, **kwargs: Any) -> Answer:
    """The final Answer of stream_generatively (what a front end that does not stream gets)."""
    *_, answer = stream_generatively(*args, **kwargs)
    assert isinstance(answer, Answer)
    return answer


PROMPT = load_prompt(PROJECT_ROOT / "prompts", "answer")
SYSTEM = load_prompt(PROJECT_ROOT / "prompts", "answer_system")
TEXT = (
    "Kouchner met Clinton on 5 February 2009. He handed her a paper about Khadr. "
    "Clinton agreed to review the case."
)


def passage(text: str = TEXT, chunk_id: str = "c1", start: int = 40) -> Passage:
    return make_passage(text, start, chunk_id)


def ask(reply: str, passages: list[Passage] | None = None):
    return answer_generatively(
        "What did Clinton do?",
        [passage()] if passages is None else passages,
        FakeListChatModel(responses=[reply]),
        system=SYSTEM,
        prompt=PROMPT,
        refusal=REFUSAL,
    )


def test_supported_sentence_is_kept_and_cites_its_best_span() -> None:
    answer = ask("Clinton agreed to review the case [1].")
    assert not answer.refused
    assert answer.answer == "Clinton agreed to review the case. [1]"
    (citation,) = answer.citations
    assert citation.quote == "Clinton agreed to review the case."
    assert TEXT[citation.start - 40 : citation.end - 40] == citation.quote


def test_uncited_invented_and_unsupported_sentences_are_dropped() -> None:
    reply = (
        "Clinton agreed to review the case [1]. "
        "She also freed Khadr the next day [1]. "  # not in the passage
        "Kouchner handed over a paper [7]. "  # no passage 7
        "The meeting was friendly."  # no marker
    )
    answer = ask(reply)
    assert answer.answer == "Clinton agreed to review the case. [1]"
    assert [c.n for c in answer.citations] == [1]


def test_markers_are_renumbered_in_order_of_use() -> None:
    other = passage("Kouchner founded Médecins Sans Frontières in 1971.", "c2", 0)
    answer = ask(
        "Kouchner founded Médecins Sans Frontières [2]. Clinton agreed to review the case [1].",
        [passage(), other],
    )
    assert answer.answer.endswith("Frontières. [1] Clinton agreed to review the case. [2]")
    assert [c.chunk_id for c in answer.citations] == ["c2", "c1"]


@pytest.mark.parametrize("reply", ["NOT IN SOURCES", "The moon is made of cheese [1]."])
def test_model_refusal_or_nothing_supported_is_a_refusal(reply: str) -> None:
    answer = ask(reply)
    assert answer.refused and answer.answer == REFUSAL and answer.citations == ()


def test_pipeline_streams_a_verified_generated_answer(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    generative = settings.model_copy(update={"mode": "generative"})
    store = open_store(generative, fake_model(), memory_client)
    ingest_corpus(generative.corpus, store, generative.chunk_chars)
    reply = "Bernard Kouchner asked Clinton to review the case of Omar Khadr [1]."
    pipeline = Pipeline(generative, store, FakeListChatModel(responses=[reply]))
    *pieces, answer = pipeline.stream("Who asked Clinton to review the Khadr case?")
    assert "".join(pieces) == answer.answer
    assert not answer.refused and answer.citations[0].quote in answer.passages[0].text


def test_generative_mode_without_its_model_installed_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = LocalModel("absent", "a.gguf", ("absent-part1==1",), ("absent_part1",), 1, "0", "-")
    monkeypatch.setitem(models.LOCAL_MODELS, "absent", absent)
    settings = Settings(home=tmp_path, mode="generative", local_model="absent")
    with pytest.raises(ConfigError) as error:
        build_pipeline(settings, model=fake_model())
    assert "QA_CHAT_MODEL" in error.value.hint and "make " in error.value.hint


class BrokenChatModel(FakeListChatModel):
    """A fake model whose server is down."""

    def _call(self, *args: object, **kwargs: object) -> str:
        raise ConnectionError("connection refused")

    def _stream(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise ConnectionError("connection refused")


def test_an_unreachable_model_is_a_clear_error() -> None:
    with pytest.raises(AnswerModelError, match="could not be reached"):
        answer_generatively(
            "What did Clinton do?",
            [passage()],
            BrokenChatModel(responses=[]),
            system=SYSTEM,
            prompt=PROMPT,
            refusal=REFUSAL,
        )


def test_markers_after_the_full_stop_stay_with_their_sentence() -> None:
    answer = ask("Clinton agreed to review the case. [1]")
    assert answer.answer == "Clinton agreed to review the case. [1]"
    two = ask("Kouchner met Clinton on 5 February 2009. [1] Clinton agreed to review the case. [1]")
    assert two.answer.count("[") == 2 and not two.refused


def test_words_from_the_title_count_as_support() -> None:
    titled = replace(passage("He was detained in 2002 by U.S. forces."), title="Omar Khadr")
    answer = ask("Omar Khadr was detained in 2002 [1].", [titled])
    assert not answer.refused


@pytest.mark.parametrize(
    "reply",
    [
        "Khadr was 19 [1].",  # 19 only as the day of a date
        "Khadr was born on 19 October 1986 [1].",  # not the date the passage gives
        "Khadr was 22 years old [1].",  # no 22 in the passage
    ],
)
def test_a_figure_the_cited_sentence_does_not_state_is_dropped(reply: str) -> None:
    born = passage("Omar Khadr was born on 19 September 1986 in Toronto.")
    assert ask(reply, [born]).refused


def test_a_figure_the_cited_sentence_states_is_kept() -> None:
    born = passage("Omar Khadr was born on 19 September 1986 in Toronto, the fourth of 6.")
    answer = ask("Khadr was born in Toronto on 19 September 1986 [1].", [born])
    assert not answer.refused


def test_our_rules_go_in_the_system_message() -> None:
    model = RecordingChatModel(responses=["Clinton agreed to review the case [1]."])
    answer_generatively(
        "What did Clinton do?", [passage()], model, system=SYSTEM, prompt=PROMPT, refusal=REFUSAL
    )
    [messages] = model.seen
    assert [m.type for m in messages] == ["system", "human"]
    assert "NOT IN SOURCES" in messages[0].content and "Question: What did Clinton do?" in (
        messages[1].content
    )


class RecordingChatModel(FakeListChatModel):
    """A fake model that keeps the messages it was sent."""

    seen: list = Field(default_factory=list)

    def _stream(self, messages, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.seen.append(messages)
        return super()._stream(messages, *args, **kwargs)


def generative_pipeline(settings: Settings, client: chromadb.api.ClientAPI, model) -> Pipeline:
    generative = settings.model_copy(update={"mode": "generative"})
    store = open_store(generative, fake_model(), client)
    ingest_corpus(generative.corpus, store, generative.chunk_chars)
    return Pipeline(generative, store, model)


@pytest.mark.parametrize(
    "model",
    [
        FakeListChatModel(responses=["NOT IN SOURCES"]),  # declines
        FakeListChatModel(responses=["Clinton freed everyone [1]."]),  # nothing borne out
        BrokenChatModel(responses=[]),  # unreachable
    ],
)
def test_the_extractive_answer_is_the_floor(
    settings: Settings, memory_client: chromadb.api.ClientAPI, model
) -> None:
    pipeline = generative_pipeline(settings, memory_client, model)
    question = "Who handed Clinton a paper about Omar Khadr?"
    answer = pipeline.ask(question)
    extractive = Pipeline(settings, pipeline.store).ask(question)
    assert answer.answered_by == "extractive" and not answer.refused
    assert answer.answer == extractive.answer and answer.citations == extractive.citations


def test_a_verified_generated_answer_says_so(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    reply = "Bernard Kouchner handed Clinton a paper about Omar Khadr [1]."
    pipeline = generative_pipeline(settings, memory_client, FakeListChatModel(responses=[reply]))
    answer = pipeline.ask("Who handed Clinton a paper about Omar Khadr?")
    assert answer.answered_by == "generative"
    assert answer.to_dict()["answered_by"] == "generative"


@pytest.mark.integration
def test_the_real_local_model_answers_or_the_floor_does(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    """SmolLM2-135M through llama.cpp: too weak to answer well, so this checks the plumbing: the
    reply is generated, verified, and either kept (citing the sources) or replaced by the floor."""
    from qa.answering.generative import load_chat_model

    local = settings.model_copy(
        update={"mode": "generative", "local_model": "smollm2-135m", "chat_max_tokens": 48}
    )
    pipeline = generative_pipeline(local, memory_client, load_chat_model(local))
    answer = pipeline.ask("Who handed Clinton a paper about Omar Khadr?")
    assert answer.answered_by in ("generative", "extractive") and answer.answer
    for citation in answer.citations:
        source = (local.corpus / citation.source).read_text(encoding="utf-8")
        assert source[citation.start : citation.end] == citation.quote


def stream(reply: str) -> list:
    return list(
        stream_generatively(
            "What did Clinton do?",
            [passage()],
            FakeListChatModel(responses=[reply]),
            system=SYSTEM,
            prompt=PROMPT,
            refusal=REFUSAL,
        )
    )


def test_sentences_are_released_one_by_one_as_the_model_writes() -> None:
    reply = "Kouchner met Clinton on 5 February 2009. [1] Clinton agreed to review the case. [1]"
    *pieces, answer = stream(reply)
    assert pieces == [
        "Kouchner met Clinton on 5 February 2009. [1]",
        " Clinton agreed to review the case. [2]",
    ]
    assert "".join(pieces) == answer.answer and len(answer.citations) == 2


class SlowChatModel(FakeListChatModel):
    """Streams its reply and records, at each chunk, how many pieces the reader has already got."""

    released: list = Field(default_factory=list)
    progress: list = Field(default_factory=list)

    def _stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        for chunk in super()._stream(*args, **kwargs):
            self.progress.append(len(self.released))
            yield chunk


def test_the_first_sentence_reaches_the_reader_before_the_model_finishes() -> None:
    reply = "Kouchner met Clinton on 5 February 2009. [1] Clinton agreed to review the case. [1]"
    model = SlowChatModel(responses=[reply])
    for item in stream_generatively(
        "What did Clinton do?", [passage()], model, system=SYSTEM, prompt=PROMPT, refusal=REFUSAL
    ):
        model.released.append(item)
    # While the second sentence was still being written, the first had been released.
    assert 1 in model.progress[: len(model.progress) - 5]


def test_pipeline_streams_the_floor_when_the_model_declines(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    model = FakeListChatModel(responses=["NOT IN SOURCES"])
    pipeline = generative_pipeline(settings, memory_client, model)
    *pieces, answer = pipeline.stream("Who handed Clinton a paper about Omar Khadr?")
    assert pieces and "".join(pieces) == answer.answer
    assert answer.answered_by == "extractive" and answer.timings_ms["total"] > 0

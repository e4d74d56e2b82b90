"""The generative answerer with a fake chat model (scripted replies): what survives verification."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from langchain_core.language_models import FakeListChatModel

from qa.answering.generative import answer_generatively
from qa.chain import Pipeline, build_pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.errors import AnswerModelError, ConfigError
from qa.indexing import ingest_corpus
from qa.prompts import load_prompt
from qa.store import open_store
from qa.types import Passage
from tests.fakes import fake_model
from tests.passages import make_passage

REFUSAL = "The sources don't say."
PROMPT = load_prompt(PROJECT_ROOT / "prompts", "answer")
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


def test_generative_mode_without_a_chat_model_says_what_to_set(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, mode="generative")
    with pytest.raises(ConfigError) as error:
        build_pipeline(settings, model=fake_model())
    assert "QA_CHAT_MODEL" in error.value.hint


class BrokenChatModel(FakeListChatModel):
    """A fake model whose server is down."""

    def _call(self, *args: object, **kwargs: object) -> str:
        raise ConnectionError("connection refused")


def test_an_unreachable_model_is_a_clear_error() -> None:
    with pytest.raises(AnswerModelError, match="could not be reached"):
        answer_generatively(
            "What did Clinton do?",
            [passage()],
            BrokenChatModel(responses=[]),
            prompt=PROMPT,
            refusal=REFUSAL,
        )

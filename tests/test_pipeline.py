"""The chain end to end over the real corpus, with the hashing fake embedder (fast, offline)."""

from __future__ import annotations

import time
from pathlib import Path

import chromadb
import pytest

from qa.chain import Pipeline, build_pipeline
from qa.config import Settings
from qa.embeddings import EmbeddingModel
from qa.errors import IndexMismatchError, IndexNotBuiltError, InvalidQuestionError
from qa.indexing import ingest_corpus
from qa.store import open_store
from qa.types import Answer, Turn
from tests.fakes import FakeHashingEmbeddings, fake_model


def test_stream_pieces_add_up_to_the_answer(fake_pipeline: Pipeline) -> None:
    *pieces, final = list(fake_pipeline.stream("Who asked Clinton to review Khadr's case?"))
    assert isinstance(final, Answer) and not final.refused
    assert "".join(str(p) for p in pieces) == final.answer
    assert final.timings_ms["total"] >= final.timings_ms["retrieve"] > 0


def test_every_citation_quotes_its_source_exactly(fake_pipeline: Pipeline) -> None:
    answer = fake_pipeline.ask("What did Kouchner hand to Clinton about Khadr?")
    assert answer.citations
    for c in answer.citations:
        text = (fake_pipeline.settings.corpus / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote and c.quote in answer.answer


def test_passages_carry_their_lead_to_the_answerer_but_not_to_readers(
    fake_pipeline: Pipeline,
) -> None:
    """A retrieved passage that does not open its section carries the text before it (what "It"
    at its start stands for); the JSON readers get leaves it out."""
    answer = fake_pipeline.ask("When did the United States ratify the child soldier protocol?")
    led = [p for p in answer.passages if p.lead]
    assert led
    for p in led:
        text = (fake_pipeline.settings.corpus / p.source).read_text(encoding="utf-8")
        gap = text[text.rindex(p.lead, 0, p.start) + len(p.lead) : p.start]
        assert not gap.strip("-* \n")  # at most a line break and a list marker between
    assert all("lead" not in p for p in answer.to_dict()["passages"])


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x01"])
def test_empty_questions_are_rejected(fake_pipeline: Pipeline, question: str) -> None:
    with pytest.raises(InvalidQuestionError, match="type a question"):
        fake_pipeline.ask(question)


def test_overlong_questions_are_rejected(fake_pipeline: Pipeline) -> None:
    with pytest.raises(InvalidQuestionError, match="too long"):
        fake_pipeline.ask("Why? " * 200)


def test_history_resolves_pronouns(fake_pipeline: Pipeline) -> None:
    history = [Turn("Who gave Clinton a paper about Khadr?", "Bernard Kouchner.")]
    answer = fake_pipeline.ask("What charity did he help found?", history)
    assert answer.question == "What charity did he help found?"
    assert not answer.refused and "Kouchner" in " ".join(p.text for p in answer.passages)


def test_markup_in_questions_is_carried_as_text(fake_pipeline: Pipeline) -> None:
    answer = fake_pipeline.ask("<img src=x onerror=alert(1)> who is Kouchner?")
    assert answer.question.startswith("<img src=x")  # escaping is each front end's job


def test_empty_index_says_how_to_build_it(settings: Settings, memory_client) -> None:
    with pytest.raises(IndexNotBuiltError, match="not indexed") as caught:
        build_pipeline(settings, model=fake_model(), client=memory_client)
    assert "qa ingest" in caught.value.hint


def test_sync_corpus_builds_the_index_on_first_run(settings: Settings, memory_client) -> None:
    pipeline = build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    assert pipeline.store.count() > 100


def test_offline_settings_hold_in_tests() -> None:
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_app_start_rebuilds_an_index_of_another_model(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    other = EmbeddingModel(FakeHashingEmbeddings(), name="another-model", dimension=64)
    build_pipeline(settings, model=other, client=memory_client, sync_corpus=True)
    with pytest.raises(IndexMismatchError):
        build_pipeline(settings, model=fake_model(), client=memory_client)
    pipeline = build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    assert pipeline.store.model.name == "fake-hashing"
    assert not pipeline.ask("Who asked Clinton to review the Khadr case?").refused


NEW_FACT = "The cable was filed by a clerk named Zebulon Quartermaine in the Paris embassy."


def test_a_published_generation_is_answered_from_without_a_restart(
    settings: Settings, memory_client: chromadb.api.ClientAPI, corpus_copy: Path
) -> None:
    settings = settings.model_copy(update={"corpus": corpus_copy})
    pipeline = build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    question = "Which clerk filed the cable in the Paris embassy?"
    assert "Quartermaine" not in pipeline.ask(question).answer
    (corpus_copy / "filing-note.txt").write_text(NEW_FACT + "\n")
    # Another process's ingest: its own store object over the same Chroma.
    ingest_corpus(corpus_copy, open_store(settings, fake_model(), memory_client), 480)
    answer = pipeline.ask(question)
    assert "Quartermaine" in answer.answer
    for c in answer.citations:
        text = (corpus_copy / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote
    assert any(p.source == "filing-note.txt" for p in pipeline.retriever.lexical.passages)


def test_a_server_answers_from_its_index_while_the_corpus_syncs(
    settings: Settings, memory_client: chromadb.api.ClientAPI, corpus_copy: Path
) -> None:
    settings = settings.model_copy(update={"corpus": corpus_copy})
    build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    (corpus_copy / "filing-note.txt").write_text(NEW_FACT + "\n")
    pipeline = build_pipeline(
        settings, model=fake_model(), client=memory_client, sync_corpus=True, in_background=True
    )
    assert not pipeline.ask("Who asked Clinton to review the Khadr case?").refused
    deadline = time.monotonic() + 30
    while "Quartermaine" not in pipeline.ask("Which clerk filed the cable?").answer:
        assert time.monotonic() < deadline, "the background sync never published"
        time.sleep(0.1)
    while pipeline.corpus_sync == "running":  # it publishes, then says so
        assert time.monotonic() < deadline, "the background sync never ended"
        time.sleep(0.1)
    assert pipeline.corpus_sync == "done"


def test_the_start_up_sync_is_skipped_while_another_ingest_holds_the_index(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    with open_store(settings, fake_model(), memory_client).ingest_lock():
        pipeline = build_pipeline(
            settings, model=fake_model(), client=memory_client, sync_corpus=True, in_background=True
        )
        deadline = time.monotonic() + 30
        while pipeline.corpus_sync == "running":
            assert time.monotonic() < deadline, "the background sync never ended"
            time.sleep(0.05)
    assert pipeline.corpus_sync == "skipped"
    assert not pipeline.ask("Who asked Clinton to review the Khadr case?").refused


def test_a_same_country_question_is_answered_from_a_source_the_newsroom_added(
    settings: Settings, corpus_copy: Path, memory_client
) -> None:
    shreve = "Anita Shreve (born 1946) is an American writer of novels."
    howard = "Elizabeth Jane Howard (1923 – 2014) was an English novelist and critic."
    (corpus_copy / "novelists.md").write_text(f"# Two novelists\n\n{shreve}\n\n{howard}\n")
    settings = settings.model_copy(update={"corpus": corpus_copy})
    pipeline = build_pipeline(settings, model=fake_model(), client=memory_client, sync_corpus=True)
    answer = pipeline.ask("Are Anita Shreve and Elizabeth Jane Howard of the same nationality?")
    assert answer.answered_by == "computed"
    assert answer.answer.startswith("No: ")
    assert [c.quote for c in answer.citations] == [shreve, howard]

"""Misspelt words in questions, read as the sources spell them."""

from __future__ import annotations

import chromadb
import pytest

from qa.chain import Pipeline, build_pipeline
from qa.config import Settings
from qa.indexing import ingest_corpus
from qa.spelling import Speller, english_words, one_edit_apart
from qa.store import open_store
from tests.fakes import fake_model

SOURCES = [
    "Bernard Kouchner asked Hillary Clinton to review the case of Omar Khadr.",
    "The tribunals were set up again; Judge Brownback dismissed the charges he raised.",
    "Brennan met Brennen.",  # two names as often, each one edit from "Brennon"
]
# An English dictionary in small: the words the tests use that the sources do not.
ENGLISH = {"when", "captured", "overturn", "tribunal", "what", "give", "could"}


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(SOURCES, ENGLISH)


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("kadr", "khadr", True),  # a letter left out
        ("khaadr", "khadr", True),  # one added
        ("clintun", "clinton", True),  # one changed
        ("kouhcner", "kouchner", True),  # neighbours swapped
        ("khadr", "khadr", False),
        ("kdar", "khadr", False),  # two edits
        ("clnitno", "clinton", False),
        ("khad", "khadrs", False),
    ],
)
def test_one_edit_apart(a: str, b: str, apart: bool) -> None:
    assert one_edit_apart(a, b) is apart
    assert one_edit_apart(b, a) is apart


def test_a_misspelt_word_is_read_as_the_sources_spell_it(speller: Speller) -> None:
    assert speller.correct("When was omar Kadr captured?") == "When was omar Khadr captured?"
    assert speller.correct("What did Kouhcner give Clintn?") == "What did Kouchner give Clinton?"
    assert speller.correct("Who raisd the chrages?") == "Who raised the charges?"


def test_a_question_in_capitals_is_read_as_the_sources_write_its_words(speller: Speller) -> None:
    assert speller.correct("WHEN WAS KADR'S CASE REVIEWED?") == "When was Khadr's case reviewed?"
    assert speller.correct("THE CASE. WHO SET IT UP?") == "The case. Who set it up?"
    assert speller.correct("Who is NATO's head?") == "Who is NATO's head?"


def test_words_the_reader_means_are_left_alone(speller: Speller) -> None:
    # An English word the sources do not use; nothing close in the sources; two of their words
    # as often one edit away; a short word.
    for question in (
        "Could they overturn the tribunal?",
        "What is Gitmo?",
        "Who is Brennon?",
        "Was Kadr's case",
    ):
        assert speller.correct(question) == question.replace("Kadr", "Khadr")


def test_the_english_dictionary_holds_english_words_in_every_form() -> None:
    words = english_words()
    assert {"tribunals", "overturn", "unedited", "leaker", "captured"} <= words
    assert not {"khadr", "kouchner", "captred"} & words


def test_the_answer_says_how_the_question_was_read(fake_pipeline: Pipeline) -> None:
    misspelt = fake_pipeline.ask("Who is Bernard Kouchener?")
    assert misspelt.read_as == "Who is Bernard Kouchner?"
    assert misspelt.question == "Who is Bernard Kouchener?"
    assert misspelt.to_dict()["read_as"] == "Who is Bernard Kouchner?"
    assert fake_pipeline.ask("Who is Bernard Kouchner?").read_as is None


def test_spelling_can_be_turned_off(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    model = fake_model()
    off = settings.model_copy(update={"spelling": False})
    store = open_store(off, model, memory_client)
    ingest_corpus(off.corpus, store, off.chunk_chars)
    pipeline = build_pipeline(off, model=model, client=memory_client)
    assert pipeline.ask("Who is Bernard Kouchener?").read_as is None


def test_a_misspelt_name_gets_the_answer_its_spelling_would(real_pipeline: Pipeline) -> None:
    misspelt = real_pipeline.ask("When was Kadr captured?")
    spelt = real_pipeline.ask("When was Khadr captured?")
    assert not spelt.refused
    assert (misspelt.answer, misspelt.citations) == (spelt.answer, spelt.citations)
    assert misspelt.read_as == "When was Khadr captured?"

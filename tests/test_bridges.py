"""Someone named by a description: the description read from the question, resolved to the name a
sentence gives for it, and the question asked again with the name in its place."""

from __future__ import annotations

import signal

import pytest

from qa.answering.bridges import find_description, resolve_description, with_bridge
from qa.types import Answer
from tests.passages import find_in

THRESHOLD = 0.35
CAPTION = (
    "U.S. Secretary of State Hillary Clinton listens to a question with Foreign Affairs Minister "
    "Lawrence Cannon at a G8 meeting in Gatineau."
)
DEPARTURE = (
    "Kouchner left the government in a reshuffle in November 2010. He was replaced as foreign "
    "minister by Michèle Alliot-Marie, who had served as defence minister."
)


@pytest.mark.parametrize(
    ("question", "text", "noun"),
    [
        (
            "What posting did the Canadian minister pictured next to Clinton in the article's "
            "photo later get?",
            "the Canadian minister pictured next to Clinton in the article's photo",
            "minister",
        ),
        (
            "Why did the woman who replaced Kouchner as foreign minister resign?",
            "the woman who replaced Kouchner as foreign minister",
            "woman",
        ),
        (
            "When did the man who was pictured with Clinton leave office?",
            "the man who was pictured with Clinton",
            "man",
        ),
    ],
)
def test_a_description_runs_from_the_noun_through_its_clause_and_phrases(
    question: str, text: str, noun: str
) -> None:
    described = find_description(question)
    assert described is not None
    assert (described.text, described.noun) == (text, noun)
    assert question[described.start : described.end] == text


@pytest.mark.parametrize(
    "question",
    [
        # No clause: "the French minister" is for the scorer, as it always was.
        "What did the French minister give to Clinton?",
        # What the question asks for, not someone it asks about.
        "Who was the judge who presided over the 2010 proceedings?",
        "Which soldier was arrested as the person who leaked the cables?",
        # "That" may describe something else: here the book.
        "What was the book about the minister that came out in 2009?",
        # Not a person.
        "What did the paper handed to Clinton recommend?",
        # Markup or markers are no words qualifying a person: the head is shown in the answer.
        "What did the <b>Canadian</b> minister pictured with Clinton get?",
        "What did the [1] minister pictured with Clinton get?",
    ],
)
def test_other_phrases_are_no_description(question: str) -> None:
    assert find_description(question) is None


def test_a_description_is_replaced_by_the_name_titled_with_its_noun() -> None:
    question = "What posting did the Canadian minister pictured with Clinton later get?"
    bridge = resolve_description(question, find_in(CAPTION), THRESHOLD)
    assert bridge is not None
    # Clinton is in the question already; the minister is the name the caption titles so.
    assert bridge.name == "Lawrence Cannon"
    assert bridge.question == "What posting did Lawrence Cannon later get?"
    assert bridge.sentence.text == CAPTION


def test_someone_described_by_whom_they_replaced_is_their_successor() -> None:
    question = "Why did the woman who replaced Kouchner as foreign minister resign?"
    bridge = resolve_description(question, find_in(DEPARTURE, CAPTION), THRESHOLD)
    assert bridge is not None
    assert bridge.question == "Why did Michèle Alliot-Marie resign?"


def test_a_participle_alone_describes_too() -> None:
    question = "What did the Canadian minister pictured say about Khadr?"
    described = find_description(question)
    assert described is not None and described.clause == "pictured"
    bridge = resolve_description(question, find_in(CAPTION), THRESHOLD)
    assert bridge is not None
    assert bridge.question == "What did Lawrence Cannon say about Khadr?"


def test_no_name_found_leaves_the_question_alone() -> None:
    question = "What posting did the Canadian minister pictured with Clinton later get?"
    found = find_in("Clinton listened to a question at a G8 meeting in 2010.")
    assert resolve_description(question, found, THRESHOLD) is None


def test_a_name_not_titled_with_the_noun_is_not_taken() -> None:
    # "Lawrence Cannon" is a minister by his title, not a "man" the caption says he is.
    question = "What posting did the man pictured with Clinton later get?"
    assert resolve_description(question, find_in(CAPTION), THRESHOLD) is None


def test_a_name_titled_for_another_country_is_not_taken() -> None:
    # The French minister the report names is not the Canadian one the question describes.
    question = "What posting did the Canadian minister who told CBC in 2008 about Khadr get?"
    report = "In 2008 CBC reported that French Foreign Minister Bernard Kouchner had met Khadr."
    assert resolve_description(question, find_in(report), THRESHOLD) is None
    # A title naming no country may be anyone's.
    plain = "In 2008 Foreign Affairs Minister Maxime Bernier told CBC about Khadr."
    bridge = resolve_description(question, find_in(report, plain), THRESHOLD)
    assert bridge is not None and bridge.name == "Maxime Bernier"


def test_the_sentence_that_gave_the_name_is_cited_after_the_answer() -> None:
    question = "What posting did the Canadian minister pictured with Clinton later get?"
    bridge = resolve_description(question, find_in(CAPTION), THRESHOLD)
    assert bridge is not None
    answer = with_bridge(Answer(question, "An answer. [1]", False, citations=()), bridge)
    assert answer.answer == (
        f"An answer. [1] Lawrence Cannon is the Canadian minister asked about: {CAPTION} [1]"
    )
    assert [c.quote for c in answer.citations] == [CAPTION]


FATHER = "His father, Ahmed Said Khadr, was an Egyptian-born Canadian."
WIDOW = "Speer's widow, Tabitha Speer, cheered as the sentence was read."


@pytest.mark.parametrize(
    ("question", "rewritten", "sentence"),
    [
        ("What happened to Omar Khadr's father?", "What happened to Ahmed Said Khadr?", FATHER),
        ("When did Khadr's dad die?", "When did Ahmed Said Khadr die?", FATHER),
        # A capitalised opening word is no part of whose kin they are.
        ("Did Speer's widow sue him?", "Did Tabitha Speer sue him?", WIDOW),
    ],
)
def test_someones_kin_is_named_by_the_sentence_giving_them_beside_the_kinship(
    question: str, rewritten: str, sentence: str
) -> None:
    bridge = resolve_description(question, find_in(FATHER, WIDOW), THRESHOLD)
    assert bridge is not None
    assert (bridge.question, bridge.sentence.text) == (rewritten, sentence)
    # It is about them, so it may be the answer; quoted so, it is not cited again.
    assert bridge.may_answer
    quoted = bridge.sentence.cite(1)
    answer = Answer(question, f"{sentence} [1]", False, citations=(quoted,))
    assert with_bridge(answer, bridge) == answer


@pytest.mark.parametrize(
    "question", ["Who was Khadr's father?", "What's the name of Omar Khadr's mom?"]
)
def test_the_kins_name_asked_for_is_no_bridge(question: str) -> None:
    assert find_description(question) is None


def test_a_kin_the_sources_do_not_name_leaves_the_question_alone() -> None:
    found = find_in("His father travelled widely in Pakistan.")
    assert resolve_description("What happened to Khadr's father?", found, THRESHOLD) is None


def test_a_question_of_many_joined_names_that_ends_otherwise_is_read_at_once() -> None:
    """A name's joined parts ("Alliot-Marie") are read one way only: with two ways per part, 33
    joined names before "'s fathe" took the kin pattern 2^33 tries to give up. The alarm turns a
    hang into a failure; the reading takes milliseconds."""
    question = " ".join(["Khadr-Abc-Def"] * 33) + "'s fathe?"
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the question was not read in 10 s"))
    signal.alarm(10)
    try:
        assert find_description(question) is None
    finally:
        signal.alarm(0)

"""Who followed someone in a post: the question parsed, then the relation read from the sentences
found, with the one followed checked to be the name asked about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from qa.answering.extractive import ScoredSentence, score_sentences
from qa.answering.succession import (
    SuccessionQuestion,
    answer_by_succession,
    parse_succession_question,
)
from qa.types import Passage
from tests.passages import find_in, make_passage

THRESHOLD = 0.35


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "Who took over from Kouchner as France's foreign minister?",
            SuccessionQuestion("kouchner", "france's foreign minister", successor=True),
        ),
        ("Who succeeded Lawrence Cannon?", SuccessionQuestion("lawrence cannon", "", True)),
        ("Who was Kouchner's successor?", SuccessionQuestion("kouchner", "", True)),
        (
            "Who replaced Kouchner at the foreign ministry?",
            SuccessionQuestion("kouchner", "the foreign ministry", True),
        ),
        (
            "Whom did John Baird replace as foreign minister?",
            SuccessionQuestion("john baird", "foreign minister", successor=False),
        ),
        ("Who was Baird's predecessor?", SuccessionQuestion("baird", "", False)),
        (
            "Who became France's foreign minister after Kouchner?",
            SuccessionQuestion("kouchner", "france's foreign minister", True),
        ),
        (
            "Who took over Kouchner's job at the foreign ministry?",
            SuccessionQuestion("kouchner", "the foreign ministry", True),
        ),
        (
            "Who took over Canada's foreign affairs portfolio after Lawrence Cannon?",
            SuccessionQuestion("lawrence cannon", "canada's foreign affairs portfolio", True),
        ),
        # The one followed named in a closing clause, or in a clause given as known before.
        (
            "Who took over the foreign affairs job once Kouchner was out?",
            SuccessionQuestion("kouchner", "the foreign affairs job", True),
        ),
        (
            "Kouchner was out of the job by the time the story ran - who took over as France's "
            "foreign minister?",
            SuccessionQuestion("kouchner", "france's foreign minister", True),
        ),
        (
            "The Globe says Kouchner left a few weeks before the story — who took over from him?",
            SuccessionQuestion("kouchner", "", True),
        ),
        (
            "Cannon is the minister in the photo. Who replaced him as foreign minister?",
            SuccessionQuestion("cannon", "foreign minister", True),
        ),
        # A follow-up joined on with "And" asks the same.
        (
            "And who replaced Lawrence Cannon as foreign minister?",
            SuccessionQuestion("lawrence cannon", "foreign minister", True),
        ),
        # Whoever got a post once someone was out of it followed them.
        (
            "Who got the foreign affairs job in Paris after Kouchner was shuffled out?",
            SuccessionQuestion("kouchner", "the foreign affairs job in paris", True),
        ),
        # "The job" names no post for a sentence's post to match.
        (
            "Cannon is the minister in the photo - who eventually took over the job from him?",
            SuccessionQuestion("cannon", "", True),
        ),
    ],
)
def test_a_succession_question_names_the_one_asked_about_and_the_post(
    question: str, asked: SuccessionQuestion
) -> None:
    assert parse_succession_question(question) == asked


@pytest.mark.parametrize(
    "question",
    [
        "What replaced Camp X-Ray?",
        "Who replied to Kouchner?",
        "When was Kouchner replaced?",
        # No one named for "him", nor for whom the camp was taken over from.
        "Who took over from him?",
        "who took over from him once he was out?",
        "Who took over the camp?",
    ],
)
def test_other_questions_are_not_succession_questions(question: str) -> None:
    assert parse_succession_question(question) is None


DEPARTURE = (
    "Kouchner left the government in a reshuffle in November 2010. He was replaced as foreign "
    "minister by Michèle Alliot-Marie, who had served as defence minister."
)
BAIRD = "John Baird succeeded Lawrence Cannon as foreign minister on 18 May 2011."


def test_a_pronoun_subject_is_the_one_the_sentence_before_names() -> None:
    question = "Who took over from Kouchner as France's foreign minister?"
    asked = parse_succession_question(question)
    assert asked is not None
    answer = answer_by_succession(question, asked, find_in(DEPARTURE), THRESHOLD)
    assert answer is not None
    assert answer.answered_by == "computed"
    assert answer.answer.startswith("Michèle Alliot-Marie: ")
    assert answer.citations[0].quote.endswith("who had served as defence minister.")


def test_a_succession_is_read_both_ways() -> None:
    find = find_in(BAIRD)
    for question, name in [
        ("Who replaced Cannon as foreign minister?", "John Baird"),
        ("Whom did John Baird succeed?", "Lawrence Cannon"),
    ]:
        asked = parse_succession_question(question)
        assert asked is not None
        answer = answer_by_succession(question, asked, find, THRESHOLD)
        assert answer is not None
        assert answer.answer.startswith(f"{name}: ")


def test_someone_elses_successor_is_no_answer() -> None:
    question = "Who succeeded Kouchner as foreign minister?"
    asked = parse_succession_question(question)
    assert asked is not None
    found = find_in("Kouchner met Cannon in 2009.", BAIRD)
    assert answer_by_succession(question, asked, found, THRESHOLD) is None


def test_a_question_naming_no_one_gets_no_successor() -> None:
    asked = parse_succession_question("Who replaced the?")
    assert asked is not None
    assert answer_by_succession("Who replaced the?", asked, find_in(BAIRD), THRESHOLD) is None


def test_a_successor_in_another_post_is_no_answer() -> None:
    question = "Who replaced Alliot-Marie as foreign minister?"
    asked = parse_succession_question(question)
    assert asked is not None
    found = find_in("Alliot-Marie was succeeded as defence minister by Hervé Morin in 2007.")
    assert answer_by_succession(question, asked, found, THRESHOLD) is None


def test_a_post_named_in_other_words_for_a_post_is_the_same_post() -> None:
    """ "Foreign affairs portfolio" and "foreign minister" name one post; defence is another."""
    question = "Who took over the foreign affairs portfolio from Lawrence Cannon?"
    asked = parse_succession_question(question)
    assert asked is not None
    answer = answer_by_succession(question, asked, find_in(BAIRD), THRESHOLD)
    assert answer is not None and answer.answer.startswith("John Baird")
    defence = "Lawrence Cannon was succeeded as defence minister by Peter MacKay."
    assert answer_by_succession(question, asked, find_in(defence), THRESHOLD) is None


def found_in(passage: Passage) -> Callable[[str], list[ScoredSentence]]:
    return lambda query: score_sentences(query, [passage], lambda p, s, e: 0.5, lambda t: 1.0)


def test_a_timeline_line_concerns_the_one_its_source_is_titled_for() -> None:
    line = "14 November 2010 — leaves office in a reshuffle; succeeded by Michèle Alliot-Marie."
    profile = replace(make_passage(line), title="Bernard Kouchner: Profile")
    other = replace(make_passage(line, chunk_id="c2"), title="Omar Khadr: Timeline")
    question = "Who succeeded Kouchner?"
    asked = parse_succession_question(question)
    assert asked is not None
    answer = answer_by_succession(question, asked, found_in(profile), THRESHOLD)
    assert answer is not None
    assert answer.answer.startswith("Michèle Alliot-Marie: 14 November 2010")
    assert answer_by_succession(question, asked, found_in(other), THRESHOLD) is None


def test_the_timeline_lines_before_a_line_tell_of_the_same_one() -> None:
    """The line before names Clinton as whom he met: no subject of its own, so the timeline's
    line still concerns the one its source is titled for, within a passage or from its lead."""
    earlier = "5 February 2009 — first meeting with Hillary Clinton; raises Omar Khadr's case."
    line = "14 November 2010 — leaves office in a reshuffle; succeeded by Michèle Alliot-Marie."
    profile = replace(make_passage(f"{earlier}\n{line}"), title="Bernard Kouchner: Profile")
    led = replace(make_passage(line), title="Bernard Kouchner: Profile", lead=earlier)
    question = "Who succeeded Kouchner?"
    asked = parse_succession_question(question)
    assert asked is not None
    for passage in (profile, led):
        answer = answer_by_succession(question, asked, found_in(passage), THRESHOLD)
        assert answer is not None
        assert answer.answer.startswith("Michèle Alliot-Marie: 14 November 2010")

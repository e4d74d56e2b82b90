"""Yes for whether two named things both have a property: parsed, then checked on each's sentence."""

from __future__ import annotations

import pytest

from qa.answering.verdicts import answer_both, parse_both_question
from tests.passages import find_in


@pytest.mark.parametrize(
    ("question", "first", "second", "asked"),
    [
        ("Are Phacelia and Nymphaea both types of plants?", "Phacelia", "Nymphaea", {"plant"}),
        (
            "Were both Kouchner and Alliot-Marie foreign ministers?",
            "Kouchner",
            "Alliot-Marie",
            {"foreign", "minister"},
        ),
        # A nationality ends the second name and belongs to what is asked.
        (
            "Are both The New Pornographers and Kings of Leon American rock bands?",
            "New Pornographers",
            "Kings of Leon",
            {"american", "rock", "band"},
        ),
    ],
)
def test_a_both_question_names_two_things_and_a_property(
    question: str, first: str, second: str, asked: set[str]
) -> None:
    parsed = parse_both_question(question)
    assert parsed is not None
    assert (parsed.first, parsed.second, set(parsed.asked)) == (first, second, asked)


@pytest.mark.parametrize(
    "question",
    [
        "Did Kouchner meet Clinton?",
        # Sharing one value needs both values read: no verdict.
        "Were both Eatza Pizza and Your Pie founded in the same state?",
        "Are both Kouchner and Clinton?",
    ],
)
def test_other_questions_get_no_verdict(question: str) -> None:
    assert parse_both_question(question) is None


def ask(question: str, *texts: str) -> str | None:
    parsed = parse_both_question(question)
    assert parsed is not None
    answer = answer_both(question, parsed, find_in(*texts), threshold=0.1)
    return None if answer is None else answer.answer


def test_yes_when_a_sentence_about_each_states_the_property() -> None:
    kouchner = "Kouchner served as foreign minister of France from 2007."
    alliot = "Alliot-Marie became foreign minister in November 2010."
    answer = ask("Were both Kouchner and Alliot-Marie foreign ministers?", kouchner, alliot)
    assert answer == f"Yes: {kouchner} [1] {alliot} [2]"


@pytest.mark.parametrize(
    "texts",
    [
        # One lacks a word of the property: it may be said otherwise, so no verdict, not "no".
        ("Kouchner served as foreign minister of France.", "Alliot-Marie was a minister."),
        # A negation.
        ("Kouchner served as foreign minister.", "Alliot-Marie was never foreign minister."),
        # One is not found at all.
        ("Kouchner served as foreign minister.",),
        # Glued sentences: what the first says of its subject ends at the glued full stop.
        ("Kouchner is a doctor.Alliot-Marie served as foreign minister.",),
    ],
)
def test_no_verdict_unless_each_sentence_states_it(texts: tuple[str, ...]) -> None:
    assert ask("Were both Kouchner and Alliot-Marie foreign ministers?", *texts) is None

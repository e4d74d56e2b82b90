"""Corrections of a "why" question whose premise the sources turn round: the opposite of one of
its terms, among the same words."""

from __future__ import annotations

import pytest

from qa.answering.opposites import answer_by_opposite
from tests.passages import find_in

THRESHOLD = 0.35
FIRST = "In 1997 Norway became the first country to sign the ban, its foreign minister said."


def test_the_opposite_among_the_same_words_is_quoted_as_a_correction() -> None:
    answer = answer_by_opposite(
        "Why was Norway one of the last countries to sign the ban?", find_in(FIRST), THRESHOLD
    )
    assert answer is not None and not answer.refused
    assert answer.answer == f"The sources say otherwise: {FIRST} [1]"
    assert answer.citations[0].quote == FIRST
    assert answer.answered_by == "computed"


def test_a_split_is_corrected_by_a_unanimous_ruling() -> None:
    text = "The court unanimously rejected the appeal in a short ruling."
    answer = answer_by_opposite(
        "Why was the court so split in its ruling on the appeal?", find_in(text), THRESHOLD
    )
    assert answer is not None
    assert answer.citations[0].quote == text


@pytest.mark.parametrize(
    ("question", "text"),
    [
        # The premise holds: the sentence has the question's own term.
        ("Why was Norway the first country to sign the ban?", FIRST),
        # Not a "why": the question asks about its premise, and the usual quotes answer.
        ("Was Norway the last country to sign the ban?", FIRST),
        # Only a name stands beside both terms: another fact about Khadr, not the order asked.
        (
            "Why was Khadr the last Western detainee at Guantanamo?",
            "Khadr was first held at Bagram air base in Afghanistan.",
        ),
        # The opposite stands among other words.
        ("Why was Norway one of the last countries to sign the ban?", "The first snow fell."),
    ],
)
def test_no_correction_without_the_opposite_among_the_same_words(question: str, text: str) -> None:
    assert answer_by_opposite(question, find_in(text), THRESHOLD) is None


def test_nothing_is_corrected_when_the_sources_are_not_about_the_question() -> None:
    question = "Why was Norway one of the last countries to sign the ban?"
    assert answer_by_opposite(question, find_in(FIRST), threshold=0.99) is None

"""A question offering its answers is answered only by a sentence naming one of them."""

from __future__ import annotations

import pytest

from qa.answering.choices import names_no_choice, offered
from qa.answering.extractive import answer_extractively
from tests.passages import make_passage

DATED = "5 February 2009 — date of the Clinton–Kouchner meeting described in the cable."
PLACED = "Clinton and Kouchner met in Washington on 5 February 2009."


@pytest.mark.parametrize(
    ("question", "choices"),
    [
        (
            "Where did they meet in February 2009 — in Washington or in Paris?",
            ["washington", "paris"],
        ),
        (
            "Where did the Clinton–Kouchner meeting take place - Washington or Paris?",
            ["washington", "paris"],
        ),
        (
            "What classification was stamped on the cable: confidential or secret?",
            ["confidential", "secret"],
        ),
        ("Which paper broke the story, the Globe or the Star?", ["glob", "star"]),
        # An abbreviation's full stop ends no sentence.
        ("Which U.S. city did they meet in — Washington or Paris?", ["washington", "paris"]),
        # A name may hold a hyphen.
        ("Which writer flew planes, Saint-Exupéry or Friedman?", ["saint exupery", "friedman"]),
    ],
)
def test_the_answers_a_question_offers(question: str, choices: list[str]) -> None:
    assert offered(question) == [set(c.split()) for c in choices]


@pytest.mark.parametrize(
    "question",
    [
        # Asking whether, not for something: a sentence telling how long answers it.
        "How long did they meet? Was it a long sit-down or a quick chat?",
        "Was the cable classified secret or just confidential?",
        # "or" inside what is asked offers nothing.
        "What has Khadr been doing for work or school since he got out?",
        # After the dash, a clause of its own.
        "Who met Clinton — and did Canada's foreign minister or anyone from Ottawa join them?",
    ],
)
def test_questions_offering_no_answers(question: str) -> None:
    assert offered(question) == []


def test_a_sentence_naming_none_of_the_answers_offered_does_not_answer() -> None:
    question = "Where did Kouchner and Clinton meet — in Washington or in Paris?"
    assert names_no_choice(question, DATED)
    assert not names_no_choice(question, PLACED)
    assert not names_no_choice("Where did Kouchner and Clinton meet?", DATED)

    def answer(text: str):
        return answer_extractively(
            question,
            [make_passage(text)],
            lambda p, s, e: 0.6,
            lambda t: 1.0,
            refusal="No answer.",
            threshold=0.1,
        )

    assert answer(DATED).refused
    assert not answer(PLACED).refused

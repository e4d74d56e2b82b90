"""What came of an examination the sources tell only as undertaken: the question is refused."""

from __future__ import annotations

import pytest

from qa.answering.extractive import answer_extractively
from qa.answering.outcomes import asks_outcome, only_undertaken
from tests.passages import make_passage

AGREED = "The Secretary agreed to review the case, the cable states."
ASKED = "Kouchner personally asked Clinton to review the case in a meeting in February of 2009."
DONE = "After reviewing the file, Clinton declined to intervene."


@pytest.mark.parametrize(
    "question",
    [
        "What did Clinton's review of the Khadr case conclude?",
        "After Clinton looked over Khadr's file, what did she end up doing about it?",
        "So what came of Clinton's review?",
        "Did Clinton get back to Kouchner after reviewing the file, and what did she decide?",
    ],
)
def test_questions_asking_what_an_examination_came_to(question: str) -> None:
    assert asks_outcome(question)


@pytest.mark.parametrize(
    "question",
    [
        "What did the Federal Court of Appeal decide about Khadr in August 2009?",  # no review
        "What did Clinton agree to do about the Khadr paper?",  # what was undertaken
        "Who asked Clinton to review the case?",
    ],
)
def test_questions_not_asking_what_an_examination_came_to(question: str) -> None:
    assert not asks_outcome(question)


def test_an_outcome_is_refused_when_every_sentence_tells_the_examination_only_as_undertaken() -> (
    None
):
    question = "What did Clinton's review of the Khadr case conclude?"
    assert only_undertaken(question, [AGREED, ASKED, "Khadr was 15."])
    assert not only_undertaken(question, [AGREED, DONE])  # one tells it as done
    assert not only_undertaken(question, ["Khadr was 15."])  # none names it: the usual choice
    assert not only_undertaken("Who asked Clinton to review the case?", [ASKED])

    def answer(*texts: str):
        passages = [make_passage(t, 200 * n, f"c{n}") for n, t in enumerate(texts)]
        return answer_extractively(
            question,
            passages,
            lambda p, s, e: 0.6,
            lambda t: 1.0,
            refusal="No answer.",
            threshold=0.1,
        )

    assert answer(AGREED, ASKED).refused
    assert not answer(AGREED, DONE).refused

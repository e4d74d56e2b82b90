"""Questions about details the corpus README lists as left out of the sources."""

from __future__ import annotations

from qa.answering.left_out import asked_left_out
from qa.corpus import LeftOut

LISTED = (
    LeftOut("the signing date of the Military Commissions Act of 2009", "not confirmed"),
    LeftOut("Kouchner's reported consideration of resignation in 2010", "not confirmed"),
)


def _even(term: str) -> float:
    return 1.0


def test_a_question_for_a_listed_detail_finds_it() -> None:
    question = "On what date was the Military Commissions Act of 2009 signed into law?"
    quoted = "The Military Commissions Act of 2009 amended the 2006 law."
    assert asked_left_out(question, LISTED, quoted, _even) == LISTED[0]


def test_a_quote_that_covers_the_question_better_answers_it() -> None:
    question = "When did Bush sign the Military Commissions Act of 2006 into law?"
    quoted = "Congress passed the Military Commissions Act of 2006, which Bush signed into law."
    assert asked_left_out(question, LISTED, quoted, _even) is None


def test_a_shared_year_alone_is_not_a_listed_detail() -> None:
    assert asked_left_out("Who won the Stanley Cup in 2010?", LISTED, "", _even) is None


def test_a_detail_close_in_meaning_is_what_is_asked_however_it_is_worded() -> None:
    question = "Did Kouchner think about quitting in 2010?"
    quoted = "Kouchner left the government in 2010."  # covers the question's terms better
    assert asked_left_out(question, LISTED, quoted, _even) is None
    assert asked_left_out(question, LISTED, quoted, _even, [0.31, 0.90]) == LISTED[1]
    assert asked_left_out(question, LISTED, quoted, _even, [0.31, 0.85]) is None

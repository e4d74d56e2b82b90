"""Who held a post when something happened: terms of office read and held against an event's date."""

from __future__ import annotations

from qa.answering.tenure import (
    answer_by_tenure,
    parse_tenure_question,
    terms_of_office,
)
from qa.dates import find_dates
from qa.types import Answer
from tests.passages import find_in

CANNON = "Lawrence Cannon — Minister of Foreign Affairs from 30 October 2008 to 18 May 2011."
BAIRD = "John Baird was Minister of Foreign Affairs from 18 May 2011 to 2015."
MEETING = "On 5 February 2009 Kouchner held his first meeting with Clinton."
QUESTION = "Who was Canada's foreign minister when Kouchner met Clinton?"


def tenure(question: str, *texts: str) -> Answer | None:
    """The computed answer from these texts alone (support threshold 0.1)."""
    asked = parse_tenure_question(question)
    assert asked is not None
    return answer_by_tenure(question, asked, find_in(*texts), 0.1)


def test_the_question_names_a_post_and_an_event_and_not_a_second_question() -> None:
    asked = parse_tenure_question(
        "Who was Canada's foreign minister when Kouchner lobbied Clinton, and does he show up?"
    )
    assert asked is not None
    assert (asked.post, asked.event) == ("canada's foreign minister", "kouchner lobbied clinton")
    assert parse_tenure_question("Who handed Clinton a paper?") is None


def test_terms_are_spans_of_two_dates_or_one_that_opens() -> None:
    [closed] = terms_of_office(CANNON)
    assert (closed.start.text, closed.end.text) == ("30 October 2008", "18 May 2011")
    [opened] = terms_of_office("Stephen Harper — Prime Minister of Canada from 2006.")
    assert opened.end is None
    assert terms_of_office("He met her on 5 February 2009 and again on 1 March 2009.") == []


def test_a_term_holds_a_date_as_precisely_as_both_give_it() -> None:
    [term] = terms_of_office(CANNON)
    [february] = find_dates("in February of 2009")
    [may_2011] = find_dates("in May 2011")  # the month the term ends: inside, at that precision
    [june_2011] = find_dates("on 2 June 2011")
    assert term.holds(february) and term.holds(may_2011) and not term.holds(june_2011)


def test_the_term_that_holds_the_event_answers_with_both_sentences_cited() -> None:
    answer = tenure(QUESTION, BAIRD, CANNON, MEETING)
    assert answer is not None and answer.answered_by == "computed"
    assert [c.quote for c in answer.citations] == [CANNON, MEETING]
    assert answer.answer.endswith("5 February 2009 falls between 30 October 2008 and 18 May 2011.")


def test_no_answer_when_no_term_holds_the_event_or_the_event_is_undated() -> None:
    assert tenure(QUESTION, BAIRD, MEETING) is None
    assert tenure(QUESTION, CANNON, "Kouchner met Clinton to discuss Guantanamo.") is None


def test_a_term_that_names_no_one_does_not_answer_who() -> None:
    vacant = "The foreign ministry had no minister from 30 October 2008 to 18 May 2011."
    assert tenure(QUESTION, vacant, MEETING) is None

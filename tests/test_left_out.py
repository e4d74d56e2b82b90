"""Questions about details the corpus README lists as left out of the sources."""

from __future__ import annotations

import pytest

from qa.answering.left_out import asked_left_out
from qa.corpus import LeftOut

LISTED = (
    LeftOut("the signing date of the Military Commissions Act of 2009", "not confirmed"),
    LeftOut("Kouchner's reported consideration of resignation in 2010", "not confirmed"),
    LeftOut("the reasons for Michèle Alliot-Marie's 2011 resignation", "not confirmed"),
    LeftOut("Khadr's bail conditions beyond residence with his lawyer", "not confirmed"),
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
    question = "What did Kouchner say about quitting in 2010?"
    quoted = "Kouchner left the government in 2010."  # covers the question's terms better
    assert asked_left_out(question, LISTED, quoted, _even) is None
    assert asked_left_out(question, LISTED, quoted, _even, [0.31, 0.90, 0.2, 0.2]) == LISTED[1]
    assert asked_left_out(question, LISTED, quoted, _even, [0.31, 0.85, 0.2, 0.2]) is None
    # Found by closeness alone, the detail must also be read as what is asked, when a reader is
    # given (the judge).
    unread = asked_left_out(
        question, LISTED, quoted, _even, [0.31, 0.90, 0.2, 0.2], lambda d: False
    )
    assert unread is None


def test_a_question_whether_a_listed_event_happened_asks_for_it() -> None:
    """A detail naming no kind of thing is an event; asked whether it happened, it is found at
    LEFT_OUT_KIND_SIMILAR, without the judge's reading."""
    question = "Was Kouchner thinking about quitting in 2010 before the reshuffle?"
    quoted = "Kouchner left the government in a reshuffle in 2010."
    found = asked_left_out(question, LISTED, quoted, _even, [0.31, 0.70, 0.2, 0.2], lambda d: False)
    assert found == LISTED[1]
    assert asked_left_out(question, LISTED, quoted, _even, [0.31, 0.55, 0.2, 0.2]) is None
    # A figure the detail holds and the question lacks: another time.
    other = "Was Kouchner thinking about quitting in 2009?"
    assert asked_left_out(other, LISTED, quoted, _even, [0.31, 0.70, 0.2, 0.2]) is None


@pytest.mark.parametrize(
    ("question", "closeness", "found"),
    [
        # Asks for the reason a detail lists, less close in meaning than LEFT_OUT_SIMILAR.
        ("Why did Alliot-Marie quit as foreign minister in 2011?", (0.2, 0.3, 0.76, 0.2), 2),
        ("When did Obama sign the Military Commissions Act of 2009?", (0.84, 0.3, 0.2, 0.2), 0),
        ("Besides living with Edney, what other bail conditions had he?", (0, 0, 0, 0.64), 3),
        # Asks for another kind of thing than the detail names.
        ("When did Alliot-Marie resign as foreign minister?", (0.2, 0.3, 0.81, 0.2), None),
        ("With whom did Khadr live under his bail conditions?", (0, 0, 0, 0.86), None),
        # A figure the detail holds that the question lacks: a neighbour's date.
        ("When did Bush sign the Military Commissions Act of 2006?", (0.78, 0.3, 0.2, 0.2), None),
        # Not close enough in meaning.
        ("Why did the foreign minister quit in 2011?", (0.2, 0.3, 0.55, 0.2), None),
    ],
)
def test_a_detail_naming_the_kind_of_thing_asked_is_found_less_close_in_meaning(
    question: str, closeness: tuple[float, ...], found: int | None
) -> None:
    # Quotes covering each question's terms, so that only closeness in meaning can find a detail.
    quoted = (
        "Foreign minister Michèle Alliot-Marie quit, resigning on 27 February 2011. Obama and "
        "Bush signed the Military Commissions Acts of 2009 and 2006 into law. Under his bail "
        "conditions Khadr lived with his lawyer."
    )
    expected = None if found is None else LISTED[found]
    assert asked_left_out(question, LISTED, quoted, _even, list(closeness)) == expected

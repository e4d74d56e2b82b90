"""Verdicts on two named things, parsed, then checked on each one's sentence: yes for whether both
have a property, yes or no for whether they share a country."""

from __future__ import annotations

import pytest

from qa.answering.verdicts import (
    answer_both,
    answer_same,
    parse_both_question,
    parse_same_question,
)
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
        # What they are may come before the names; "considered" names no property.
        (
            "Are the rock bands 12 Stones and The Rubens both considered grunge bands?",
            "12 Stones",
            "Rubens",
            {"grung", "band"},  # stems, as tokens() gives them
        ),
        # The names first, and no "both".
        ("Talinum and Lathraea, are plants?", "Talinum", "Lathraea", {"plant"}),
        # Small joining words inside a title.
        (
            "Are both Home on the Range and Ice Princess American films?",
            "Home on the Range",
            "Ice Princess",
            {"american", "film"},
        ),
        # A people's name after "of" is what is asked, not the end of the second name.
        (
            "Are both Jacobo Morales and Jean Dréville of Puerto Rican descent?",
            "Jacobo Morales",
            "Jean Dréville",
            {"puerto", "rican", "descent"},
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
        # Without "both", "are X and Y …" may ask how they relate, not what each is.
        "Are Kouchner and Clinton friends?",
    ],
)
def test_other_questions_get_no_verdict(question: str) -> None:
    assert parse_both_question(question) is None


def ask(question: str, *texts: str) -> str | None:
    """The verdict's text over these texts, as chain.py asks: a same-country question first."""
    find = find_in(*texts)
    if same := parse_same_question(question):
        answer = answer_same(question, same, find, threshold=0.1)
    else:
        both = parse_both_question(question)
        assert both is not None
        answer = answer_both(question, both, find, threshold=0.1)
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


@pytest.mark.parametrize(
    "texts",
    [
        ("Royal Blood are an English rock duo formed in Brighton.", "Jawbox is an American band."),
        # One thing's sentence giving another country is enough.
        ("Jawbox is an American rock band from Washington.",),
    ],
)
def test_no_when_either_is_said_to_be_of_another_country(texts: tuple[str, ...]) -> None:
    answer = ask("Are Royal Blood and Jawbox both English bands?", *texts)
    assert answer is not None and answer.startswith("No: ")
    assert "Jawbox is an American" in answer


def test_a_sentence_is_about_the_name_it_says_its_subject_is_known_by() -> None:
    pratchett = (
        "Sir Terence David John Pratchett, OBE (1948 – 2015), better known as Terry Pratchett,"
        " was an English author of fantasy novels."
    )
    moore = "Marianne Craig Moore (1887 – 1972) was an American Modernist poet."
    answer = ask(
        "Are Marianne Moore and Terry Pratchett of the same nationality?", moore, pratchett
    )
    assert (
        answer
        == f"No: {moore} [1] {pratchett} [2] Marianne Moore: American; Terry Pratchett: English."
    )


def test_yes_when_the_country_is_all_that_is_asked_and_each_sentence_gives_it() -> None:
    royal = "Royal Blood are an English rock duo formed in Brighton."
    jawbox = "Jawbox are an English band."
    assert ask("Are Royal Blood and Jawbox both from England?", royal, jawbox) == (
        f"Yes: {royal} [1] {jawbox} [2] Royal Blood: English; Jawbox: English."
    )
    # More is asked than the country: the words must be there, as for any property.
    assert ask("Are Royal Blood and Jawbox both English punk bands?", royal, jawbox) is None


def test_british_does_not_contradict_english() -> None:
    english = "Royal Blood are an English rock duo."
    british = "Jawbox are a British rock band."
    assert ask("Are Royal Blood and Jawbox both English bands?", english, british) is None


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("Are Pam Veasey and Jon Jost of the same nationality?", "Pam Veasey", "Jon Jost"),
        (
            "Do filmmakers Chris Carter and Theo van Gogh share the same nationality?",
            "Chris Carter",
            "Theo van Gogh",
        ),
        ("Were The Cribs and Mad Season formed in the same country?", "Cribs", "Mad Season"),
    ],
)
def test_a_same_country_question_names_two_things(question: str, first: str, second: str) -> None:
    parsed = parse_same_question(question)
    assert parsed is not None
    assert parsed.names == (first, second)


def test_other_questions_are_not_same_country_questions() -> None:
    assert (
        parse_same_question("Were both Eatza Pizza and Your Pie founded in the same state?") is None
    )
    assert parse_same_question("Which country do Kouchner and Clinton come from?") is None


def same_country(*texts: str) -> str | None:
    return ask("Are Anita Shreve and Elizabeth Jane Howard the same nationality?", *texts)


def test_yes_or_no_from_the_country_each_sentence_gives() -> None:
    shreve = "Anita Shreve (born 1946) is an American writer."
    howard = "Elizabeth Jane Howard (1923 – 2014) was an English novelist."
    # What was read for each follows the quotes, as a computed answer's figure does.
    read = "Anita Shreve: American; Elizabeth Jane Howard: English."
    assert same_country(shreve, howard) == f"No: {shreve} [1] {howard} [2] {read}"
    american = "Elizabeth Jane Howard was an American novelist."
    both = "Anita Shreve: American; Elizabeth Jane Howard: American."
    assert same_country(shreve, american) == f"Yes: {shreve} [1] {american} [2] {both}"
    # Asked the other way round, the verdict turns.
    different = "Are Anita Shreve and Elizabeth Jane Howard of different nationalities?"
    assert ask(different, shreve, howard) == f"Yes: {shreve} [1] {howard} [2] {read}"


@pytest.mark.parametrize(
    "texts",
    [
        # One gives no country.
        ("Anita Shreve is an American writer.", "Elizabeth Jane Howard was a novelist."),
        # One is not found.
        ("Anita Shreve is an American writer.",),
        # One country holds the other.
        ("Anita Shreve is a British writer.", "Elizabeth Jane Howard was an English novelist."),
    ],
)
def test_no_verdict_on_a_country_unless_each_is_given_and_comparable(
    texts: tuple[str, ...],
) -> None:
    assert same_country(*texts) is None


def test_a_same_year_question_compares_the_years_the_descriptions_give() -> None:
    question = "Were the films Up and Encounters at the End of the World released in the same year?"
    parsed = parse_same_question(question)
    assert parsed is not None and parsed.year
    assert parsed.names == ("Up", "Encounters at the End of the World")
    up = "Up is a 2009 American computer-animated film."
    encounters = "Encounters at the End of the World is a 2007 documentary film by Werner Herzog."
    assert (
        ask(question, up, encounters)
        == f"No: {up} [1] {encounters} [2] Up: 2009; Encounters at the End of the World: 2007."
    )
    # A year the description does not give (here, of an event) is no verdict.
    later = "Encounters at the End of the World was nominated for an Academy Award in 2009."
    assert ask(question, up, later) is None


def test_a_sentence_naming_the_thing_in_passing_is_passed_over_for_one_about_it() -> None:
    passing = "The festival screened American films: Home on the Range and Ice Princess."
    home = "Home on the Range is a 2004 American animated film."
    ice = "Ice Princess is a 2005 American film about figure skating."
    answer = ask("Are both Home on the Range and Ice Princess American films?", passing, home, ice)
    assert answer == f"Yes: {home} [1] {ice} [2]"


def test_a_verdict_quotes_only_what_a_glued_sentence_says_of_the_thing() -> None:
    glued = "Bucky Fuller was an American architect.Anita Shreve is an American writer."
    howard = "Elizabeth Jane Howard was an English novelist."
    assert same_country(glued, howard) == (
        f"No: Anita Shreve is an American writer. [1] {howard} [2]"
        " Anita Shreve: American; Elizabeth Jane Howard: English."
    )

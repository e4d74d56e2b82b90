"""Which country a sentence gives what it is about, and which one a question's words name."""

from __future__ import annotations

import pytest

from qa.answering.nations import (
    Nationality,
    actor,
    country_acting,
    country_named,
    country_of,
    same_country,
)


@pytest.mark.parametrize(
    ("sentence", "country", "word"),
    [
        ("Robert Fleischman (born March 11, 1953) is an American musician.", "us", "American"),
        ("Home on the Range is a 2004 American animated film.", "us", "American"),
        ("Mara Santangelo is a former tennis player from Italy.", "italy", "Italy"),
        # The description's opening decides among several countries named.
        ('Ihor Podolchak (Polish: "Igor") is a Ukrainian filmmaker.', "ukraine", "Ukrainian"),
        # Not a hyphenated word's part: the country is the one the description gives.
        (
            "Roger Donaldson is an Australian-born New Zealand director.",
            "new zealand",
            "New Zealand",
        ),
        ("Sir Kenneth Branagh is a Northern Irish actor.", "northern ireland", "Northern Irish"),
    ],
)
def test_a_sentence_gives_the_country_its_description_opens_with(
    sentence: str, country: str, word: str
) -> None:
    assert country_of(sentence) == Nationality(country, word)


@pytest.mark.parametrize(
    "sentence",
    [
        "Kotiliesi is a Finnish language bimonthly magazine.",  # a language, not a country
        "Taos is a town in New Mexico.",  # a place named after a country
        "The Rubens are a band from Menangle, New South Wales.",  # the end of a longer name
        "Ricky Martin is a Latin American singer.",
        "Dave Peters is a musician who toured Japan and Germany.",  # two, and no description
        "The band played in english pubs.",  # not capitalised: no people
    ],
)
def test_no_country_when_the_sentence_does_not_give_one(sentence: str) -> None:
    assert country_of(sentence) is None


def test_a_question_names_the_country_its_property_opens_with() -> None:
    assert country_named("American rock bands") == ("us", "rock bands")
    assert country_named("both from England") == ("england", "")
    assert country_named("both based in the United States?") == ("us", "")
    assert country_named("both of Puerto Rican descent") == ("puerto rico", "descent")
    assert country_named("have roots outside of the United States") is None
    assert country_named("both operas") is None


def test_british_neither_matches_nor_contradicts_english() -> None:
    assert same_country("uk", "england") is None
    assert same_country("england", "scotland") is False
    assert same_country("us", "us") is True


@pytest.mark.parametrize(
    ("question", "country"),
    [
        ("When did the Americans finally ratify the treaty?", "us"),
        ("Did France end up taking anybody?", "france"),
        ("When did the United States ratify it?", "us"),
        ("What did the French minister give Clinton?", None),  # a people's adjective
        ("Who was Canada's foreign minister?", None),  # Canada's minister acts
        ("When did Kouchner resign?", None),
    ],
)
def test_a_question_asks_what_a_country_did(question: str, country: str | None) -> None:
    assert country_acting(question) == country


@pytest.mark.parametrize(
    ("sentence", "country"),
    [
        ("The United States, which had signed under Clinton, deposited its ratification.", "us"),
        (
            "France later accepted one Guantanamo detainee, the Algerian Lakhdar Boumediene.",
            "france",
        ),
        ("When Clinton met French Foreign Minister Bernard Kouchner, Canada stayed out.", "canada"),
        ("It signed on 5 June 2000.", None),
    ],
)
def test_a_sentence_tells_of_the_country_it_first_names_as_acting(
    sentence: str, country: str | None
) -> None:
    assert actor(sentence) == country

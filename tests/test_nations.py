"""Which country a sentence gives what it is about, and which one a question's words name."""

from __future__ import annotations

import pytest

from qa.answering.nations import Nationality, country_named, country_of, same_country


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

"""Questions asking for another thing than the one they name (qa/answering/others.py)."""

from __future__ import annotations

import pytest

from qa.answering.others import aliases, asks_for_another, names_another

FOUNDED = (
    "In 1971 Kouchner was one of the group of French doctors who founded Médecins Sans "
    "Frontières (MSF, known in English as Doctors Without Borders)."
)
SECOND = "Kouchner broke with MSF and in 1980 co-founded Médecins du Monde (Doctors of the World)."
ARTICLE = (
    "Mr. Kouchner, whose interests included a role in founding Médecins sans frontières, "
    '"asked the U.S. for assistance".'
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("After he split with MSF, what other aid group did Kouchner start?", True),
        ("After he fell out with MSF, what was the other aid group Kouchner helped start?", True),
        ("Apart from France, which governments lobbied Washington?", True),
        ("Who else was in the room?", True),
        ("After he fell out with MSF, what group did Kouchner go and start?", True),
        ("Kouchner split from MSF at some point - what group did he start after that?", True),
        ("After Kouchner met Clinton, what did she do?", False),  # no thing of a kind asked
        ("What did Clinton do after that?", False),
        ("Which group did Kouchner found in 1971?", False),
        ("Who is Kouchner's significant other?", False),
    ],
)
def test_what_asks_for_another_thing(question: str, asks: bool) -> None:
    assert asks_for_another(question) is asks


def test_names_in_brackets_after_a_name_are_its_other_names() -> None:
    assert aliases([FOUNDED, SECOND]) == [
        {"Médecins Sans Frontières", "MSF", "English", "Doctors Without Borders"},
        {"Médecins du Monde", "Doctors of the World"},
    ]


@pytest.mark.parametrize(
    "question",
    [
        "After he split with MSF, what other aid group did Kouchner start?",
        "Besides Doctors Without Borders, what other group did Kouchner found?",
        "Besides Médecins sans frontières, what other charity did Kouchner set up?",
    ],
)
def test_a_sentence_names_another_thing_only_beyond_the_questions_names_and_theirs(
    question: str,
) -> None:
    """A people ("French"), an initial or a title ("U.S.", "Mr."), a name the question gives or
    one the sources give it in brackets, or a part of such a name ("Médecins"), names nothing
    else."""
    known = aliases([FOUNDED, SECOND, ARTICLE])
    assert not names_another(question, FOUNDED, known)
    assert not names_another(question, ARTICLE, known)
    assert names_another(question, SECOND, known)
    assert names_another(question, "1980 — co-founds Médecins du Monde.", known)

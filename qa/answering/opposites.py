"""Corrections of a question that asks why something happened when the sources say the opposite.

"Why was Canada one of the last countries to ratify the UN treaty on child soldiers?" presumes what
the sources deny: Canada "became the first country to ratify it". The scorer quotes the sentence
most about the treaty, which says nothing of the order. But a premise turned round keeps the words
around the term it turns: "last countries to ratify" against "first country to ratify". So the
sentences found for the question are read for the opposite of a term of its premise, standing
among the same words (names aside), and the first that has it is quoted as the correction.

Only "why" questions are read: they take their premise as given, where "Was Canada the last …?"
asks about it and is answered by the usual quotes.
"""

from __future__ import annotations

import re

from qa.answering.durations import FindSentences
from qa.answering.extractive import ScoredSentence
from qa.answering.responses import correction
from qa.text import tokens, words
from qa.types import Answer

# Terms and their opposites, as regular expressions over lowercased words (either way round).
OPPOSITES = (
    (r"first", r"last"),
    (r"earliest", r"latest"),
    (r"unanimous(?:ly)?", r"split|divided"),
    (r"acquitted", r"convicted|guilty"),
    (r"highest", r"lowest"),
    (r"largest|biggest", r"smallest"),
    (r"supported", r"opposed"),
)
_CAPITALISED = re.compile(r"(?<!^)\b[A-Z][\w'’-]*")
# Words either side of a term that say what it is about: "the last countries to ratify".
REACH = 3
# Sentences found for the question that are read for the opposite: beyond these, they are about
# other things.
OPPOSITE_CANDIDATES = 8


def answer_by_opposite(question: str, find: FindSentences, threshold: float) -> Answer | None:
    """The correction (see the module's docstring), or None when the question asks no "why" or
    no sentence found turns a term of its premise round."""
    asked = words(question)
    turned = _turned(asked) if "why" in asked else []
    if not turned:  # nothing to look up
        return None
    found = find(question)
    if not found or found[0].support < threshold:
        return None
    # A name beside the term ("Khadr was first held …" against "Khadr the last detainee") says
    # whom the sentence is about, not that it turns the premise round.
    names = set(tokens(" ".join(_CAPITALISED.findall(question))))
    for term, opposite in turned:
        around = _around(asked, term) - names
        for sentence in found[:OPPOSITE_CANDIDATES]:
            if _stands_among(sentence, term, opposite, around):
                return correction(question, sentence.cite(1), sentence.passage)
    return None


def _turned(words: list[str]) -> list[tuple[str, str]]:
    """(term, opposite) for each term of the question that has an opposite."""
    pairs = [*OPPOSITES, *((b, a) for a, b in OPPOSITES)]
    return [(term, opposite) for term, opposite in pairs if _at(words, term) is not None]


def _stands_among(sentence: ScoredSentence, term: str, opposite: str, around: set[str]) -> bool:
    """Whether the sentence says the opposite and not the term, among words the question has
    around the term."""
    said = words(sentence.text)
    return _at(said, term) is None and bool(
        (at := _at(said, opposite)) is not None and around & _around_at(said, at)
    )


def _at(words: list[str], pattern: str) -> int | None:
    return next((i for i, w in enumerate(words) if re.fullmatch(pattern, w)), None)


def _around(words: list[str], pattern: str) -> set[str]:
    at = _at(words, pattern)
    return _around_at(words, at) if at is not None else set()


def _around_at(words: list[str], at: int) -> set[str]:
    """The content terms within REACH words of position `at`."""
    near = words[max(0, at - REACH) : at] + words[at + 1 : at + 1 + REACH]
    return set(tokens(" ".join(near)))

"""A "yes" for a question asking whether two named things both are or do something.

"Are both Phacelia and Nymphaea types of plants?", "Were Kouchner and Alliot-Marie both foreign
ministers?" ask about two things that no sentence may join. Each thing is looked up on its own (its
name and the property, retrieved and scored like any answer: see chain.py), and the best sentence
naming it must hold every word of the property and no negation. Then the answer is "Yes" with
both sentences quoted. Anything else gets no verdict, and the question its usual quotes: a
sentence lacking the words may still say it otherwise ("a genus of flowering plants" is a type of
plant), so "no" is never inferred. Of HaluEval's 504 yes/no questions in lines 0–7999 it said yes
to 64, all rightly (bench/RESULTS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answering.durations import FindSentences, computed_answer
from qa.answering.extractive import ScoredSentence
from qa.text import tokens
from qa.types import Answer

# A name: capitalised words, with joining words inside ("Kings of Leon", "Procter & Gamble").
_WORD = r"[A-Z0-9À-Þ\"'][\w.'’\"&-]*"
_NAME = rf"{_WORD}(?:\s+(?:of|the|de|la|du|von|van|&)?\s*{_WORD})*"
_BOTH_QUESTION = re.compile(
    r"^\s*(?i:are|were|is|was|do|did|does|have|has)\s+(?i:both\s+)?(?i:the\s+|an?\s+)?"
    rf"(?P<first>{_NAME})\s+and\s+(?i:the\s+|an?\s+)?(?P<second>{_NAME})\s+(?P<property>.+?)\??\s*$"
)
# "Kings of Leon American rock bands": a capitalised word for a nationality ends the name and
# opens the property.
_NATIONALITY = re.compile(r"\s+([A-Z][a-z]+(?:an|ish|ese|ch|i))$")
_NEGATION = re.compile(r"\b(?:not|never|no|neither|nor|refused|denied)\b|n't\b", re.I)
# Words that name no property themselves: "both types of plants" asks about plants.
_NO_PROPERTY = frozenset(tokens("both each also type types kind kinds form forms member members"))
# The thing must be what its sentence is about: named among its first words ("Kouchner served as
# foreign minister"), not further on ("The memo shows that Kouchner, … foreign minister, asked
# Clinton" says nothing of Clinton's post). Words counted as in tokens(), without stopwords.
SUBJECT_REACH = 2
# A full stop glued to the next sentence's first word ("… in 1997.Kings of Leon is …") ends what
# the first sentence says about its subject.
_GLUED_STOP = re.compile(r"(?<=[a-z0-9)\]\"'])\.(?=[A-Z])")


@dataclass(frozen=True)
class BothQuestion:
    """Asks whether `first` and `second` both have the property `asked` (its terms)."""

    first: str
    second: str
    words: str  # the property as the question puts it
    asked: frozenset[str]


def parse_both_question(question: str) -> BothQuestion | None:
    """The two names and the property, for a yes/no question with "both" and no "same"
    (whether two things share one value, a nationality or a city, needs both values read)."""
    if not re.search(r"\bboth\b", question, re.I) or re.search(r"\bsame\b", question, re.I):
        return None
    shape = _BOTH_QUESTION.match(question)
    if not shape:
        return None
    first, second, words = shape["first"], shape["second"], shape["property"]
    nationality = _NATIONALITY.search(second)
    if nationality and " " in second:
        second, words = second[: nationality.start()], f"{nationality[1]} {words}"
    asked = frozenset(tokens(words)) - _NO_PROPERTY - set(tokens(first)) - set(tokens(second))
    return BothQuestion(first, second, words, asked) if asked else None


def answer_both(
    question: str, asked: BothQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """ "Yes", with the sentence stating the property of each, or None (no verdict)."""
    stating = [_stating(name, asked, find, threshold) for name in (asked.first, asked.second)]
    if any(s is None for s in stating):
        return None
    answer = computed_answer(question, [s for s in stating if s is not None], "")
    return replace(answer, answer=f"Yes: {answer.answer.strip()}")


def _stating(
    name: str, asked: BothQuestion, find: FindSentences, threshold: float
) -> ScoredSentence | None:
    """The best sentence naming the thing wholly, if what it says of it holds every term of the
    property and no negation."""
    named = set(tokens(name))
    for sentence in find(f"{name} {asked.words}"):
        if sentence.support < threshold:
            return None
        about = [p for p in _GLUED_STOP.split(sentence.text) if named <= set(tokens(p))]
        if about:
            said = about[0]
            holds = (
                named <= set(tokens(said)[: len(named) + SUBJECT_REACH])
                and asked.asked <= set(tokens(said))
                and not _NEGATION.search(said)
            )
            return sentence if holds else None
    return None

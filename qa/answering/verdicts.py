"""Verdicts on two named things: whether both are or do something, whether they share a country.

"Are both Phacelia and Nymphaea types of plants?", "Were Kouchner and Alliot-Marie both foreign
ministers?" ask about two things that no sentence may join. Each thing is looked up on its own (its
name and the property, retrieved and scored like any answer: see chain.py), and the best sentence
naming it must hold every word of the property and no negation. Then the answer is "Yes" with
both sentences quoted. Anything else gets no verdict, and the question its usual quotes: a
sentence lacking the words may still say it otherwise ("a genus of flowering plants" is a type of
plant), so "no" is never inferred from a missing word. Without "both", only the names-first
shape ("Talinum and Lathraea, are plants?") asks it: "Are Kouchner and Clinton friends?" asks how
two relate, not what each is.

A country is different: one thing has one (qa/answering/nations.py). "Were X and Y from the same
country?" (or "of different nationalities?") is answered "yes" or "no" when the sentence about
each says which, and "Are X and Y both American rock bands?" "no" when one of them is said to be
of another country. So is a year, when each one's description gives it ("Ring of Fire is a 1991
documentary film") and the question asks whether they share it.

Of HaluEval's 504 yes/no questions in lines 0–7999 these said yes to 90 and no to 54; one "no" is
against the data's label, and right (Morrissey is English, Lee Ranaldo American; RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa.answering.durations import FindSentences, computed_answer
from qa.answering.extractive import ScoredSentence
from qa.answering.nations import country_named, country_of, same_country
from qa.text import tokens
from qa.types import Answer

# A name: capitalised words, with joining words inside ("Kings of Leon", "Procter & Gamble").
_WORD = r"[A-Z0-9À-Þ\"'][\w.'’\"&-]*"
_NAME = rf"{_WORD}(?:(?:\s+(?:of|the|on|in|at|for|de|la|du|von|van|&))*\s+{_WORD})*"
_BOTH_QUESTION = re.compile(
    r"^\s*(?i:are|were|is|was|do|did|does|have|has)\s+(?i:both\s+)?(?:[a-z][\w-]*\s+)*?"
    r"(?i:the\s+|an?\s+)?"
    rf"(?P<first>{_NAME})\s+and\s+(?i:the\s+|an?\s+)?(?P<second>{_NAME})\s+(?P<property>.+?)\??\s*$"
)
# "Talinum and Lathraea, are plants?": the names first.
_NAMES_FIRST = re.compile(
    rf"^\s*(?i:the\s+)?(?P<first>{_NAME})\s+and\s+(?i:the\s+)?(?P<second>{_NAME}),\s*(?i:both\s+)?"
    r"(?i:are|were|is|was)\s+(?i:both\s+)?(?P<property>.+?)\??\s*$"
)
# "Do filmmakers Chris Carter and Theo van Gogh share the same nationality?": what they are may
# come before the names.
_SAME_QUESTION = re.compile(
    r"^\s*(?i:are|were|is|was|do|did|does|have|has)\s+(?i:both\s+)?(?:[a-z][\w-]*,?\s+)*?"
    rf"(?i:the\s+|an?\s+)?(?P<first>{_NAME}),?\s+and\s+(?i:the\s+|an?\s+)?(?P<second>{_NAME}),?\s"
)
_ASKS_SAME_COUNTRY = re.compile(
    r"\b(?:same|different) (?:country|countries|nationality|nationalities|nation)\b"
    r"|\bshare (?:a|the same) nationality\b",
    re.I,
)
_ASKS_SAME_YEAR = re.compile(r"\b(?:same|different) years?\b", re.I)
# The year a description gives what it describes: "Ring of Fire is a 1991 documentary film".
_DESCRIBED_YEAR = re.compile(r"\b(?:is|was|are|were)\s+an?\s+((?:1[0-9]|20)\d\d)\b")
# "Kings of Leon American rock bands": a capitalised word for a nationality ends the name and
# opens the property.
_NATIONALITY = re.compile(r"\s+([A-Z][a-z]+(?:an|ish|ese|ch|i))$")
_NEGATION = re.compile(r"\b(?:not|never|no|neither|nor|refused|denied)\b|n't\b", re.I)
# Words that name no property themselves: "both types of plants" asks about plants.
_NO_PROPERTY = frozenset(
    tokens(
        "both each also type types kind kinds form forms member members example examples considered"
    )
)
# The thing must be what its sentence is about: named among its first words ("Kouchner served as
# foreign minister"), not further on ("The memo shows that Kouchner, … foreign minister, asked
# Clinton" says nothing of Clinton's post). Words counted as in tokens(), without stopwords.
SUBJECT_REACH = 2
# "Sir Terence David John Pratchett, OBE (…), better known as Terry Pratchett, was an English
# author": the name a sentence's subject is known by, before it says what the subject is.
_KNOWN_AS = re.compile(
    r"^[^.;]*?\bknown (?:as|by (?:his|her|their|the) (?:stage |pen |ring )?name)\s+([^,;()]+)"
    r"[^;]*?\b(?:is|was|are|were)\b"
)
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

    @property
    def names(self) -> tuple[str, str]:
        return self.first, self.second


def parse_both_question(question: str) -> BothQuestion | None:
    """The two names and the property, for a yes/no question with "both", or with the names
    first ("X and Y, are P?"), and no "same" (whether two things share one value, a nationality or
    a city, needs both values read: see parse_same_question)."""
    if re.search(r"\bsame\b", question, re.I):
        return None
    shape = _NAMES_FIRST.match(question)
    if not shape and re.search(r"\bboth\b", question, re.I):
        shape = _BOTH_QUESTION.match(question)
    if not shape:
        return None
    first, second, words = shape["first"], shape["second"], shape["property"]
    # "Jean Dréville of Puerto Rican descent": a people's name after "of" opens the property (not
    # a country's: "Bank of America").
    descent = re.search(r"\s+(?:of|from)\s+(.+)$", second)
    if descent and country_named(descent[1]) and _NATIONALITY.search(f" {descent[1]}"):
        second, words = second[: descent.start()], f"{descent[0].strip()} {words}"
    nationality = _NATIONALITY.search(second)
    if nationality and " " in second:
        second, words = second[: nationality.start()], f"{nationality[1]} {words}"
    asked = frozenset(tokens(words)) - _NO_PROPERTY - set(tokens(first)) - set(tokens(second))
    return BothQuestion(first, second, words, asked) if asked else None


@dataclass(frozen=True)
class SameQuestion:
    """Asks whether `first` and `second` are of the same country, or of the same year."""

    first: str
    second: str
    year: bool  # the year, not the country
    different: bool = False  # asked whether they differ

    @property
    def names(self) -> tuple[str, str]:
        return self.first, self.second


def parse_same_question(question: str) -> SameQuestion | None:
    """The two names of a yes/no question whether they share a country (or nationality) or a
    year."""
    year = bool(_ASKS_SAME_YEAR.search(question))
    if not (year or _ASKS_SAME_COUNTRY.search(question)):
        return None
    shape = _SAME_QUESTION.match(question)
    if not shape:
        return None
    different = bool(re.search(r"\bdifferent\b", question, re.I))
    return SameQuestion(shape["first"], shape["second"], year, different)


def answer_same(
    question: str, asked: SameQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """ "Yes" or "No", with the sentence giving each one's country (or year) and what was read,
    or None when either sentence gives none (or one country holds the other: British, English)."""
    first, second = (_described(name, name, find, threshold) for name in asked.names)
    if first is None or second is None:
        return None
    if asked.year:
        years = _year_of(first.text), _year_of(second.text)
        if years[0] is None or years[1] is None:
            return None
        same: bool | None = years[0] == years[1]
        read = years[0], years[1]
    else:
        countries = country_of(first.text), country_of(second.text)
        if countries[0] is None or countries[1] is None:
            return None
        same = same_country(countries[0].country, countries[1].country)
        read = countries[0].word, countries[1].word
    if same is None:
        return None
    verdict = "Yes" if same != asked.different else "No"
    return _verdict(verdict, question, [first, second], _stated(asked.names, read))


def _year_of(said: str) -> str | None:
    described = _DESCRIBED_YEAR.search(said)
    return described[1] if described else None


def answer_both(
    question: str, asked: BothQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """ "Yes", with the sentence stating the property of each; "No" when the property opens with a
    country and the sentence about either gives another; or None (no verdict)."""
    read = [_described(name, f"{name} {asked.words}", find, threshold) for name in asked.names]
    found = [(name, s) for name, s in zip(asked.names, read, strict=True) if s is not None]
    sentences = [s for _, s in found]
    if country := country_named(asked.words):
        named, rest = country
        given = [(name, c) for name, s in found if (c := country_of(s.text)) is not None]
        statement = _stated([name for name, _ in given], [c.word for _, c in given])
        if any(same_country(c.country, named) is False for _, c in given):
            return _verdict("No", question, sentences, statement)
        # "Are X and Y American?": nothing asked but the country, which each sentence gives.
        if not rest and len(given) == 2 and all(c.country == named for _, c in given):
            return _verdict("Yes", question, sentences, statement)
    if len(found) < 2 or not all(_holds(s.text, asked) for s in sentences):
        return None
    return _verdict("Yes", question, sentences)


def _stated(names: Sequence[str], read: Sequence[str]) -> str:
    """What was read for each thing: "Anita Shreve: American; Elizabeth Jane Howard: English."."""
    return "; ".join(f"{name}: {value}" for name, value in zip(names, read, strict=True)) + "."


def _verdict(
    verdict: str, question: str, sentences: list[ScoredSentence], statement: str = ""
) -> Answer:
    answer = computed_answer(question, sentences, statement)
    return replace(answer, answer=f"{verdict}: {answer.answer.strip()}")


def _holds(said: str, asked: BothQuestion) -> bool:
    """Whether what a sentence says of its subject holds every term of the property, unnegated."""
    return asked.asked <= set(tokens(said)) and not _NEGATION.search(said)


def _described(
    name: str, query: str, find: FindSentences, threshold: float
) -> ScoredSentence | None:
    """The best sentence found for the query that is about the thing (names it wholly among its
    first words, or as the name it is known by), cut to what it says of it at a glued full stop;
    None when none is, above the threshold. A sentence naming it further on is passed over: "Home
    on the Range" may be a song one passage mentions and a film another describes."""
    named = set(tokens(name))
    for sentence in find(query):
        if sentence.support < threshold:
            return None
        start = 0
        for stop in [*_GLUED_STOP.finditer(sentence.text), None]:
            end = stop.start() if stop else len(sentence.text)
            said = sentence.text[start:end]
            if named <= set(tokens(said)):
                subject = named <= set(tokens(said)[: len(named) + SUBJECT_REACH])
                alias = _KNOWN_AS.search(said)
                if subject or (alias is not None and named <= set(tokens(alias[1]))):
                    offset = sentence.start + start
                    return replace(sentence, start=offset, end=offset + len(said), text=said)
                break  # what the sentence says of it is about another thing
            start = stop.end() if stop else end
    return None

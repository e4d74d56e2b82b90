"""Pure question rewriting for retrieval: follow-ups made standalone, injected instructions dropped.

The rewritten query only steers retrieval and sentence scoring; answers are always quoted from the
sources, so an instruction in a question can never be obeyed, only ignored.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

from qa.text import STOPWORDS, tokens, without_possessive
from qa.types import Turn

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b(?=(\W+\w+)?)", re.I)
_POSSESSIVE = {"his", "hers", "their"}
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_HONORIFIC_GENDER = {"Mr": "m", "Ms": "f", "Mrs": "f", "Miss": "f"}
_HONORIFIC_NAME = re.compile(r"\b(?P<honorific>Mr|Ms|Mrs|Miss)\.?\s+(?P<surname>[A-Z][\w’'-]+)")
_SURNAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][\w’'-]+")
_PLURAL_PRONOUN = re.compile(r"\b(?:they|them|their)\b", re.I)
# Any capitalised word, the text's first too: a given part may open with the name.
_CAPITALISED_WORD = re.compile(r"\b[A-Z][\w’'-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LOWERCASE_WORD = re.compile(r"\b[a-zà-ÿ][\w’'-]*")
_OPENING_PRONOUN = re.compile(r"^\W*(He|She)\b")
# A pronoun run on into its verb ("what she'd do"): the name put for it cannot take the ending.
_CONTRACTED = re.compile(r"\b(he|she|they)['’](d|ll|re|ve|s)\b", re.I)
_CONTRACTED_VERB = {"d": "would", "ll": "will", "re": "are", "ve": "have", "s": "is"}
# A follow-up that places itself at the last turn's event ("How old was he at that point?", "What
# did the court order in that one?"): the event is named only in the last question.
_THAT_EVENT = re.compile(
    r"\b(?:at that (?:point|time|stage|moment)|at the time|by then|by that (?:point|time)"
    r"|that one|back then)\b",
    re.I,
)
# A run of capitalised words ("French President Nicolas Sarkozy", "Michèle Alliot-Marie"), or a
# surname after an honorific ("Mr. Khadr").
_CAPITALISED_RUN = re.compile(
    r"\b[A-Z][\w’'-]*(?:\s+(?:(?:de|du|la|al|el)\s+)?[A-Z][\w’'-]*)+"
    r"|\b(?:Mr|Mrs|Ms|Dr)\.\s+[A-Z][\w’'-]*"
)
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr)\.\s+")


# Phrases that address the bot rather than ask about the story: role labels, orders to ignore the
# sources, claims that the sources changed, demands to confirm or to "just say".
_INSTRUCTIONS = [
    re.compile(p, re.I)
    for p in (
        r"^\W*(system|admin|developer|assistant)( note| message| prompt| override)?\s*[:>-]\s*",
        r"\b(ignore|disregard|forget|override)\b[^.?!]*?\b(sources?|instructions?|rules?|"
        r"context|documents?|prompt)\b\s*(and|,|;|\.)?\s*",
        r"\b(the )?(article|story|sources?|cable|documents?) (has|have) been (updated|changed|"
        r"corrected|edited) to (say|state|read)( that)?\s*",
        r"\b(please )?confirm( this| that| it)?\b[.!]?",
        r"\b(just|simply|only) (tell me|say|state|write|answer)( that)?\b",
        r"\b(pretend|act as|you are now|from now on)\b[^.?!]*[.?!]?",
    )
]


def gives_instructions(question: str) -> bool:
    """Whether the question holds a phrase aimed at the bot (see strip_instructions)."""
    return any(pattern.search(question) for pattern in _INSTRUCTIONS)


def strip_instructions(question: str) -> str:
    """The question without phrases aimed at the bot; the question itself if nothing else is left."""
    stripped = question
    for pattern in _INSTRUCTIONS:
        stripped = pattern.sub(" ", stripped)
    stripped = " ".join(stripped.split()).strip(" ,;:-")
    return stripped if tokens(stripped) else question


def condense_question(
    question: str, history: Sequence[Turn], gender: Callable[[str], str | None] | None = None
) -> str:
    """A standalone version of a follow-up question, for retrieval and sentence scoring.

    Third-person pronouns are replaced by the most salient name of the last turn: the first name
    the answer adds to its question (who was asked for), else the question's first name. With
    `gender` (a name → "f", "m" or None, as the sources speak of them), "she" and "her" skip a name
    known to be a man's and "he", "him" and "his" a woman's: after "Who handed Clinton a paper?" —
    "Bernard Kouchner", "she" is Clinton. The answer may be the bot's own quote ("But Prime
    Minister Stephen Harper steadfastly insisted…"), so a name is a run's last two words, titles
    before them left out. A short elliptical question carries the last question along, and so
    does one placing itself at the last turn's event (see _THAT_EVENT). Instructions aimed at the
    bot are dropped first (see strip_instructions).
    """
    question = strip_instructions(question)
    if not history:
        return question
    last = history[-1]
    event = f" {last.question}" if _THAT_EVENT.search(question) else ""
    if _PRONOUN.search(question):
        question = _CONTRACTED.sub(lambda m: f"{m[1]} {_CONTRACTED_VERB[m[2].lower()]}", question)
        asked = set(tokens(last.question))
        added = [n for n in _names(last.answer) if not set(tokens(n)) & asked]
        names = added + _names(last.question)
        if names:
            # A gendered pronoun may stand for a surname the last question gives alone ("Who
            # handed Clinton a paper?"), which is no run of capitalised words.
            alone = [
                without_possessive(n) for n in _SURNAME.findall(f"{last.question} {last.answer}")
            ]
            return _resolved(question, names, alone, gender) + event
        return f"{question} {last.question} {last.answer}"
    if event or len(tokens(question)) < 3:
        return f"{question} {last.question}"
    return question


def named_by_given(ask: str, given: str, gender: Callable[[str], str | None]) -> str:
    """The ask of a question that first gives something as known, with each "he", "his", "she"
    … standing for the person the given part names by a name the sources speak of with that
    gender: "The leaked cable calls Khadr a 15-year-old — how old was he really when he pleaded
    guilty?" asks "how old was Khadr really when Khadr pleaded guilty?". A pronoun for whom the
    given part names no one of its gender stays, and the ask is unchanged when it says "they",
    "them" or "their" (who may be several)."""
    if _PLURAL_PRONOUN.search(ask):
        return ask
    named = [without_possessive(word) for word in _CAPITALISED_WORD.findall(given)]

    def replace(m: re.Match[str]) -> str:
        wanted = _PRONOUN_GENDER[m.group(1).lower()]
        name = next((n for n in named if gender(n) == wanted), None)
        if name is None:
            return m.group(0)
        return f"{name}'s" if _possessive(m.group(1), m.group(2)) else name

    return _PRONOUN.sub(replace, ask)


def _names(text: str) -> list[str]:
    """The names in the text, in order (see titled_names)."""
    return [name for _, name in titled_names(text)]


def titled_names(text: str) -> list[tuple[str, str]]:
    """Each run of capitalised words with the name it gives: the run's last two words ("Stephen
    Harper" from "But Prime Minister Stephen Harper"), a possessive's "'s" dropped, an honorific's
    surname alone."""
    found = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = _HONORIFIC.sub("", run.group(0)).split()
        # A capitalised opening word is no part of a name, and the initials left of an abbreviation
        # cut at its full stop are none: "The U.S. Army arrested …" gives no "The U".
        while words and words[0].lower() in STOPWORDS:
            words.pop(0)
        if all(len(w) == 1 for w in words):
            continue
        found.append((run.group(0), without_possessive(" ".join(words[-2:]))))
    return found


def genders(texts: Iterable[str]) -> dict[str, str]:
    """Who the texts speak of as a woman ("f") or a man ("m"), by surname, lowercased: from an
    honorific ("Ms. Clinton", "Mr. Kouchner") or from "she" or "he" opening the sentence after one
    whose first name is theirs. A surname spoken of both ways goes by the majority; a tie, by
    neither. A capitalised word they also write in lowercase is no one's ("n", see
    _common_nouns): "he" is not "Alberta Court"."""
    texts = list(texts)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for m in _HONORIFIC_NAME.finditer(text):
            votes[m["surname"].lower()][_HONORIFIC_GENDER[m["honorific"]]] += 1
        sentences = _SENTENCE_END.split(text)
        for before, sentence in pairwise(sentences):
            pronoun = _OPENING_PRONOUN.match(sentence)
            named = _names(before)
            if pronoun and named:
                surname = without_possessive(named[0].split()[-1]).lower()
                votes[surname][_PRONOUN_GENDER[pronoun[1].lower()]] += 1
    found = {}
    for surname, counted in votes.items():
        (first, n), *rest = counted.most_common()
        if not rest or rest[0][1] < n:
            found[surname] = first
    return found | {word: "n" for word in _common_nouns(texts) if word not in votes}


def _common_nouns(texts: Iterable[str]) -> set[str]:
    """Capitalised words the texts also write in lowercase: the last word of no one's name
    ("Alberta Court", "Médecins sans frontières"), lowercased."""
    capitalised: set[str] = set()
    lowercase: set[str] = set()
    for text in texts:
        capitalised.update(w.lower() for w in _SURNAME.findall(text))
        lowercase.update(_LOWERCASE_WORD.findall(text))
    return capitalised & lowercase


def _resolved(
    question: str,
    names: list[str],
    alone: list[str],
    gender: Callable[[str], str | None] | None,
) -> str:
    """The question with each pronoun replaced by its referent (see _referent). A name the
    sources give no gender takes its pronoun's for the rest of the question, so "she" and "him"
    in "What did she ask the commission to do with him?" stand for two people."""
    taken: dict[str, str] = {}

    def known(name: str) -> str | None:
        return taken.get(name) or (gender(name) if gender else None)

    def replace(m: re.Match[str]) -> str:
        pronoun = m.group(1)
        name = _referent(pronoun, names, alone, known if gender else None)
        wanted = _PRONOUN_GENDER.get(pronoun.lower())
        if wanted and gender and gender(name) is None:
            taken.setdefault(name, wanted)
        return f"{name}'s" if _possessive(pronoun, m.group(2)) else name

    return _PRONOUN.sub(replace, question)


def _possessive(pronoun: str, after: str | None) -> bool:
    """Whether the pronoun is a possessive: "his", "their", or "her" before a word that is no
    function word ("her decision", not "asked her to" or "gave her the paper")."""
    lowered = pronoun.lower()
    if lowered in _POSSESSIVE:
        return True
    following = (after or "").split()
    return lowered == "her" and bool(following) and following[-1].lower() not in STOPWORDS


def _referent(
    pronoun: str,
    names: list[str],
    alone: list[str],
    gender: Callable[[str], str | None] | None,
) -> str:
    """The first of the names the pronoun may stand for by the gender it gives, else the first
    surname given alone that the sources speak of with that gender; the first name when the
    pronoun gives none, or no gender is known."""
    wanted = _PRONOUN_GENDER.get(pronoun.lower())
    if gender is None or wanted is None:
        return names[0]
    fitting = [n for n in names if gender(n) in (wanted, None)]
    fitting += [n for n in alone if gender(n) == wanted]
    return fitting[0] if fitting else names[0]

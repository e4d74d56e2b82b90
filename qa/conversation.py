"""Pure question rewriting for retrieval: follow-ups made standalone, injected instructions dropped.

The rewritten query only steers retrieval and sentence scoring; answers are always quoted from the
sources, so an instruction in a question can never be obeyed, only ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.text import tokens, without_possessive
from qa.types import Turn

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_POSSESSIVE = {"his", "hers", "their"}
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


def strip_instructions(question: str) -> str:
    """The question without phrases aimed at the bot; the question itself if nothing else is left."""
    stripped = question
    for pattern in _INSTRUCTIONS:
        stripped = pattern.sub(" ", stripped)
    stripped = " ".join(stripped.split()).strip(" ,;:-")
    return stripped if len(tokens(stripped)) >= 2 else question


def condense_question(question: str, history: Sequence[Turn]) -> str:
    """A standalone version of a follow-up question, for retrieval and sentence scoring.

    Third-person pronouns are replaced by the most salient name of the last turn: the first name
    the answer adds to its question (who was asked for), else the question's first name. The
    answer may be the bot's own quote ("But Prime Minister Stephen Harper steadfastly insisted…"),
    so a name is a run's last two words, titles before them left out. A short elliptical question
    carries the last question along. Instructions aimed at the bot are dropped first (see
    strip_instructions).
    """
    question = strip_instructions(question)
    if not history:
        return question
    last = history[-1]
    if _PRONOUN.search(question):
        asked = set(tokens(last.question))
        added = [n for n in _names(last.answer) if not set(tokens(n)) & asked]
        name = next(iter(added + _names(last.question)), "")
        if name:
            return _PRONOUN.sub(lambda m: _replace(m.group(1), name), question)
        return f"{question} {last.question} {last.answer}"
    if len(tokens(question)) < 3:
        return f"{question} {last.question}"
    return question


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
        found.append((run.group(0), without_possessive(" ".join(words[-2:]))))
    return found


def _replace(pronoun: str, name: str) -> str:
    return f"{name}'s" if pronoun.lower() in _POSSESSIVE else name

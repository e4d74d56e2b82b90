"""Pure follow-up handling: rewrite a question that leans on earlier turns into one that stands alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.text import tokens
from qa.types import Turn

_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_POSSESSIVE = {"his", "hers", "their"}
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:(?:of|de|du|la|al)\s+)?[A-Z][\w'’-]+)+")


def condense_question(question: str, history: Sequence[Turn]) -> str:
    """A standalone version of a follow-up question, for retrieval and sentence scoring.

    Third-person pronouns are replaced by the most salient name of the last turn (the answer's
    first full name, else the question's); a short elliptical question carries the last question
    along. Questions that need no history are returned unchanged.
    """
    if not history:
        return question
    last = history[-1]
    if _PRONOUN.search(question):
        name = _first_name(last.answer) or _first_name(last.question)
        if name:
            return _PRONOUN.sub(lambda m: _replace(m.group(1), name), question)
        return f"{question} {last.question} {last.answer}"
    if len(tokens(question)) < 3:
        return f"{question} {last.question}"
    return question


def _first_name(text: str) -> str:
    names = [m.group(0) for m in _NAME.finditer(text)]
    return max(names, key=len) if names else ""


def _replace(pronoun: str, name: str) -> str:
    return f"{name}'s" if pronoun.lower() in _POSSESSIVE else name

"""A question that offers its answers: "Where did they meet — in Washington or in Paris?".

The reader names the candidates, so a sentence naming none of them does not answer, however well
it matches the rest of the question: the date of the meeting says nothing of where it was held.
"""

from __future__ import annotations

import re

from qa.chunking import split_sentences
from qa.text import tokens

# Asking for something, not whether: "Was it a long sit-down or a quick chat?" asks whether either
# is so, and a sentence telling how long answers it.
_WH_OPENING = re.compile(r"^\W*(?:where|what|which|who|whom|when|how)\b", re.I)
# The offer closes the question, set off by a dash, a colon or a comma: "— in Washington or in
# Paris?", ": confidential or secret?". A dash inside a word ("sit-down", "Clinton–Kouchner") sets
# nothing off, and a name may hold one ("Saint-Exupéry").
_OFFER = re.compile(
    r"(?:\s[-—–]\s|[—:,])\s*(?P<first>[^—–:,?]+?)\s+or\s+(?P<second>[^—–:,?]+?)\s*\?\s*$"
)
# Longer than this, the words after the dash are a clause of their own, not an answer offered.
MAX_WORDS = 4


def offered(question: str) -> list[set[str]]:
    """The answers the question's last sentence offers, each as its terms; [] when it offers
    none."""
    spans = split_sentences(question)
    last = question[spans[-1][0] : spans[-1][1]] if spans else ""
    offer = _OFFER.search(last) if _WH_OPENING.match(last) else None
    if offer is None:
        return []
    choices = [offer["first"], offer["second"]]
    if any(len(c.split()) > MAX_WORDS or not tokens(c) for c in choices):
        return []
    return [set(tokens(c)) for c in choices]


def names_no_choice(question: str, sentence: str) -> bool:
    """True when the question offers answers and the sentence names none of them."""
    said = set(tokens(sentence))
    choices = offered(question)
    return bool(choices) and not any(choice & said for choice in choices)

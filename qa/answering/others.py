"""Questions asking for something other than what they name: "After he split with MSF, what other
aid group did Kouchner start?" is not answered by the sentence saying he founded MSF, though the
judge reads it as the best answer (it tells who founded which group, and shares most words).

A sentence answers such a question only if it names something the question does not. A name the
sources give in brackets after another is the same thing under another name ("Médecins Sans
Frontières (MSF, known in English as Doctors Without Borders)"), and a name whose every word the
question holds is given by it ("Médecins" of "Médecins sans frontières").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.answering.nations import PEOPLES
from qa.dates import MONTHS
from qa.text import NAME_WORD, words

# "what group", "which prison": a kind of thing, not "what did …".
_WHAT_THING = r"\b(?:what|which)\s+(?!(?:did|does|do|was|were|is|are|has|had)\b)\w+"
_ASKS_OTHER = re.compile(
    r"\b(?:what|which|who)(?:\s+\w+){0,2}\s+(?:other|else)\b"
    r"|\b(?:besides|apart from|aside from|other than)\b"
    # A thing asked for after one the question names: "After he fell out with Doctors Without
    # Borders, what group did Kouchner start?", "… split from MSF - what group did he start after
    # that?"
    rf"|^\W*after\b[^?]*[,;—–-]\s*{_WHAT_THING}"
    rf"|{_WHAT_THING}\b[^?]*\bafter (?:that|this)\b",
    re.I,
)
# A name, with the particles some names hold between capitalised words ("Doctors of the World",
# "Médecins du Monde"), not opening the sentence (a capital there marks no name); and what stands in
# brackets right after it.
_NAME = rf"{NAME_WORD}(?:\s+(?:(?:of|the|du|de|des|la|le)\s+)*{NAME_WORD})*"
_NAMES = re.compile(rf"(?<![.!?]\s)(?<!^)\b({_NAME})(?:\s*\(([^()]*)\))?")
_INSIDE = re.compile(_NAME)
_MONTH = re.compile(rf"(?:{MONTHS})", re.I)


def asks_for_another(question: str) -> bool:
    """Whether the question asks for something besides what it names ("what other group",
    "apart from France, which governments", "after he split with MSF, what group")."""
    return bool(_ASKS_OTHER.search(question))


def aliases(sentences: Iterable[str]) -> list[set[str]]:
    """The names the sentences give a thing together: each name with those in the brackets right
    after it ("Médecins Sans Frontières (MSF, known in English as Doctors Without Borders)")."""
    groups = []
    for sentence in sentences:
        for found in _NAMES.finditer(sentence):
            if found[2]:
                groups.append({found[1], *(m[0] for m in _INSIDE.finditer(found[2]))})
    return groups


def names_another(question: str, sentence: str, known: list[set[str]]) -> bool:
    """Whether the sentence names something the question does not: a name, not a people, a month
    or a shortening (see _shortened), that is not given by the question, nor known (see aliases) as
    another name of one it gives."""
    asked = set(words(question))

    def given(name: str) -> bool:
        return set(words(name)) <= asked

    given_names = {n for group in known if any(given(n) for n in group) for n in group}
    for found in _NAMES.finditer(sentence):
        name = found[1]
        if name in PEOPLES or _MONTH.fullmatch(name) or _shortened(found) or given(name):
            continue
        if not any(set(words(name)) <= set(words(other)) for other in given_names):
            return True
    return False


def _shortened(found: re.Match[str]) -> bool:
    """An initial, a title or another shortening ("U.S.", "Mr.", "Sgt."): a word of up to three
    letters before a full stop, one letter or not all capitals ("MSF." is a name)."""
    name = found[1]
    stop = found.string[found.end(1) : found.end(1) + 1] == "."
    return stop and len(name) <= 3 and (len(name) == 1 or not name.isupper())

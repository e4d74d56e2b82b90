"""Readers' misspellings of the names the sources use, read as those names.

One misspelt name ("Kadr", "Clintn", "Kouchener") misses every passage by that name in BM25 and
in the judge's reading, and the answer goes to whatever else the question's words match: on the
dev questions that name someone the sources name, answers right 31 → 22 of 39 with one name
misspelt (bench/typos.py). A word of the question that neither the sources nor the embedding
model's English vocabulary knows, in any of its forms, is read as the name the sources spell one
edit away from it (a letter left out, added or changed, or two neighbours swapped), keeping its
first letter, which slips seldom change. Only names: a common word one edit from another
("overturn" and the sources' "ouverture") is more often the reader's own word than a slip.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from qa.text import stem

# Words of four letters or more: shorter ones are one edit from too many others.
WORD = re.compile(r"[^\W\d_]{4,}")


class Speller:
    """The names the sources use (by their lower case) and every word known to be one."""

    def __init__(self, texts: Iterable[str], vocabulary: Iterable[str]) -> None:
        counts = Counter(w for text in texts for w in WORD.findall(text))
        spellings: dict[str, str] = {}
        for word, _ in counts.most_common():  # the spelling the sources use most
            spellings.setdefault(word.lower(), word)
        self.names = {w: s for w, s in spellings.items() if s[0].isupper()}
        known = {w.lower() for w in vocabulary} | spellings.keys()
        # A word is known in any form: "tribunals" and "Westerner" are no slips for a name.
        self._stems = {stem(w) for w in known}

    def knows(self, word: str) -> bool:
        """Whether the word, in any of its forms, is the sources' or an English one."""
        return stem(word.lower()) in self._stems

    def correct(self, text: str) -> str:
        """The text with each unknown word that is a slip for one of the sources' names
        replaced by it, as the sources spell it."""
        return WORD.sub(lambda m: self._name_for(m[0]), text)

    def _name_for(self, word: str) -> str:
        if self.knows(word):
            return word
        lowered = word.lower()
        slips = [
            name
            for name in self.names
            if name[0] == lowered[0]
            and abs(len(name) - len(lowered)) <= 1
            and one_edit_apart(lowered, name)
        ]
        # Two names one edit away are two readings: neither is chosen.
        return self.names[slips[0]] if len(slips) == 1 else word


def one_edit_apart(a: str, b: str) -> bool:
    """Whether a becomes b by one edit: a letter left out, added or changed, or two neighbouring
    letters swapped (equal strings are not)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    start = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    if len(a) == len(b):
        swapped = a[start + 1 : start + 2] + a[start : start + 1] + a[start + 2 :]
        return a[start + 1 :] == b[start + 1 :] or swapped == b[start:]
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1 :] == shorter[start:]


def tokenizer_words(folder: Path) -> list[str]:
    """The whole words of the WordPiece vocabulary in a model folder's tokenizer.json."""
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    return [w for w in tokenizer["model"]["vocab"] if w.isalpha()]

"""Readers' misspellings of the words the sources use, read as those words.

One misspelt word ("Kadr", "Clintn", "raisd") misses every passage holding it in BM25 and weakens
the judge's reading, and the answer goes to whatever else the question's words match: on the dev
questions, answers right 33 → 30 of 40 with one name misspelt, 36 → 29 of 42 with one other word
(bench/typos.py). A word of the question that neither the sources nor an English dictionary
knows is read as the sources' word one edit away from it (a letter left out, added or changed, or
two neighbours swapped), keeping its first letter, which slips seldom change; of several, the one
the sources use most, and none when they use two as often. A word nothing in the sources is close
to is left as written: it is the reader's, not a slip.

The dictionary is pyspellchecker's English word list (160,572 words with their frequencies, in
every inflected form), read through its `SpellChecker` (~0.1 s, once per process).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable

# A word, with what an apostrophe joins to it ("Khadr's", "couldn't").
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"(?P<base>.+?)(?P<tail>['’]s)?$", re.I)
# The first letter of each sentence.
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)\W*\w")
# Shorter words are one edit from too many others.
SHORTEST = 4


@functools.cache
def english_words() -> Collection[str]:
    """pyspellchecker's English dictionary: its words, lowercase."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en").word_frequency.dictionary.keys()


class Speller:
    """The sources' words (by their lower case, with how often the sources use them and the
    spelling they use most) and every word known to be one."""

    def __init__(self, texts: Iterable[str], english: Collection[str]) -> None:
        # One pass of the regular expression over all the text, then Python per distinct word:
        # 0.6 s for 20,000 passages of 80 words, against 1.4 s word by word.
        counts: Counter[str] = Counter()
        for word, count in Counter(WORD.findall("\n".join(texts))).items():
            counts[_base(word)] += count
        self.spellings: dict[str, str] = {}
        self.uses: Counter[str] = Counter()
        for word, count in counts.most_common():  # the spelling used most comes first
            self.spellings.setdefault(word.lower(), word)
            self.uses[word.lower()] += count
        # The words a slip may stand for, by their first letter (which a slip keeps): a question's
        # unknown word is compared with these, not with every word of an archive's sources.
        self._by_initial: dict[str, list[str]] = {}
        for word in self.spellings:
            if len(word) >= SHORTEST:
                self._by_initial.setdefault(word[0], []).append(word)
        self.english = english

    def knows(self, word: str) -> bool:
        """Whether the word is the sources' or an English one."""
        lowered = word.lower()
        return lowered in self.spellings or lowered in self.english

    def correct(self, text: str) -> str:
        """The text with each unknown word that is a slip for one of the sources' words replaced
        by it, as the sources spell it. A text written all in capitals is first written as the
        sources write its words ("WHEN WAS KHADR CAPTURED?" → "When was Khadr captured?"): in
        capitals every word looks like a name."""
        if text.isupper():
            recased = WORD.sub(lambda m: self._as_written_in_sources(m[0]), text)
            text = _SENTENCE_START.sub(lambda m: m[0].upper(), recased)
        return WORD.sub(lambda m: self._word_for(m[0]), text)

    def _as_written_in_sources(self, word: str) -> str:
        base = _base(word)
        return self.spellings.get(base.lower(), base.lower()) + word[len(base) :].lower()

    def _word_for(self, written: str) -> str:
        word = _base(written)
        if len(word) < SHORTEST or self.knows(word) or self.knows(written):
            return written
        lowered = word.lower()
        slips = sorted(
            (
                (self.uses[w], w)
                for w in self._by_initial.get(lowered[0], ())
                if abs(len(w) - len(lowered)) <= 1 and one_edit_apart(lowered, w)
            ),
            reverse=True,
        )
        if not slips or (len(slips) > 1 and slips[0][0] == slips[1][0]):
            return written
        return self.spellings[slips[0][1]] + written[len(word) :]


def _base(word: str) -> str:
    """The word without a possessive "'s" ("Khadr's" → "Khadr"); "couldn't" is a word of its own."""
    match = _POSSESSIVE.match(word)
    return match["base"] if match else word


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

"""Pure text helpers shared by retrieval and answering: normalisation and tokens for matching."""

from __future__ import annotations

import re
import unicodedata

# Words that hedge or stress a question without changing what it asks ("what exactly did…",
# "how old was he really…"); as terms to match they would only lower every sentence's coverage.
HEDGES = frozenset({"really", "actually", "exactly", "precisely", "roughly", "approximately"})
# Function words, and words every question about "the story" uses, carry no topic.
STOPWORDS = HEDGES | frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also may might must shall ever tell say said says according story article
    """.split()  # noqa: SIM905
)
# Numbers written as words, up to the tens ("nineteen times", "sixty detainees").
NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
# A figure in digits with its thousands and decimals ("251,287", "10.5"), not a comma or full
# stop after it ("in 2010, before").
FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# Where a clause ends: what a statement ("does not say", "three weeks ago") is about lies inside it.
# A comma or dash between digits joins one figure ("251,287", "a 2–1 vote", "1992–93").
CLAUSE_BOUNDARY = re.compile(r"(?<!\d)[,—–]|[,—–](?!\d)|[;:()]|\s-\s")
# A capitalised word; letters beyond ASCII and joined parts count ("Michèle", "Alliot-Marie",
# "O'Reilly"). Each part after a joint is a run of letters, capital or not: one way only to read a
# word, so a pattern that fails after a run of names gives up at once (an optional capital before
# the letters gave 2^n ways to read n joined parts, minutes for a question of names that ends
# otherwise).
NAME_WORD = r"[A-ZÀ-Þ][^\W\d_]*(?:[-'’][^\W\d_]+)*"
# A name of one or more such words: "Ahmed Said Khadr".
NAME_RUN = rf"{NAME_WORD}(?:\s+{NAME_WORD})*"
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_WORD = re.compile(r"[\w'’-]+")


def fold(text: str) -> str:
    """Lowercase and strip diacritics: 'Médecins' → 'medecins'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Every word of the text in order, folded, with the hyphens and apostrophes inside it
    ("co-founded", "khadr's"): where words stand beside one another, stopwords counted."""
    return _WORD.findall(fold(text))


# Irregular forms no suffix rule joins, of the words a life story is told with: "date of birth"
# and "birthday" are answered by "was born on …", "when did he die" by "his death in …".
_SAME_STEM = {
    "birth": "born",
    "births": "born",
    "birthday": "born",
    "birthdays": "born",
    "birthplace": "born",
    "death": "die",
    "deaths": "die",
    "died": "die",
    "dead": "die",
    "dying": "die",
}
# Changes whenever tokens() gives other tokens for some text: lexical indexes kept on disk were
# built with the tokens of their time, and are rebuilt when this differs (qa.lexical).
TOKENS_VERSION = 4


def stem(token: str) -> str:
    """A light English stemmer: enough to match 'cables' with 'cable', and 'charged' and
    'charging' with 'charges' and 'charge' (all 'charg': '-ed' and '-ing' leave no final e, so
    other forms lose theirs), 'reportedly' with 'reported', and the irregular forms of
    _SAME_STEM."""
    if token in _SAME_STEM:
        return _SAME_STEM[token]
    if token.isdigit() or len(token) <= 3:
        return token
    # An adverb of a participle is matched as its verb: "reportedly paid" with "reported".
    if token.endswith("edly") and len(token) > 6:
        token = token[:-2]
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                return token
            token = token[: len(token) - len(suffix)] + repl
            if suffix in ("ing", "ed"):
                return token
            break
    return token[:-1] if len(token) >= 4 and token.endswith("e") else token


def without_possessive(name: str) -> str:
    """The name without a possessive's "'s" ("Sarkozy's" → "Sarkozy")."""
    return name.removesuffix("'s").removesuffix("’s")


def tokens(text: str) -> list[str]:
    """Content tokens for lexical matching: folded, stemmed, stopwords dropped, numbers kept."""
    return [
        stem(t.replace(",", ""))
        for t in _TOKEN.findall(fold(text))
        if t not in STOPWORDS and (len(t) > 1 or t.isdigit())
    ]

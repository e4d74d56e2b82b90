"""What came of a review: "What did Clinton's review of the Khadr case conclude?".

A review, a look into a file, an examination is undertaken and then comes to something. The
sources may tell only the first ("The Secretary agreed to review the case"; "Kouchner … asked
Clinton to review the case"), and such a sentence, sharing the question's names and its review, is
what the scorer and the judge read as its best answer. A question asking what such an examination
concluded, decided or led to is refused when every sentence found that names it tells it only as
undertaken: agreed to, asked for, promised ("to review", "for a review"). One telling it as done
("After reviewing the file, she …", "her review found …") may answer, and is left to the usual
choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Looking at something to come to a view of it.
_EXAMINING = (
    r"(?:review|look(?:s|ed|ing)? (?:into|over|at)|go(?:es|ne|ing)? over|went over|examin"
    r"|investigat|inquir|stud(?:y|ied|ies|ying)|consider)"
)
_NAMES_EXAMINING = re.compile(rf"\b{_EXAMINING}\w*", re.I)
# What the examination came to: "conclude", "decide", "end up doing", "what came of".
_ASKS_OUTCOME = re.compile(
    r"\b(?:conclu\w*|decid\w*|decision|end(?:s|ed)? up|c[ao]me of|result\w*|outcome|findings?)\b",
    re.I,
)
# An examination to be made: "agreed to review", "asked … to look into", "called for a review".
_UNDERTAKEN = re.compile(rf"\b(?:to|for an?|seek an?|sought an?)\s+(?:\w+\s+)?{_EXAMINING}", re.I)


def asks_outcome(question: str) -> bool:
    """Whether the question asks what an examination it names came to ("After Clinton reviewed
    the paper, what did she decide?")."""
    return bool(_ASKS_OUTCOME.search(question) and _NAMES_EXAMINING.search(question))


def only_undertaken(question: str, sentences: Sequence[str]) -> bool:
    """True when the question asks what an examination came to, some of the sentences name one,
    and each of those tells it only as one to be made."""
    if not asks_outcome(question):
        return False
    naming = [s for s in sentences if _NAMES_EXAMINING.search(s)]
    return bool(naming) and all(
        len(_UNDERTAKEN.findall(s)) == len(_NAMES_EXAMINING.findall(s)) for s in naming
    )

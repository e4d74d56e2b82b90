"""The generative answerer: a LangChain chat model writes short claims, each with the ids of the
numbered sentences it rests on, and every claim is checked against those sentences before a
reader sees it.

Small models place citation markers in prose badly, so they are not asked to: the reply is JSON
constrained by a schema (grammar-constrained decoding in llama.cpp, `response_format` on an
OpenAI-compatible server), a list of claims, each a sentence and the ids it cites. The sentences
are the extractive scorer's best candidates, so the prompt stays short enough for a 1.5B model on
two cores. A claim survives only if it cites sentences it was given, most of its content words are
in them, every name it uses is in them, and every number and date it states stands there (a
duration counts when it follows from two dates of the cited sentences). In the pipeline a claim
may rest only on the sentences the extractive answer quotes: the model words the answer, the
scorer, which picks evidence better, chooses what it rests on. What was dropped and why is kept
in the Answer's `verification` for editors. Each kept claim cites its sentences exactly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langchain_core.utils.json import parse_partial_json

from qa.answering.durations import figure_follows
from qa.answering.extractive import (
    PERSON_NOUN,
    STATES_AGE,
    ScoredSentence,
    answer_type,
    asks_age,
    given_and_ask,
    is_yes_no,
    says_silent,
)
from qa.answering.local_model import LLM_TYPE as LOCAL_LLM_TYPE
from qa.answering.local_model import LocalChatModel
from qa.config import Settings
from qa.dates import find_dates
from qa.errors import AnswerModelError, ConfigError
from qa.models import model_path
from qa.prompts import Prompt
from qa.text import CLAUSE_BOUNDARY, FIGURE, fold, tokens, without_possessive
from qa.types import Answer, Citation, ClaimCheck, Passage

MAX_CLAIMS = 2
_MARKERS = re.compile(r"\s*(\[\d+\])+\s*$")
_DURATION = re.compile(r"\b(\d+) (day|week|month|year)s?\b", re.I)
# A capitalised word that does not open the sentence: a name the cited sentences must hold.
_NAME = re.compile(r"(?<=[^.!?\s] )[A-Z][\w'-]*")
_CAPITALISED_WORD = re.compile(r"\b[A-Z][\w'-]+")
_CLAUSE_OR_SENTENCE = re.compile(rf"[.!?]\s+|{CLAUSE_BOUNDARY.pattern}")
# "Which UN official …", "what Canadian spy chief …": up to three words describing the person.
_DESCRIBED_PERSON = re.compile(
    rf"\b(?:which|what) ((?:[\w.'-]+ ){{1,3}}?)(?:{PERSON_NOUN})s?\b", re.I
)
_COUNT_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# "Which five news organizations …", "what 3 charges …": that many things are asked for.
_ASKS_COUNT = re.compile(rf"\b(?:which|what) ({'|'.join(_COUNT_WORDS)}|[2-9]|1[0-9]) [a-z]", re.I)
# Verbs that say little beyond their object, in every form tokens() gives them.
_LIGHT_VERBS = frozenset(
    tokens(
        "hold holds held holding get gets got gotten getting take takes took taken taking make "
        "makes made making give gives gave given giving become becomes became becoming"
    )
)
# The noun a "what/which" question asks for: "post" in "What UN post had he held?".
_ASKED_KIND = re.compile(
    r"^\s*(?:what|which)\s+(?:[\w'-]+\s+){0,2}?([\w'-]+)\s+"
    r"(?:did|does|do|is|was|were|are|has|have|had|can|could|would|will)\b",
    re.I,
)
_YES = re.compile(r"^\W*yes\b", re.I)
# What a claim answering a yes/no question may add to its words ("no" is no term: tokens drops it).
_YES_NO_WORDS = frozenset(tokens("yes no"))
# A yes/no question on what someone or something says: "Does the cable spell out …?".
_ASKS_WHAT_IS_SAID = re.compile(
    r"^\s*(?:does|do|did)\s+(?:the\s+)?[\w'.-]+(?:\s+[\w'.-]+)?\s+(?:actually\s+)?"
    r"(?:say|spell|detail|mention|record|state|specify|disclose|reveal|explain)\b",
    re.I,
)
# A question asks the reason for what it assumes: "Why did Kouchner reject Clinton's appeal?".
_EXPLAINS = re.compile(r"^\s*(?:why|how come|what made)\b", re.I)
# Between the things a claim lists: "The New York Times, The Guardian and Le Monde".
_ITEM_SEPARATOR = re.compile(r"\s*(?:[,;\n]|\band\b)\s*(?:and\s+)?")
# Spellings a small model splits when held to a JSON grammar: the 1.5B model writes "U.S." as
# "U. S." (after "U" its best token is ".", not the ".S" the text is tokenised with), and a
# figure's groups apart ("251, 287").
_SPLIT_SPELLING = re.compile(r"\b[A-Z]\.(?: [A-Z]\.)+|\b\d{1,3}(?:, \d{3})+\b")
_Claim = tuple[str, tuple[int, ...]]


def claims_schema(sentences: int) -> dict[str, Any]:
    """The JSON schema of a reply: up to MAX_CLAIMS claims, each citing 1-3 of the given ids."""
    ids = {"type": "integer", "enum": list(range(1, sentences + 1))}
    claim = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "maxLength": 300},
            "sentences": {"type": "array", "items": ids, "minItems": 1, "maxItems": 3},
        },
        "required": ["text", "sentences"],
    }
    return {
        "type": "object",
        "properties": {"claims": {"type": "array", "items": claim, "maxItems": MAX_CLAIMS}},
        "required": ["claims"],
    }


def structured(model: BaseChatModel, schema: dict[str, Any]) -> Runnable[Any, Any]:
    """The model bound to reply in JSON that fits the schema. llama-cpp-python takes the schema as
    a `json_object` response format and turns it into a grammar; OpenAI-compatible servers (vLLM,
    llama.cpp's llama-server, Ollama) take the `json_schema` form."""
    if model._llm_type == LOCAL_LLM_TYPE:  # in-process
        response_format: dict[str, Any] = {"type": "json_object", "schema": schema}
    else:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        }
    return model.bind(response_format=response_format)


def stream_generatively(
    question: str,
    candidates: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    model: BaseChatModel,
    *,
    system: Prompt,
    prompt: Prompt,
    refusal: str,
    min_support: float = 0.6,
    timeout_s: float = 20.0,
    anchors: int | None = None,
    answering: Collection[int] = (),
) -> Iterator[str | Answer]:
    """Each claim the model writes, as soon as it is complete and verified (its text with its
    markers, a leading space after the first), then the Answer: refused when none survived.

    With anchors, a claim may rest only on the first `anchors` candidates (the sentences the
    extractive answer quotes): the model words the answer, the scorer chooses its evidence. With
    answering, it must rest on one of those candidates at least: the sentence the extractive
    answer quotes as its answer, and the primary source's telling of it beside (see _Verifier).

    A reply still running after timeout_s is cut there (the claims verified so far stand). An
    error before the first claim raises AnswerModelError; one after it ends the answer there.
    """
    refused = Answer(question=question, answer=refusal, refused=True, passages=tuple(passages))
    if not candidates:
        yield refused
        return
    messages = answer_messages(question, candidates, system, prompt)
    verifier = _Verifier(question, candidates, min_support, anchors, answering)
    deadline = time.monotonic() + timeout_s
    reply = ""
    finished = False
    try:
        # The reply is parsed as it grows (not by an output parser chained to the model: closing
        # such a chain early reads the model's stream to its end, which defeats the timeout). A
        # claim is checked as soon as its object closes: its text and ids can no longer change.
        for chunk in structured(model, claims_schema(len(candidates))).stream(messages):
            reply += chunk.text
            yield from verifier.new_pieces(_claims(_parsed(reply))[: _closed_claims(reply)])
            if time.monotonic() > deadline:
                break
        else:
            finished = True
    except Exception as exc:  # each provider raises its own errors (connection, quota, auth…)
        if not verifier.pieces:
            raise AnswerModelError(
                "The answer model could not be reached just now.",
                "Try again, or check QA_CHAT_MODEL / QA_CHAT_BASE_URL.",
            ) from exc
    if finished:  # the whole reply: a last claim cut short by max_tokens is checked as written
        yield from verifier.new_pieces(_claims(_parsed(reply)))
    if not verifier.pieces:
        yield replace(refused, verification=tuple(verifier.checks))
        return
    yield Answer(
        question=question,
        answer="".join(verifier.pieces),
        refused=False,
        citations=tuple(verifier.citations.values()),
        passages=tuple(passages),
        verification=tuple(verifier.checks),
    )


def answer_messages(
    question: str, candidates: Sequence[ScoredSentence], system: Prompt, prompt: Prompt
) -> list[BaseMessage]:
    """Our rules as the system message, so the chat template adds no default system prompt of
    the model's own; the numbered candidate sentences and the question as the user message."""
    numbered = "\n".join(f"[{n}] {s.text}" for n, s in enumerate(candidates, start=1))
    return [
        SystemMessage(system.render()),
        HumanMessage(prompt.render(question=question, sentences=numbered)),
    ]


def _parsed(reply: str) -> Any:
    """The reply's JSON so far (unclosed strings and brackets closed), or None while it is not
    JSON yet: blank, or prose from a server that ignored the schema."""
    try:
        return parse_partial_json(reply)
    except ValueError:
        return None


def _closed_claims(reply: str) -> int:
    """How many claim objects of a JSON reply so far are closed (the `}` of each object inside
    the root's list), whatever order their keys come in; 0 for prose."""
    closed = depth = 0
    in_string = escaped = False
    for char in reply:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            closed += char == "}" and depth == 2
    return closed


def _claims(reply: Any) -> list[_Claim]:
    """The (text, cited ids) of each claim of a reply parsed so far, whatever shape it has."""
    claims = reply.get("claims") if isinstance(reply, dict) else None
    if not isinstance(claims, list):
        return []
    parsed = []
    for claim in claims:
        text = claim.get("text") if isinstance(claim, dict) else None
        ids = claim.get("sentences") if isinstance(claim, dict) else None
        parsed.append(
            (
                text.strip() if isinstance(text, str) else "",
                tuple(i for i in ids if type(i) is int) if isinstance(ids, list) else (),
            )
        )
    return parsed


def premise_words(question: str) -> set[str]:
    """The words of what a question takes as given: the names and figures it uses, what it asks the
    reason for ("Why did Kouchner reject Clinton's appeal?"), what a lead clause grants ("Since
    Harper asked Clinton, …") and what the sentences before the question state. The rest words what
    is asked ("When was Khadr finally flown home?"), which a right claim may put otherwise ("was
    repatriated")."""
    stated, asking = given_and_ask(question)
    if _EXPLAINS.match(asking):
        stated += " " + asking
    named = " ".join(_NAME.findall(question) + FIGURE.findall(question))
    return set(tokens(stated)) | set(tokens(named))


class _Verifier:
    """Checks the reply's claims in order, each once; numbers the sentences kept claims cite."""

    def __init__(
        self,
        question: str,
        candidates: Sequence[ScoredSentence],
        min_support: float,
        anchors: int | None = None,
        answering: Collection[int] = (),
    ) -> None:
        self.yes_no = is_yes_no(question)
        # What a claim must add: words beyond the question's ("yes" or "no" for a yes/no one).
        self.asked = set(tokens(question)) | (_YES_NO_WORDS if self.yes_no else set())
        # The question's words a claim may not repeat without its sentences. No premise is stated
        # by a light verb ("held the UN post" where the sentence says "was") or by the kind of
        # thing asked for ("post" in "What UN post had he held?").
        kind = _ASKED_KIND.match(question)
        self.premise = premise_words(question) - _LIGHT_VERBS - set(tokens(kind[1] if kind else ""))
        self.wants = answer_type(question, short=True)
        self.count = asked_count(question)
        self.question = question
        self.described = described_person(question)
        self.candidates = candidates
        self.min_support = min_support
        self.anchors = len(candidates) if anchors is None else anchors
        # The other sentences the extractive answer quotes say what its answer leaves out, or
        # lead to it. A claim resting on them alone answered from a neighbouring fact: the
        # meeting's date given for the photo's, a prison named for the home he lived in on bail
        # (bench/RESULTS.md, twenty-third session).
        self.answering = frozenset(answering)
        # "Does the cable spell out what they said?": a "yes" cannot stand beside the extractive
        # answer's own sentence saying the cable does not detail it.
        self.silent_on_record = (
            self.yes_no
            and bool(_ASKS_WHAT_IS_SAID.match(question))
            and any(says_silent(c.text) for c in candidates[: self.anchors])
        )
        self.seen = 0  # claims of the reply already checked
        self.pieces: list[str] = []
        self.checks: list[ClaimCheck] = []
        self.citations: dict[int, Citation] = {}  # by candidate id

    def new_pieces(self, claims: list[_Claim]) -> Iterator[str]:
        for text, ids in claims[self.seen :]:
            self.seen += 1
            claim = as_quoted(_MARKERS.sub("", text), [c.text for c in self.candidates])
            check = self._check(claim, ids)
            self.checks.append(check)
            if not check.supported:
                continue
            quotes = [self.candidates[i - 1].text for i in check.cited]
            worked_out = _computed_durations(claim, quotes)
            if worked_out:
                claim += f" ({', '.join(worked_out)}: worked out from the dates cited)"
            markers = "".join(f" [{self._cite(i).n}]" for i in check.cited)
            self.pieces.append(claim + markers if not self.pieces else f" {claim}{markers}")
            yield self.pieces[-1]

    def _check(self, claim: str, ids: tuple[int, ...]) -> ClaimCheck:
        """The claim kept with the sentences that bear it out, or dropped with the reason.

        Small models often cite the wrong ids for a claim they took from another sentence they
        were given (a sentence the extractive answer does not quote, where another it quotes says
        the same). The claim still has to be borne out by the given sentences, so those are looked
        for, and cited instead. Not when the sentences it cites hold too little of what it adds:
        the model did not write it from them, and another sentence holding its words is no sign
        it read that one right ("Kevin Sorenson mocked the opposition …" from the sentence where
        Peter Kent did, and Sorenson said something else). The extractive answer stands instead
        (bench/RESULTS.md, twenty-ninth session).
        """
        empty = self._empty(claim)
        if empty:
            return ClaimCheck(claim, ids, supported=False, reason=empty)
        reason = self._unborne(claim, ids)
        if not reason:  # the ids are known ones: which of them hold what the claim adds
            contributing = self._contributing(claim, ids)
            if not all(i <= self.anchors for i in contributing):
                reason = "rests on a sentence the extractive answer does not quote"
            elif not self._on_the_answer(contributing):
                reason = "rests only on what the extractive answer quotes beside its answer"
            else:
                return ClaimCheck(claim, ids, supported=True, cited=contributing)
        bearing = self._bearing(claim) if self._held(claim, ids) >= self.min_support else ()
        if not bearing:
            return ClaimCheck(claim, ids, supported=False, reason=reason)
        named = ", ".join(map(str, bearing))
        return ClaimCheck(
            claim, ids, supported=True, reason=f"re-cited to {named}: {reason}", cited=bearing
        )

    def _empty(self, claim: str) -> str:
        """Why the claim has nothing to show whatever it cites, or ""."""
        if not tokens(claim):
            return "says nothing"
        if any(claim == c.claim and c.supported for c in self.checks):
            return "repeats an earlier claim"
        if not set(tokens(claim)) - self.asked and not self.yes_no:
            return "only restates the question"
        # The type tests take a sentence's first word for no name, and a claim may be just one.
        if self.wants and not self.wants(f"Answer: {claim}"):
            return "does not hold the kind of thing asked for (a date, a number, a name)"
        if self.count and (listed := len(_ITEM_SEPARATOR.split(claim))) < self.count:
            return f"lists {listed} of the {self.count} things asked for"
        if self.silent_on_record and _YES.match(claim):
            return "says yes where a sentence the answer rests on says the sources are silent"
        return ""

    def _unborne(self, claim: str, ids: tuple[int, ...]) -> str:
        """Why these sentences do not bear the claim out, or "" when they do."""
        if not ids:
            return "cites no sentence"
        unknown = [i for i in ids if not 1 <= i <= len(self.candidates)]
        if unknown:
            return f"cites sentence {unknown[0]}, which it was not given"
        cited = [self.candidates[i - 1] for i in ids]
        quotes = [s.text for s in cited]
        titles = {s.passage.title for s in cited}
        context = self._context(ids)
        present = set(tokens(context))
        support = self._held(claim, ids)
        if support < self.min_support:
            return f"only {support:.0%} of what it adds is in the sentences it cites"
        # A "yes" that only restates the question affirms all of it, so the sentences must state
        # all of it: "Yes, President Sarkozy personally approved Kouchner bringing up Khadr" from a
        # sentence where Kouchner, Sarkozy's minister, personally asked (bench/RESULTS.md).
        said = set(tokens(claim))
        if self.yes_no and _YES.match(claim) and said <= self.asked:
            unstated = sorted(said - present - _YES_NO_WORDS - _LIGHT_VERBS)
            if unstated:
                return f"says yes to {unstated[0]!r}, which the sentences it cites do not state"
        # A word the claim takes from what the question assumes must stand in the sentences too,
        # or the claim repeats the question's premise: "Kouchner rejected Clinton's appeal because
        # of visa policies" for a question that assumed he rejected it, from a sentence where he
        # did not.
        taken = set(tokens(claim)) & self.premise
        echoed = sorted(taken - present)
        if echoed and not self.yes_no:
            return (
                f"takes {echoed[0]!r} from the question, which the sentences it cites do not hold"
            )
        # A premise is one fact, so one sentence must state it: "Stephen Harper asked Clinton to
        # release Khadr because …" found "Harper" and "release" in one sentence (France asked,
        # Harper refused) and "asked Clinton" in another.
        titled = set(tokens(" ".join(titles)))
        if not self.yes_no and not any(taken <= set(tokens(q)) | titled for q in quotes):
            return "repeats the question's premise, which no sentence it cites states whole"
        names = [without_possessive(n) for n in _NAME.findall(claim)]
        missing = [n for n in names if fold(n) not in fold(context)]
        if missing:
            return f"names {missing[0]}, which the sentences it cites do not"
        if self.described and not _described(claim, quotes, self.described):
            return "names no one the sentences it cites describe as the question does"
        if not _figures_stand(claim, quotes):
            return "states a number or date the sentences it cites do not"
        if asks_age(self.question) and _one_of_several_ages(claim, quotes, self.question):
            return "gives one of several ages its sentences state, which the question tells apart"
        return ""

    def _context(self, ids: tuple[int, ...]) -> str:
        """The given sentences these ids cite, and their sources' titles."""
        cited = [self.candidates[i - 1] for i in ids if 1 <= i <= len(self.candidates)]
        return " ".join([*(s.text for s in cited), *{s.passage.title for s in cited}])

    def _held(self, claim: str, ids: tuple[int, ...]) -> float:
        """The share of what the claim adds that the given sentences it cites hold."""
        words = self._adds(claim)
        return len(words & set(tokens(self._context(ids)))) / len(words)

    def _bearing(self, claim: str) -> tuple[int, ...]:
        """The best-ranked anchor that bears the claim out, or else pair of them, on the answer
        (see _on_the_answer)."""
        ids = range(1, self.anchors + 1)
        singles = [(i,) for i in ids]
        pairs = [(i, j) for i in ids for j in ids if i < j]
        return next(
            (
                c
                for c in [*singles, *pairs]
                if self._on_the_answer(self._contributing(claim, c)) and not self._unborne(claim, c)
            ),
            (),
        )

    def _on_the_answer(self, ids: tuple[int, ...]) -> bool:
        return not self.answering or not self.answering.isdisjoint(ids)

    def _contributing(self, claim: str, ids: tuple[int, ...]) -> tuple[int, ...]:
        """The cited ids whose sentences hold something the claim adds to the question: a model
        that cites every sentence it was given gets only the ones that bear the claim out."""
        new = self._adds(claim)
        ids = tuple(dict.fromkeys(ids))
        useful = tuple(i for i in ids if new & set(tokens(self.candidates[i - 1].text)))
        return useful or ids

    def _adds(self, claim: str) -> set[str]:
        """The claim's words beyond the question's; all its words for a yes/no restatement."""
        words = set(tokens(claim))
        return (words - self.asked) or words

    def _cite(self, i: int) -> Citation:
        if i not in self.citations:
            self.citations[i] = self.candidates[i - 1].cite(len(self.citations) + 1)
        return self.citations[i]


def as_quoted(claim: str, quotes: Sequence[str]) -> str:
    """The claim with an initialism or a figure the model spelled apart ("U. S.", "251, 287")
    written as the sentences it was given write it ("U.S.", "251,287")."""

    def joined(match: re.Match[str]) -> str:
        together = match[0].replace(" ", "")
        return together if any(together in quote for quote in quotes) else match[0]

    return _SPLIT_SPELLING.sub(joined, claim)


def described_person(question: str) -> set[str]:
    """The terms describing the person asked for: {"un"} for "Which UN official …?"."""
    asked = _DESCRIBED_PERSON.search(question)
    return set(tokens(asked[1])) if asked else set()


def _described(claim: str, quotes: list[str], described: set[str]) -> bool:
    """Whether a name the claim gives stands in the quotes beside a term describing the person
    asked for: in its clause or one either side, where an apposition says who someone is ("one
    Guantanamo detainee, the Algerian Lakhdar Boumediene"; "John Bellinger, the State
    Department's legal adviser" is no UN official). A claim naming no one passes."""
    names = set(tokens(" ".join(_CAPITALISED_WORD.findall(claim))))
    if not names:
        return True
    for quote in quotes:
        clauses = [set(tokens(c)) for c in _CLAUSE_OR_SENTENCE.split(quote)]
        for i, clause in enumerate(clauses):
            beside = set().union(*clauses[max(0, i - 1) : i + 2])
            if clause & names and beside & described:
                return True
    return False


def asked_count(question: str) -> int:
    """How many things the question asks for by number ("Which five news organizations …?"), or
    0: a claim naming one of them is not its answer."""
    asked = _ASKS_COUNT.search(question)
    if not asked:
        return 0
    number = asked[1].lower()
    return int(number) if number.isdigit() else _COUNT_WORDS.index(number) + 2


def _figures_stand(claim: str, quotes: list[str]) -> bool:
    """Every date the claim states is a date of one of the quotes; every other number stands in a
    quote outside its dates ("19" taken from "19 September 1986" does not), or is a duration that
    follows from two dates of the quotes ("8 years" from 2002 and 2010)."""
    claim_dates = find_dates(claim)
    quote_dates = [(d.year, d.month, d.day) for q in quotes for d in find_dates(q)]
    if any((d.year, d.month, d.day) not in quote_dates for d in claim_dates):
        return False
    computed = {FIGURE.findall(d)[0] for d in _computed_durations(claim, quotes)}
    numbers = set(FIGURE.findall(_outside_dates(claim)))
    if not numbers <= _stated_numbers(quotes) | computed:
        return False
    return not _taken_from_another_fact(numbers - computed, claim, quotes)


def _taken_from_another_fact(numbers: set[str], claim: str, quotes: list[str]) -> bool:
    """Whether, for one of the numbers, the clauses of the quotes that state it share fewer of the
    claim's other words than a clause stating another number: "Khadr was 15 at the time of the
    meeting" from "Khadr was in fact 22 at the time of the meeting - he was 15 in 2002 when he was
    detained"."""
    words = set(tokens(FIGURE.sub(" ", claim)))
    clauses = _clauses_stating(quotes, words, lambda clause: set(FIGURE.findall(clause)))
    for number in numbers:
        stating = [shared for stated, shared in clauses if number in stated]
        other = [shared for stated, shared in clauses if number not in stated]
        if stating and max(other, default=0) > max(stating):
            return True
    return False


# Words an age question uses to say when, which tell no clause of the sentences from another.
_WHEN = frozenset(tokens("time point moment day"))


def _one_of_several_ages(claim: str, quotes: list[str], question: str) -> bool:
    """Whether the claim's age is one of several the quotes state, in a clause sharing no more
    of the question's words (beyond names, which every clause's "he" stands for) than a clause
    stating another: "Khadr was 22 at the time of the meeting" for "How old was he at the time he
    was picked up?", from "… in fact 22 at the time of the meeting - he was 15 in 2002 when he
    was detained"."""
    words = set(tokens(question)) - _WHEN - set(tokens(" ".join(_NAME.findall(question))))
    clauses = _clauses_stating(
        quotes, words, lambda clause: {FIGURE.findall(m[0])[0] for m in STATES_AGE.finditer(clause)}
    )
    claimed = set(FIGURE.findall(_outside_dates(claim)))
    for age in claimed & {age for ages, _ in clauses for age in ages}:
        stating = max(shared for ages, shared in clauses if age in ages)
        if any(shared >= stating for ages, shared in clauses if age not in ages):
            return True
    return False


def _clauses_stating(
    quotes: list[str], words: set[str], figures: Callable[[str], set[str]]
) -> list[tuple[set[str], int]]:
    """Each clause of the quotes (their dates left out) that states figures: the figures it
    states, and how many of the words it shares."""
    return [
        (stated, len(words & set(tokens(clause))))
        for quote in quotes
        for clause in CLAUSE_BOUNDARY.split(_outside_dates(quote))
        if (stated := figures(clause))
    ]


def _computed_durations(claim: str, quotes: list[str]) -> list[str]:
    """The durations the claim states ("8 years") that no quote states but two of their dates
    give: figures the answer worked out, which it says it did."""
    stated = _stated_numbers(quotes)
    quoted = [d for q in quotes for d in find_dates(q)]
    return [
        m.group(0)
        for m in _DURATION.finditer(_outside_dates(claim))
        if m.group(1) not in stated
        and figure_follows(int(m.group(1)), m.group(2).lower() + "s", quoted)
    ]


def _stated_numbers(quotes: list[str]) -> set[str]:
    return {n for q in quotes for n in FIGURE.findall(_outside_dates(q))}


def _outside_dates(text: str) -> str:
    for date in reversed(find_dates(text)):
        text = text[: date.start] + " " + text[date.end :]
    return text


def load_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model QA_CHAT_MODEL names (through LangChain's init_chat_model), or without one
    the local model QA_LOCAL_MODEL, run in-process by llama.cpp."""
    if not settings.chat_model:
        return _load_local_model(settings)
    # Imported here: the langchain package adds ~2 s to start-up and only this mode needs it.
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(
            settings.chat_model,
            temperature=0,
            base_url=settings.chat_base_url or None,
            max_tokens=settings.chat_max_tokens,
            timeout=settings.chat_timeout_s,
            max_retries=0,  # a retry would double the wait: the extractive answer stands instead
        )
    except (ImportError, ValueError) as exc:
        raise ConfigError(
            f"Cannot load chat model {settings.chat_model!r}: {exc}",
            "Install the provider's LangChain package (e.g. pip install langchain-ollama).",
        ) from exc


def _load_local_model(settings: Settings) -> BaseChatModel:
    try:
        import llama_cpp  # noqa: F401  (the optional `local` extra)
    except ImportError as exc:
        raise ConfigError(
            "Generative mode needs a chat model or the local model's runtime.",
            "Run the app with: make run QA_MODE=generative (installs llama.cpp and the model), "
            "or set QA_CHAT_MODEL to a served model.",
        ) from exc
    path = model_path(settings.local_model, settings.resolve_home())
    return LocalChatModel(
        model_path=str(path),
        n_threads=settings.local_threads,
        max_tokens=settings.chat_max_tokens,
        busy_wait_s=settings.chat_timeout_s,
    )

"""Answers about a response: how someone reacted to something, and whether they refused or agreed.

"What was Clinton's response once she got the Khadr document?" is answered by "Clinton agreed to
review it", the sentence after the one saying he handed her the paper. It shares no word with the
question but her name, and the scorer prefers sentences that repeat more of it. A response is told
where the thing responded to is: in the sentence after it, or in a later clause of the same
sentence ("…, but Mr. Kouchner noted that …"), with the one responding as its subject. So the
sentences found for that stimulus are read for such a sentence (see find_response for which of
several answers).

When the one asked about is a person (named in the question, and given a first name or a title in
the sources: "Prime Minister Stephen Harper"), and the sources tell of the stimulus but no response
of theirs follows it, the question is declined: the sources say what Harper held throughout, not
how he reacted to news of France's request; nor how his office did ("How did Harper's office
respond once the cable came out?"), which speaks for him; nor how "the Harper government" did when
neither he nor any minister responds. Any other country or government responds through its people,
in sentences that need not name it ("How did Washington respond?": "The Secretary agreed …"), so
for them the usual quotes stay.

"Why did Clinton turn down Kouchner's request?" presumes a refusal. When the response found says
the opposite (she agreed), the answer says so and quotes it; a response that neither agrees nor
refuses leaves the question to the usual quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answering.durations import FindSentences, question_text
from qa.answering.extractive import ScoredSentence
from qa.chunking import split_sentences
from qa.citations import cited_pieces, span_citation
from qa.dates import MONTHS, YEAR
from qa.text import NAME_RUN, NAME_WORD, STOPWORDS, tokens
from qa.types import Answer, Citation, Passage

_STIMULUS = r"(?: (?:to|when|once|after|as|upon|on hearing(?: that)?) (?P<stimulus>.+))?"
# "How did Harper personally react": a few adverbs, not any "-ly" word ("the family react").
_ADVERB = (
    r"(?: (?:personally|publicly|officially|privately|initially|first|later|eventually|actually"
    r"|himself|herself|themselves))?"
)
_RESPONSE = r"(?:response|reaction|reply|answer)"
_REFUSING = r"turn(?:ed)? down|refuse|reject|decline|deny|dismiss|rebuff|say no to"
_AGREEING = r"agree to|accept|approve|grant|endorse"
# "turn Kouchner down when he asked …": the verb's object before its particle is put after it, as
# in "turn down Kouchner's request".
_SEPARATED = re.compile(r"\b(turn(?:ed)?) ((?:[\w'’-]+ ){0,2}?[\w'’-]+) (down)\b")
_SHAPES = (
    re.compile(rf"^how did (?P<actor>.+?){_ADVERB} (?:respond|react|reply|answer){_STIMULUS}$"),
    re.compile(rf"^what (?:was|were) (?P<actor>.+?)'s?(?: \w+)? {_RESPONSE}{_STIMULUS}$"),
    re.compile(rf"^what (?:was|were) the(?: \w+)? {_RESPONSE} of (?P<actor>.+?){_STIMULUS}$"),
    re.compile(r"^what did (?P<actor>.+?) (?:say|do) in (?:response|reply) to (?P<stimulus>.+)$"),
    re.compile(rf"^why did (?P<actor>.+?) (?P<verb>{_REFUSING}|{_AGREEING}) (?P<stimulus>.+)$"),
)
# "What did Bellinger say back to the UN envoy when she raised Khadr's case?" asks for the words of
# a response: declined as "How did Bellinger respond …?" is when the sources give none, but a
# response found is left to the usual quotes, which give the words. The actor's own sentence naming
# the party is no reply to a later event ("Mr. Kouchner … asked the U.S. for assistance" for "What
# did Kouchner say once the cable became public?").
_SAID_WHEN = re.compile(
    rf"^what did (?P<actor>.+?){_ADVERB} (?:(?:say|reply|answer)(?: back)?(?: to [\w.' -]+?)?"
    rf"|tell [\w.' -]+?){_ADVERB} (?:when|once|after|as|upon) (?P<stimulus>.+)$"
)
# What a response says, when it says either: the first of these words in it decides.
_REFUSED = re.compile(
    r"\b(?:refus|declin|reject|turn(?:ed)? down|dismiss|rebuff|would not|did not|denied)", re.I
)
_AGREED = re.compile(r"\b(?:agree|accept|approv|grant|promis|endors)", re.I)
# Where a clause telling of someone else's stance may start.
_ANOTHERS_CLAUSE = re.compile(r"\b(?:even though|although|though|whereas|while|because)\b", re.I)
# A sentence closing on who said it, by pronoun: it goes on with what the sentence before reports.
_REPORTED = re.compile(r",\s+(?:he|she)\s+(?:said|added|noted|explained|argued|told \w+)\W*$")
# A subject's state, not an act: "Mr. Khadr was in fact 22 …", "Harper was reported … to reject
# suggestions" tell of no response of theirs, where "Sarkozy told Obama …" does.
_STATE = re.compile(r"^\s*(?:is|was|are|were|has been|had been)\b")
# Where a later clause of the stimulus's own sentence may start, with a new subject.
_CLAUSE = re.compile(r"[,;]\s+(?:but|and|while|whereas|yet)\s+|;\s+")
# What may open a sentence or clause before its subject: a conjunction or the "that" of reported
# speech ("…, and that Clinton had agreed to review the case"), then a short phrase and a comma
# ("During the meeting, Ms. Clinton asked …").
_CONJUNCTION = re.compile(r"^(?:but|and|yet|so|however,?|then|that)\s+", re.I)
_PREPOSITION = r"(?:in|on|at|by|from|until|after|before|during)"
_OPENING = re.compile(
    # a date: "In early February 2010", "on 7 May 2015"
    rf"^(?:{_PREPOSITION}\s+(?:(?:early|late|mid)[\s-]+)?(?:\d{{1,2}}\s+)?(?:(?:{MONTHS})\s+)?"
    rf"(?:\d{{1,2}},?\s+)?(?:{YEAR}),?"
    # a clause: "After Khadr's lawyers released video of … in July 2008,"
    r"|(?:after|when|once|as|while|although|though|because|since|if)\b[^,;:]+,"
    # a short phrase: "During that debate", "During the meeting,", "29 January 2010:"
    rf"|{_PREPOSITION}\s+(?:that|the|this|its|his|her|their)\s+\w+,?"
    r"|[^,;:]{1,60}[,:])\s+",
    re.I,
)
_SUBJECT = re.compile(rf"^(?:[Tt]he\s+)?((?:(?:Mr|Mrs|Ms|Dr)\.\s+)?{NAME_RUN})")
_NAMES = re.compile(rf"\b{NAME_WORD}")
_RUN = re.compile(rf"{NAME_WORD}(?:\s+(?:of\s+)?{NAME_WORD})*")
# Opening phrases passed over before a subject: a date, a place, a case's name and citation
# ("29 January 2010: in Canada (Prime Minister) v. Khadr, 2010 SCC 3, the Supreme Court …").
OPENINGS = 3
# Stimulus sentences read for a response: beyond these, they tell of other things.
RESPONSE_CANDIDATES = 12


@dataclass(frozen=True)
class ResponseQuestion:
    """Asks how `actor` responded to `stimulus`; `presumed` is the response the question takes
    for granted ("refused" or "agreed"), or ""."""

    actor: str
    stimulus: str
    presumed: str = ""
    named: bool = False  # the actor is named (capitalised in the question): not "the ministry"
    party: str = ""  # the first name the stimulus gives, as a token ("obama" in "Obama's request")
    said: bool = False  # asks what the actor said (see _SAID_WHEN)


@dataclass(frozen=True)
class Response:
    """A response found: the sentence telling of the stimulus, and the span telling the response
    (offsets into that sentence's passage text)."""

    stimulus: ScoredSentence
    start: int
    end: int
    stance: str  # "refused" or "agreed" when the response says either, else ""
    # Told after the stimulus (a later clause, the next sentence), not in a sentence of the
    # actor's own that names the party: "Ms. Clinton asked for help …, but Mr. Kouchner noted …"
    # has Clinton as subject and names Kouchner, and is her request, not her response to his.
    after: bool = True

    @property
    def text(self) -> str:
        return self.stimulus.passage.text[self.start : self.end]

    def cite(self, n: int) -> Citation:
        return span_citation(n, self.stimulus.passage, self.start, self.end)


def parse_response_question(question: str) -> ResponseQuestion | None:
    """Who responded and to what, when the question asks how someone responded."""
    text = _SEPARATED.sub(r"\1 \3 \2", question_text(question))
    for shape, said in [*((shape, False) for shape in _SHAPES), (_SAID_WHEN, True)]:
        m = shape.match(text)
        # "How did Clinton respond to that?" names nothing to look for.
        if m and m["stimulus"] and set(tokens(m["stimulus"])) - set(tokens(m["actor"])):
            verb = m.groupdict().get("verb") or ""
            presumed = "refused" if re.fullmatch(_REFUSING, verb) else "agreed" if verb else ""
            actor = re.search(re.escape(m["actor"]), question, re.I)
            named = bool(actor and actor[0].split()[-1][:1].isupper())
            stimulus = re.search(re.escape(m["stimulus"]), question, re.I)
            names = _NAMES.findall(stimulus[0]) if stimulus else []
            party = next(iter(tokens(names[0])), "") if names else ""
            return ResponseQuestion(m["actor"], m["stimulus"], presumed, named, party, said)
    return None


def answer_by_response(
    question: str, asked: ResponseQuestion, find: FindSentences, threshold: float, refusal: str
) -> Answer | None:
    """The response found (see find_response), quoted; for a question presuming the opposite of
    it, quoted after saying so; a refusal when the sources tell of the stimulus and name the
    person asked about but give no response of theirs; None otherwise (the usual quotes)."""
    found = find(f"{asked.actor} {asked.stimulus}")
    if not found or found[0].support < threshold:
        return None
    person = _person_in(asked, _SPEAKING_FOR)
    response = find_response(asked, found) or (
        find_response(replace(asked, actor=person), found) if person else None
    )
    if response is None:
        head = _person_in(asked, _GOVERNMENT_OF)
        someone = asked.actor if asked.named else person or head
        if asked.presumed or not (someone and _is_person(someone, found)):
            return None
        # Any minister's response may be that government's (or another's): the usual quotes
        # decide. With none, the head's government is declined like the head.
        if head and find_response(replace(asked, actor=head), found, _MINISTERS):
            return None
        return Answer(question, refusal, refused=True)
    if asked.said or (asked.presumed and response.stance == asked.presumed):
        return None
    citation, passage = response.cite(1), response.stimulus.passage
    if asked.presumed:
        return correction(question, citation, passage)
    return _quoted(question, citation, passage)


# Those who speak for a person: "Harper's office", "Cannon's spokesman". Not a government ("the
# Harper government"), which responds through any of its ministers.
_SPEAKING_FOR = re.compile(
    r"^(?P<person>[a-z][\w'-]*?)'s\s+(?:office|aides?|staff|spokes(?:man|woman|person))$"
)
# A government named for its head ("the Harper government", "Harper's government") responds
# through the head or any minister: the sources name them with their title.
_GOVERNMENT_OF = re.compile(
    r"^(?:the\s+)?(?P<person>[a-z][\w'-]*?)(?:'s)?\s+(?:government|administration|cabinet)$"
)
_MINISTERS = frozenset(tokens("minister government spokesman spokeswoman"))


def _person_in(asked: ResponseQuestion, shape: re.Pattern[str]) -> str:
    """The person the actor asked about belongs to, when it has this shape: whose office or staff
    (_SPEAKING_FOR) or whose government (_GOVERNMENT_OF) it is ("harper"); else ""."""
    m = shape.match(asked.actor)
    return m["person"] if m else ""


def correction(question: str, citation: Citation, passage: Passage) -> Answer:
    """The quote that says the opposite of what the question presumes, said to be that."""
    return _quoted(question, citation, passage, lead="The sources say otherwise: ")


def _quoted(question: str, citation: Citation, passage: Passage, lead: str = "") -> Answer:
    return Answer(
        question,
        lead + "".join(cited_pieces([citation])),
        refused=False,
        citations=(citation,),
        passages=(passage,),
        answered_by="computed",
    )


def find_response(
    asked: ResponseQuestion, found: list[ScoredSentence], members: frozenset[str] = frozenset()
) -> Response | None:
    """The response of the actor to the stimulus among the best sentences found for both (see
    _responses): the first in the most authoritative source that tells one, as the answerer
    quotes the news article before a dossier retelling it; of those, one told after the stimulus,
    and one that agrees or refuses ("The Secretary agreed to review the case" before "Ms. Clinton
    asked for help …", told after Kouchner's own request too). A question presuming a refusal or
    an agreement is about one: for it, only responses that say either. With members, a subject
    holding one of those words speaks for the actor too (a minister for a government)."""
    actor = tokens(asked.actor)
    if not actor:
        return None
    stimulus = set(tokens(asked.stimulus)) - set(actor)
    titles = _titles(actor[-1], found)
    responses = [
        response
        for sentence in found[:RESPONSE_CANDIDATES]
        if stimulus & set(tokens(sentence.text))
        for response in _responses(sentence, actor, titles, stimulus, asked.party, members)
        if response.stance or not asked.presumed
    ]
    # max() keeps the first of equals: the best-ranked response of that authority and kinds.
    return max(
        responses,
        key=lambda r: (r.stimulus.passage.authority, r.after, bool(r.stance)),
        default=None,
    )


def _responses(
    sentence: ScoredSentence,
    actor: list[str],
    titles: set[str],
    stimulus: set[str],
    party: str,
    members: frozenset[str] = frozenset(),
) -> list[Response]:
    """The responses of the actor a sentence sharing a word with the stimulus gives: itself, when
    the actor is its subject and it tells of the stimulus too (see _tells_of: "Sarkozy told Obama
    … that France would accept one"); a later clause of it with the actor as subject (the
    sentence is quoted), with the next sentence when it goes on with what they said; the sentence
    after it, with the actor as subject."""
    offset = sentence.start - sentence.passage.start
    after = _next_sentence(sentence)
    following = sentence.passage.text[after[0] : after[1]] if after else ""
    # What the actor says goes on in the next sentence when it closes "…, he said.": "Mr. Kouchner
    # noted that the EU had to address the issue together. EU countries agreed with resettling the
    # detainees in principle, …, he said." Both are quoted, and the second may tell the stance.
    reported = after if after and _REPORTED.search(following) else None
    whole = (offset, reported[1] if reported else offset + len(sentence.text))
    # The stance the reported sentence tells, for a clause that tells none of its own.
    goes_on = _stance(following) if reported else ""
    found = []
    if _tells_of(sentence.text, stimulus, party) and _acts(sentence.text, actor, titles, members):
        found.append(
            Response(sentence, *whole, _stance(_own_sentence(sentence.text)) or goes_on, False)
        )
    found += [
        Response(sentence, *whole, _stance(_own_sentence(clause)) or goes_on)
        for m in _CLAUSE.finditer(sentence.text)
        if _acts(clause := sentence.text[m.end() :], actor, titles, members)
    ]
    if after and _acts(following, actor, titles, members):
        found.append(Response(sentence, *after, _stance(following)))
    return found


def _tells_of(text: str, stimulus: set[str], party: str) -> bool:
    """Whether a sentence tells of the stimulus, not only of its topic: it names the party
    responded to, or holds half the stimulus's words. "Harper insisted Mr. Khadr faced serious
    charges" shares only "Khadr" with "he heard that France had lobbied for Khadr"."""
    words = set(tokens(text))
    return party in words if party else 2 * len(stimulus & words) >= len(stimulus)


def _own_sentence(clause: str) -> str:
    """A clause up to the end of its sentence: a quotable span may hold the sentence after it."""
    spans = split_sentences(clause)
    return clause[: spans[0][1]] if spans else clause


def _next_sentence(sentence: ScoredSentence) -> tuple[int, int] | None:
    """The span of the sentence after this one in its passage, if the passage holds it."""
    text = sentence.passage.text
    end = sentence.end - sentence.passage.start
    following = [span for span in split_sentences(text, end) if span[0] >= end]
    return following[0] if following else None


def _acts(
    text: str, actor: list[str], titles: set[str], members: frozenset[str] = frozenset()
) -> bool:
    """Whether the text opens with the actor as the subject of an act, not of a state."""
    rest = _after_subject(text, actor, titles, members)
    return rest is not None and not _STATE.match(rest)


def _after_subject(
    text: str, actor: list[str], titles: set[str], members: frozenset[str] = frozenset()
) -> str | None:
    """What follows the actor when the text opens with them as its subject, named ("Ms. Clinton",
    "But Prime Minister Stephen Harper", "January 2010: the Supreme Court of Canada") or by a title
    the sources give them ("The Secretary"); None when it does not."""
    text = _CONJUNCTION.sub("", text.lstrip("\"'“ "))
    for _ in range(OPENINGS + 1):
        m = _SUBJECT.match(text)
        if m:
            words = set(tokens(m[1]))
            if (
                _names(words, actor)
                or words & members
                or (words and words <= titles and text[: m.start(1)])
            ):
                return text[m.end() :]
            # Someone else is the subject, whatever title follows: "Peter Kent, the Minister of
            # State, accused …" is not the foreign minister's response.
            if words - titles and text[m.end() :].startswith(","):
                return None
        text = _OPENING.sub("", text, count=1)
    return None


def _names(words: set[str], actor: list[str]) -> bool:
    """Whether a subject's words name the actor: a person by surname ("Harper" for "Stephen
    Harper"), anything longer by all its words ("the Supreme Court of Canada", not "the Federal
    Court")."""
    return actor[-1] in words and (len(actor) <= 2 or set(actor) <= words)


def _is_person(actor: str, found: list[ScoredSentence]) -> bool:
    """Whether the sentences found give the actor's last name after a first name, a title or an
    honorific ("Stephen Harper", "Ms. Clinton"): a person, not a country ("the Supreme Court of
    Canada", "in Ottawa")."""
    if actor.startswith("the "):  # "the United States", "the government"
        return False
    surname = actor.split()[-1]
    titled = re.compile(
        rf"\b(?:Mr|Mrs|Ms|Dr)\.\s+{re.escape(surname)}\b|\b({NAME_WORD})\s+{re.escape(surname)}\b",
        re.I,
    )
    return any(
        m[1] is None or (m[1][0].isupper() and m[1].lower() not in STOPWORDS)
        for sentence in found
        for m in titled.finditer(sentence.text)
    )


def _titles(surname: str, found: list[ScoredSentence]) -> set[str]:
    """The words of the titles the sources put before the actor's name ("U.S. Secretary of State
    Hillary Clinton": secretary, state, …), so "The Secretary" can be the actor."""
    titles: set[str] = set()
    for sentence in found:
        for run in _RUN.finditer(sentence.text):
            words = tokens(run[0])
            if len(words) > 1 and words[-1] == surname:
                titles.update(words[:-1])
    return titles - {surname}


def _stance(text: str) -> str:
    """ "refused" or "agreed": what the response says, by the first such word in it before
    another's clause begins; "" if neither. In "France's foreign minister asked the United States
    to consider releasing Khadr even though the Harper government adamantly refused to intervene",
    the refusal is Ottawa's, not France's."""
    text = _ANOTHERS_CLAUSE.split(text, maxsplit=1)[0]
    refused, agreed = _REFUSED.search(text), _AGREED.search(text)
    if refused and (not agreed or refused.start() < agreed.start()):
        return "refused"
    return "agreed" if agreed else ""

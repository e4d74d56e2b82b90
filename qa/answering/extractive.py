"""The default answerer: no LLM. It quotes the best-supporting sentences, each with its citation.

Each sentence of the retrieved passages is scored by how much of the question it covers (IDF-weighted
lexical overlap), how close its passage is to the question (dense similarity), where that passage
ranked, and whether it holds the kind of thing asked for (a date for "when", a number for "how many").
The best of them are reordered by the learned judge (qa/answering/judge.py; QA_JUDGE=false: not).
Below a calibrated support threshold the answer is a refusal that points to the nearest passage;
so is it when the question asks how long or how much and no sentence gives a figure for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qa.answering.choices import names_no_choice, offered
from qa.answering.judge import blended
from qa.answering.nations import actor, country_acting
from qa.answering.others import aliases, asks_for_another, names_another
from qa.answering.outcomes import only_undertaken
from qa.chunking import quotable_spans, split_sentences
from qa.citations import cited_pieces, span_citation
from qa.corpus import PHOTO_CAPTION
from qa.dates import MONTHS, PRECISIONS, YEAR, find_dates, spoken, without_labels
from qa.text import CLAUSE_BOUNDARY, NAME_RUN, NAME_WORD, NUMBER_WORDS, STOPWORDS, stem, tokens
from qa.types import Answer, Citation, Passage

# What a question asks for, recognised from its wording.
# "how many diplomatic cables did…": the words naming what is counted, up to three.
_COUNTED = re.compile(r"\bhow many((?: [a-z][a-z.'-]*){1,3})")
_ASKS_NUMBER = re.compile(r"\bhow (many|much|old|long)\b|\bwhat (number|age|amount)\b")
_FUNCTION_WORD = r"(?:did|does|do|is|are|was|were|has|have|had|can|could|would|will|the|a|an|of)"
# "Who…", or "which/what [of the / of someone's] [up to two modifiers] <a noun for a person>":
# "Which Canadian spy chief…", "What Guantanamo prisoner…", "Which of Khadr's military lawyers…".
PERSON_NOUN = (
    r"person|people|official|minister|president|premier|lawyer|judge|justice|prosecutor|soldier|"
    r"sergeant|officer|commander|general|prisoner|detainee|inmate|diplomat|ambassador|envoy|"
    r"politician|leader|chief|spokes(?:man|woman|person)|journalist|reporter|correspondent|"
    r"author|writer|columnist|editor|photographer|senator|mp|member|doctor|physician|activist|"
    r"representative|secretary|witness|father|mother|brother|sister|son|daughter|wife|husband|"
    r"man|woman"
)
_ASKS_PERSON = re.compile(
    rf"^\s*(who|whom)\b|\b(which|what) (?:of (?:the |[\w.'-]+'s )?)?"
    rf"(?:(?!{_FUNCTION_WORD}\b)[\w.'-]+ ){{0,2}}(?:{PERSON_NOUN})s?\b"
)
# What a question first gives as known, then its ask: "After falling out with MSF, what group did
# he found?", "The article says Khadr was to serve his sentence in Canada; when was he brought
# back?", "Cannon is the man in the photo. Who replaced him?". A lead clause without a
# subordinating opening ("Between X and Y, which…") holds what the question is about, and stays.
_INTERROGATIVE = (
    r"(?:(?:on|in|at|for|from|by|to|with) )?(?:who|whom|whose|what|when|where|which|why|how|did|"
    r"does|do|is|was|were|are|has|have|had|can|could)\b"
)
_SUBORDINATE = (
    r"(?:after|before|once|if|since|because|now that|besides|apart from|according to|"
    r"given|although|though|while|by the time)\b"
)
_GIVEN_THEN_ASK = re.compile(
    rf"^\s*{_SUBORDINATE}(?P<clause>[^,;:—–]*),\s*(?={_INTERROGATIVE})"
    rf"|^[^;—–]*(?:;|\s[-—–]\s)\s*(?={_INTERROGATIVE})",
    re.I,
)
_ASKS = re.compile(rf"^\s*{_INTERROGATIVE}", re.I)
# "When" asks for a date only as the question word: "what was he doing when…" asks something else,
# and so does "When Obama took office, for how long did he freeze the trials?", whose clause
# opening on "when" gives the moment the question is about.
_ASKS_DATE = re.compile(
    rf"^\W*((and|but|so|then) )?when\b(?![^?,]*,\s*{_INTERROGATIVE})"
    r"|\b(what (year|date|day|month)|which (year|date|day|month)|on what day|since when)\b"
)
# The noun naming the kind of date asked for is no term the answer shares: "the Miami Herald gave
# his arrival date as 28 October 2002" is no closer to "On what date was Khadr captured?" for it.
_KIND_OF_DATE = re.compile(
    r"\b(what|which)\s+(?:exact\s+)?(?:date|year|day|month)(?:\s+and\s+(?:year|month))?\b", re.I
)
_ASKS_WHY = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat (?:kept|made|caused|led|prompted|drove)\b"
    r"|\bfor what reasons?\b|\bwhat (?:was the )?reasons?\b",
    re.I,
)
# Words that give a reason: a cause ("because", "due to", "given the ruling", "opposition …
# slowed the process"), a purpose ("so that", "to avoid"), an argument ("argued", "citing"), or an
# outcome weighed ("left Ottawa little chance of winning"). "since" only before a word: "since
# 2002" is a time.
_GIVES_REASON = re.compile(
    r"\b(?:because|since (?!\d)[a-z]|as a result|due to|owing to|so that|in order to|for fear"
    r"|citing|on the grounds|given (?:that|the|his|her|its|their)|reasons?\b|which meant"
    r"|meaning that|argu(?:ed|ing)|to avoid|led to|prompt|caused"
    r"|(?:slow|block|hamper|stall|obstruct)(?:ed|ing)\b|prevent"
    r"|left [a-z ]{0,30}(?:little|no) chance)",
    re.I,
)
_WH_WORDS = "who|whom|whose|what|which|when|where|why|how"
_WH = re.compile(rf"\b({_WH_WORDS})\b", re.I)
# The same, as readers also type them: "whats the guys name", "who's", "hows".
_WH_ANY = re.compile(rf"\b({_WH_WORDS})(?:'?s)?\b", re.I)
_YES_NO = re.compile(r"^\s*(does|do|did|is|was|were|are|has|have|had|can|could)\b", re.I)
_ASKS_DAY = re.compile(
    r"\b(exact (?:date|day)|precise date|what (?:exact )?day|which day|on what date|what date"
    r"|when exactly|exactly when)\b"
)
_ASKS_MONTH = re.compile(r"\b(what|which) month\b|\bmonth and year\b")
_ASKS_YEAR = re.compile(r"\b(what|which) year\b")
# How precise a date the question wants, the most precise asked for first.
_ASKS_PRECISION = ((_ASKS_DAY, "day"), (_ASKS_MONTH, "month"), (_ASKS_YEAR, "year"))
_HAS_DAY = re.compile(rf"\b\d{{1,2}} ({MONTHS})\b|\b({MONTHS}) \d{{1,2}}\b", re.I)
_HAS_DATE = re.compile(rf"\b({YEAR})\b|\b({MONTHS})\b", re.I)
_HAS_NUMBER = re.compile(
    rf"\d|\b({NUMBER_WORDS}|hundred|thousand|million|billion|dozen|weeks?|months?|years?)\b", re.I
)
# A date's figures (a year, a day of the month) count nothing: "how much did Canada pay?" is not
# answered by "On 1 November 2010 …".
_DATE_FIGURES = re.compile(
    rf"\b\d{{1,2}} ({MONTHS})(,? \d{{4}})?\b|\b({MONTHS}) \d{{1,2}}(, \d{{4}})?\b|\b({YEAR})\b",
    re.I,
)
# What someone claimed, sued for or asked for, rather than got: "a $20-million civil suit", "he
# asked for a term of at least 25 years".
_CLAIMS = (
    r"\b(?:sued?|suing|(?:law)?suits?|ask(?:s|ed|ing)? for|sought|seek(?:s|ing)?|"
    r"demand(?:s|ed|ing)?|call(?:s|ed|ing)? for|request(?:s|ed|ing)?|claim(?:s|ed|ing)?)\b"
)
_CLAIMED = re.compile(_CLAIMS, re.I)
# A question asking what was claimed: in those words, or asking what someone asked, pushed for or
# wanted, or what the prosecution (which asks for a sentence) was after.
_ASKS_CLAIM = re.compile(
    rf"{_CLAIMS}|\b(?:ask(?:s|ed|ing)?|push(?:es|ed|ing)? for|want(?:s|ed|ing)?|prosecut\w*)\b",
    re.I,
)
# "How long …?" asks a length, not any figure (see _states_amount).
_ASKS_LENGTH = re.compile(r"\bhow long\b")
# A length, of time or of space: "eight years", "a four-hour battle", "about two weeks", "months",
# "828 km", "192 mi".
_UNIT = (
    r"(?:second|minute|hour|day|week|month|year|decade|century|centuries|mile|yard|foot|feet|inch"
    r"|km|mi|ft|yd|kilomet(?:er|re)|met(?:er|re)|centimet(?:er|re))"
)
_LENGTH = re.compile(
    rf"\b(?:\d[\d,.]*|{NUMBER_WORDS}|an?|half an?|a few|several)[\s-]+(?:[\w-]+\s+)?"
    rf"{_UNIT}(?:e?s)?\b|\b{_UNIT}e?s\b",
    re.I,
)
# A word that is a count: "251,287", "five", "hundreds".
_FIGURE = re.compile(
    rf"\d[\d,.]*|{NUMBER_WORDS}|dozens?|hundreds?|thousands?|millions?|billions?", re.I
)
# An age stated outright: "was 15 in 2002", "was in fact 22", "aged 15", "a 15-year-old".
STATES_AGE = re.compile(
    rf"\b(?:was|were|is|aged?|at the age of)(?: \w+){{0,2}}? \d{{1,3}}\b(?![,.]\d| (?:{MONTHS})\b)"
    r"|\b\d{1,3}[- ]years?[- ]old\b",
    re.I,
)
_ASKS_AGE = re.compile(r"\bhow old\b|\b(what|which) age\b")
# A name opening an entry about its bearer, where _HAS_NAME reads none: "Stephen Harper —
# Conservative Prime Minister …", "Radhika Coomaraswamy, a UN Under-Secretary-General …".
_ENTRY_NAME = re.compile(rf"^\W*({NAME_WORD}(?:\s+{NAME_WORD})+)\s*[—–(,]")
# A name: two or more capitalised words, not opening the sentence. Letters beyond ASCII and
# joined parts count ("Michèle Alliot-Marie", "James O'Reilly"). One after "the" is an
# organisation's or a title's ("The New York Times", "the Supreme Court"): the person test skips it.
_HAS_NAME = re.compile(
    rf"(?<![.!?]\s)(?<!^)\b(?:(?P<article>[Tt]he)\s+{NAME_WORD}|{NAME_WORD}\s+{NAME_WORD})"
    rf"(?:\s+{NAME_WORD})*"
)
# A capitalised word that does not open the text: a name, in a short answer.
_NAMED = re.compile(rf"(?<!^){NAME_WORD}")
# "Where …?", also after a clause given as known ("The cable calls him Canadian - where exactly
# was he born?").
_ASKS_PLACE = re.compile(
    r"(?:^|[;:]|\s[-—–])\s*(?:from )?where\b"
    r"|\bwhere (?:did|does|do|is|are|was|were|has|have|had|can|could)\b"
)
# A country asked for: "In which country was he captured?". Not a city, a village …: "Which city
# covers nearly 350 square miles?" is answered by "X is a city …", with no preposition before it
# (HaluEval lost two answers to those).
_ASKS_COUNTRY = re.compile(r"\b(?:which|what) (?:country|nation)\b")
# A place a sentence gives: a name after a preposition of place ("near Khost in eastern
# Afghanistan", "born in Toronto"); "to" and "of" also lead to people ("listens to Cannon").
_PLACE = re.compile(
    rf"\b(?:in|at|near|from|outside)\s+(?:the\s+)?"
    rf"(?:(?:north|south|east|west|central|northern|southern|eastern|western)\s+)?"
    rf"(?P<place>{NAME_RUN})"
)
# A clause that places what the clause before it tells: ", at a council in Luxembourg,".
_SETS_OFF_PLACE = re.compile(r"(?:in|at|near|outside)\b", re.I)
# A question describing what it asks about ("Where is the studio that developed TimeShift
# based?") asks two things: the sentence naming the studio answers the first.
_DESCRIBES = re.compile(r"\b(?:that|who|which|whose)\b")
# A pronoun in an ask refers to someone a clause before it names.
_REFERS_TO_SOMEONE = re.compile(r"\b(?:he|she|it|they|him|her|his|its|their|them)\b", re.I)
# Capitalised words after the first, one or more: the names a question gives ("Kouchner").
_CAPITALISED = re.compile(rf"(?<![.!?]\s)(?<!^)\b{NAME_RUN}")
# A question that first tells what the news article says: "The Globe story says …".
_CITES_ARTICLE = re.compile(
    r"^\s*(?:the )?(?:globe(?: and mail)?(?:'s)? )?(?:article|story|globe|piece)\b[^,;:]*?"
    r"\b(?:says|said|mentions|notes|reports|tells)\b(?: that)?",
    re.I,
)
# A sentence saying the record is silent: it answers "does X say…?" but refuses "what did X say?".
_ABSENCE = re.compile(
    r"\b(does|do|did)( not|n't) (say|detail|specify|disclose|reveal|record|state|mention|explain)\b"
    r"|\bwithout detailing\b|\bnot (publicly )?(known|disclosed|reported|recorded)\b",
    re.I,
)

# A sentence that goes on about what its passage said before: a pronoun, "the" and a common noun
# or a participle without its subject opens it ("The group emerged from …", "Owned by the SAS
# Group, it …"), perhaps after a phrase of time or source ("As of the 2010 census, the population
# was …"). "The UN Convention …" names something new instead.
_REFERS_BACK = re.compile(
    r"^\W*(?:(?:In|On|At|By|From|After|During|Since|Before|As of|According to)\b[^,.;]{0,40}, )?"
    r"(?:(?i:it|he|she|they|its|his|her|their|this|these)\b|(?i:the) [a-z]+\b"
    r"|[A-Z][a-z]+ed (?:by|in|at|as|on|from|for|between|with)\b)"
)

# The kind of person "who was the …" or "the name of the …" asks for: "Who was the federal judge
# in Utah …?", "What was the name of the witness …?".
_NAMES_KIND = re.compile(
    rf"\b(?:who(?:'s| was| is| were)|name of) the (?:[\w.'-]+ ){{0,2}}?({PERSON_NOUN})s?\b"
)

# How far into a sentence a pronoun stands for its subject ("On 13 May 2008 he testified …").
_OPENING_WORDS = 5
_PERSONAL_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.I)
# A span telling of "he" or "she" may bring that one in by a noun ("A naval communications
# officer, he …") after naming them (see leaves_unnamed).
_HE_OR_SHE = re.compile(r"\b(?:he|she|He|She)\b")
# A name right after someone brought in ("a witness, Sgt. Layne Morris"), or right before ("Lakhdar
# Boumediene, a prisoner", "Steven Spielberg (born 1946) is an American film director").
_NAME_AFTER = re.compile(rf",?\s+(?:named\s+|called\s+)?({NAME_RUN})")
_NAME_BEFORE = re.compile(
    rf"({NAME_RUN})(?:\s*\([^()]*\))?(?:,|\s+(?:is|was|are|were|became|remains))?\s+$"
)
# The name a sentence opens on, after a time ("On 15 May 2009", "In June") and "the" with its
# adjectives: "On 15 May 2009 the Algerian Lakhdar Boumediene …" is about Boumediene. Not an
# opening word or a month ("That afternoon …").
_NAMED_SUBJECT = re.compile(
    r"^\W*(?:(?i:on|in|by|at)\s+(?:[\w,]+\s+){0,3}?(?=(?i:the)\s|[A-Z]))?"
    r"(?:(?i:the)\s+(?:[a-z-]+\s+|[A-Z][a-z]+\s+(?=[A-Z]))*)?"
    rf"(?!(?i:the|that|this|these|those|it|its|a|an|on|in|by|at|{MONTHS})\b)({NAME_RUN})"
)
# Someone brought in without a name: "one Guantanamo prisoner", "a lawyer", "his sister".
_UNNAMED = re.compile(
    rf"\b(?:one|a|an|another|his|her|their)\s+(?:[\w'-]+\s+){{0,2}}?({PERSON_NOUN})\b", re.I
)

# The name a sentence opens with ("Kouchner broke with MSF …", "The Melbourne–Adelaide railway is …").
_OPENING_NAME = re.compile(rf"^\W*(?:The\s+)?({NAME_RUN})")

# Text addressed to an assistant rather than to readers: a source holding it is data, and such a
# sentence is never quoted as an answer (nor offered to a chat model).
_ADDRESSES_ASSISTANT = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompts?|guidelines)\b"
    r"|\b(answer|respond|reply)( to)? (every|all|any|each)( \w+)? (questions?|queries|users?)\b"
    r"|\byou are (now )?(an? )?(ai|assistant|chatbot|language model|bot)\b"
    r"|\b(system|developer) (prompt|message|note|instruction)s?\b"
    r"|\bas an ai\b",
    re.I,
)

# A source telling what it is about ("This dossier explains the legal framework, the five charges
# …") names the story's people and topics but states none of its facts: it answers only a question
# about that source.
_TELLS_ITS_CONTENTS = re.compile(
    r"\bThis (dossier|article|report|document|profile|page|section|timeline|paper|chapter) "
    r"(?:\w+ )?(explains|summari[sz]es|sets out|describes|covers|outlines|looks at|examines|"
    r"reviews|traces|lists)\b"
)

# A photo's caption says who is pictured, where and when: it answers a question about the photo
# or about someone it names, and was quoted for others only because it names the story's people
# ("And what did she say she'd do about it?").
_OF_PHOTO = re.compile(
    r"\b(?:photo|picture|pic|image|pictured|caption|shot|snap)|\bwho(?:m|se)?\b", re.I
)

# A date given relative to when the text was written.
_RELATIVE_DATE = re.compile(
    r"\b(?:this|last|next) (?:year|month|week)\b|\b(?:yesterday|today|tomorrow)\b", re.I
)

# Cosine similarity to the question of a passage's quotable span (start, end offsets in the source).
SentenceSimilarity = Callable[[Passage, int, int], float]
# A text's normalised vector, from the embedding model the index was built with.
Embed = Callable[[str], Sequence[float]]


@dataclass(frozen=True)
class Features:
    """What is known about one candidate sentence, each in [0, 1] or a flag."""

    coverage: float  # share of the question's terms (IDF-weighted) the sentence contains
    dense: float  # cosine similarity of the sentence to the question
    rank: float  # 1 / (1 + rank of its passage in retrieval)
    authority: float  # of its source: the article ranks first
    fits_type: bool  # holds what the question asks for (a date for "when"…), or no type asked
    adds: bool  # says something beyond the question's own words
    heading: float = 0.0  # share more of the terms that its section's heading holds


@dataclass(frozen=True)
class Weights:
    """How features combine into support. Chosen on half of the dev set, checked on the other."""

    coverage: float = 0.5
    dense: float = 0.4
    rank: float = 0.1
    authority: float = 0.1
    wrong_type: float = 0.6  # factor when the sentence lacks what the question asks for
    restates: float = 0.5  # factor when the sentence adds nothing to the question

    def support(self, f: Features, *, heading: bool = True) -> float:
        """With heading, the words of the sentence's section heading count as covered too."""
        covered = f.coverage + (f.heading if heading else 0.0)
        base = (
            self.coverage * covered
            + self.dense * f.dense
            + self.rank * f.rank
            + self.authority * f.authority
        )
        return base * (1 if f.fits_type else self.wrong_type) * (1 if f.adds else self.restates)


WEIGHTS = Weights()
# A claim to check ("Kouchner resigned in protest.") asks for no kind of answer, and its names match
# every sentence about its subject, so word overlap cannot tell the sentence that confirms or
# refutes it: closeness in meaning must.
CLAIM_WEIGHTS = Weights(coverage=0.2, dense=0.7)

# A complementing sentence (see compose) must hold this share of the question's term weight that the
# chosen sentences lack, and this share of the best sentence's support. Chosen on a seeded sample of
# HaluEval questions (seed 0) and checked on another (seed 1): bench/RESULTS.md.
COMPLEMENT_MIN = 0.15
COMPLEMENT_SUPPORT = 0.5
# A further sentence that again covers this share of the question's term weight the chosen sentences
# already cover tells the same fact a second time ("Kouchner, the French foreign minister who raised
# Khadr's case with Clinton" beside the article's "Kouchner … asked Clinton to review the case"):
# it adds a citation, not an answer. Dev citation precision 0.482 → 0.541 at an unchanged accuracy;
# HaluEval lost 2 and 4 questions of 500 (seeds 0, 1) whose second telling held the answer
# (bench/RESULTS.md).
RETELLS = 0.75
# A further sentence quoted for what the passage goes on to say or for the question's other fact
# (see compose) must read as an answer to the judge with at least this probability. On the readers'
# validation and test sets and the blind, fresh and numeric sets, 11 of the 157 such sentences quoted
# were evidence, none of the 28 read under 0.005 (citation precision: validation 0.554 → 0.561, test
# 0.549 → 0.557, fresh 0.504 → 0.528; no answer lost). A floor of 0.01 drops the only sentence holding
# fresh p2-010's answer ("MSF was awarded the Nobel Peace Prize in 1999."), the judge's 0.008.
FURTHER_FACT_FLOOR = 0.005
# A sentence giving a reason joins the one answering a why-question (see with_a_reason) with this
# share of its support and this judged reading. Chosen on the readers' training questions: with no
# judged floor, 0.3 of the support gained 4 answers and 0.5 gained 3; a reading of 0.1 kept the 4
# and left out half the reasons added elsewhere, mostly reasons for something else
# (bench/RESULTS.md, thirty-third session).
REASON_SUPPORT = 0.3
REASON_JUDGED = 0.1
# A runner-up within this share of the best sentence's support may join it or take its place.
RUNNER_UP = 0.85
# The judged reading a runner-up needs to take the place of a best sentence that cannot answer:
# one naming only what a question asking for another thing gives, or giving only a figure someone
# claimed for a question of how much they got.
IN_PLACE_JUDGED = 0.1
# An answer quoting only background sources is followed by the news article's best sentence when it
# has this share of the best sentence's support (see beside_the_article). The largest share at which
# the readers' sets and the blind, fresh and numeric sets gained most (624 answers right, against 623
# at 0.75 and 622 without); lower shares add no answer there and cite the article where it is not the
# evidence (bench/RESULTS.md, twenty-second session).
ARTICLE_BESIDE = 0.6
# An article sentence this close in meaning (cosine similarity) to the background answer
# retells it, and is quoted beside it however the judge reads it: the judge learned the article's
# sentences as "no" from the readers' questions, whose evidence is mostly in the dossiers
# (bench/RESULTS.md, thirtieth session). The smallest cosine (0.05 grid) whose quotes on the
# readers' training questions were evidence at least nine times in ten (bench/RESULTS.md,
# thirty-first session).
RETELLING = 0.7


class SentenceJudge(Protocol):
    """Anything that gives P(answers the question) per sentence (qa.answering.judge.Judge)."""

    @property
    def blend(self) -> float:
        """Share of the judge's probability in a judged sentence's ranking score."""

    @property
    def refuse_below(self) -> float:
        """Refuse when the judge's probabilities over the sentences it reads sum to less."""

    @property
    def refuse_whether_below(self) -> float:
        """refuse_below for a question asking only whether (see asks_whether)."""

    @property
    def answer_above(self) -> float:
        """Answer despite a weak support when one of the judge's probabilities is this or more."""

    def score(self, question: str, sentences: Sequence[str]) -> list[float]: ...


# Sentences the judge reads: the best by support. Beyond ten the right one is rarely found, and
# each costs about 4 ms.
JUDGE_POOL = 10
# At most this many of them from any one passage, so that a passage of many middling sentences does
# not crowd out another's one answer. Chosen on the readers' training questions (3: +2 answers, 2:
# -8); elsewhere 3 gained test x2-037 and x4-053 and lost nothing (bench/RESULTS.md).
JUDGE_PER_PASSAGE = 3


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    start: int  # offsets into the source text
    end: int
    text: str
    features: Features
    support: float  # how well it answers; once judged, blended with the judge's probability
    judged: float | None = None  # the judge's P(answers), once judged

    @property
    def before(self) -> str:
        """What its source says before it in its section (its passage's lead, then its passage up
        to it): it may give the year a date in it leaves out, or whom "It" is."""
        own = self.passage.text[: self.start - self.passage.start]
        return f"{self.passage.lead} {own}" if self.passage.lead else own

    def cite(self, n: int) -> Citation:
        """Citation number n of this sentence."""
        return span_citation(
            n, self.passage, self.start - self.passage.start, self.end - self.passage.start
        )


def answer_extractively(
    question: str,
    passages: Sequence[Passage],
    dense: SentenceSimilarity,
    idf: Callable[[str], float],
    *,
    refusal: str,
    threshold: float,
    max_sentences: int = 2,
    weights: Weights | None = None,
    judge: SentenceJudge | None = None,
    given: Collection[tuple[str, int]] = (),
    embed: Embed | None = None,
) -> Answer:
    """Compose an Answer from the best sentences of the passages, or refuse. Sentences `given`
    (by source and start offset) are what the question already rests on, and are not quoted.
    With `embed`, the article's retelling of a background answer is quoted beside it (see
    beside_the_article).

    With a judge, only the JUDGE_POOL best sentences by support are candidates, and their support
    is blended with the judge's probability. The judge also decides whether to refuse: when its
    probabilities sum under judge.refuse_below no candidate answers, and the question is refused
    however well supported (unless the reader states a claim; a question asking only whether has a
    floor of its own, judge.refuse_whether_below); when one of them reaches
    judge.answer_above that one does, and a best support under `threshold` no longer refuses.
    Support alone hardly tells readers' unanswerable questions from answerable ones (ROC area
    0.53-0.58 on their sets, bench/RESULTS.md): an on-topic question the sources leave open still
    names what they talk about, and an answer in other words shares few of the question's.
    """
    weights = weights or weights_for(question)
    scored = score_sentences(question, passages, dense, idf, weights)
    cited = _cited_by_reader(question, scored)
    # Passages overlap, so the sentence the reader cites may be scored again from its neighbour:
    # that copy is no answer either, nor is a span running on from it. Nor is a photo's caption,
    # unless asked of (see _OF_PHOTO).
    captions = bool(_OF_PHOTO.search(question) or _ASKS_PERSON.search(question.lower()))
    ranked = [
        s
        for s in scored
        if (s.passage.source, s.start) not in given
        and not (cited is not None and _overlaps(s, cited))
        and (captions or s.passage.section != PHOTO_CAPTION)
    ]
    # Whether the sources answer is decided by what their sentences say: a heading helps choose
    # among them, but "a restaurant near Parliament Hill" is not answered by a section headed "The
    # opposition and Parliament". It counts when the question asks for a kind of thing (a date, a
    # figure, a name) that the sentence under it holds: "What date is given for the photo?" is
    # answered by the date in the sentence headed "Photo caption".
    typed = answer_type(question) is not None
    supported = max(
        (weights.support(s.features, heading=typed and s.features.fits_type) for s in ranked),
        default=0.0,
    )
    # Asked how long or how much, the sources say nothing when no sentence gives a figure for it.
    no_figure = asks_amount(question) and not any(s.features.fits_type for s in ranked)
    weak = supported < threshold
    unlikely = False
    if judge is not None:
        ranked, probabilities = judge_sentences(question, ranked, judge)
        likelihood = sum(probabilities)
        # A claim to check ("Khadr was acquitted.") asks nothing for a sentence to answer: the
        # judge learned questions, and a sentence that refutes the claim still answers it.
        # A question asking only whether something happened names its own event, and sentences
        # about the same people read as half an answer: "Did Clinton ever report back to Kouchner
        # on the outcome of her review?" sums 0.37 over sentences that only say she agreed to it.
        floor = judge.refuse_whether_below if asks_whether(question) else judge.refuse_below
        unlikely = likelihood < floor and not is_claim(question)
        # Readers ask in their own words ("how long did the gunfight go on" of a "four-hour
        # firefight"): the judge may find the answer that word overlap scores weakly. One
        # sentence must read as the answer: ten faint readings add up to as much ("the best way
        # to cook a French onion soup" summed 0.25 over sentences about Kouchner).
        weak = weak and max(probabilities, default=0.0) < judge.answer_above
    # A source's account of its own contents still says the sources cover the topic, so the
    # judge reads it above; it is never the answer.
    ranked = [s for s in ranked if not _tells_its_contents(question, s.text)]
    ranked = _another_first(question, ranked)
    ranked = _job_first(question, ranked)
    ranked = _given_before_claimed(question, ranked)
    ranked = _country_first(question, ranked)
    best = ranked[0] if ranked else None
    if (
        best is None
        or weak
        or unlikely
        or no_figure
        or refuses_by_absence(question, best.text)
        or leaves_unnamed(question, best)
        or names_no_choice(question, best.text)
        or only_undertaken(question, [s.text for s in ranked[:JUDGE_POOL]])
        or another_country_acts(question, ranked)
    ):
        return Answer(question=question, answer=refusal, refused=True, passages=tuple(passages))
    chosen = compose(question, ranked, max_sentences, idf)
    chosen = with_a_reason(question, chosen, ranked, max_sentences)
    chosen = beside_the_article(question, chosen, ranked, max_sentences, embed)
    # What the reader cites is quoted after the answer, as the ground it stands on.
    chosen += [cited] if cited is not None else []
    citations = tuple(s.cite(n) for n, s in enumerate(chosen, start=1))
    text = "".join(cited_pieces(citations))
    when = _date_of(question, chosen[0])
    # A quote that opens with the date ("5 February 2009 — date of the meeting") states it first.
    leads = when is not None and text.startswith(when)
    return Answer(
        question=question,
        answer=f"{when}: {text}" if when and not leads else text,
        refused=False,
        citations=citations,
        passages=tuple(passages),
    )


def date_answer(question: str, sentence: str, before: str = "", title: str = "") -> str | None:
    """For a question asking when, the one date the sentence gives (to the precision asked: "in
    what month and year" → "February 2009" from "in February of 2009"), stated before the quote
    that gives it; None when it gives none or several, or only dates the question names itself,
    or also a date relative to when it was written ("this year"), or when the sentence leaves out
    someone the question names: "When did Kouchner resign?" is not answered by the date of "she
    resigned on 27 February 2011", and stating it would make the wrong quote look like an answer.
    A sentence opening on "he", "his" … (within its first words: "On 13 May 2008 he testified")
    names whom its source has named before it, or its source's title does: "His trial finally
    opened …" in a biography whose title names Khadr.

    `before` is what the passage says before the sentence: a date given without its year takes
    it from there (see find_dates). A date given twice, to two precisions ("opened in August 2010
    but was interrupted on its first day, 12 August"), is one date: the finer answers."""
    lowered = question.lower()
    if not asks_date(lowered):
        return None
    present = set(tokens(sentence))
    if _PERSONAL_PRONOUN.search(" ".join(sentence.split()[:_OPENING_WORDS])):
        present |= set(tokens(f"{title} {before}"))
    # A capitalised run holding no term ("U.S." is "U" and "S") names no one to look for.
    names = (set(tokens(name[0])) for name in _CAPITALISED.finditer(question))
    if any(name and not name & present for name in names):
        return None
    # "He pleaded guilty … in October of this year": a date the quote gives relative to when it
    # was written may be the one asked, and it cannot be placed, so another is not stated instead.
    if _RELATIVE_DATE.search(sentence):
        return None
    precision = next((p for pattern, p in _ASKS_PRECISION if pattern.search(lowered)), None)
    named = {spoken(d) for d in find_dates(question)}
    dated = without_labels(sentence, asked_about(question))
    given = [d for d in find_dates(dated, before) if spoken(d) not in named]
    if precision is not None:
        wanted = PRECISIONS.index(precision)
        given = [d for d in given if PRECISIONS.index(d.precision) >= wanted]
    finest = max(given, key=lambda d: PRECISIONS.index(d.precision), default=None)
    if finest is not None and all(spoken(finest, d.precision) == spoken(d) for d in given):
        given = [finest]
    answers = {spoken(d, precision or d.precision) for d in given}
    return answers.pop() if len(answers) == 1 else None


def _date_of(question: str, sentence: ScoredSentence) -> str | None:
    """date_answer for a candidate, read in its source."""
    return date_answer(question, sentence.text, sentence.before, sentence.passage.title)


def asked_about(question: str) -> Callable[[str], bool]:
    """Whether a noun is among what the question asks about: a year labelling any other (see
    without_labels) dates that thing, not what is asked."""
    asked = set(tokens(question))
    return lambda noun: bool(set(tokens(noun)) & asked)


def compose(
    question: str,
    ranked: Sequence[ScoredSentence],
    max_sentences: int,
    idf: Callable[[str], float],
) -> list[ScoredSentence]:
    """The best sentence, then runners-up nearly as well supported that cover question terms the
    sentences already chosen do not. A runner-up from the news article that covers nothing new
    (the article saying what a dossier said) is quoted instead of the best sentence: a lesser
    source restating the answer dilutes it and its citations.

    If there is still room, and the question asks for no kind of thing (a date, a figure, a name)
    that the chosen sentences already hold, the sentence covering most of what they leave out of
    the question joins them even when less supported: a question of two facts ("where is the maker
    of X based?") is answered by one sentence naming the maker and another saying where it is based.

    A runner-up that retells the chosen sentences' fact (see RETELLS) settles the answer: the
    sources agree on it, and nothing ranked below is added.

    What the best sentence's passage goes on to say about the same subject (see _follow_on)
    comes second, before any runner-up that adds to it and any complement; even when the best
    sentence holds the kind of thing asked for: a year, a name, may be another's ("Tim McCann
    (born 1965) … his alma mater" for the year the alma mater was founded). Neither what the
    passage goes on to say nor a complement is quoted when the judge reads it as no answer (see
    FURTHER_FACT_FLOOR).
    """
    wants = answer_type(question)
    ranked = _with_what_follows(question, ranked, wants)
    best = ranked[0]
    dated = _dated_instead(question, ranked)
    if dated is not None:
        return [dated, best][:max_sentences]
    chosen = [best]
    covered = set(tokens(best.text))
    # The word naming the kind of answer is no fact to add: "how old" is not answered further by
    # the cable's "15-year old" beside "he was 15 in 2002 when he was detained", nor "what date is
    # given for the photo" by another event's "5 February 2009 — date of the meeting".
    asked = set(tokens(_KIND_OF_DATE.sub(r"\1", _ASKS_AGE.sub(" ", question.lower()))))
    when = _date_of(question, best)
    follow = _follow_on(question, ranked, wants) if max_sentences > 1 else None
    top_authority = max(s.passage.authority for s in ranked)
    for candidate in ranked[1:]:
        if len(chosen) >= max_sentences or candidate.support < RUNNER_UP * best.support:
            break
        present = set(tokens(candidate.text))
        # Only the primary source (the news article, the most authoritative source retrieved)
        # takes the place of what it restates: one dossier a little above another is no reason to
        # quote it instead. It restates the answer only if it holds it: the article's "pleaded
        # guilty … in October of this year" is no answer to the exact date the dossier gives.
        primary = (
            _primary(candidate, top_authority)
            and top_authority > best.passage.authority
            and (when is None or _gives_date(candidate, when))
            and (wants is None or candidate.features.fits_type or not best.features.fits_type)
        )
        adds = bool((asked & present) - covered)
        if any(_overlaps(candidate, c) for c in chosen) or not (primary or adds):
            continue
        if adds:
            if _retells(candidate, asked & covered, idf) or _gives_date(candidate, when):
                return chosen  # the sources agree on the answer: nothing more to add
            if follow is not None:
                break  # the best sentence's passage goes on before another adds to it
            chosen.append(candidate)
        else:
            chosen[0] = candidate
        covered = {t for c in chosen for t in tokens(c.text)}
    if follow is not None:
        return [*chosen, follow]
    # A question asking for a kind of thing (a date, a figure, a name) that the chosen sentences
    # hold needs no second fact (dev citation precision 0.541 → 0.563; bench/RESULTS.md).
    answered = wants is not None and any(c.features.fits_type for c in chosen)
    if len(chosen) < max_sentences and not answered:
        total = _weight(asked, idf) or 1.0
        extra = _complement(asked - covered, ranked, chosen, idf, total)
        chosen += [c for c in extra if not _retells(c, asked & covered, idf)]
    return chosen


def with_a_reason(
    question: str,
    chosen: list[ScoredSentence],
    ranked: Sequence[ScoredSentence],
    max_sentences: int,
) -> list[ScoredSentence]:
    """For a question asking why, the chosen sentences followed by the best-ranked candidate that
    gives a reason (see _GIVES_REASON), when none of them gives one and there is room. The
    sentence that matches a why-question best tells the event asked about ("The Liberal government
    of Justin Trudeau settled Khadr's $20-million civil suit in July 2017."); the reason is told
    beside it, in words the question does not use ("… had little chance of winning, given the
    Supreme Court's 2010 ruling"). The candidate needs REASON_SUPPORT of the best's support and a
    judged reading of REASON_JUDGED: a reason given for something else reads low. The sentence
    right after the best one needs no reading, and is quoted even with no room left (see below)."""
    if not _ASKS_WHY.search(question) or any(_GIVES_REASON.search(c.text) for c in chosen):
        return chosen
    best = chosen[0]
    floor = REASON_SUPPORT * best.support
    reasons = [
        c
        for c in ranked
        if c.support >= floor
        and c.judged is not None
        and _GIVES_REASON.search(c.text)
        and not any(_overlaps(c, x) for x in chosen)
    ]
    # The sentence right after the one telling the event goes on about it: its reason is the
    # event's, however the judge reads it, and takes the place of a further sentence, unless that
    # one tells the event on the other side ("The staged approach broke down in 2011 after …"
    # before "On 2 September 2011 WikiLeaks posted all … cables") and the reason adds none of the
    # question's words (the partners "deploring the decision because …" answer why they were
    # upset, not why the staged release ended).
    following = next((c for c in reasons if _right_after(c, best)), None)
    kept = chosen[: max_sentences - 1]
    dropped = chosen[len(kept) :]
    lacking = set(tokens(question)) - {t for c in kept for t in tokens(c.text)}
    beside = any(_right_after(best, c) for c in dropped)
    if following is not None and kept and (not beside or lacking & set(tokens(following.text))):
        return [*kept, following]
    if len(chosen) >= max_sentences:
        return chosen
    reason = next((c for c in reasons if c.judged is not None and c.judged >= REASON_JUDGED), None)
    return chosen if reason is None else [*chosen, reason]


def beside_the_article(
    question: str,
    chosen: list[ScoredSentence],
    ranked: Sequence[ScoredSentence],
    max_sentences: int,
    embed: Embed | None = None,
) -> list[ScoredSentence]:
    """The chosen sentences, followed by the news article's best-supported sentence when they
    quote only background sources, there is room, and it has ARTICLE_BESIDE of the best's support;
    or, short of that, by its sentence that retells the first (see _retelling).
    When that sentence gives the very date the first one answers with ("in a meeting in February of
    2009" for "5 February 2009 — date of the meeting", asked the month and year), it is quoted in the
    first one's place: the primary source tells the same answer.

    The story is what readers ask about, and the dossiers retell it in their own words: the answer
    from a dossier ("sworn in … on 21 January 2009, about two weeks earlier") goes with what the
    article itself says of it ("then only weeks in office"), which the dossier's wording may not
    match. Beside, not instead: the dossier's sentence answered best, and replacing it lost answers
    (see compose for a restatement nearly as well supported, which does take its place).
    """
    if len(chosen) >= max_sentences or any(c.passage.kind == "article" for c in chosen):
        return chosen
    top_authority = max(s.passage.authority for s in ranked)
    floor = ARTICLE_BESIDE * chosen[0].support
    article = next(
        (
            c
            for c in ranked
            if c.support >= floor
            and _primary(c, top_authority)
            and not any(_overlaps(c, x) for x in chosen)
        ),
        None,
    )
    if article is None and embed is not None:
        article = _retelling(question, chosen[0], ranked, top_authority, embed)
    if article is None:
        return chosen
    if _gives_date(article, _date_of(question, chosen[0])):
        return [article, *chosen[1:]]
    return [*chosen, article]


def _retelling(
    question: str,
    best: ScoredSentence,
    ranked: Sequence[ScoredSentence],
    top_authority: float,
    embed: Embed,
) -> ScoredSentence | None:
    """The news article's candidate closest in meaning to the best sentence, when it is RETELLING
    close. Not for a question asking a figure or a date: a sentence telling the same event may give
    another one ("Khadr … was 15 in 2002 … a grenade that killed Sergeant Christopher Speer" beside
    the battle's account, asked how old Speer was). The sentences are embedded alone: the index's
    vectors lead with their source's title, which makes sentences of one source alike."""
    lowered = question.lower()
    if _ASKS_NUMBER.search(lowered) or asks_date(lowered):
        return None
    options = [c for c in ranked if _primary(c, top_authority) and not _overlaps(c, best)]
    if not options:
        return None
    told = embed(best.text)
    similarity, closest = max(
        ((sum(a * b for a, b in zip(embed(c.text), told, strict=True)), c) for c in options),
        key=lambda pair: pair[0],
    )
    return closest if similarity >= RETELLING else None


def _primary(sentence: ScoredSentence, top_authority: float) -> bool:
    """Whether the sentence is the news article's, the most authoritative source retrieved."""
    return sentence.passage.kind == "article" and sentence.passage.authority == top_authority


def _dated_instead(question: str, ranked: Sequence[ScoredSentence]) -> ScoredSentence | None:
    """For a question asking when, a runner-up nearly as well supported as the best sentence that
    gives the date, when the best gives none a reader can place ("He pleaded guilty … in October
    of this year", against "On Monday 25 October 2010 Khadr pleaded guilty …")."""
    best = ranked[0]
    if _date_of(question, best) is not None:
        return None
    return next(
        (
            c
            for c in ranked[1:]
            if c.support >= RUNNER_UP * best.support
            and not _overlaps(c, best)
            and _date_of(question, c) is not None
        ),
        None,
    )


def _another_first(question: str, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For a question asking for something besides what it names, the best candidate that names
    something else comes first when the best names nothing else (see qa/answering/others.py)."""
    if not ranked or not asks_for_another(question):
        return ranked
    known = aliases(s.text for s in ranked)
    if names_another(question, ranked[0].text, known):
        return ranked
    return _promoted(ranked, lambda s: names_another(question, s.text, known))


def _tells_its_contents(question: str, sentence: str) -> bool:
    match = _TELLS_ITS_CONTENTS.search(sentence)
    return match is not None and match.group(1) not in question.lower()


def _job_first(question: str, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For a question asking someone's job, the best candidate saying what they were comes first
    when the best does not: the judge reads high any sentence naming the person ("… a grenade
    that killed Sergeant Christopher Speer" for "What was Speer's job?"). Promoting a fitting
    runner-up for every kind of answer asked loses more answers than it gains (bench/RESULTS.md)."""
    if not ranked or ranked[0].features.fits_type or not _ASKS_JOB.search(question):
        return ranked
    return _promoted(ranked, lambda s: s.features.fits_type)


def _given_before_claimed(question: str, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For a question asking how much or how long, the best candidate giving a figure no one
    claimed comes first when the best gives only claimed ones: "Khadr's $20-million civil suit"
    is what he sued for, not what he was paid ("… reported it as C$10.5 million"), and "he asked
    for a term of at least 25 years" what the prosecutor sought. Not when the question asks what
    was claimed ("How much did Khadr sue for?")."""
    if not ranked or not _ASKS_NUMBER.search(question.lower()) or _ASKS_CLAIM.search(question):
        return ranked
    if _figure_claimed(ranked[0].text) is not True:
        return ranked
    return _promoted(ranked, lambda s: _figure_claimed(s.text) is False)


def _country_first(question: str, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For a question asking what a country did ("When did the Americans finally ratify the
    treaty?"), the best candidate telling of that country as acting comes first when the best
    tells of another or of none (see nations.actor), and candidates telling of another are left
    out. A sentence opening with a pronoun tells of the one the sentence before it does ("Canada
    played a leading role … It signed on 5 June 2000 …"), read through its passage's lead; when
    nothing comes before it in its section, there is no telling, and the ranking stands."""
    country = country_acting(question)
    if not ranked or country is None:
        return ranked
    best = _acting(ranked[0])
    if best is None or best == country:
        return ranked
    promoted = _promoted(ranked, lambda s: _acting(s) == country)
    if promoted is ranked:
        return ranked
    # What another country did is no more quoted beside it: "It signed on 5 June 2000 …" after
    # the United States' ratification would read as the United States'.
    return [s for s in promoted if _acting(s) in (None, "", country)]


def another_country_acts(question: str, ranked: Sequence[ScoredSentence]) -> bool:
    """For a question asking what a country did ("How many detainees did Portugal end up
    accepting?"), whether the best candidate tells what another did ("France later accepted one
    Guantanamo detainee …") and none of the judged candidates tells of the one asked about acting:
    the sources then say what some country did, not what this one did (see _country_first, which
    puts a candidate telling of it first when there is one)."""
    country = country_acting(question)
    best = _acting(ranked[0]) if ranked and country is not None else None
    if not best or best == country:
        return False
    return not any(_acting(s) == country for s in ranked[:JUDGE_POOL])


def _acting(sentence: ScoredSentence) -> str | None:
    """The country the sentence tells of as acting, "" for none, None when there is no telling."""
    said = sentence.text
    if _OPENS_WITH_PRONOUN.match(said):
        spans = quotable_spans(sentence.before)
        if not spans:
            return None
        said = sentence.before[spans[-1][0] : spans[-1][1]]
    return actor(said) or ""


_OPENS_WITH_PRONOUN = re.compile(r"^\W*(?:It|They|He|She|Its|Their|His|Her)\b")


def _promoted(
    ranked: list[ScoredSentence], answers: Callable[[ScoredSentence], bool]
) -> list[ScoredSentence]:
    """The ranking with its first runner-up that answers moved first, if it reads as an answer
    (IN_PLACE_JUDGED) once judged; unchanged when none does."""
    runner_up = next(
        (s for s in ranked[1:] if (s.judged is None or s.judged >= IN_PLACE_JUDGED) and answers(s)),
        None,
    )
    return ranked if runner_up is None else [runner_up, *(s for s in ranked if s is not runner_up)]


def _figure_claimed(sentence: str) -> bool | None:
    """Whether every figure of the sentence (not a date's) stands in a clause telling a claim, a
    suit or a request; None when it gives none."""
    claimed = [
        bool(_CLAIMED.search(clause))
        for clause in CLAUSE_BOUNDARY.split(sentence)
        if _HAS_NUMBER.search(_DATE_FIGURES.sub(" ", clause))
    ]
    return all(claimed) if claimed else None


def _with_what_follows(
    question: str, ranked: Sequence[ScoredSentence], wants: Callable[[str], bool] | None
) -> Sequence[ScoredSentence]:
    """The ranking with the best sentence replaced by its span that runs on into the sentences
    after it (see quotable_spans), when the best lacks the kind of thing asked for (or none is
    asked), the first of those sentences goes on about it (see _REFERS_BACK) and says something
    new, and the span holds what is asked: "Jonathan Joss … is an American actor. He is best
    known for … King of the Hill" for which sitcom he was in."""
    best = ranked[0]
    if wants is not None and best.features.fits_type:
        return ranked
    said = set(tokens(question)) | set(tokens(best.text))
    for candidate in ranked[1:]:
        if candidate.passage == best.passage and candidate.start == best.start:
            offset = candidate.passage.start
            after = candidate.passage.text[best.end - offset : candidate.end - offset].strip()
            if (
                candidate.end > best.end
                and candidate.features.fits_type
                and set(tokens(after)) - said
                and _REFERS_BACK.match(after)
            ):
                return [candidate, *(s for s in ranked[1:] if s is not candidate)]
            break
    return ranked


def _follow_on(
    question: str, ranked: Sequence[ScoredSentence], wants: Callable[[str], bool] | None
) -> ScoredSentence | None:
    """The best-supported sentence of the best sentence's passage (or of its paragraph, where the
    next passage carries it on: see _same_paragraph) that goes on about what the passage said,
    says something neither the question nor the best sentence says, and holds the kind of thing
    asked for, if any. It goes on when it opens by referring back (see
    _REFERS_BACK) or, coming after the best sentence that lacks what is asked, when it opens with
    a name the best sentence gives and the question does not: the passage turns to it ("Kouchner
    broke with MSF … and co-founded a second organization, Médecins du Monde" after "In 1971
    Kouchner … founded Médecins Sans Frontières" asked about "the French diplomat"). It goes on,
    too, right after a best sentence that brings in the person asked for without naming them
    ("… France would accept one Guantanamo prisoner." then "On 15 May 2009 the Algerian Lakhdar
    Boumediene … arrived in France" for "Which Guantanamo prisoner …?").

    A question that describes what it asks about ("The band who had the album Brujo came from
    what city?") is matched best by the sentence describing it ("Brujo is an album by … New Riders
    of the Purple Sage."); what it asks is in what the passage says next ("The group emerged from
    … San Francisco"), which shares few of the question's words, so no share of the best's support
    is needed (a floor of 0.35, 0.5 or 0.65 of it lost HaluEval questions; 0 to 0.25 gave the same
    answers). With _with_what_follows, HaluEval accuracy 0.754 / 0.752 → 0.802 / 0.816 (seeds 0 / 1;
    bench/RESULTS.md)."""
    best = ranked[0]
    said = set(tokens(question)) | set(tokens(best.text))
    given = set(tokens(best.text)) - set(tokens(question))
    # "France would accept one Guantanamo prisoner" for "Which Guantanamo prisoner …?": the one
    # asked for is brought in unnamed, and the passage names him next.
    unnamed = _UNNAMED.search(best.text)
    asked_person = _ASKS_PERSON.search(question.lower())
    introduced = bool(
        unnamed
        and asked_person
        and re.search(rf"\b{re.escape(unnamed[1].lower())}s?\b", asked_person[0])
    )
    lacking = wants is None or not best.features.fits_type

    def goes_on(candidate: ScoredSentence) -> bool:
        if _REFERS_BACK.match(candidate.text):
            return True
        name = _OPENING_NAME.match(candidate.text)
        named = set(tokens(name[1])) if name else set()
        if lacking and candidate.start > best.start and bool(named) and named <= given:
            return True
        # The sentence right after the one bringing in, unnamed, the person asked for.
        return introduced and _right_after(candidate, best)

    return next(
        (
            candidate
            for candidate in ranked[1:]
            if _same_paragraph(candidate, best)
            and not _overlaps(candidate, best)
            and candidate.features.fits_type
            and not _read_as_no_answer(candidate)
            and set(tokens(candidate.text)) - said
            and goes_on(candidate)
        ),
        None,
    )


def _right_after(candidate: ScoredSentence, best: ScoredSentence) -> bool:
    """Whether the candidate is the sentence right after the best one in its passage."""
    gap = best.passage.text[best.end - best.passage.start : candidate.start - best.passage.start]
    return candidate.passage == best.passage and candidate.start > best.start and not gap.strip()


def _same_paragraph(candidate: ScoredSentence, best: ScoredSentence) -> bool:
    """Whether the candidate stands in the best sentence's passage, or goes on in the same
    paragraph in the passage that follows it: a chunk may end in the middle of a paragraph
    ("… endorsed a report with seven recommendations. … It was tabled on 17 June 2008.")."""
    if candidate.passage == best.passage:
        return True
    before, after = best.passage, candidate.passage
    # Passages of one paragraph are one character apart (a space, or a line break inside it); a
    # blank line or a list item's marker takes more.
    return (
        after.source == before.source
        and after.start == before.end + 1
        and "\n" not in before.text[best.end - before.start :]
        and "\n" not in after.text[: candidate.start - after.start]
    )


def _retells(candidate: ScoredSentence, told: set[str], idf: Callable[[str], float]) -> bool:
    """Whether the candidate covers again at least RETELLS of the weight of `told`, the question's
    terms the chosen sentences cover: a second telling of their fact rather than another fact."""
    again = _weight(told & set(tokens(candidate.text)), idf)
    return again >= RETELLS * (_weight(told, idf) or 1.0)


def _gives_date(sentence: ScoredSentence, date: str | None) -> bool:
    """Whether the sentence gives the date (as date_answer states one, to any precision): a
    timeline's "28 November 2010 — start of publication" beside the sentence that answered with
    that day tells the answer again."""
    if date is None:
        return False
    found = find_dates(sentence.text, sentence.before)
    return any(spoken(d, p) == date for d in found for p in PRECISIONS)


def _complement(
    missing: set[str],
    ranked: Sequence[ScoredSentence],
    chosen: Sequence[ScoredSentence],
    idf: Callable[[str], float],
    total: float,
) -> list[ScoredSentence]:
    """The sentence holding most of the question terms still missing (by IDF weight, at least
    COMPLEMENT_MIN of the question's), among those with COMPLEMENT_SUPPORT of the best's support."""
    floor = COMPLEMENT_SUPPORT * chosen[0].support
    options = [
        (_weight(missing & set(tokens(c.text)), idf) / total, c)
        for c in ranked
        if c.support >= floor
        and not any(_overlaps(c, x) for x in chosen)
        and not _read_as_no_answer(c)
    ]
    share, best = max(options, key=lambda o: o[0], default=(0.0, None))
    return [best] if best is not None and share >= COMPLEMENT_MIN else []


def _read_as_no_answer(sentence: ScoredSentence) -> bool:
    """Whether the judge read the sentence as answering with less than FURTHER_FACT_FLOOR."""
    return sentence.judged is not None and sentence.judged < FURTHER_FACT_FLOOR


def _weight(terms: set[str], idf: Callable[[str], float]) -> float:
    return sum(idf(t) for t in terms)


def covered_share(asked: set[str], present: set[str], idf: Callable[[str], float]) -> float:
    """The share of the question's term weight (IDF) among the terms present."""
    return _weight(asked & present, idf) / (_weight(asked, idf) or 1.0)


def score_sentences(
    question: str,
    passages: Sequence[Passage],
    dense: SentenceSimilarity,
    idf: Callable[[str], float],
    weights: Weights | None = None,
) -> list[ScoredSentence]:
    """Every quotable span of the passages (see quotable_spans), best support first; by
    weights_for the question unless given. Coverage counts the terms of what the question asks (see
    ask_terms); the words of a span's section heading count as well (Features.heading), as a
    heading says what the sentences under it are about: "Transfer to Canada (September 2012)",
    "Photo caption". A document's title, the heading of its opening, is about all of it and does
    not count."""
    weights = weights or weights_for(question)
    asked = ask_terms(question)
    wants = answer_type(question)
    yes_no = is_yes_no(question)  # a yes/no answer may restate the question
    scored = []
    for rank, passage in enumerate(passages):
        heading = set(tokens(passage.section)) if passage.section != passage.title else set()
        for s, e in quotable_spans(passage.text):
            sentence = passage.text[s:e]
            if _ADDRESSES_ASSISTANT.search(sentence):
                continue
            present = set(tokens(sentence))
            coverage = covered_share(asked, present, idf)
            features = Features(
                coverage=coverage,
                dense=dense(passage, passage.start + s, passage.start + e),
                rank=1 / (1 + rank),
                authority=passage.authority,
                fits_type=wants is None or wants(sentence),
                adds=yes_no or bool(present - asked),
                heading=covered_share(asked, present | heading, idf) - coverage,
            )
            scored.append(
                ScoredSentence(
                    passage,
                    passage.start + s,
                    passage.start + e,
                    sentence,
                    features,
                    weights.support(features),
                )
            )
    return sorted(scored, key=lambda x: -x.support)


def weights_for(question: str) -> Weights:
    """CLAIM_WEIGHTS when the reader states something rather than asks (see is_claim), else
    WEIGHTS."""
    return CLAIM_WEIGHTS if is_claim(question) else WEIGHTS


def ask_terms(question: str) -> set[str]:
    """The terms a sentence's coverage counts: those of what the question asks (see the_ask),
    without the noun naming the kind of date it wants."""
    return set(tokens(_KIND_OF_DATE.sub(r"\1", the_ask(question))))


def given_and_ask(question: str) -> tuple[str, str]:
    """What the question gives as known and what it asks (see _GIVEN_THEN_ASK): the sentences
    before a last one that asks, then a lead clause (without its "since" or "after") or what stands
    before a strong break."""
    spans = split_sentences(question)
    start = spans[-1][0] if len(spans) > 1 and _ASKS.match(question[spans[-1][0] :]) else 0
    given = _GIVEN_THEN_ASK.match(question[start:])
    if not given:
        return question[:start], question[start:]
    return question[:start] + (given["clause"] or given[0]), question[start + given.end() :]


def _cited_by_reader(question: str, ranked: Sequence[ScoredSentence]) -> ScoredSentence | None:
    """The news article's sentence a question cites before asking beyond it ("The article says
    he'd serve part of his sentence in Canada - when did he actually get sent back?"): the one
    holding most of what the question says the article says, and at least half of it. The reader
    has read it: it is what the question stands on, not its answer."""
    given, _ = given_and_ask(question)
    cites = _CITES_ARTICLE.match(given)
    said = set(tokens(given[cites.end() :])) if cites else set()
    article = [s for s in ranked if s.passage.kind == "article"]
    if not said or not article:
        return None
    best = max(article, key=lambda s: len(said & set(tokens(s.text))))
    return best if 2 * len(said & set(tokens(best.text))) >= len(said) else None


def the_ask(question: str) -> str:
    """The question without what it first gives as known (see given_and_ask), keeping the names
    in it, to whom the ask's "he" or "it" refers. A sentence restating what the reader already
    knows holds most of the question's words, yet it is not the answer: "After the jury acquitted
    Khadr in 2010, why did he stay at Guantanamo?" is not answered by the sentence about the jury."""
    given, ask = given_and_ask(question)
    if not given:
        return question
    # An ask that names whom it is about needs none of the given part's names: in "The cable calls
    # him a Muslim of Canadian origin - where was Khadr born?", "Muslim" and "Canadian" would
    # draw the cable's sentence.
    if _CAPITALISED.search(ask) and not _REFERS_TO_SOMEONE.search(ask):
        return ask
    names = " ".join(name[0] for name in _CAPITALISED.finditer(given))
    return f"{ask} {names}"


def judge_pool(
    ranked: Sequence[ScoredSentence], pool: int = JUDGE_POOL, per_passage: int = JUDGE_PER_PASSAGE
) -> list[ScoredSentence]:
    """The sentences the judge reads: the `pool` best by support, at most `per_passage` of any
    one passage."""
    taken: Counter[str] = Counter()
    read: list[ScoredSentence] = []
    for sentence in ranked:
        if len(read) == pool:
            break
        if taken[sentence.passage.chunk_id] < per_passage:
            taken[sentence.passage.chunk_id] += 1
            read.append(sentence)
    return read


def judge_sentences(
    question: str,
    ranked: Sequence[ScoredSentence],
    judge: SentenceJudge,
    pool: int = JUDGE_POOL,
    per_passage: int = JUDGE_PER_PASSAGE,
) -> tuple[list[ScoredSentence], list[float]]:
    """The judge_pool sentences, their support blended with the judge's P(answers), best first;
    and those probabilities, in the order read. Composing the answer then weighs runners-up by the
    judged support, like the ranking: on support alone the article's sentence that names the
    question's subject took the place of the judge's pick ("Who is Kouchner's significant other?"
    was answered with the memo sentence). Refusal reads their sum rather than the best, as an
    answer told across sentences gives each a middling one: it tells readers' unanswerable
    questions apart better (ROC area 0.85 against 0.83 on their validation questions)."""
    read = judge_pool(ranked, pool, per_passage)
    probabilities = judge.score(question, [s.text for s in read])
    judged = [
        replace(s, support=blended(judge.blend, p, s.support), judged=p)
        for s, p in zip(read, probabilities, strict=True)
    ]
    return sorted(judged, key=lambda s: -s.support), probabilities


# Whose age is asked, by the noun after "the": "how old was the sergeant who …".
_AGE_HOLDER = re.compile(r"\bhow old (?:was|is|were|are) the ([a-z]+)\b")


def _age_holder(lowered: str) -> str:
    """The noun naming whose age a question asks ("sergeant"), or "" when it names none so."""
    m = _AGE_HOLDER.search(lowered)
    return stem(m[1]) if m else ""


def _states_age_of(sentence: str, holder: str) -> bool:
    """Whether the sentence states an age, and, when it names the one asked about, theirs: an age
    in a clause naming them or right after it ("Sergeant … Speer, a 28-year-old medic"). "Khadr
    was 22 …, he was 15 … when … a grenade that killed Sergeant … Speer" gives no sergeant's age."""
    if not STATES_AGE.search(sentence):
        return False
    if not holder:
        return True
    clauses = CLAUSE_BOUNDARY.split(sentence)
    named = [holder in tokens(clause) for clause in clauses]
    if not any(named):
        return True
    return any(
        STATES_AGE.search(clause) and (named[i] or (i and named[i - 1]))
        for i, clause in enumerate(clauses)
    )


def asks_age(question: str) -> bool:
    """Whether the question asks how old someone was."""
    return bool(_ASKS_AGE.search(question.lower()))


# A court case asked for: "Which court case …", "What was the 2006 Supreme Court case that …".
_ASKS_CASE = re.compile(r"\b(?:what|which)\b[^?]*?\bcourt case\b")
_CASE_NAME = re.compile(r"(?:[A-Z][\w'’-]*|\))\s+v\.?\s+[A-Z]")


# Someone's job asked for: "What was Sergeant Speer's job in his unit?". Not a "position" or a
# "role", which a government takes on a question as well ("What was Ottawa's position on Khadr?").
_ASKS_JOB = re.compile(
    r"\b(?:[Ww]hat|[Ww]hich)\b[^?]*?\b(?P<name>[A-Z][\w-]*)(?:'s|’s) "
    r"(?:job|occupation|profession|post)\b"
)


def _describing(name: str) -> re.Pattern[str]:
    """What a sentence says the named person is or was: set off after the name ("Christopher
    Speer, a 28-year-old Special Forces (Delta Force) medic") or after the name or a pronoun and
    "was" ("he was the United Nations … Special Representative")."""
    named = rf"\b{re.escape(name)}\b"
    return re.compile(
        rf"(?:{named}(?:\s+\([^)]*\))?,\s+(?:then\s+)?"
        rf"|(?:{named}|\b(?:[Hh]e|[Ss]he)\b)\s+(?:was|is|had been|became|served as|worked as)\s+)"
        r"(?:an?|the)\s+(?P<job>[^,.;]+)"
    )


def _states_job(sentence: str, describing: re.Pattern[str], asked: set[str]) -> bool:
    """Whether the sentence says what the person is or was (see _describing) in words the
    question lacks."""
    return any(set(tokens(m["job"])) - asked for m in describing.finditer(sentence))


def answer_type(question: str, *, short: bool = False) -> Callable[[str], bool] | None:
    """A test for sentences that hold the kind of thing the question asks for, if it asks one.

    With short, the test is for a short answer (a generated claim) instead: a bare figure answers
    "how many cables" or "how old", where a source sentence must count cables or state an age.
    """
    lowered = question.lower()
    unit = None if short else _counted_unit(lowered)
    if unit:
        # "how many minutes": a number alone is not enough, the sentence must count minutes.
        names = {t for m in _CAPITALISED.finditer(question) for t in tokens(m[0])}
        about = ask_terms(question) - names - {unit, "many"}
        return lambda sentence: any(
            _counts(clause, unit) for clause in _counting_clauses(sentence, about, names | {unit})
        )
    if asks_date(lowered):
        keep = asked_about(question)
        dated = _HAS_DAY if _ASKS_DAY.search(lowered) else _HAS_DATE
        return lambda sentence: bool(dated.search(without_labels(sentence, keep)))
    if asks_age(question) and not short:
        holder = _age_holder(lowered)
        return lambda sentence: _states_age_of(sentence, holder)
    if _ASKS_NUMBER.search(lowered):
        if short:
            return lambda claim: bool(_HAS_NUMBER.search(_DATE_FIGURES.sub(" ", claim)))
        asked = ask_terms(question)
        if _ASKS_LENGTH.search(lowered):
            return lambda sentence: _states_amount(sentence, asked, _LENGTH)
        return lambda sentence: _states_amount(sentence, asked)
    if _ASKS_CASE.search(lowered):
        # A court case is named by its parties: "Hamdan v. Rumsfeld", "Canada (Justice) v. Khadr".
        return lambda sentence: bool(_CASE_NAME.search(sentence))
    if (job := _ASKS_JOB.search(question)) and not short:
        # Compiled once per question: the test runs on every candidate sentence.
        describing, asked = _describing(job["name"]), set(tokens(question))
        return lambda sentence: _states_job(sentence, describing, asked)
    asks_place = _ASKS_PLACE.search(lowered) or _ASKS_COUNTRY.search(lowered)
    if short and (asks_place or _ASKS_PERSON.search(lowered)):
        # A short answer may be the name alone: "Gatineau, Que." is where, with no preposition to
        # place it, and "WikiLeaks" is who, though one word makes no full name.
        named = set(tokens(question))
        return lambda claim: any(set(tokens(m[0])) - named for m in _NAMED.finditer(claim))
    # "In which country …" asks no second thing for its "which": only a describing clause does.
    if asks_place and not _DESCRIBES.search(_ASKS_COUNTRY.sub(" ", lowered)):
        # A place the question does not name already: "Where was Khadr captured?" is not
        # answered by "Khadr … was found badly wounded in the rubble", nor by "in Afghanistan" when
        # it asks where in Afghanistan. Named in a clause about what the question asks, when one
        # is: "… captured … in Afghanistan …, held … at Guantanamo Bay in Cuba" gives no place of
        # the capture beyond the one asked about.
        named = set(tokens(question))
        return lambda sentence: any(
            set(tokens(place["place"])) - named
            for clause in _about(_clauses(sentence), named)
            for place in _PLACE.finditer(clause)
        )
    if _ASKS_PERSON.search(lowered):
        # Someone the question does not name already: "Who handed Clinton a paper about Omar
        # Khadr?" is not answered by "the FM handed the Secretary a paper concerning Omar Khadr".
        # A name is told by its last word, whatever title comes before it: "Public Safety Minister
        # Steven Blaney" is no one new for "Steven Blaney said … — which judge granted it?".
        asked = set(tokens(question)) | {""}
        return lambda sentence: any(
            _last_word(name) not in asked
            for name in [
                *(m[0] for m in _HAS_NAME.finditer(sentence) if not m["article"]),
                *(m[1] for m in [_ENTRY_NAME.match(sentence)] if m),
            ]
        )
    return None


def _last_word(name: str) -> str:
    """A name's last word as a token (its surname), or "" when it has none."""
    words = tokens(name)
    return words[-1] if words else ""


# Where a sentence goes on to another clause of its own: not at an aside set off by commas ("The
# next three popes, including Benedict XVI, were created cardinals by him") nor at a dash setting
# an entry's figure off from what it counts ("251,287 — total cables in the archive").
_COUNT_CLAUSE = re.compile(r"[;:]|,\s+(?=(?:and|but|while|whereas|although|though)\b)")


def _counting_clauses(sentence: str, about: set[str], given: set[str]) -> list[str]:
    """The clauses of a sentence whose figures may count what a question asks about: those about
    it (see _about), and those holding nothing but figures and the `given` terms (its names, the
    unit counted: "Sixty times in all; he hosted them"). "How many years did Manning get at
    sentencing?" is not answered by "…, and Manning was released … after about seven years in
    confinement"."""
    clauses = _clauses(sentence, _COUNT_CLAUSE)
    bare = [c for c in clauses if not {t for t in tokens(c) if not _FIGURE.fullmatch(t)} - given]
    return _about(clauses, about) + bare


def _clauses(sentence: str, boundary: re.Pattern[str] = CLAUSE_BOUNDARY) -> list[str]:
    """The sentence cut at `boundary`, each clause stripped."""
    return [c.strip() for c in boundary.split(sentence)]


def _about(clauses: list[str], terms: set[str]) -> list[str]:
    """The clauses (of one sentence, in order) that hold one of the terms, with a place set off
    beside one ("4 June 2009: at a council in Luxembourg, ministers …"); all of them when none
    holds a term."""
    about = {i for i, c in enumerate(clauses) if set(tokens(c)) & terms}
    beside = {j for i in about for j in (i - 1, i + 1) if 0 <= j < len(clauses)}
    about |= {j for j in beside if _SETS_OFF_PLACE.match(clauses[j])}
    return [c for i, c in enumerate(clauses) if i in about] or clauses


def asks_date(question: str) -> bool:
    """Whether the question asks when, or for a date or a day."""
    lowered = question.lower()
    return bool(_ASKS_DATE.search(lowered) or _ASKS_DAY.search(lowered))


def asks_why(question: str) -> bool:
    """Whether the question asks for a reason."""
    return bool(_ASKS_WHY.search(question))


def asks_amount(question: str) -> bool:
    """Asks how long, how much or what number: not how many of a counted thing, a date or an age
    (those have tests of their own in answer_type)."""
    lowered = question.lower()
    return bool(_ASKS_NUMBER.search(lowered)) and not (
        _counted_unit(lowered) or asks_date(lowered) or asks_age(lowered)
    )


def _states_amount(sentence: str, asked: set[str], figure: re.Pattern[str] = _HAS_NUMBER) -> bool:
    """A figure (not a date's; a length, when asked how long), or the two dates of a span ("It
    lasted from 1826 to 1918"), stands in a clause that holds a term of what the question asks:
    "foreign minister until three weeks ago" says nothing of how long a meeting lasted, nor "22
    at the time of the meeting", an age."""
    return any(
        (figure.search(_DATE_FIGURES.sub(" ", clause)) or len(_DATE_FIGURES.findall(clause)) >= 2)
        and asked & set(tokens(clause))
        for clause in CLAUSE_BOUNDARY.split(sentence)
    )


def _counted_unit(question: str) -> str | None:
    """The stem of the noun a "how many" question counts: of the words after "how many", up to
    the first function word, the first plural, else the last ("how many diplomatic cables
    did…" counts cables, "how many people were…" people)."""
    counted = _COUNTED.search(question)
    if not counted:
        return None
    words = []
    for word in counted.group(1).split():
        if word in STOPWORDS:
            break
        words.append(word)
    if not words:
        return None
    plural = next((w for w in words if w.endswith("s") and not w.endswith("ss")), words[-1])
    return stem(plural)


def _counts(sentence: str, unit: str) -> bool:
    """A figure stands before the counted word, at most three words ahead of it ("all five
    charges", "251,287 U.S. State Department cables"): a sentence that merely holds a number and
    the word does not say how many."""
    words = _DATE_FIGURES.sub(" ", sentence).split()
    return any(
        _FIGURE.fullmatch(word.strip(",.;:()$")) and unit in tokens(" ".join(words[i + 1 : i + 5]))
        for i, word in enumerate(words)
    )


def is_yes_no(question: str) -> bool:
    """Asks yes or no ("Did…", "Was…"): its answer may restate it."""
    return bool(_YES_NO.match(question))


def asks_whether(question: str) -> bool:
    """Asks only yes or no: opens "Did…", "Was…", and asks nothing further, no wh-word ("whats"
    too) nor a second question ("Is Kouchner married? Who's his partner?")."""
    asked = question.strip()
    return is_yes_no(asked) and "?" not in asked.rstrip("?") and not _WH_ANY.search(asked)


def is_claim(question: str) -> bool:
    """A statement rather than a question: no question mark, no wh-word, no yes/no opening."""
    return not ("?" in question or _WH.search(question) or is_yes_no(question))


def says_silent(sentence: str) -> bool:
    """Whether the sentence says the record is silent on something ("without detailing …")."""
    return bool(_ABSENCE.search(sentence))


def leaves_unnamed(question: str, best: ScoredSentence) -> bool:
    """True when the question asks which person of a kind ("Which witness was Jackson
    questioning?", "Who was the witness …?", "the name of the witness …") and the best sentence
    brings one in only unnamed ("… collapsed while cross-examining a witness"): no name the
    question lacks stands beside it ("a witness, Sgt. Layne Morris,"), nor in the sentence after
    it when that goes on about someone ("He was …", "The witness …", "On 15 May 2009 the Algerian
    Lakhdar Boumediene …"). The sentence's other names are other people: "a federal judge in Utah
    granted Tabitha Speer and Layne Morris a default judgment" does not say who the judge was."""
    lowered = question.lower()
    asked = _ASKS_PERSON.search(lowered)
    if asked and not asked[1]:  # "who" alone names no kind of person
        kind = asked[0].split()[-1]  # the person noun, maybe plural
    elif named := _NAMES_KIND.search(lowered):
        kind = named[1]
    else:
        return False
    mentions = [m for m in _UNNAMED.finditer(best.text) if m[1].lower() in (kind, kind[:-1])]
    # A question offering its answers names its candidates ("Which writer …, Saint-Exupéry or
    # Friedman?").
    if not mentions or offered(question):
        return False
    names = [name for m in mentions for name in _beside(best.text, m)]
    # "Redman … was an admiral. A naval communications officer, he …": any name may be that one.
    if _HE_OR_SHE.search(best.text):
        names += [m[0] for m in _NAMED.finditer(best.text)]
    after = best.passage.text[best.end - best.passage.start :]
    if sentences := split_sentences(after):
        following = after[sentences[0][0] : sentences[0][1]]
        if re.match(rf"\W*(?:(?:he|she|they)\b|the {re.escape(kind)})", following, re.I):
            names += [m[0] for m in _NAMED.finditer(following)]
        elif subject := _NAMED_SUBJECT.match(following):
            names.append(subject[1])
    known = set(tokens(question))
    return not any(set(tokens(name)) - known for name in names)


def _beside(text: str, mention: re.Match[str]) -> list[str]:
    """The names standing beside a mention of someone: after it ("a witness, Sgt. Layne Morris",
    "a prisoner named …") or before it ("Boumediene, a prisoner")."""
    after = _NAME_AFTER.match(text, mention.end())
    before = _NAME_BEFORE.search(text, 0, mention.start())
    return [m[1] for m in (after, before) if m]


def refuses_by_absence(question: str, sentence: str) -> bool:
    """True when the best sentence says the record is silent about what is asked, and the question
    is not yes/no.

    "X founded MSF, the cable records, without detailing the conversation" answers "what did X
    found?": the silence is about something else. So the clause holding the silence must share at
    least as many of the question's terms as the rest of the sentence, and the rest must not give
    the kind of thing asked for: "The government did not disclose the amount, but Canadian media
    reported it as C$10.5 million" answers how much was paid.
    """
    if is_yes_no(question):
        return False
    asked = set(tokens(question))
    for clause in CLAUSE_BOUNDARY.split(sentence):
        if _ABSENCE.search(clause):
            rest = sentence.replace(clause, " ")
            wants = answer_type(question)
            if wants is not None and wants(rest):
                return False
            return len(asked & set(tokens(clause))) >= len(asked & set(tokens(rest)))
    return False


def _overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    return a.passage.source == b.passage.source and a.start < b.end and b.start < a.end

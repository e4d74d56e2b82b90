"""Computed answers: dates read from sentences, intervals computed, wrong figures never shown."""

from __future__ import annotations

from datetime import date

from qa.answering.durations import (
    FindSentences,
    Interval,
    answer_by_computation,
    difference,
    figure_follows,
    nearest_date,
    parse_duration_question,
    states_duration,
)
from qa.answering.extractive import ScoredSentence
from qa.dates import find_dates
from qa.types import Answer
from tests.passages import find_in

START = "The archive went online on 28 November 2010, the site said."
STORY = "The newspaper's report appeared on 1 December 2010."
OTHER = "A court met in March 2008 to hear the appeal."


def test_dates_are_read_at_the_precision_the_text_gives() -> None:
    dates = find_dates("On 22 January 2009, then in February of 2009, September 19, 1986 and 1999.")
    assert [(d.year, d.month, d.day) for d in dates] == [
        (2009, 1, 22),
        (2009, 2, None),
        (1986, 9, 19),
        (1999, None, None),
    ]
    assert [d.precision for d in dates] == ["day", "month", "day", "year"]
    assert find_dates("31 February 2009")[0].precision == "month"  # no such day: the month only


def test_a_date_without_its_year_takes_the_year_given_before_it() -> None:
    text = (
        "He pleaded guilty on Monday 25 October 2010. On Sunday 31 October a panel sentenced him."
    )
    assert [d.text for d in find_dates(text)] == ["25 October 2010", "31 October 2010"]
    # The year may stand in the passage before the text read.
    later = find_dates("On Sunday 31 October a panel sentenced him.", "He pleaded in 2010.")
    assert [d.as_date() for d in later] == [date(2010, 10, 31)]
    # A weekday that does not fall on the day in that year leaves the date unread, as does a
    # text with no year before it.
    assert find_dates("On Monday 31 October a panel sentenced him.", "He pleaded in 2010.") == []
    assert find_dates("On 31 October a panel sentenced him.") == []


def test_an_interval_to_a_date_whose_year_its_passage_gave_earlier() -> None:
    question = "How many days after his plea was Khadr sentenced by the panel?"
    plea = "Khadr made his plea on Monday 25 October 2010."
    passage = "The trial resumed in October 2010. On Sunday 31 October the panel sentenced Khadr."
    answer = computed(question, plea, passage)
    assert answer is not None
    assert answer.answer.endswith("From 25 October 2010 to 31 October 2010: 6 days.")


def test_question_shapes_name_the_earlier_and_later_event() -> None:
    after = parse_duration_question(
        "How many days after the archive went online did the report run?"
    )
    assert after and (after.earlier, after.later, after.unit) == (
        "the archive went online",
        "the report run",
        "days",
    )
    before = parse_duration_question("How many weeks before the report did the archive open?")
    assert before and (before.earlier, before.later) == ("the archive open", "the report")
    since = parse_duration_question(
        "By the time the court met, how long had the law been in force?"
    )
    assert since and (since.earlier, since.later, since.unit) == (
        "the law been in force",
        "the court met",
        None,
    )
    during = parse_duration_question("How many weeks had she been mayor at the time of the flood?")
    assert during and (during.earlier, during.later) == ("she been mayor", "the flood")
    age = parse_duration_question("How old was Marie Curie when she won the prize?")
    assert age and age.age and age.earlier == "marie curie was born"
    assert parse_duration_question("How old was he when he won?") is None  # who is "he"?
    hedged = parse_duration_question("How old was Marie Curie really when she won the prize?")
    on_the_day = parse_duration_question("How old was Marie Curie on the day she won the prize?")
    assert hedged == on_the_day == age
    assert parse_duration_question("When did the archive go online?") is None


def test_difference_needs_dates_precise_enough_for_the_unit() -> None:
    online, report = find_dates(f"{START} {STORY}")
    assert difference(online, report, "days") == Interval(3, "days", False)
    assert difference(online, report, None) == Interval(3, "days", False)
    assert difference(report, online, "days") is None  # backwards
    court = find_dates(OTHER)[0]
    assert difference(court, report, "days") is None  # March 2008 has no day
    assert difference(court, report, "months") == Interval(33, "months", True)
    assert difference(court, report, "years") == Interval(2, "years", False)
    born, event = find_dates("born 1 November 1939; on 30 October 1971")
    assert difference(born, event, "years") == Interval(31, "years", False)  # a day short of 32


def test_an_age_from_a_year_alone_is_only_approximate() -> None:
    born, captured = find_dates("born 19 September 1986; captured in 2002")
    assert difference(born, captured, "years") == Interval(16, "years", True)  # 15 or 16
    same_month = find_dates("born 19 September 1986; in September 2009")
    assert difference(*same_month, "years") == Interval(23, "years", True)  # 22 or 23
    later_month = find_dates("born 19 September 1986; in February 2009")
    assert difference(*later_month, "years") == Interval(22, "years", False)


def test_a_wrong_figure_does_not_follow_from_the_quotes() -> None:
    quoted = find_dates(START) + find_dates(STORY)
    assert figure_follows(3, "days", quoted)
    assert not figure_follows(4, "days", quoted)
    assert not figure_follows(3, "days", find_dates(START))  # one date cannot make an interval


def test_the_date_nearest_the_event_is_read() -> None:
    sentence = "He was 15 in 2002 when he was captured, and pleaded guilty in October 2010."
    assert nearest_date(sentence, {"captur"}).year == 2002
    assert nearest_date(sentence, {"plead", "guilty"}).year == 2010


def test_a_date_in_a_sentence_about_another_event_does_not_date_this_one() -> None:
    quote = "He was 15 in 2002 when he was captured. He pleaded guilty in a plea deal."
    assert nearest_date(quote, {"plead", "guilty"}) is None
    assert nearest_date(quote, {"captur"}).year == 2002
    # A quote that names the event nowhere (found by meaning) still gives its date.
    assert nearest_date("The raid came on 27 July 2002.", {"captur"}).year == 2002
    # Nor does a date in a clause a semicolon joins on: the notes are dated, not the sentencing.
    joined = (
        "The deal capped his sentence at eight years; Washington and Ottawa exchanged diplomatic "
        "notes on 23 October 2010."
    )
    assert nearest_date(joined, {"sentenc"}) is None


def test_a_sentence_that_already_states_the_interval_is_recognised() -> None:
    weeks = parse_duration_question("How many weeks after the vote did he resign?")
    loose = parse_duration_question("How long after the vote did he resign?")
    during = parse_duration_question("How many weeks had she been mayor at the time of the flood?")
    assert during and (during.earlier, during.later) == ("she been mayor", "the flood")
    age = parse_duration_question("How old was Marie Curie when she won the prize?")
    assert weeks and loose and age
    assert states_duration("He resigned a little over two weeks after the vote.", weeks)
    assert states_duration("The vote came 3 days before he resigned.", loose)
    assert not states_duration("The vote was held on 3 May 2009.", loose)
    assert states_duration("She was in fact 36 when the prize came.", age)
    assert not states_duration("She was born on 7 November 1867.", age)


def test_an_age_at_the_time_of_an_event_is_asked_like_an_age_when() -> None:
    asked = parse_duration_question(
        "How old was Ada Byron at the time of the engine's description?"
    )
    assert asked is not None and asked.age
    assert (asked.earlier, asked.later) == ("ada byron was born", "the engine's description")


def test_a_duration_about_something_else_is_not_the_interval_asked() -> None:
    asked = parse_duration_question("How long after the meeting did the paper publish its story?")
    assert asked is not None
    lede = "The minister, in office until three weeks ago, raised the case at a meeting in 2009."
    assert not states_duration(lede, asked)
    assert states_duration("The paper published its story three weeks after the meeting.", asked)
    # "Three weeks ago" beside the state asked about places a moment; it is no length.
    state = parse_duration_question(
        "How long had the minister been in office when the meeting began?"
    )
    assert state is not None
    assert not states_duration("The minister, in office until three weeks ago, left.", state)
    assert states_duration("The minister had been in office for three weeks.", state)
    # An age: the person's name is in every clause, so only the later event says whose age it is.
    age = parse_duration_question("How old was Omar Khadr when he pleaded guilty?")
    assert age is not None
    assert not states_duration("Omar Khadr was 15 when he was captured.", age)
    assert states_duration("Omar Khadr was 24 when he pleaded guilty.", age)
    # One word of the event beside an age is a coincidence, not his age then.
    published = parse_duration_question("How old was Khadr when WikiLeaks published the cables?")
    assert published is not None
    assert not states_duration("He gave a paper the cable called 'a 15-year-old'.", published)


def test_an_age_is_never_computed_from_an_approximate_interval() -> None:
    question = "How old was Ada Byron when the engine was described?"
    born = "Ada Byron was born on 10 December 1815."
    assert computed(question, born, "The engine was described in 1843.") is None
    answer = computed(question, born, "The engine was described in July 1843.")
    assert answer is not None and answer.answer.endswith(": 27 years.")
    # A sentence dating the event to its year only gives way to one that gives its month.
    answer = computed(
        question,
        born,
        "The engine was described in 1843, the year of her notes.",
        "In July 1843 the engine was described in her notes.",
    )
    assert answer is not None and answer.answer.endswith(": 27 years.")


def computed(question: str, *texts: str) -> Answer | None:
    """The computed answer to the question from these texts alone (support threshold 0.1)."""
    asked = parse_duration_question(question)
    assert asked is not None
    return answer_by_computation(question, asked, find_in(*texts), 0.1)


def test_an_interval_is_answered_with_both_dated_sentences_cited() -> None:
    question = "How many days after the archive went online did the newspaper's report appear?"
    answer = computed(question, STORY, START, OTHER)
    assert answer is not None and not answer.refused
    assert [c.quote for c in answer.citations] == [START, STORY]
    assert answer.answer.endswith("From 28 November 2010 to 1 December 2010: 3 days.")


def test_no_computed_answer_without_a_dated_sentence_for_each_event() -> None:
    question = "How many days after the archive went online did the newspaper's report appear?"
    assert computed(question, START, OTHER) is None
    undated = "The newspaper's report appeared later that week."
    assert computed(question, START, undated) is None


def test_no_interval_is_stated_between_two_events_dated_alike() -> None:
    question = "How many weeks after the summit did the minister resign?"
    summit = "The summit opened on 5 February 2009."
    assert (
        computed(question, summit, "The minister spoke at the summit on 5 February 2009.") is None
    )


def test_each_item_of_a_list_dates_its_own_event() -> None:
    timeline = (
        "23 April 2009: a judge ordered the government to seek his return to Canada.\n"
        "- 14 August 2009: the appeal court upheld that order."
    )
    assert nearest_date(timeline, {"return", "canada"}).text == "23 April 2009"
    assert nearest_date(timeline, {"appeal", "upheld"}).text == "14 August 2009"


def test_an_event_is_dated_as_precisely_as_the_unit_needs() -> None:
    order = "The order was signed on 22 January 2009."
    vague = "The meeting took place in February 2009."
    exact = "On 5 February 2009 the two ministers held their meeting."
    answer = computed("How many days after the order was the meeting?", order, vague, exact)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [order, exact]
    assert answer.answer.endswith("From 22 January 2009 to 5 February 2009: 14 days.")


def test_a_state_is_dated_from_the_earliest_of_its_best_sentences() -> None:
    question = "How many years had she been mayor when the flood came?"
    asked = parse_duration_question(question)
    assert asked is not None and asked.state
    recent = "As mayor she opened the new bridge in March 2009."
    start = "She became mayor in May 2005."
    flood = "The flood came in June 2010."
    answer = computed(question, recent, start, flood)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [start, flood]
    assert answer.answer.endswith("From May 2005 to June 2010: 5 years.")
    # An event at a point in time is dated by its best sentence, not its earliest.
    point = parse_duration_question("How many years after the bridge opened did the flood come?")
    assert point is not None and not point.state


def test_taking_up_a_post_is_dated_from_the_earliest_of_its_best_sentences() -> None:
    question = "How old was Ada Byron when she became patron of the society?"
    asked = parse_duration_question(question)
    # Her event is found by her name, not by "she".
    assert asked is not None and asked.later == "ada byron became patron of the society"
    assert asked.who == "ada byron"
    born = "Ada Byron was born on 10 December 1815."
    later = "As patron of the society Ada Byron opened its new hall in March 1850."
    start = "In May 1840 the society made Ada Byron its patron."
    answer = computed(question, born, later, start)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [born, start]
    assert answer.answer.endswith("From 10 December 1815 to May 1840: 24 years.")
    # Without the start of a post, the best sentence dates the event.
    met = computed("How old was Ada Byron when she met the society?", born, later, start)
    assert met is not None and met.answer.endswith(": 34 years.")


def test_the_questions_own_did_ends_the_earlier_event() -> None:
    asked = parse_duration_question("How many years after MSF was founded did it win the prize?")
    assert asked and (asked.earlier, asked.later) == ("msf was founded", "msf win the prize")
    before = parse_duration_question("How many days before the vote was held did he resign?")
    assert before and (before.earlier, before.later) == ("he resign", "the vote was held")


def test_a_pronoun_after_the_questions_own_was_stands_for_the_earlier_subject() -> None:
    asked = parse_duration_question("How many years after Ada Byron was born was she appointed?")
    assert asked and (asked.earlier, asked.later) == ("ada byron was born", "ada byron appointed")
    assert asked.who == "ada byron"
    # With no pronoun, the later event is the question's own.
    other = parse_duration_question("How long after Ada Byron was born did the engine run?")
    assert other and (other.later, other.who) == ("the engine run", "")


def test_an_event_is_dated_by_its_own_words_not_by_its_subjects_name() -> None:
    # The name stands beside the birth date; "captured" beside the capture's.
    ages = "Born in September 1986, Khadr was 15 when captured in July 2002."
    back = "Khadr was transferred to Canada in September 2012."
    question = "How many years after Khadr was captured was he transferred to Canada?"
    answer = computed(question, ages, back)
    assert answer is not None
    assert answer.answer.endswith("From July 2002 to September 2012: 10 years.")
    # A sentence holding the name put for the pronoun, and no other word of the event, does not
    # date it.
    assert computed(question, ages, "Khadr's lawyers spoke in September 2012.") is None


def test_the_events_are_read_in_the_order_the_question_gives() -> None:
    # The best sentence for "the jury handing down its sentence" dates the trial's opening,
    # before the plea: the next one dated after the plea is read instead.
    question = "How many days after his guilty plea did the jury hand down its sentence?"
    plea = "On 25 October 2010 Khadr entered his guilty plea."
    opening = "The jury was sworn in and the trial opened on 12 August 2010."
    sentence = "The panel returned a sentence of 40 years on 31 October 2010."
    answer = computed(question, plea, opening, sentence)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [plea, sentence]
    assert answer.answer.endswith("From 25 October 2010 to 31 October 2010: 6 days.")


def test_a_sentence_holding_no_word_of_the_event_does_not_date_it() -> None:
    question = "How many days after his guilty plea did the jury hand down its sentence?"
    charged = "He was first charged on 7 November 2005."
    sentence = "The jury returned its sentence on 31 October 2010."
    assert computed(question, charged, sentence) is None


def test_an_event_told_in_the_passive_is_read_from_a_sentence_stating_it() -> None:
    # The first sentence holds "Helpline" and "founded" too, but what it founded is another charity.
    other = (
        "Smith broke with Helpline over its aims and in 1980 founded a second charity, Care Now."
    )
    founding = "In 1971 a group of doctors founded Helpline in Paris."
    award = "Helpline won the city's award in 1999."
    question = "How many years after Helpline was founded did it win the award?"
    asked = parse_duration_question(question)
    assert asked is not None
    find = find_in(other, founding, award)
    assert find(asked.earlier)[0].text == other  # ranked first, as in the story's sources
    answer = computed(question, other, founding, award)
    assert answer is not None
    assert answer.citations[0].quote == founding
    assert answer.answer.endswith("From 1971 to 1999: about 28 years.")


def cited(question: str, *texts: str) -> list[str]:
    """The quotes the computed answer cites, from these texts alone."""
    answer = computed(question, *texts)
    assert answer is not None
    return [c.quote for c in answer.citations]


def found_for_later_event(question: str, *texts: str) -> str:
    """The sentence of these texts ranked first for the question's later event."""
    asked = parse_duration_question(question)
    assert asked is not None
    return find_in(*texts)(asked.later)[0].text


def test_an_event_told_as_one_to_come_does_not_date_its_happening() -> None:
    # The first sentence dates when the acceptance was promised; the second, when it happened.
    meeting = "The two ministers met on 5 February 2009."
    promised = "In April 2009 the president said that the country would accept one prisoner."
    happened = "The country later accepted one prisoner, who arrived there on 15 May 2009."
    question = "How long after the ministers met did the country accept a prisoner?"
    assert found_for_later_event(question, meeting, promised, happened) == promised
    assert cited(question, meeting, promised, happened) == [meeting, happened]
    # An event that is itself the promise is dated by the sentence telling it.
    promise = "How long after the ministers met did the country promise to accept a prisoner?"
    pledged = "In April 2009 the country promised that it would accept one prisoner."
    assert cited(promise, meeting, pledged, happened)[1] == pledged
    # A sentence telling the event itself, with a promise besides, still dates it.
    told = "The country accepted one prisoner on 15 May 2009 and said it would accept more."
    assert found_for_later_event(question, meeting, told, promised) == told
    assert cited(question, meeting, told, promised)[1] == told


def test_an_event_dated_coarsely_is_looked_for_again_with_its_date() -> None:
    question = "How many days after the ministers met did the summit open?"
    asked = parse_duration_question(question)
    assert asked is not None
    coarse = "The ministers met in February 2009 and talked about the prisoners."
    summit = "The summit opened on 19 February 2009."

    def finder(precise: str) -> FindSentences:
        """A fake search: the precise sentence is found only when its month is asked for."""
        return lambda query: find_in(coarse, summit, *[precise] * ("february" in query.lower()))(
            query
        )

    precise = "5 February 2009 - first meeting of the ministers."
    answer = answer_by_computation(question, asked, finder(precise), 0.1)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [precise, summit]
    assert answer.answer.endswith("From 5 February 2009 to 19 February 2009: 14 days.")
    # A date outside the coarse one dates another meeting.
    other = "5 March 2009 - second meeting of the ministers."
    assert answer_by_computation(question, asked, finder(other), 0.1) is None


def test_a_moment_dated_coarsely_is_measured_from_its_day_when_another_source_gives_it() -> None:
    """Asked how long, a month would do, but "in February 2009" counts "about 1 month" from 22
    January where the day another source gives counts 14 days."""
    question = "How long after the order was signed did the ministers meet?"
    asked = parse_duration_question(question)
    assert asked is not None and asked.unit is None
    signed = "The order was signed on 22 January 2009."
    coarse = "The ministers met in February 2009 and talked about the prisoners."
    precise = "5 February 2009 - the ministers met for the first time."

    def find(query: str) -> list[ScoredSentence]:
        """A fake search: the precise sentence is found only when its month is asked for."""
        return find_in(signed, coarse, *[precise] * ("february" in query.lower()))(query)

    answer = answer_by_computation(question, asked, find, 0.1)
    assert answer is not None
    assert [c.quote for c in answer.citations] == [signed, precise]
    assert answer.answer.endswith("From 22 January 2009 to 5 February 2009: 14 days.")


def test_how_long_something_took_from_one_event_to_another_told_by_their_verbs() -> None:
    """ "How long did Canada take between signing … and ratifying it?", "… to go from signing …
    to ratifying it": each event is read from a sentence holding its verb (not the treaty's
    adoption), and under two months the interval is told in days."""
    adopted = "The child soldier treaty was adopted by the UN on 25 May 2000."
    signed = "Canada signed the treaty on 5 June 2000 and, on 7 July 2000, was first to ratify it."
    for question in (
        "How long did Canada take between signing the child soldier treaty and ratifying it?",
        "How long did it take Canada to go from signing the child soldier treaty to ratifying it?",
    ):
        asked = parse_duration_question(question)
        assert asked is not None
        assert (asked.earlier, asked.later) == ("signing the child soldier treaty", "ratifying it")
        answer = computed(question, adopted, signed)
        assert answer is not None and [c.quote for c in answer.citations] == [signed]
        assert answer.answer.endswith("From 5 June 2000 to 7 July 2000: 32 days.")
    # Between people or places, no events: no interval is asked.
    assert parse_duration_question("How long did the talk between Smith and Jones last?") is None
    assert parse_duration_question("How long did it take to go from Kandahar to Cuba?") is None


def test_an_event_told_by_its_verb_and_object_is_read_from_a_sentence_stating_it() -> None:
    """As for the passive: "Smith co-founding Helpline" is told by the sentence whose verb has
    Helpline beside it, not by the one where he co-founded another charity after leaving it."""
    other = "Smith broke with Helpline over its aims and in 1980 co-founded a second charity."
    founding = "In 1971 Smith co-founded Helpline in Paris."
    award = "Helpline won the city's award in 1999."
    question = "How many years passed between Smith co-founding Helpline and its city award?"
    asked = parse_duration_question(question)
    assert asked is not None and asked.earlier == "smith co-founding helpline"
    assert find_in(other, founding, award)(asked.earlier)[0].text == other
    assert cited(question, other, founding, award) == [founding, award]

"""Chunking is pure: spans must round-trip to the source text whatever the input."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.chunking import chunk_source, quotable_spans, split_sentences
from qa.corpus import find_segments
from qa.types import Source


def make_source(text: str) -> Source:
    return Source(
        id="t.md", title="T", text=text, segments=tuple(find_segments(text)), content_hash="h"
    )


def test_split_sentences_keeps_abbreviations_together() -> None:
    text = 'Mr. Khadr met U.S. forces. Sgt. Speer died. "It was a cancer," she said. Next one.'
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "Mr. Khadr met U.S. forces.",
        "Sgt. Speer died.",
        '"It was a cancer," she said.',
        "Next one.",
    ]


def test_a_full_stop_inside_brackets_ends_no_sentence() -> None:
    text = (
        "Dorothy Quincy ( May 21 (May 10 O.S.) 1747 – 1830) married Hancock. She lived in Boston."
    )
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Dorothy Quincy ( May 21 (May 10 O.S.) 1747 – 1830) married Hancock.",
        "She lived in Boston.",
    ]
    text = 'Alfred Wainwright ("A.W.") MBE wrote guides. The Scherzo No. 2, Op. 31 is by Chopin.'
    assert len(split_sentences(text)) == 2
    # A bracket never closed does not join the sentences after it.
    stray = "A stray ( bracket. The next one. The third."
    assert len(split_sentences(stray)) == 3


def test_split_sentences_respects_bounds() -> None:
    text = "Ignore this. Keep this one. And this."
    start = text.index("Keep")
    assert [text[s:e] for s, e in split_sentences(text, start)] == ["Keep this one.", "And this."]


def test_list_items_and_paragraphs_are_sentences_without_their_markers() -> None:
    text = (
        "Key dates:\n\n- 23 April 2009: a judge ordered Ottawa to seek his return.\n"
        "- 14 August 2009: the appeal court upheld that order\n"
        "2. 29 January 2010: the Supreme Court ruled\n\nA photo caption without a stop\n\nNext."
    )
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Key dates:",
        "23 April 2009: a judge ordered Ottawa to seek his return.",
        "14 August 2009: the appeal court upheld that order",
        "29 January 2010: the Supreme Court ruled",
        "A photo caption without a stop",
        "Next.",
    ]


def test_a_sentence_running_on_after_a_blank_line_stays_whole() -> None:
    # A PDF's pages are joined by a blank line; a sentence may continue on the next page.
    text = "The court of appeal\n\nruled that he could go home. Next page."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "The court of appeal\n\nruled that he could go home.",
        "Next page.",
    ]


def test_a_list_is_quotable_with_the_sentence_that_introduces_it() -> None:
    text = "It shared the cables with two newspapers:\n\n- The Guardian\n- Le Monde\n\nThey agreed."
    spans = [text[s:e] for s, e in quotable_spans(text)]
    assert "It shared the cables with two newspapers:\n\n- The Guardian\n- Le Monde" in spans
    assert "Le Monde" in spans  # each item stays quotable alone


def test_chunks_never_cross_headings_and_skip_links() -> None:
    text = (
        "# Title\n\nFirst paragraph has words enough here. Second sentence too.\n\n"
        "## Other section\n\nThird sentence sits in another section of text.\n\n"
        "## References\n\n- https://example.com/a\n- https://example.com/b\n"
    )
    chunks = chunk_source(make_source(text), chunk_chars=400)
    assert [c.section for c in chunks] == ["Title", "Other section"]
    assert all("https://" not in c.text for c in chunks)


def test_chunk_ids_are_stable_and_unique() -> None:
    text = "One sentence here is long enough. " * 40
    first, second = chunk_source(make_source(text), 200), chunk_source(make_source(text), 200)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first) > 1


def test_a_pronoun_led_sentence_stays_with_the_one_naming_its_subject() -> None:
    named = "Radhika Coomaraswamy, a UN official, raised the case repeatedly over many years."
    text = f"{named} In 2010, as the hearing began, she wrote to the military commission."
    [chunk] = chunk_source(make_source(text), chunk_chars=100)
    assert chunk.text == text
    unrelated = f"{named} The hearing began in October and lasted for several days."
    assert len(chunk_source(make_source(unrelated), chunk_chars=100)) == 2


prose = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120)
    | st.sampled_from(
        [
            "Mr. Kouchner spoke.",
            "# Heading",
            "- item one",
            "\n",
            "\n- 2009: an item",
            "U.S. forces. ",
        ]
    ),
    max_size=25,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(prose, st.integers(min_value=100, max_value=800))
def test_chunk_offsets_round_trip(text: str, chunk_chars: int) -> None:
    source = make_source(text)
    chunks = chunk_source(source, chunk_chars)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


@settings(max_examples=200, deadline=None)
@given(prose)
def test_sentences_cover_every_word_of_segments(text: str) -> None:
    for start, end, _ in find_segments(text):
        spans = split_sentences(text, start, end)
        covered = "".join(text[s:e] for s, e in spans)
        # List markers at the start of a line are dropped from the sentence, nothing else is.
        marker = r"(?:[-*+•]|\d{1,3}[.)])[ \t]+"
        unmarked = re.sub(rf"(\A[ \t]*|\n(?:[ \t]*\n)*[ \t]*){marker}", r"\1", text[start:end])
        assert "".join(unmarked.split()) == "".join(covered.split())


def test_pronoun_led_sentences_are_quoted_with_the_sentences_naming_their_subject() -> None:
    text = (
        "Coomaraswamy raised the case. In 2010, she sent a letter. She wrote that he was a child. "
        "Clinton told him she would look. They met again. The end."
    )
    spans = [text[s:e] for s, e in quotable_spans(text)]
    assert spans == [
        "Coomaraswamy raised the case.",
        "Coomaraswamy raised the case. In 2010, she sent a letter.",
        "Coomaraswamy raised the case. In 2010, she sent a letter. She wrote that he was a child.",
        "Clinton told him she would look.",
        "Clinton told him she would look. They met again.",
        "The end.",
    ]


def test_a_pronoun_subject_after_a_dated_opening_is_quoted_with_who_it_is() -> None:
    text = (
        "Radhika Coomaraswamy raised the case repeatedly.\n\n"
        "- In November 2007 she met a State Department adviser.\n"
        "- In late October 2010 she sent a letter to the commission. She wrote that he was a child."
    )
    spans = [text[s:e] for s, e in quotable_spans(text)]
    assert spans[-1].startswith("Radhika Coomaraswamy") and spans[-1].endswith("was a child.")

"""Reciprocal rank fusion and lexical matching, computed by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from qa.lexical import LexicalIndex, drop_lexical_indexes, open_lexical_index
from qa.retrieval import fuse, to_passage
from qa.text import fold, stem, tokens
from qa.types import Passage


def passage(cid: str, text: str = "text", score: float = 0.0, authority: float = 0.5) -> Passage:
    return Passage(cid, "s.md", "T", "", "", "background", authority, "", text, 0, 4, score)


def test_fusion_sums_reciprocal_ranks() -> None:
    dense = [passage("a", score=0.9), passage("b", score=0.8)]
    lexical = [passage("b"), passage("c")]
    docs = fuse(dense, lexical, k=3, rrf_k=60)
    assert [d.metadata["chunk_id"] for d in docs] == ["b", "a", "c"]
    assert docs[0].metadata["fused"] == pytest.approx((1 / 62 + 1 / 61) * (1 + 0.5))
    assert docs[1].metadata["dense"] == 0.9 and docs[2].metadata["dense"] == 0.0


def test_authority_breaks_ties() -> None:
    docs = fuse([passage("bg", authority=0.5)], [passage("art", authority=1.0)], k=2, rrf_k=60)
    assert [d.metadata["chunk_id"] for d in docs] == ["art", "bg"]


def test_documents_round_trip_to_passages() -> None:
    original = passage("a", text="Some passage text.", score=0.7)
    [doc] = fuse([original], [], k=1, rrf_k=60)
    assert to_passage(doc).text == original.text and to_passage(doc).chunk_id == "a"


def test_tokens_fold_stem_and_drop_stopwords() -> None:
    assert fold("Médecins Sans Frontières") == "medecins sans frontieres"
    assert stem("cables") == stem("cable") == "cabl" and stem("news") == "new"
    assert tokens("What did the 251,287 cables say?") == ["251287", "cabl"]
    assert tokens("What exactly did the cable really say?") == ["cabl"]  # hedges are no topic


def test_every_form_of_a_word_stems_alike() -> None:
    for forms in (
        ("charge", "charges", "charged", "charging"),
        ("describe", "described", "describing"),
        ("agree", "agrees", "agreed"),
        ("release", "released", "releases"),
        ("born", "birth", "birthday"),  # irregular: "date of birth" is asked of "was born on …"
        ("die", "died", "dies", "death", "dead"),
        ("report", "reported", "reportedly"),  # "reportedly paid" asks what was "reported"
    ):
        assert len({stem(form) for form in forms}) == 1, forms


def test_lexical_index_ranks_matching_passage_first() -> None:
    index = LexicalIndex.build(
        [passage("a", "Kouchner met Clinton in February."), passage("b", "Khadr was 15.")]
    )
    assert [p.chunk_id for p in index.search("When did Kouchner meet Clinton?", 2)] == ["a"]
    assert index.idf("kouchner") > 0


def test_lexical_weight_scales_the_bm25_ranking() -> None:
    docs = fuse([passage("a")], [passage("b")], k=2, rrf_k=60, lexical_weight=2.0)
    assert [d.metadata["chunk_id"] for d in docs] == ["b", "a"]
    assert docs[0].metadata["fused"] == pytest.approx(2 / 61 * 1.5)


def test_each_rankings_first_passage_is_kept() -> None:
    # "cap" leads BM25 but is missing from the dense list; "para" leads the dense list only. Both
    # fuse below the three passages the two lists share, and still reach the answerer.
    shared = [passage(c) for c in ("s1", "s2", "s3")]
    dense = [passage("para"), *shared]
    lexical = [passage("cap"), *shared]
    docs = fuse(dense, lexical, k=3, rrf_k=60)
    assert [d.metadata["chunk_id"] for d in docs] == ["s1", "para", "cap"]
    assert [d.metadata["chunk_id"] for d in fuse(dense, lexical, k=1, rrf_k=60)] == ["s1"]


def test_one_rankings_first_passage_never_displaces_the_others() -> None:
    # "cap" leads BM25 and fuses third, the last of the k; "para" leads the dense list and fuses
    # below the k. "para" comes in at the place of "s2", not of "cap".
    dense = [passage("para"), *(passage(c) for c in ("s1", "s2", "s3", "s4", "cap"))]
    lexical = [passage(c) for c in ("cap", "s1", "s2")]
    docs = fuse(dense, lexical, k=3, rrf_k=60)
    assert [d.metadata["chunk_id"] for d in docs] == ["s1", "cap", "para"]


def test_passages_of_undescribed_files_come_after_every_described_one() -> None:
    stray = replace(passage("stray", authority=0.0), listed=False)
    dense = [stray, passage("a"), passage("b")]
    lexical = [stray, passage("b"), passage("a")]
    docs = fuse(dense, lexical, k=3, rrf_k=60)
    assert [d.metadata["chunk_id"] for d in docs] == ["a", "b", "stray"]


def test_a_passages_lead_is_the_text_before_it_in_its_section() -> None:
    """What "It signed …" at a passage's start stands on is in the passage before it, when that
    one is of the same source and section; a section's first passage has none."""

    def at(cid: str, text: str, start: int, section: str = "Treaty", source: str = "s.md"):
        return replace(passage(cid, text), source=source, section=section, start=start)

    index = LexicalIndex.build(
        [
            at("second", "It signed in 2000.", 60),
            at("first", "Canada played a leading role in drafting the protocol.", 5),
            at("other-section", "Khadr was 15.", 80, section="Capture"),
            at("other-source", "It was ratified later.", 70, source="t.md"),
        ]
    )
    assert index.lead("second") == "Canada played a leading role in drafting the protocol."
    assert index.lead("first") == index.lead("other-section") == index.lead("other-source") == ""
    assert index.lead("unknown") == ""


def test_lexical_index_is_kept_per_generation_and_a_damaged_one_rebuilt(tmp_path: Path) -> None:
    texts = ["Kouchner met Clinton in February.", "Khadr was 15.", "Clinton called it a cancer."]
    reads: list[str] = []

    def read(passages: list[Passage]) -> Callable[[], list[Passage]]:
        return lambda: reads.append("read") or passages

    first = read([passage(str(n), text) for n, text in enumerate(texts)])
    built = open_lexical_index("qa", 1, "u1", first, tmp_path)
    loaded = open_lexical_index("qa", 1, "u1", first, tmp_path)
    assert len(reads) == 1 and loaded.passages == built.passages
    query = "When did Clinton meet Kouchner?"
    assert loaded.search(query, 3) == built.search(query, 3) and len(built.search(query, 3)) == 2
    assert all(loaded.idf(t) == built.idf(t) for t in ("kouchner", "clinton", "khadr", "unseen"))

    (tmp_path / "qa-g1.u1" / "passages.json").write_text("[{")  # damaged: read again
    assert open_lexical_index("qa", 1, "u1", first, tmp_path).passages == built.passages
    assert len(reads) == 2
    # Built with the tokens of an older version (before TOKENS_FILE was written): built again.
    (tmp_path / "qa-g1.u1" / "tokens.json").unlink()
    assert open_lexical_index("qa", 1, "u1", first, tmp_path).passages == built.passages
    assert len(reads) == 3 and (tmp_path / "qa-g1.u1" / "tokens.json").exists()
    assert open_lexical_index("qa", 1, "u1", first, tmp_path) and len(reads) == 3

    second = read([passage("x", "A later generation holds other text.")])
    other = read([passage("y", "Another collection sharing the folder.")])
    open_lexical_index("other", 7, "u7", other, tmp_path)
    assert [p.chunk_id for p in open_lexical_index("qa", 3, "u3", second, tmp_path).passages] == ["x"]  # fmt: skip
    # The replaced generation is dropped; another collection's index stays.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-g7.u7", "qa-g3.u3"]
    # A replica still on generation 2 builds it without dropping the newer generation 3.
    open_lexical_index("qa", 2, "u2", first, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-g7.u7", "qa-g2.u2", "qa-g3.u3"]
    drop_lexical_indexes(tmp_path, "qa")  # a reset numbers generations from 1 again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-g7.u7"]

"""The answer judge's rerank of retrieved passages, as a LangChain document compressor.

Fusion ranks passages by how many of the question's words and how much of its meaning they share;
the answering sentence's passage is often just below the k the answerer reads (among fused ranks
6-10 for 7-13% of the gold evidence, bench/RESULTS.md), behind passages that repeat the question's
names. More passages are fused than are kept, and the judge chooses among them by the sentence of
each it reads as answering best.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import ConfigDict

from qa.answering.extractive import ScoredSentence, judge_sentences, score_sentences
from qa.retrieval import sentence_similarity, to_passage

# Sentences the judge reads to rank the passages: the best by support over all of them, at most
# PER_PASSAGE of any one. The k passages kept then hold most of the answerer's own candidates,
# which the judge has read already.
RERANK_POOL = 15
# A long passage of middling sentences otherwise fills the pool, and a passage whose one sentence
# answers goes unread. Chosen on the readers' 1,650 training questions: 2 gained 2 answers (3
# gained, 1 lost), 1 lost one, 3 changed nothing. Elsewhere 2 gained fresh p2-033 and validation
# v4-038 and lost nothing; recall@k rose on validation and test (bench/RESULTS.md).
PER_PASSAGE = 2
# A document's opening telling what the document covers ("This dossier explains what that leak
# was, how it was published, …") shares words and meaning with many questions and answers none of
# them: it kept its passage among the five in place of one that answers (dev-020's "the FM handed
# the Secretary a paper …"). Recall@k rose on dev, test and the readers' training sets and fell on
# none (bench/RESULTS.md, thirty-sixth session).
_DESCRIBES_ITSELF = re.compile(
    r"^\W*This (?:dossier|article|report|document|page|guide|overview|backgrounder|timeline"
    r"|brief(?:ing)?|chapter|section|study|paper)\b[^.]{0,40}?\b(?:explains?|sets? out"
    r"|summari[sz]es?|describes?|covers?|outlines?|looks? at|examines?|traces?|reviews?|presents?"
    r"|lists?|gives?)\b"
)


class JudgeRerank(BaseDocumentCompressor):
    """Keeps `k` of the fused documents: the first (the one both retrievers rank best, or that one
    of them ranks first), then those whose best pooled sentence has the highest judged support,
    in their fused order. A document none of whose sentences is pooled ranks after every judged
    one; a sentence telling what its document covers is not pooled (see _DESCRIBES_ITSELF)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    judge: Any  # a SentenceJudge (a Protocol, which pydantic cannot check)
    idf: Callable[[str], float]
    k: int

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        if len(documents) <= self.k:
            return documents
        ranked = score_sentences(
            query,
            [to_passage(d) for d in documents],
            sentence_similarity(list(documents)),
            self.idf,
        )
        ranked = [s for s in ranked if not describes_its_document(s)]
        judged, _ = judge_sentences(query, ranked, self.judge, RERANK_POOL, PER_PASSAGE)
        best: dict[str, float] = {}
        for sentence in judged:  # best first: a passage's first is its best
            best.setdefault(sentence.passage.chunk_id, sentence.support)
        # The fused first stays: judged alone, the article's sentence saying the cable is silent
        # lost its place to a dossier's sentences about the cable.
        first, *others = documents
        others = sorted(others, key=lambda d: -best.get(str(d.id), -1.0))
        kept = {first.id, *(d.id for d in others[: self.k - 1])}
        return [d for d in documents if d.id in kept]


def describes_its_document(sentence: ScoredSentence) -> bool:
    """Whether the sentence is its document's opening telling what the document covers."""
    opening = sentence.passage.section == sentence.passage.title
    return opening and bool(_DESCRIBES_ITSELF.search(sentence.text))

"""Fakes for unit tests only: a deterministic hashing embedder you can check by hand."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from qa.embeddings import EmbeddingModel
from qa.text import tokens

DIMENSION = 64


class FakeHashingEmbeddings(Embeddings):
    """Bag of stemmed tokens hashed into 64 buckets, L2-normalised.

    Texts sharing words get similar vectors, so retrieval behaves plausibly without a model; an
    empty text maps to a fixed unit vector so cosine distance stays defined.
    """

    def __init__(self) -> None:
        self.documents_embedded = 0  # so tests can tell what an ingest embedded again

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents_embedded += len(texts)
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSION
        for token in tokens(text):
            bucket = int(hashlib.md5(token.encode()).hexdigest(), 16) % DIMENSION
            vector[bucket] += 1.0
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0:
            vector[0], norm = 1.0, 1.0
        return [v / norm for v in vector]


def fake_model() -> EmbeddingModel:
    return EmbeddingModel(FakeHashingEmbeddings(), name="fake-hashing", dimension=DIMENSION)


class ScriptedJudge:
    """A judge whose P(answers) is scripted: the score of the first key a sentence contains.

    Records the sentences it was asked about, so tests can check what reached it.
    """

    def __init__(
        self,
        scores: dict[str, float],
        blend: float = 1.0,
        refuse_below: float = 0.0,
        answer_above: float = math.inf,
        refuse_whether_below: float | None = None,
    ) -> None:
        self.scores = scores
        self.blend = blend
        self.refuse_below = refuse_below
        self.refuse_whether_below = (
            refuse_below if refuse_whether_below is None else refuse_whether_below
        )
        self.answer_above = answer_above
        self.asked: list[str] = []

    def score(self, question: str, sentences: Sequence[str]) -> list[float]:
        self.asked.extend(sentences)
        return [next((v for k, v in self.scores.items() if k in s), 0.0) for s in sentences]

"""Typed settings, read from QA_* environment variables (and a .env file) in the entry points."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_ORIGIN = re.compile(r"https?://[^/\s?#]+")


def normalize_origin(origin: str) -> str:
    """`https://News.example/` → `https://news.example`, the form browsers send in `Origin`."""
    origin = origin.strip().rstrip("/").lower()
    if origin != "*" and not _ORIGIN.fullmatch(origin):
        raise ValueError(
            f"{origin!r} is not an origin: use scheme://host[:port], e.g. https://news.example"
        )
    return origin


class Settings(BaseSettings):
    """Every knob of case-qa. Build it once in an entry point and pass it down."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="ignore")

    # Paths and store
    corpus: Path = Field(PROJECT_ROOT / "corpus", description="Folder of sources to ingest.")
    home: Path = Field(Path(".qa"), description="Data directory: Chroma index, feedback database.")
    chroma_url: str = Field("", description="Use a Chroma server at this URL instead of embedded.")
    collection: str = Field("case_qa", description="Chroma collection name.")
    lexical_dir: Path | None = Field(
        None,
        description="Where each published generation's lexical index is kept (default: "
        "QA_HOME/lexical). A folder shared by the ingest and the replicas of a Chroma server "
        "spares each replica reading every passage back at its first start.",
    )
    prompts: Path = Field(PROJECT_ROOT / "prompts", description="Folder of prompt files.")

    require_manifest: bool = Field(
        False,
        description="Ingest only the files sources.toml lists; others are reported as failed.",
    )

    # Chunking
    chunk_chars: int = Field(480, ge=100, le=4000, description="Target passage length.")

    # Retrieval
    k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    # 40, not 20: with 20 a passage near the top of one ranking was often missing from the other
    # and lost to passages both held (dev accuracy 0.689 → 0.733; HaluEval unchanged within
    # 0.004; bench/RESULTS.md).
    fetch_k: int = Field(40, ge=1, le=200, description="Candidates per retriever before fusion.")
    # 10: test questions 256 → 266 right of 352 and retrieval recall@k 0.831 → 0.875, for about
    # 30 ms (warm p50 58 → 87-91 ms; bench/RESULTS.md, twentieth session).
    rerank_depth: int = Field(
        10,
        ge=0,
        le=50,
        description="Fused passages the answer judge reranks down to k (with the judge on; k or "
        "fewer: no rerank).",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    lexical_weight: float = Field(
        1.0, ge=0, description="Weight of the BM25 ranking against the dense one in fusion."
    )
    authority_weight: float = Field(
        1.0, ge=0, description="How much source authority scales fused scores."
    )

    # Answering
    mode: Literal["extractive", "generative"] = Field(
        "extractive",
        description="extractive quotes the sources (no LLM); generative asks QA_CHAT_MODEL (or "
        "the local model) and keeps only the sentences its cited passages bear out.",
    )
    chat_model: str = Field(
        "",
        description="Chat model for generative mode, as LangChain's init_chat_model takes it: "
        "'ollama:llama3.1', 'openai:gpt-4o-mini' (its provider package must be installed).",
    )
    chat_base_url: str = Field(
        "", description="Server of the chat model (an Ollama or OpenAI-compatible endpoint)."
    )
    local_model: str = Field(
        "qwen2.5-coder-1.5b",
        description="The local model generative mode runs when QA_CHAT_MODEL is not set: "
        "qwen2.5-coder-1.5b, qwen2.5-coder-0.5b or smollm2-135m (see qa/models.py).",
    )
    local_threads: int = Field(
        2, ge=1, description="CPU threads for the local model (don't share them with others)."
    )
    chat_max_tokens: int = Field(
        256, ge=16, le=4096, description="Longest reply the chat model may write, in tokens."
    )
    chat_timeout_s: float = Field(
        20.0,
        gt=0,
        description="Longest wait for the chat model's reply; past it the claims verified so far "
        "stand, or the extractive answer.",
    )
    generative_sentences: int = Field(
        3,
        ge=1,
        le=30,
        description="Candidate sentences (the extractive scorer's best) the chat model answers "
        "from: fewer make a shorter prompt, which a small local model reads faster.",
    )
    min_claim_support: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of a generated claim's words the sentences it cites must hold.",
    )
    max_answer_sentences: int = Field(2, ge=1, le=6)
    judge: bool = Field(
        True,
        description="Rank the answer's candidate sentences with the learned answer judge "
        "(qa/judge/) blended with their support; false ranks by support alone.",
    )
    spelling: bool = Field(
        True,
        description="Read a misspelt word in a question as the sources' word one edit away (the "
        "answer's read_as shows the question as read).",
    )
    refusal_threshold: float = Field(0.35, description="Minimum support score to answer.")
    max_question_chars: int = Field(500, ge=10, description="Longer questions are refused.")

    # Web (qa serve: the HTTP API and the widget)
    public_url: str = Field(
        "",
        description="The address readers reach the app at (https://qa.example.org); requests "
        "naming another Host are refused. Default: the address the server listens on.",
    )
    editor_password: SecretStr = Field(
        SecretStr(""),
        description="Password of the editors' pages at /editors/ (user 'editor'); without one "
        "they are not served at all.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins whose pages may call the API and embed the widget, besides the app's "
        "own. A JSON list or comma-separated; '*' allows any.",
    )
    rate_limit_per_minute: int = Field(30, ge=1, description="Requests per client per minute.")
    feedback_url: str = Field(
        "",
        description="SQLAlchemy URL of the reader-feedback database (empty: a SQLite file in "
        "QA_HOME; postgresql+psycopg://… to share it between replicas).",
    )
    rate_limit_storage: str = Field(
        "memory://",
        description="Where request counts live: memory:// (this process) or redis://host:port/db "
        "(one budget per client across every replica).",
    )
    max_body_bytes: int = Field(65_536, ge=1024, description="Largest API request body.")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if not isinstance(value, list):
            return value
        return [normalize_origin(str(origin)) for origin in value if str(origin).strip()]

    def resolve_home(self) -> Path:
        """The data directory as an absolute path (created on demand by the store)."""
        return self.home.expanduser().resolve()

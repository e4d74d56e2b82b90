"""Typed settings, read from QA_* environment variables (and a .env file) in the entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of case-qa. Build it once in an entry point and pass it down."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="ignore")

    # Paths and store
    corpus: Path = Field(PROJECT_ROOT / "corpus", description="Folder of sources to ingest.")
    home: Path = Field(Path(".qa"), description="Data directory: Chroma index, feedback database.")
    chroma_url: str = Field("", description="Use a Chroma server at this URL instead of embedded.")
    collection: str = Field("case_qa", description="Chroma collection name.")
    prompts: Path = Field(PROJECT_ROOT / "prompts", description="Folder of prompt files.")

    # Chunking
    chunk_chars: int = Field(480, ge=100, le=4000, description="Target passage length.")

    # Retrieval
    k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    fetch_k: int = Field(20, ge=1, le=200, description="Candidates per retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")

    # Answering
    mode: Literal["extractive"] = "extractive"
    max_answer_sentences: int = Field(2, ge=1, le=6)
    refusal_threshold: float = Field(0.35, description="Minimum support score to answer.")
    max_question_chars: int = Field(500, ge=10, description="Longer questions are refused.")

    # Web
    allowed_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(30, ge=1)

    def resolve_home(self) -> Path:
        """The data directory as an absolute path (created on demand by the store)."""
        return self.home.expanduser().resolve()

"""Stored eval runs: every run's report under QA_HOME/reports/<run>/, with run.json saying what
produced it (gold set and its hash, mode, models, index generation, version) and its figures, so
editors can see how the bot changed from run to run."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa.chain import Pipeline
from qa.evaluation import EvalReport, write_report

RUN_FILE = "run.json"
HEADLINE = (
    "answer_accuracy",
    "refusal_f1",
    "false_premise_accuracy",
    "citation_precision",
    "evidence_recall",
    "retrieval_recall_at_k",
)


@dataclass(frozen=True)
class StoredRun:
    """A run's folder and what run.json records (empty for runs of versions before it existed)."""

    folder: Path
    meta: dict[str, Any]
    files: tuple[Path, ...] = ()  # report.html and items.csv, when just written

    @property
    def id(self) -> str:
        return self.folder.name


def store_run(report: EvalReport, pipeline: Pipeline, gold: Path) -> StoredRun:
    """Write the run's report.html and items.csv, and run.json beside them."""
    settings = pipeline.settings
    started = datetime.now(UTC)
    folder = settings.resolve_home() / "reports" / f"{gold.stem}-{started:%Y%m%d-%H%M%S-%f}"
    files = write_report(report, folder)
    figures = report.to_dict()
    meta = {
        "time": started.isoformat(timespec="seconds"),
        "gold": str(gold),
        "gold_sha256": hashlib.sha256(gold.read_bytes()).hexdigest(),
        "mode": settings.mode,
        "chat_model": settings.chat_model if settings.mode == "generative" else "",
        "embedding_model": pipeline.store.model.name,
        "index_generation": pipeline.store.live_number(),
        "version": importlib.metadata.version("case-qa"),
        "figures": {k: figures[k] for k in ("n", *HEADLINE) if k in figures},
    }
    (folder / RUN_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return StoredRun(folder, meta, files)


def list_runs(home: Path) -> list[StoredRun]:
    """Every run folder under QA_HOME/reports, oldest first; one without a readable run.json
    (made before runs were stored) is listed with empty metadata, not dropped."""
    reports = home / "reports"
    folders = sorted(p for p in reports.iterdir() if p.is_dir()) if reports.is_dir() else []
    return [StoredRun(folder, _read_meta(folder / RUN_FILE)) for folder in folders]


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def runs_table(runs: list[StoredRun]) -> str:
    """The runs as a plain-text table for `qa eval --list`."""
    lines = [f"{'run':40} {'mode':11} {'gen':>4} {'acc':>6} {'ref.F1':>6} {'cit.pr':>6}"]
    for run in runs:
        if not run.meta:
            lines.append(f"{run.id:40} (made by an older version: no stored metadata)")
            continue
        figures = run.meta.get("figures", {})
        keys = ("answer_accuracy", "refusal_f1", "citation_precision")
        cells = " ".join(_cell(figures.get(k)) for k in keys)
        generation = str(run.meta.get("index_generation", ""))
        lines.append(f"{run.id:40} {run.meta.get('mode', ''):11} {generation:>4} {cells}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A figure, or a dash where the gold set had no item to grade it."""
    return f"{value:6.3f}" if isinstance(value, int | float) else f"{'—':>6}"

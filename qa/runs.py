"""Stored eval runs: every run's report under QA_HOME/reports/<run>/, with run.json saying what
produced it (gold set and its hash, mode, models, index generation, version) and its figures, so
editors can see how the bot changed from run to run."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa.chain import Pipeline
from qa.charts import TrendChart, trend_chart
from qa.errors import QAError
from qa.evaluation import EvalReport
from qa.reports import HEADLINE, HEADLINE_FIGURES, write_json_file, write_report_files

RUN_FILE = "run.json"
DATA_FILE = "eval.json"  # the `qa eval --json` object of the run: what compare reads


@dataclass(frozen=True)
class StoredRun:
    """A run's folder and what run.json records (empty for runs of versions before it existed)."""

    folder: Path
    meta: dict[str, Any]
    files: tuple[Path, ...] = ()  # report.html and items.csv, when just written

    @property
    def id(self) -> str:
        return self.folder.name

    def of_gold_set(self, gold: Path) -> bool:
        """Whether the run graded a gold file of this name (wherever it was read from); a run
        without metadata is matched by its folder name."""
        if self.meta:
            return Path(self.meta.get("gold", "")).name == gold.name
        return self.id.startswith(f"{gold.stem}-")

    def read_data(self) -> dict[str, Any]:
        """The run's figures and graded items, as `qa eval --json` wrote them."""
        try:
            data = json.loads((self.folder / DATA_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise QAError(
                f"Run {self.id} has no readable {DATA_FILE}: it was stored by an older version, "
                "which kept no graded items to compare.",
                "Compare runs made since; `qa eval --list` shows them.",
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise QAError(f"Run {self.id}: {DATA_FILE} holds no graded items.")
        return data


def store_run(report: EvalReport, pipeline: Pipeline, gold: Path) -> StoredRun:
    """Write the run's report.html (with the trend over earlier runs of the same gold set),
    items.csv, eval.json and run.json into a new folder under QA_HOME/reports."""
    settings = pipeline.settings
    started = datetime.now(UTC)
    home = settings.resolve_home()
    folder = home / "reports" / f"{gold.stem}-{started:%Y%m%d-%H%M%S-%f}"
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
    earlier = [run for run in list_runs(home) if run.of_gold_set(gold)]
    files = write_report_files(figures, folder, run_trend([*earlier, StoredRun(folder, meta)]))
    write_json_file(figures, folder / DATA_FILE)
    (folder / RUN_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return StoredRun(folder, meta, files)


def run_trend(runs: list[StoredRun]) -> TrendChart:
    """The headline figures of runs (oldest first) as a trend chart; runs without metadata are
    counted as not drawn."""
    stored = [run for run in runs if run.meta]
    points = [(run.id, _short_time(run.meta.get("time", "")), run.meta.get("figures", {}))
              for run in stored]  # fmt: skip
    return trend_chart(points, HEADLINE_FIGURES, unplotted=len(runs) - len(stored))


def _short_time(iso: str) -> str:
    """'2026-12-02T14:52:23+00:00' → '12-02 14:52': enough to tell weekly runs apart."""
    return iso[5:16].replace("T", " ")


def copy_report(run: StoredRun, folder: Path) -> tuple[Path, Path]:
    """Copy a just-stored run's report.html and items.csv into folder; returns the copies."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        html_path, csv_path = (Path(shutil.copy(f, folder / f.name)) for f in run.files)
    except OSError as exc:
        raise QAError(f"Cannot write the report to {folder} ({exc.strerror}).") from exc
    return html_path, csv_path


def find_run(home: Path, wanted: str) -> StoredRun:
    """The stored run with this id, or the only one whose id starts with it."""
    runs = list_runs(home)
    matches = [r for r in runs if r.id == wanted] or [r for r in runs if r.id.startswith(wanted)]
    if len(matches) != 1:
        found = "matches several runs" if matches else "matches no stored run"
        raise QAError(f"{wanted!r} {found}.", "`qa eval --list` shows the stored runs' ids.")
    return matches[0]


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

"""Reports of an eval run, written from the `qa eval --json` object: HTML, CSV and a text table.

Everything here works on that plain dict, so any front end (CLI, editors' tab) renders the same
figures, and the report shows exactly what the JSON holds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from qa.charts import TrendChart, pass_rate_bars
from qa.errors import QAError

TEMPLATES = Path(__file__).parent / "templates"
# (key, label, what it counts): the headline figures in the order editors read them.
FIGURES = (
    ("answer_accuracy", "Answer accuracy", "answerable questions whose answer contains an "
     "acceptable answer (refusals count as wrong)"),
    ("refusal_precision", "Refusal precision", "refusals that were due (no acceptable answer)"),
    ("refusal_recall", "Refusal recall", "questions with no acceptable answer that were refused"),
    ("refusal_f1", "Refusal F1", "harmonic mean of refusal precision and recall"),
    ("false_premise_accuracy", "False-premise accuracy", "false-premise and adversarial "
     "questions answered with the correction"),
    ("citation_precision", "Citation precision", "citations of given answers that overlap a gold "
     "evidence quote"),
    ("evidence_recall", "Evidence recall", "gold evidence quotes overlapped by a citation"),
    ("retrieval_recall_at_k", "Retrieval recall@k", "gold evidence quotes overlapped by a "
     "retrieved passage"),
)  # fmt: skip
# The figures followed run to run: in `qa eval`'s by-type table, stored runs and the trend.
HEADLINE = (
    "answer_accuracy", "refusal_f1", "false_premise_accuracy", "citation_precision",
    "evidence_recall", "retrieval_recall_at_k",
)  # fmt: skip
HEADLINE_FIGURES = tuple((key, label) for key, label, _ in FIGURES if key in HEADLINE)
FAILURES = {
    "wrong": "wrong answer",
    "wrongly_refused": "wrongly refused",
    "missed_refusal": "should have declined",
    "unsupported": "citations off the gold evidence",
    "evidence_missed": "gold evidence not cited",
    "error": "question rejected",
}
# Spreadsheet apps run cells starting with these as formulas; a leading apostrophe disarms them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def item_failures(item: dict[str, Any]) -> list[str]:
    """What went wrong with one graded item (keys of FAILURES), from its flags alone."""
    checks = {
        "error": bool(item["error"]),
        "wrongly_refused": item["refused"] and not item["expected_refusal"],
        "missed_refusal": item["expected_refusal"] and not item["refused"],
        "wrong": not item["refused"]
        and not item["error"]
        and False in (item["answer_correct"], item["false_premise_correct"]),
        "unsupported": any(c["supported"] is not None for c in item["citations"])
        and not any(c["supported"] for c in item["citations"]),
        "evidence_missed": any(e["cited"] is False for e in item["evidence"]),
    }
    return [name for name in FAILURES if checks[name]]


def format_figure(value: float | None) -> str:
    """A figure for people: three decimals, or a dash when no item counted towards it."""
    return "—" if value is None else f"{value:.3f}"


def summary_table(data: dict[str, Any]) -> str:
    """The headline figures and a by-type breakdown as plain-text tables."""
    lines = [f"{len(data['items'])} questions"]
    lines += [f"  {label:<24}{format_figure(data[key]):>7}" for key, label, _ in FIGURES]
    latency = data["latency_ms"]
    lines.append(
        f"  {'Latency p50 / p95 (ms)':<24}{_ms(latency['p50']):>7} / {_ms(latency['p95'])}"
    )
    headers = ("accuracy", "refus.F1", "premise", "cit.prec", "ev.rec", "R@k")
    lines += ["", f"  {'type':<14}{'n':>4}" + "".join(f"{h:>9}" for h in headers)]
    for name, figures in data["by_type"].items():
        values = "".join(f"{format_figure(figures[c]):>9}" for c in HEADLINE)
        lines.append(f"  {name:<14}{figures['n']:>4}{values}")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def render_page(template: str, **context: Any) -> str:
    """A self-contained page from qa/templates (inline CSS, JS and SVG, no external URL); every
    value is escaped."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    env.filters["figure"] = format_figure
    env.filters["ms"] = _ms
    return env.get_template(template).render(figures=FIGURES, failures=FAILURES, **context)


def render_html(data: dict[str, Any], trend: TrendChart | None = None) -> str:
    """The report of one run: figures, the pass rate by type, the trend over earlier runs of the
    same gold set when given, and every item."""
    bars = pass_rate_bars(data["items"], list(data["by_type"]))
    return render_page("report.html", data=data, bars=bars, trend=trend)


def csv_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per item, for spreadsheets."""
    return [
        {
            "id": i["id"],
            "type": i["type"],
            "question": i["question"],
            "expected": " | ".join(i["answers"]),
            "answer": i["answer"],
            "refused": i["refused"],
            "expected_refusal": i["expected_refusal"],
            "correct": i["correct"],
            "answer_correct": i["answer_correct"],
            "false_premise_correct": i["false_premise_correct"],
            "citations": len(i["citations"]),
            "citations_supported": sum(bool(c["supported"]) for c in i["citations"]),
            "evidence": len(i["evidence"]),
            "evidence_located": sum(bool(e["spans"]) for e in i["evidence"]),
            "evidence_cited": sum(bool(e["cited"]) for e in i["evidence"]),
            "evidence_retrieved": sum(bool(e["retrieved"]) for e in i["evidence"]),
            "failures": " ".join(i["failures"]),
            "latency_ms": i["latency_ms"],
            "error": i["error"],
        }
        for i in items
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_report_files(
    data: dict[str, Any], folder: Path, trend: TrendChart | None = None
) -> tuple[Path, Path]:
    """Write report.html and items.csv into folder (created if missing); returns their paths."""
    html_path, csv_path = folder / "report.html", folder / "items.csv"
    rows = csv_rows(data["items"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(data, trend), encoding="utf-8")
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["id"])
            writer.writeheader()
            writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    except OSError as exc:
        raise QAError(f"Cannot write the report to {folder} ({exc.strerror}).") from exc
    return html_path, csv_path


def write_json_file(data: dict[str, Any], path: Path) -> None:
    """Write the `qa eval --json` object to a file."""
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise QAError(f"Cannot write {path} ({exc.strerror}).") from exc

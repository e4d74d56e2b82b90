"""Gradio Blocks for editors: gold-set runs with their charts, stored runs compared side by side,
and readers' unanswered or thumbs-down questions turned into gold items.

Served only behind a password (qa/api.py). As in qa/ui.py, handlers are module-level functions
over the pipeline, store or settings they need; the layout wires thin closures to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from qa.chain import Pipeline
from qa.charts import pass_rate_bars
from qa.chunking import split_sentences
from qa.config import Settings
from qa.corpus import GOLD_FOLDER
from qa.errors import ConfigError, QAError
from qa.feedback import FeedbackEntry, FeedbackStore, open_feedback_store
from qa.goldset import ITEM_TYPES, NOT_ACCURACY_TYPES, Evidence, GoldItem, append_gold_item
from qa.reports import FAILURES, HEADLINE_FIGURES
from qa.runs import StoredRun, list_runs
from qa.types import Answer
from qa.ui import friendly_notice, read_asset
from qa.ui_render import notice_html, summary_html

ITEM_COLUMNS = ["id", "type", "question", "answer", "refused", "result", "why", "latency ms"]
PROBLEM_COLUMNS = ["when (UTC)", "what", "question", "note"]
RUN_COLUMNS = ["run", "when (UTC)", "gold set", "mode", "index gen.", "accuracy", "refusal F1"]
# A gold file the tab may write: a plain name in corpus/eval/, no path.
_GOLD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.jsonl$")
# An item's `correct` is None when no figure grades it (e.g. an answered out-of-scope question).
_RESULT = {True: "pass", False: "FAIL", None: "not graded"}


# ---------------------------------------------------------------- gold-set runs


GENERAL_GOLD_SET = "dev.jsonl"


def gold_set_choices(settings: Settings) -> list[str]:
    folder = settings.corpus / GOLD_FOLDER
    return sorted(p.name for p in folder.glob("*.jsonl")) if folder.is_dir() else []


def resolve_gold_path(settings: Settings, choice: str | None, upload: str | None) -> Path:
    """The uploaded file when there is one, else the chosen file from corpus/eval/."""
    if upload:
        return Path(upload)
    if choice and choice in gold_set_choices(settings):  # only listed names: no path tricks
        return settings.corpus / GOLD_FOLDER / choice
    raise ConfigError("Choose a gold set or upload a .jsonl file first.")


def run_gold_set(
    pipeline: Pipeline,
    settings: Settings,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[str, dict[str, Any], StoredRun]:
    """Run a gold set through the same harness as `qa eval` and store the run.

    Returns the summary HTML (warnings included), the `qa eval --json` object and the stored run.
    """
    from qa.evaluation import run_eval
    from qa.goldset import load_gold_set
    from qa.runs import store_run

    items, warnings = load_gold_set(path, settings.corpus)
    report = run_eval(pipeline, items, settings.corpus, progress=progress)
    data = report.to_dict()
    return summary_html(data, warnings), data, store_run(report, pipeline, path)


def item_rows(items: Sequence[dict[str, Any]], failures_only: bool) -> list[list[Any]]:
    """The per-item table, optionally only the items the bot got wrong (correct is False)."""
    return [
        [
            item.get("id", ""),
            item.get("type", ""),
            item.get("question", ""),
            str(item.get("answer", ""))[:300],
            "yes" if item.get("refused") else "no",
            _RESULT[item.get("correct")],
            ", ".join(FAILURES.get(f, f) for f in item.get("failures", [])),
            round(float(item.get("latency_ms") or 0.0), 1),
        ]
        for item in items
        if not failures_only or item.get("correct") is False
    ]


def pass_rate_frame(data: dict[str, Any]) -> Any:
    """The pass rate by type (as in the HTML report's chart) for gr.BarPlot."""
    import pandas as pd

    chart = pass_rate_bars(data["items"], list(data["by_type"]))
    rows = [
        {"type": b.label, "pass rate": b.share or 0.0, "passed": f"{b.passed}/{b.graded}"}
        for b in chart.bars
    ]
    return pd.DataFrame(rows, columns=["type", "pass rate", "passed"])


def trend_frame(runs: Sequence[StoredRun]) -> Any:
    """The headline figures of stored runs over time, one row per run and figure, for gr.LinePlot
    (runs stored without metadata have no figures and no rows)."""
    import pandas as pd

    rows = [
        {"time": pd.Timestamp(run.meta["time"]), "figure": label, "value": value, "run": run.id}
        for run in runs
        if run.meta.get("time")
        for key, label in HEADLINE_FIGURES
        if isinstance(value := run.meta.get("figures", {}).get(key), int | float)
    ]
    return pd.DataFrame(rows, columns=["time", "figure", "value", "run"])


def runs_of(settings: Settings, gold_name: str | None) -> list[StoredRun]:
    """Stored runs of the gold file with this name, oldest first."""
    runs = list_runs(settings.resolve_home())
    return [r for r in runs if gold_name and r.of_gold_set(Path(gold_name))]


def run_rows(runs: Sequence[StoredRun]) -> list[list[Any]]:
    """Every stored run, newest first; runs of older versions are listed as such."""
    rows = []
    for run in reversed(runs):
        if not run.meta:
            rows.append([run.id, "", "", "older version: no stored metadata", "", "", ""])
            continue
        figures = run.meta.get("figures", {})
        rows.append(
            [
                run.id,
                _utc(run.meta.get("time", "")),
                Path(run.meta.get("gold", "")).name,
                run.meta.get("mode", ""),
                run.meta.get("index_generation", ""),
                figures.get("answer_accuracy"),
                figures.get("refusal_f1"),
            ]
        )
    return rows


def compare_stored(settings: Settings, first: str | None, second: str | None) -> tuple[str, str]:
    """The comparison of two stored runs as an HTML fragment, and its page written to disk."""
    from qa.comparison import compare_runs, render_comparison, write_comparison
    from qa.runs import find_run

    if not first or not second:
        raise ConfigError("Choose two runs to compare.")
    home = settings.resolve_home()
    comparison = compare_runs(find_run(home, first), find_run(home, second))
    path = write_comparison(comparison, home / "comparisons" / f"{first}--{second}")
    return render_comparison(comparison, page=False), str(path)


# ---------------------------------------------------------------- readers' questions


def problem_rows(store: FeedbackStore, limit: int = 50) -> list[list[str]]:
    """Recent refusals and thumbs-down answers, newest first, for the editors' tab."""
    return [
        [_when(e), _what(e), e.question, e.note]
        for e in store.read_entries(problems_only=True, limit=limit)
    ]


def problem_choices(store: FeedbackStore, limit: int = 50) -> list[tuple[str, int]]:
    """The same questions as (label, feedback id) for choosing one to turn into a gold item."""
    entries = store.read_entries(problems_only=True, limit=limit)
    return [(f"{_when(e)} · {_what(e)} · {e.question[:120]}", e.id) for e in entries]


def _when(entry: FeedbackEntry) -> str:
    return _utc(entry.created_at)


def _utc(iso: str) -> str:
    """'2026-12-02T14:52:23+00:00' as '2026-12-02 14:52:23' (the columns say UTC)."""
    return iso.replace("T", " ").removesuffix("+00:00")


def _what(entry: FeedbackEntry) -> str:
    return "thumbs down" if entry.rating == "down" else "unanswered"


def find_problem(store: FeedbackStore, entry_id: int | None) -> FeedbackEntry:
    """A refused or thumbs-down question, the only ones the form offers."""
    entry = store.read_entry(entry_id) if entry_id is not None else None
    if entry is None or not (entry.refused or entry.rating == "down"):
        raise ConfigError("Choose a reader's question first.", "Refresh the list if it is empty.")
    return entry


def evidence_candidates(answer: Answer) -> list[Evidence]:
    """Each sentence of the passages the bot retrieved, as an evidence quote: cut from the source
    text the passage is, so it is found in the corpus exactly."""
    return [
        Evidence(p.source, p.text[s:e]) for p in answer.passages for s, e in split_sentences(p.text)
    ]


def gold_item_from_form(
    entry: FeedbackEntry,
    item_id: str,
    answers_text: str,
    kind: str | None,
    candidates: Sequence[Evidence],
    ticked: Sequence[int],
) -> GoldItem:
    """The gold item an editor described: one acceptable answer per line (none: the bot should
    decline), the ticked sentences as evidence, the reader's conversation as history."""
    answers = tuple(line.strip() for line in answers_text.splitlines() if line.strip())
    kind = kind or ""
    if not answers and kind not in NOT_ACCURACY_TYPES:
        raise ConfigError(
            "Type an expected answer, or choose the type unanswerable or out_of_scope.",
            "An item with no acceptable answer means the bot should decline.",
        )
    return GoldItem(
        id=item_id.strip(),
        question=entry.question,
        answers=answers,
        evidence=tuple(candidates[i] for i in sorted(set(ticked)) if 0 <= i < len(candidates)),
        type=kind,
        history=entry.turns,
    )


def gold_file(settings: Settings, name: str | None) -> Path:
    """A gold file in corpus/eval/ by plain name: an existing one or a new `*.jsonl`."""
    name = (name or "").strip()
    if not _GOLD_NAME.match(name):
        raise ConfigError(
            f"{name!r} is not a gold file name.", "Use letters, digits, - or _, ending in .jsonl."
        )
    return settings.corpus / GOLD_FOLDER / name


# ---------------------------------------------------------------- layout


def build_editors_ui(pipeline: Pipeline, settings: Settings) -> gr.Blocks:
    """The editors' app. Every handler reads what it shows afresh, so two editors see each
    other's runs and items."""
    store = open_feedback_store(settings)
    css = read_asset("ui.css")
    with gr.Blocks(title="Ask the story: editors", analytics_enabled=False) as editors:
        _runs_section(pipeline, settings, css, editors)
        _gold_item_section(pipeline, settings, store, css, editors)
    # One evaluation at a time: each keeps both cores busy for minutes.
    editors.queue(default_concurrency_limit=1)
    return editors


def _runs_section(pipeline: Pipeline, settings: Settings, css: str, page: gr.Blocks) -> None:
    choices = gold_set_choices(settings)
    results = gr.State([])
    gr.Markdown("### Run a gold set\nThe same evaluation as `qa eval`, over the live index.")
    with gr.Row():
        # The general set first: the others check one mechanism each.
        chosen = GENERAL_GOLD_SET if GENERAL_GOLD_SET in choices else next(iter(choices), None)
        gold = gr.Dropdown(choices, value=chosen, label="Gold set from corpus/eval/")
        upload = gr.File(label="…or upload one (.jsonl)", file_types=[".jsonl"], type="filepath")
    run = gr.Button("Run evaluation", variant="primary")
    status = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-eval-status")
    with gr.Row():
        summary = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-eval-summary")
        by_type = gr.BarPlot(
            x="type", y="pass rate", title="Pass rate by type", y_lim=[0, 1],
            tooltip=["type", "pass rate", "passed"], x_label_angle=-35, elem_id="qa-pass-rate",
        )  # fmt: skip
    trend = gr.LinePlot(
        x="time", y="value", color="figure", title="Headline figures over the stored runs",
        y_lim=[0, 1], tooltip=["run", "figure", "value"], elem_id="qa-trend",
    )  # fmt: skip
    failures_only = gr.Checkbox(label="Show failures only")
    table = gr.Dataframe(headers=ITEM_COLUMNS, interactive=False, wrap=True, max_height=420)
    report_files = gr.File(
        label="Report (HTML, CSV)", file_count="multiple", interactive=False, elem_id="qa-report"
    )
    gr.Markdown("### Stored runs\nEvery run, from `qa eval` or this tab. Compare two of them.")
    runs = gr.Dataframe(headers=RUN_COLUMNS, interactive=False, max_height=300, elem_id="qa-runs")
    with gr.Row():
        first = gr.Dropdown([], label="Run A (before)", elem_id="qa-run-a")
        second = gr.Dropdown([], label="Run B (after)", elem_id="qa-run-b")
    compare = gr.Button("Compare")
    compared = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-compare")
    compare_file = gr.File(label="Comparison (HTML)", interactive=False, elem_id="qa-compare-file")

    def on_run(
        choice: str | None,
        uploaded: str | None,
        only: bool,
        progress: Any = gr.Progress(),  # noqa: B008 - Gradio finds its progress bar by this default
    ) -> Any:
        def report_progress(done: int, total: int) -> None:
            progress((done, total), desc="Asking the gold questions")

        try:
            path = resolve_gold_path(settings, choice, uploaded)
            figures, data, stored = run_gold_set(pipeline, settings, path, report_progress)
        except QAError as exc:
            return friendly_notice(exc), *(gr.skip(),) * 5
        files = [str(f) for f in stored.files]
        items = data["items"]
        return "", figures, items, item_rows(items, only), files, pass_rate_frame(data)

    def on_runs_changed(choice: str | None) -> tuple[Any, ...]:
        every = list_runs(settings.resolve_home())
        ids = [r.id for r in reversed(every) if r.meta]
        second_id = ids[0] if ids else None
        first_id = ids[1] if len(ids) > 1 else None
        return (
            run_rows(every),
            gr.update(choices=ids, value=first_id),
            gr.update(choices=ids, value=second_id),
            trend_frame(runs_of(settings, choice)),
        )

    def on_compare(a: str | None, b: str | None) -> tuple[str, Any]:
        try:
            fragment, path = compare_stored(settings, a, b)
        except QAError as exc:
            return friendly_notice(exc), None
        return fragment, path

    listing = [runs, first, second, trend]
    run.click(
        on_run,
        [gold, upload, failures_only],
        [status, summary, results, table, report_files, by_type],
        api_visibility="private",
    ).then(on_runs_changed, gold, listing, api_visibility="private")
    gold.change(on_runs_changed, gold, listing, api_visibility="private")
    failures_only.change(
        lambda items, only: item_rows(items, only),
        [results, failures_only],
        table,
        api_visibility="private",
    )
    compare.click(on_compare, [first, second], [compared, compare_file], api_visibility="private")
    page.load(on_runs_changed, gold, listing, api_visibility="private")
    # Gold files added from the form below since the app started are offered on the next visit.
    page.load(
        lambda: gr.update(choices=gold_set_choices(settings)), None, gold, api_visibility="private"
    )


def _gold_item_section(
    pipeline: Pipeline, settings: Settings, store: FeedbackStore, css: str, page: gr.Blocks
) -> None:
    candidates = gr.State([])
    gr.Markdown("### Recent unanswered and thumbs-down questions")
    refresh = gr.Button("Refresh", size="sm")
    problems = gr.Dataframe(
        headers=PROBLEM_COLUMNS, interactive=False, wrap=True, max_height=420, elem_id="qa-problems"
    )
    gr.Markdown(
        "### Turn a reader's question into a gold item\nPick the question, find the passages "
        "the bot retrieves for it, tick the sentences that hold the answer, and add it."
    )
    entry = gr.Dropdown([], label="Reader's question", elem_id="qa-gold-question")
    find = gr.Button("Find passages", size="sm")
    evidence = gr.CheckboxGroup([], type="index", label="Evidence", elem_id="qa-gold-evidence")
    with gr.Row():
        item_id = gr.Textbox(label="Item id", elem_id="qa-gold-id")
        kind = gr.Dropdown(list(ITEM_TYPES), label="Type", elem_id="qa-gold-type")
        target = gr.Dropdown(
            gold_set_choices(settings) or ["reader.jsonl"],
            value="reader.jsonl",
            allow_custom_value=True,
            label="Gold file in corpus/eval/",
            elem_id="qa-gold-file",
        )
    answers = gr.Textbox(
        label="Acceptable answers, one per line (none: the bot should decline)",
        lines=2,
        elem_id="qa-gold-answers",
    )
    add = gr.Button("Add to gold set", variant="primary")
    added = gr.HTML(css_template=css, js_on_load=None, elem_id="qa-gold-status")

    def on_refresh() -> tuple[list[list[str]], Any]:
        return problem_rows(store), gr.update(choices=problem_choices(store))

    def on_find(entry_id: int | None) -> tuple[Any, ...]:
        try:
            chosen = find_problem(store, entry_id)
            found = evidence_candidates(pipeline.ask(chosen.question, chosen.turns))
        except QAError as exc:
            return friendly_notice(exc), *(gr.skip(),) * 4
        labels = [f"{e.doc}: {e.quote}" for e in found]
        return (
            "",
            found,
            gr.update(choices=labels, value=[]),
            chosen.gold_id,
            chosen.suggested_type,
        )

    def on_add(
        entry_id: int | None,
        found: list[Evidence],
        ticked: list[int],
        new_id: str,
        new_kind: str | None,
        name: str | None,
        expected: str,
    ) -> str:
        try:
            chosen = find_problem(store, entry_id)
            item = gold_item_from_form(chosen, new_id, expected, new_kind, found, ticked or [])
            path = gold_file(settings, name)
            count = append_gold_item(path, item, settings.corpus)
        except QAError as exc:
            return friendly_notice(exc)
        held = f"{count} item{'' if count == 1 else 's'}"
        return notice_html(f"Added {item.id} to {path.name}, which now holds {held}.")

    refresh.click(on_refresh, None, [problems, entry], api_visibility="private")
    page.load(on_refresh, None, [problems, entry], api_visibility="private")
    find.click(
        on_find,
        entry,
        [added, candidates, evidence, item_id, kind],
        api_visibility="private",
    )
    add.click(
        on_add,
        [entry, candidates, evidence, item_id, kind, target, answers],
        added,
        api_visibility="private",
    )

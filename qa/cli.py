"""`qa ingest | ask | eval | serve`: thin commands over the modules that do the work."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from qa.config import Settings
from qa.environment import apply_offline_defaults
from qa.errors import QAError


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Translate domain errors into a message and a hint on stderr, exit status 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QAError as exc:
            click.echo(f"Error: {exc.user_message}", err=True)
            if exc.hint:
                click.echo(exc.hint, err=True)
            sys.exit(1)

    return wrapper


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Ask the story: cited answers about the Omar Khadr / WikiLeaks cable case."""
    apply_offline_defaults()
    ctx.obj = Settings()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Embed everything again (served once complete).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_obj
@handle_errors
def ingest(settings: Settings, paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Index corpus folders (default: the project's corpus/, or QA_CORPUS).

    The index then holds exactly the sources of the folders given: unchanged files cost nothing,
    edited ones are re-embedded, files no longer present are removed.
    """
    from qa.embeddings import load_embedding_model
    from qa.indexing import ingest_corpus
    from qa.store import open_or_rebuild_store, open_store

    corpus = list(paths) or [settings.corpus]
    # A rebuild embeds everything into a new generation; the old index is served until it is
    # done, unless it was made by another model or version (then it cannot be served at all).
    opener = open_or_rebuild_store if rebuild else open_store
    store = opener(settings, load_embedding_model(settings.resolve_home()))
    with ProgressBar(enabled=not as_json) as bar:
        report = ingest_corpus(
            corpus,
            store,
            settings.chunk_chars,
            progress=bar.update,
            require_manifest=settings.require_manifest,
            rebuild=rebuild,
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(
        f"{report.sources} sources, {report.chunks} chunks: {report.added} added, "
        f"{report.updated} updated, {report.removed} removed, {report.unchanged} unchanged "
        f"({report.embedded} chunks embedded)."
    )
    for failure in report.failed:
        click.echo(f"  skipped {failure.path}: {failure.reason}", err=True)
    for source_id in report.unlisted:
        click.echo(f"  not in sources.toml, so trusted least: {source_id}", err=True)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as one JSON object.")
@click.pass_obj
@handle_errors
def ask(settings: Settings, question: str, as_json: bool) -> None:
    """Answer a question about the story, with numbered citations."""
    from qa.chain import build_pipeline

    answer = build_pipeline(settings).ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_dict(passages=False), ensure_ascii=False))
        return
    click.echo(answer.answer)
    for c in answer.citations:
        click.echo(f"\n[{c.n}] {c.title} ({c.source}, characters {c.start}–{c.end})")
        click.echo(f'    "{c.quote}"')
    if answer.refused and answer.passages:
        nearest = answer.passages[0]
        click.echo(f"\nNearest related passage — {nearest.title}:\n    {nearest.text}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--access-log/--no-access-log", default=True, help="Log every request.")
@click.option(
    "--ui/--no-ui",
    default=True,
    help="Mount the Gradio reader page at / (--no-ui: the API and widget only, Gradio not loaded).",
)
@click.pass_obj
@handle_errors
def serve(settings: Settings, host: str, port: int, access_log: bool, ui: bool) -> None:
    """Serve the HTTP API, the embeddable widget and the reader UI (indexing the corpus first)."""
    from qa.api import create_app, run_server
    from qa.chain import build_pipeline

    app = create_app(
        settings, build_pipeline(settings, sync_corpus=True, in_background=True), with_ui=ui
    )
    click.echo(f"Serving http://{host}:{port}/ (API docs at /docs, widget at /widget.js)", err=True)
    run_server(app, host, port, access_log=access_log)


def _answer_modes() -> list[str]:
    from typing import get_args

    return [str(m) for m in get_args(Settings.model_fields["mode"].annotation)]


@main.command("eval")
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the figures and every graded item to this JSON file.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write report.html and items.csv into this folder.",
)
@click.option("--mode", type=click.Choice(_answer_modes()), help="Answer mode (default: QA_MODE).")
@click.option("--list", "show_runs", is_flag=True, help="List the stored runs and stop.")
@click.option(
    "--compare",
    nargs=2,
    metavar="RUN_A RUN_B",
    help="Compare two stored runs (ids or unique prefixes) instead of running the gold set.",
)
@click.pass_obj
@handle_errors
def evaluate(
    settings: Settings,
    gold: Path | None,
    json_path: Path | None,
    report_dir: Path | None,
    mode: str | None,
    show_runs: bool,
    compare: tuple[str, str] | None,
) -> None:
    """Grade the bot on a gold set (JSON Lines) and print the figures. Never changes the index.

    Every run is kept under QA_HOME/reports/ with what produced it; --list shows them and
    --compare puts two of them side by side.
    """
    from qa.runs import list_runs, runs_table

    if show_runs:
        click.echo(runs_table(list_runs(settings.resolve_home())))
    elif compare:
        _compare(settings, gold, report_dir, *compare)
    elif gold is None:
        raise click.UsageError("Name a gold set (JSON Lines), or use --list or --compare.")
    else:
        _evaluate(settings, gold, json_path, report_dir, mode)


def _evaluate(
    settings: Settings,
    gold: Path,
    json_path: Path | None,
    report_dir: Path | None,
    mode: str | None,
) -> None:
    from qa.chain import build_pipeline
    from qa.evaluation import run_eval
    from qa.goldset import load_gold_set
    from qa.reports import summary_table, write_json_file
    from qa.runs import copy_report, store_run

    if mode:
        settings = settings.model_copy(update={"mode": mode})
    items, warnings = load_gold_set(gold, settings.corpus)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    pipeline = build_pipeline(settings)  # without sync_corpus: the index stays as it is
    with click.progressbar(length=len(items), label="Evaluating", file=sys.stderr) as bar:
        report = run_eval(pipeline, items, settings.corpus, progress=lambda _d, _t: bar.update(1))
    data = report.to_dict()
    click.echo(summary_table(data))
    run = store_run(report, pipeline, gold)
    click.echo(f"Run stored as {run.id} (qa eval --list)")
    if json_path:
        write_json_file(data, json_path)
        click.echo(f"Figures and items written to {json_path}")
    if report_dir:
        html_path, csv_path = copy_report(run, report_dir)
        click.echo(f"Report written to {html_path} and {csv_path}")


def _compare(
    settings: Settings, gold: Path | None, report_dir: Path | None, first: str, second: str
) -> None:
    from qa.comparison import compare_runs, write_comparison
    from qa.runs import find_run

    home = settings.resolve_home()
    a, b = find_run(home, first), find_run(home, second)
    for run in (a, b):
        if gold is not None and not run.of_gold_set(gold):
            raise QAError(f"Run {run.id} did not grade {gold.name}.")
    comparison = compare_runs(a, b)
    click.echo(comparison.summary())
    path = write_comparison(comparison, report_dir or home / "comparisons" / f"{a.id}--{b.id}")
    click.echo(f"Comparison written to {path}")


@main.group()
def feedback() -> None:
    """Reader feedback collected by the app (thumbs up/down, notes, refused questions)."""


@feedback.command("export")
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: stdout).",
)
@click.pass_obj
@handle_errors
def export_feedback(settings: Settings, out: Any) -> None:
    """Write every feedback row as a gold-set JSONL stub for an editor to complete."""
    from qa.feedback import open_feedback_store, write_gold_stubs

    count = write_gold_stubs(open_feedback_store(settings).read_entries(), out)
    click.echo(f"{count} questions exported.", err=True)


class ProgressBar:
    """A click progress bar on stderr that sizes itself on the first update."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def update(self, done: int, total: int) -> None:
        """Entries embedded so far, of total."""
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Embedding", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

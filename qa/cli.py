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
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index and embed everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_obj
@handle_errors
def ingest(settings: Settings, path: Path | None, rebuild: bool, as_json: bool) -> None:
    """Index the corpus folder (default: the project's corpus/, or QA_CORPUS)."""
    from qa.embeddings import load_embedding_model
    from qa.indexing import ingest_corpus
    from qa.store import open_store, reset_store

    corpus = path or settings.corpus
    if rebuild:
        reset_store(settings)
    store = open_store(settings, load_embedding_model())
    with ProgressBar(enabled=not as_json) as bar:
        report = ingest_corpus(corpus, store, settings.chunk_chars, progress=bar.update)
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
        data = answer.to_dict()
        data.pop("passages")
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(answer.answer)
    for c in answer.citations:
        click.echo(f"\n[{c.n}] {c.title} ({c.source}, characters {c.start}–{c.end})")
        click.echo(f'    "{c.quote}"')
    if answer.refused and answer.passages:
        nearest = answer.passages[0]
        click.echo(f"\nNearest related passage — {nearest.title}:\n    {nearest.text}")


class ProgressBar:
    """A click progress bar on stderr that sizes itself on the first update."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

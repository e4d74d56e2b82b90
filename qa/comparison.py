"""Two stored eval runs side by side: headline figures, and the items that flipped between pass
and fail with both answers and their citations, so an editor sees what a change did."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.reports import FIGURES, format_figure, render_page
from qa.runs import StoredRun

COMPARE_FILE = "compare.html"


@dataclass(frozen=True)
class Flip:
    """An item graded in both runs whose outcome changed."""

    before: dict[str, Any]  # the item as run A graded it
    after: dict[str, Any]  # as run B did

    @property
    def fixed(self) -> bool:
        return bool(self.after["correct"])


@dataclass(frozen=True)
class Comparison:
    a: StoredRun
    b: StoredRun
    figures: tuple[tuple[str, float | None, float | None], ...]  # (label, run A, run B)
    flips: tuple[Flip, ...]  # in run B's order
    only_a: tuple[str, ...]  # item ids graded in one run only (the gold set changed)
    only_b: tuple[str, ...]
    same_gold: bool  # both runs graded the same gold file content (by sha256)

    def summary(self) -> str:
        """Plain text for the terminal: figures side by side, then the flipped items."""
        lines = [f"{'':26}{'A':>7}{'B':>8}{'change':>9}"]
        for label, before, after in self.figures:
            change = f"{after - before:+.3f}" if before is not None and after is not None else "—"
            lines.append(
                f"{label:26}{format_figure(before):>7}{format_figure(after):>8}{change:>9}"
            )
        lines.append(f"\n{len(self.flips)} item(s) flipped between pass and fail")
        for flip in self.flips:
            direction = "fail → pass" if flip.fixed else "pass → fail"
            lines.append(f"  {flip.after['id']:14} {direction}  {flip.after['question']}")
        if self.only_a or self.only_b:
            lines.append(f"Graded in one run only: A {len(self.only_a)}, B {len(self.only_b)}")
        return "\n".join(lines)


def compare_runs(a: StoredRun, b: StoredRun) -> Comparison:
    """Compare run A (before) with run B (after), item by item on their ids."""
    if a.folder == b.folder:
        raise QAError(f"Both sides are run {a.id}.", "Name two different runs.")
    data_a, data_b = a.read_data(), b.read_data()
    items_a = {i["id"]: i for i in data_a["items"]}
    items_b = {i["id"]: i for i in data_b["items"]}
    flips = tuple(
        Flip(items_a[key], item)
        for key, item in items_b.items()
        if key in items_a and {items_a[key]["correct"], item["correct"]} == {True, False}
    )
    return Comparison(
        a=a,
        b=b,
        figures=tuple((label, data_a.get(key), data_b.get(key)) for key, label, _ in FIGURES),
        flips=flips,
        only_a=tuple(k for k in items_a if k not in items_b),
        only_b=tuple(k for k in items_b if k not in items_a),
        same_gold=bool(a.meta) and a.meta.get("gold_sha256") == b.meta.get("gold_sha256"),
    )


def render_comparison(comparison: Comparison, *, page: bool = True) -> str:
    """The comparison as a self-contained HTML page, or (page=False) the fragment the editors'
    tab shows; every value escaped."""
    return render_page("compare.html" if page else "compare_body.html", c=comparison)


def write_comparison(comparison: Comparison, folder: Path) -> Path:
    """Write compare.html into folder (created if missing); returns its path."""
    path = folder / COMPARE_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(render_comparison(comparison), encoding="utf-8")
    except OSError as exc:
        raise QAError(f"Cannot write the comparison to {folder} ({exc.strerror}).") from exc
    return path

"""Chart geometry for the eval reports: pure numbers that templates draw as inline SVG.

The report must open offline under `Content-Security-Policy: default-src 'none'`, so it carries no
charting library: these functions place the bars and points, and the Jinja templates (autoescaped)
turn them into SVG elements. Each figure is a share in [0, 1], so the value axis is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Bar chart of the pass rate by question type: one row per type.
BAR_ROW = 22
BAR_LABEL = 110  # width of the type names left of the bars
BAR_WIDTH = 300  # a pass rate of 1.0
BAR_TOP = 6
# Trend chart: one column per stored run.
TREND_LEFT, TREND_TOP, TREND_HEIGHT = 40, 10, 160
TREND_STEP = 84  # between runs: room for a "12-02 14:52" label
TREND_BOTTOM = 46  # room for the run labels
# Colours of the trend's lines, in the order of the series drawn.
PALETTE = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#57606a")


@dataclass(frozen=True)
class Bar:
    label: str  # the question type
    passed: int
    graded: int  # items of the type that a figure grades (pass or fail)
    y: float
    width: float  # 0 when nothing was graded

    @property
    def share(self) -> float | None:
        return self.passed / self.graded if self.graded else None


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: float
    height: float
    label_width: float = BAR_LABEL
    full: float = BAR_WIDTH


def pass_rate_bars(items: Sequence[dict[str, Any]], types: Sequence[str]) -> BarChart:
    """One bar per type present: the share of its graded items that passed (an item's `correct`,
    the figure its type is about: an answer for answerable types, a refusal for unanswerable
    ones, the correction for false premises)."""
    bars = []
    for row, name in enumerate(types):
        outcomes = [i["correct"] for i in items if i["type"] == name and i["correct"] is not None]
        passed = sum(map(bool, outcomes))
        width = BAR_WIDTH * passed / len(outcomes) if outcomes else 0.0
        bars.append(Bar(name, passed, len(outcomes), BAR_TOP + row * BAR_ROW, width))
    height = BAR_TOP * 2 + BAR_ROW * len(types)
    return BarChart(tuple(bars), BAR_LABEL + BAR_WIDTH + 120, height)


@dataclass(frozen=True)
class Point:
    series: str  # a figure's key
    colour: str
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class TrendRun:
    """One stored run: its column, label and the points of the figures it has."""

    id: str
    label: str
    x: float
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Line:
    series: str
    label: str
    colour: str
    path: str  # SVG polyline points, "x,y x,y …"


@dataclass(frozen=True)
class TrendChart:
    runs: tuple[TrendRun, ...]
    lines: tuple[Line, ...]
    width: float
    height: float
    ticks: tuple[tuple[float, float], ...]  # (value, y) of the horizontal grid lines
    unplotted: int = 0  # runs of the same gold set stored without figures (older versions)
    left: float = TREND_LEFT
    top: float = TREND_TOP
    bottom: float = TREND_TOP + TREND_HEIGHT


def trend_chart(
    runs: Sequence[tuple[str, str, dict[str, Any]]],
    series: Sequence[tuple[str, str]],
    unplotted: int = 0,
) -> TrendChart:
    """The figures named by `series` (key, label) over runs given oldest first as (id, label,
    figures). A run that could not compute a figure (no item counted towards it) has no point for
    it, not a zero; the line joins the runs that have one."""
    coloured = [(key, label, PALETTE[n % len(PALETTE)]) for n, (key, label) in enumerate(series)]

    def y(value: float) -> float:
        return TREND_TOP + TREND_HEIGHT * (1 - value)

    columns = []
    for n, (run_id, label, figures) in enumerate(runs):
        x = TREND_LEFT + TREND_STEP / 2 + n * TREND_STEP
        points = tuple(
            Point(key, colour, float(figures[key]), x, y(float(figures[key])))
            for key, _, colour in coloured
            if isinstance(figures.get(key), int | float)
        )
        columns.append(TrendRun(run_id, label, x, points))
    lines = tuple(
        Line(key, label, colour, " ".join(f"{p.x:.1f},{p.y:.1f}" for p in drawn))
        for key, label, colour in coloured
        if (drawn := [p for c in columns for p in c.points if p.series == key])
    )
    ticks = tuple((v / 4, y(v / 4)) for v in range(5))
    width = TREND_LEFT + TREND_STEP * max(len(runs), 1) + 10
    height = TREND_TOP + TREND_HEIGHT + TREND_BOTTOM
    return TrendChart(tuple(columns), lines, width, height, ticks, unplotted=unplotted)

"""Bar charts for the printed documents, drawn on the server as SVG (the monthly report's
PDF has no JavaScript to run ECharts). This module lays the bars out;
`templates/reports/_chart.html` draws them, escaping every label.

Each chart compares a period with the previous one: per row a dark bar (this period) and a
light one (the previous period), both scaled to the largest count of the chart.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640  # px at 96 dpi: about the width of A4 between its margins
CURRENT_COLOUR = "#2b5797"
PREVIOUS_COLOUR = "#a9bfdf"
LABEL_CHARS = 12  # longer labels are cut, with an ellipsis


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor


@dataclass(frozen=True)
class Chart:
    """What `_chart.html` draws: a title, bars, texts (labels and values) and the legend."""

    title: str
    width: int
    height: int
    bars: list[Bar]
    texts: list[Text]
    legend: list[tuple[Bar, Text]]


@dataclass(frozen=True)
class Series:
    """One row of a chart: its label and its count in this period and the previous one."""

    label: str
    current: int
    previous: int


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _legend(names: tuple[str, str], y: float) -> list[tuple[Bar, Text]]:
    entries = []
    x = 0.0
    for name, colour in zip(names, (CURRENT_COLOUR, PREVIOUS_COLOUR), strict=True):
        entries.append((Bar(x, y, 10, 10, colour), Text(x + 14, y + 9, name)))
        x += 14 + 8 * len(name) + 24
    return entries


def bars(*, title: str, rows: Sequence[Series], names: tuple[str, str]) -> Chart:
    """Horizontal bars, one row per label (kinds, channels, categories, departments)."""
    label_width, value_width, row_height = 150, 40, 22
    top = 20
    room = WIDTH - label_width - value_width
    largest = max([1, *(max(r.current, r.previous) for r in rows)])
    drawn: list[Bar] = []
    texts: list[Text] = []
    for index, row in enumerate(rows):
        y = top + index * row_height
        texts.append(Text(label_width - 6, y + 14, _cut(row.label), "end"))
        for offset, count, colour in (
            (2, row.current, CURRENT_COLOUR),
            (11, row.previous, PREVIOUS_COLOUR),
        ):
            length = room * count / largest
            drawn.append(Bar(label_width, y + offset, max(length, 0.5), 8, colour))
        texts.append(Text(label_width + room * row.current / largest + 4, y + 10, str(row.current)))
    height = top + len(rows) * row_height + 4
    return Chart(title, WIDTH, height, drawn, texts, _legend(names, 2))


def columns(*, title: str, rows: Sequence[Series], names: tuple[str, str]) -> Chart:
    """Vertical columns along a period (cases per day); every fifth label is written."""
    left, right, top, plot_height, axis = 30, 16, 24, 140, 16
    room = WIDTH - left - right
    step = room / max(1, len(rows))
    largest = max([1, *(max(r.current, r.previous) for r in rows)])
    drawn: list[Bar] = []
    texts: list[Text] = [
        Text(left - 4, top + 8, str(largest), "end"),
        Text(left - 4, top + plot_height, "0", "end"),
    ]
    base = top + plot_height
    for index, row in enumerate(rows):
        x = left + index * step
        for offset, count, colour in (
            (0.15, row.previous, PREVIOUS_COLOUR),
            (0.45, row.current, CURRENT_COLOUR),
        ):
            height = plot_height * count / largest
            width = step * 0.4
            drawn.append(Bar(x + step * offset, base - height, width, max(height, 0.5), colour))
        if index % 5 == 0 or index == len(rows) - 1:
            texts.append(Text(x + step / 2, base + axis - 3, row.label, "middle"))
    return Chart(title, WIDTH, base + axis + 2, drawn, texts, _legend(names, 2))

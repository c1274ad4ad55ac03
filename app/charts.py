"""Chart geometry for the server-rendered SVG charts (``templates/components/charts.html``).

Pure layout: which rectangles, lines and texts a chart has and where, mirrored for
right-to-left; the macros only draw what these functions return. Horizontal positions are
percentages of the chart's width (the SVG has no viewBox, so it takes the page's width while
its text keeps the page's size); vertical positions are pixels. Row labels stack above their
bars, wrapped to fit a phone of 320 px, so no chart needs a second layout for small screens.

A template has no imports, so the macros reach these functions through the rows they are
given: every row type carries its chart's ``layout`` function as a static method.
"""

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil

from babel.numbers import format_decimal, format_percent

from app.i18n import current_locale
from app.suppression import Figure

LABEL_LINE = 20  # px per line of a row label (16 px text)
LABEL_CHARS = 30  # characters per label line: fits 288 px (a 320 px phone less margins)
LABEL_LINES = 4  # at most; a longer label ends in "…" (the table has it in full)
BAR = 22  # px, the bar of a distribution or diverging row
SERIES_BAR = 16  # px, one series' bar in a comparison row
SERIES_GAP = 4
ROW_GAP = 14
AXIS = 24  # px above a comparison chart for the tick labels
TRACK = 85.0  # % of the width bars may take; the rest keeps room for the value after a bar
VALUE_GAP = 6  # px between a bar's end and its value
# Of a comparison scale's width: the room a value's label takes after its bar. A grid line
# there is left out of that bar's band, so it never runs through the figure ("2|,9").
LABEL_ROOM = 0.12
INSIDE_MIN = 9.0  # % of the width a diverging segment needs to carry its value inside


@dataclass(frozen=True)
class Paint:
    """How a kind of shape is drawn: SVG presentation attributes (no CSS: WeasyPrint)."""

    fill: str  # a colour, or "pattern:<name>" for one of the chart's patterns
    stroke: str = "none"
    text: str | None = None  # colour of a value drawn on this fill (diverging segments)
    dash: str = ""


INK = "#1b1b1b"
MUTED_INK = "#4a4a4a"
WHITE = "#ffffff"

# Every fill or its outline keeps 3:1 against white (graphics), every text 4.5:1 against
# what it stands on (tests/test_charts.py checks). Series and points differ in pattern or
# lightness too, so they survive a black-and-white print.
PAINTS: dict[str, Paint] = {
    "bar": Paint("#0b5c8a"),
    "muted": Paint("#e5e7eb", stroke=MUTED_INK, dash="4 3"),
    "point-1": Paint("#8c2d04", text=WHITE),
    "point-2": Paint("#f6c49f", stroke="#8c2d04", text=INK),
    "point-3": Paint("#e5e7eb", stroke=MUTED_INK, text=INK),
    "point-4": Paint("#b3d4ea", stroke="#0b4f7a", text=INK),
    "point-5": Paint("#0b4f7a", text=WHITE),
    "hidden": Paint("pattern:hidden", stroke=MUTED_INK),
    "series-0": Paint("#0b5c8a"),
    "series-1": Paint("pattern:hatch", stroke="#8c2d04"),
    "series-2": Paint("pattern:dots", stroke=INK),
    "series-3": Paint(WHITE, stroke=INK),
    "axis": Paint("none", stroke=INK),
    "grid": Paint("none", stroke="#767676", dash="2 3"),
    "centre": Paint("none", stroke=INK),
}
SERIES_PAINTS = 4


@dataclass(frozen=True)
class Rect:
    x: float  # % of the chart's width, from the left
    y: float  # px
    width: float  # % of the chart's width
    height: float  # px
    paint: str


@dataclass(frozen=True)
class Line:
    x: float  # % (vertical lines only)
    y1: float
    y2: float
    paint: str


@dataclass(frozen=True)
class Text:
    x: float  # %
    y: float  # px, the baseline
    text: str
    anchor: str = "start"  # logical: with the chart's direction, "start" is right in RTL
    dx: float = 0  # px, physical (already mirrored)
    kind: str = "label"  # label | value | note | tick
    fill: str = INK


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str | None, ...]  # formatted; None = too few responses
    small: tuple[bool, ...] = ()  # per cell: a small number, shown to a beheerder only


@dataclass(frozen=True)
class Layout:
    height: float
    direction: str  # "ltr" | "rtl"
    rects: tuple[Rect, ...] = ()
    lines: tuple[Line, ...] = ()
    texts: tuple[Text, ...] = ()
    table: tuple[TableRow, ...] = ()
    patterns: tuple[str, ...] = ()  # names of the patterns its paints use
    paints: dict[str, Paint] = field(default_factory=lambda: PAINTS)


def format_share(value: float | None) -> str:
    """A percentage (0-100) in the request's locale; a dash without a base."""
    if value is None:
        return "\u2013"
    return str(format_percent(value / 100, locale=current_locale()))


def format_mean(value: float) -> str:
    return str(format_decimal(value, format="0.0", locale=current_locale()))


def wrap_label(label: str) -> list[str]:
    """A row label in lines of at most ``LABEL_CHARS``, at most ``LABEL_LINES`` of them."""
    lines = textwrap.wrap(" ".join(label.split()), LABEL_CHARS) or [""]
    if len(lines) > LABEL_LINES:
        lines = [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][: LABEL_CHARS - 1] + "…"]
    return lines


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class _Canvas:
    """Collects shapes in left-to-right terms and mirrors them for right-to-left."""

    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl
        self.rects: list[Rect] = []
        self.lines: list[Line] = []
        self.texts: list[Text] = []

    def rect(self, x: float, y: float, width: float, height: float, paint: str) -> None:
        x, width = round(x, 2), round(max(width, 0.0), 2)
        if self.rtl:
            x = round(100 - x - width, 2)
        self.rects.append(Rect(x, y, width, height, paint))

    def line(self, x: float, y1: float, y2: float, paint: str) -> None:
        self.lines.append(Line(round(100 - x if self.rtl else x, 2), y1, y2, paint))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        dx: float = 0,
        kind: str = "label",
        fill: str = INK,
    ) -> None:
        x = round(100 - x if self.rtl else x, 2)
        self.texts.append(Text(x, y, text, anchor, -dx if self.rtl else dx, kind, fill))

    def label(self, y: float, label: str) -> float:
        """Draw a row label above its bar; returns the y below it."""
        for line in wrap_label(label):
            y += LABEL_LINE
            self.text(0, y - 5, line)
        return y + 4

    def layout(self, height: float, table: list[TableRow], patterns: Sequence[str]) -> Layout:
        return Layout(
            height=height,
            direction="rtl" if self.rtl else "ltr",
            rects=tuple(self.rects),
            lines=tuple(self.lines),
            texts=tuple(self.texts),
            table=tuple(table),
            patterns=tuple(patterns),
        )


def bar_width(percent: float | None) -> float:
    """Width (% of the chart) of a bar for ``percent`` (0-100, clamped) of its base."""
    return round(clamp(percent or 0, 0, 100) * TRACK / 100, 2)


def distribution_layout(rows: Sequence["Bar"], *, rtl: bool, too_few: str) -> Layout:
    """Horizontal bars of percentages, a suppressed row saying ``too_few`` instead."""
    canvas = _Canvas(rtl)
    table: list[TableRow] = []
    y = 0.0
    for row in rows:
        y = canvas.label(y, row.label)
        figure = row.figure
        if figure.suppressed:
            canvas.text(0, y + 16, too_few, kind="note", fill=MUTED_INK)
            table.append(TableRow(row.label, (None, None)))
        else:
            width = bar_width(figure.percent)
            canvas.line(0, y - 2, y + BAR + 2, "axis")
            canvas.rect(0, y, width, BAR, "muted" if row.muted else "bar")
            canvas.text(width, y + 16, format_share(figure.percent), dx=VALUE_GAP, kind="value")
            shown = (str(figure.count), format_share(figure.percent))
            table.append(TableRow(row.label, shown, (figure.small, figure.small)))
        y += BAR + ROW_GAP
    return canvas.layout(y, table, ())


def diverging_extent(row: "Diverging") -> float:
    """The larger side of a row's bar, from the middle, in percent of answered."""
    percents = [f.percent or 0 for f in row.figures]
    if len(percents) != 5:
        return 0.0
    middle = percents[2] / 2
    return max(sum(percents[:2]) + middle, middle + sum(percents[3:]))


def diverging_segments(row: "Diverging") -> list[tuple[float, float, str, str | None]] | None:
    """A row's segments as (start, width, paint, value) in percent of answered, from the
    middle (0) outwards: negative is disagree. None when the bar cannot be drawn honestly.

    The neutral point is split across the middle. Suppressed points can be drawn only as
    one "hidden" segment, when they are next to each other at one end of the scale (1-2 or
    4-5): then every shown segment keeps its true place, and the hidden segment shows only
    their sum, which the shown figures give away anyway. Otherwise (hidden points on both
    sides, or the middle one) the row is not drawn.
    """
    if row.answered.suppressed or not row.answered.count or len(row.figures) != 5:
        return None
    hidden = [i for i, figure in enumerate(row.figures) if figure.suppressed]
    percents = [float(f.percent or 0) for f in row.figures]
    paints = [f"point-{i + 1}" for i in range(5)]
    values: list[str | None] = [format_share(f.percent) for f in row.figures]
    if hidden:
        if hidden not in ([0], [0, 1], [1], [3], [4], [3, 4]):
            return None
        rest = max(0.0, 100 - sum(p for i, p in enumerate(percents) if i not in hidden))
        first = hidden[0]
        percents = [p for i, p in enumerate(percents) if i not in hidden]
        percents.insert(first, rest)
        values = [v for i, v in enumerate(values) if i not in hidden]
        values.insert(first, None)
        paints = [p for i, p in enumerate(paints) if i not in hidden]
        paints.insert(first, "hidden")
    neutral = paints.index("point-3")
    start = -sum(percents[:neutral]) - percents[neutral] / 2
    segments = []
    for percent, paint, value in zip(percents, paints, values, strict=True):
        segments.append((start, percent, paint, value))
        start += percent
    return segments


def diverging_domain(rows: Sequence["Diverging"]) -> float:
    """Percent of answered that half the chart's width stands for: the largest side of any
    row, rounded up to ten, so all rows share one scale and the widest fills its half."""
    largest = max((diverging_extent(row) for row in rows), default=0.0)
    return float(clamp(ceil(largest / 10) * 10, 10, 100))


def diverging_layout(
    rows: Sequence["Diverging"], *, rtl: bool, too_few: str, no_answers: str
) -> Layout:
    """One stacked bar per agree statement, centred on the neutral middle point."""
    canvas = _Canvas(rtl)
    domain = diverging_domain(rows)
    scale = 50 / domain  # % of the width per percent of answered
    table: list[TableRow] = []
    y = 0.0
    for row in rows:
        y = canvas.label(y, row.label)
        segments = diverging_segments(row)
        if segments is None:
            note = no_answers if row.answered.count == 0 else too_few
            canvas.text(0, y + 16, note, kind="note", fill=MUTED_INK)
        else:
            for start, percent, paint, value in segments:
                x, width = 50 + start * scale, percent * scale
                canvas.rect(x, y, width, BAR, paint)
                fill = PAINTS[paint].text
                if value is not None and fill is not None and width >= INSIDE_MIN:
                    canvas.text(
                        x + width / 2, y + 16, value, anchor="middle", kind="value", fill=fill
                    )
            canvas.line(50, y - 4, y + BAR + 4, "centre")
        cells = [None if f.suppressed else format_share(f.percent) for f in row.figures]
        answered = row.answered
        cells.append(None if answered.suppressed else str(answered.count))
        small = [f.small for f in row.figures] + [answered.small]
        table.append(TableRow(row.label, tuple(cells), tuple(small)))
        y += BAR + ROW_GAP
    return canvas.layout(y, table, ("hidden",))


def comparison_position(value: float, minimum: float, maximum: float) -> float:
    """Where ``value`` (clamped to the scale) lies, in % of the chart's width."""
    if maximum <= minimum:
        return 0.0
    return round((clamp(value, minimum, maximum) - minimum) / (maximum - minimum) * TRACK, 2)


def comparison_layout(
    rows: Sequence["Compared"],
    *,
    rtl: bool,
    too_few: str,
    minimum: float = 1,
    maximum: float = 5,
) -> Layout:
    """Per row one bar per series, from the scale's minimum to its mean, with tick labels."""
    canvas = _Canvas(rtl)
    ticks = [float(t) for t in range(ceil(minimum), int(maximum) + 1)]
    for tick in ticks:
        x = comparison_position(tick, minimum, maximum)
        anchor = "start" if x == 0 else "middle"
        label = str(format_decimal(tick, locale=current_locale()))
        canvas.text(x, AXIS - 8, label, anchor=anchor, kind="tick")
    table: list[TableRow] = []
    y = float(AXIS)
    for row in rows:
        y = canvas.label(y, row.label)
        top = y
        labelled: list[tuple[float, float]] = []  # (band top, value) of each drawn bar
        for index, value in enumerate(row.values):
            if value is None:
                canvas.text(0, y + 13, too_few, kind="note", fill=MUTED_INK)
            else:
                width = comparison_position(value, minimum, maximum)
                canvas.rect(0, y, width, SERIES_BAR, f"series-{index % SERIES_PAINTS}")
                canvas.text(width, y + 13, format_mean(value), dx=VALUE_GAP, kind="value")
                labelled.append((y, value))
            y += SERIES_BAR + SERIES_GAP
        canvas.line(0, top - 2, y - SERIES_GAP + 2, "axis")
        for tick in ticks[1:]:
            x = comparison_position(tick, minimum, maximum)
            start = top - 2
            for band, value in labelled:
                if 0 < (tick - value) / (maximum - minimum) < LABEL_ROOM:
                    canvas.line(x, start, band, "grid")
                    start = band + SERIES_BAR
            canvas.line(x, start, y, "grid")
        cells = tuple(None if v is None else format_mean(v) for v in row.values)
        table.append(TableRow(row.label, cells))
        y += ROW_GAP - SERIES_GAP
    return canvas.layout(y, table, ("hatch", "dots"))


@dataclass(frozen=True)
class Bar:
    """One answer option of a distribution: its share of the responses."""

    label: str
    figure: Figure
    muted: bool = False  # an opt-out ("Weet ik niet"), drawn in a neutral style

    layout = staticmethod(distribution_layout)


@dataclass(frozen=True)
class Diverging:
    """One agree statement: the five points in order 1..5, percent of ``answered``."""

    label: str
    figures: list[Figure]
    answered: Figure

    layout = staticmethod(diverging_layout)


@dataclass(frozen=True)
class Compared:
    """One row of means, one value per series (None: too few responses)."""

    label: str
    values: list[float | None]

    layout = staticmethod(comparison_layout)

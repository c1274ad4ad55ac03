"""Charts: the geometry of app/charts.py as tables, and the macros rendered and parsed."""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import pairwise

import pytest

from app import charts, i18n
from app.charts import Bar, Compared, Diverging, Layout
from app.suppression import HIDDEN, Figure, breakdown, single
from app.templating import environment

TOO_FEW = "too few responses"
SCALE = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]


def statement(label: str, counts: Sequence[int], *, exact: bool = False) -> Diverging:
    total = sum(counts)
    return Diverging(
        label,
        breakdown(counts, total, threshold=5, exact=exact),
        single(total, total, threshold=5, exact=exact),
    )


def shown(percents: Sequence[int]) -> Diverging:
    figures = [Figure(p, p) for p in percents]
    return Diverging("s", figures, Figure(100, 100))


# Geometry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "width"),
    [(0, 0), (None, 0), (50, 42.5), (100, 85), (150, 85), (-5, 0), (33, 28.05)],
)
def test_bar_width_is_a_share_of_the_track_clamped(percent: int | None, width: float) -> None:
    assert charts.bar_width(percent) == width


@pytest.mark.parametrize(
    ("value", "minimum", "maximum", "position"),
    [
        (1, 1, 5, 0),
        (3, 1, 5, 42.5),
        (5, 1, 5, 85),
        (0, 1, 5, 0),  # below the scale: clamped
        (7.5, 1, 5, 85),  # above: clamped
        (5, 0, 10, 42.5),
        (3, 3, 3, 0),  # no scale at all
    ],
)
def test_comparison_position_is_clamped_to_the_scale(
    value: float, minimum: float, maximum: float, position: float
) -> None:
    assert charts.comparison_position(value, minimum, maximum) == position


@pytest.mark.parametrize(
    "percents",
    [[10, 20, 30, 25, 15], [0, 0, 100, 0, 0], [100, 0, 0, 0, 0], [0, 0, 0, 0, 100], [20] * 5],
)
def test_diverging_segments_adjoin_and_centre_on_the_neutral_point(percents: list[int]) -> None:
    segments = charts.diverging_segments(shown(percents))
    assert segments is not None
    assert [paint for _, _, paint, _ in segments] == [f"point-{i}" for i in range(1, 6)]
    for (start, width, _, _), (next_start, _, _, _) in pairwise(segments):
        assert start + width == pytest.approx(next_start)
    neutral_start, neutral_width, _, _ = segments[2]
    assert neutral_start == pytest.approx(-neutral_width / 2)
    assert segments[0][0] == pytest.approx(-(percents[0] + percents[1] + percents[2] / 2))
    end = segments[-1][0] + segments[-1][1]
    assert end == pytest.approx(percents[2] / 2 + percents[3] + percents[4])


@pytest.mark.parametrize(
    ("counts", "paints"),
    [
        # 2 and 3 hidden (small), next to each other at the disagree end: one hidden segment
        ([2, 3, 10, 40, 45], ["hidden", "point-3", "point-4", "point-5"]),
        ([40, 45, 10, 3, 2], ["point-1", "point-2", "point-3", "hidden"]),
        ([0, 20, 30, 30, 20], ["point-1", "point-2", "point-3", "point-4", "point-5"]),
        ([2, 20, 30, 30, 3], None),  # hidden on both sides: the middle is unknown
        ([20, 20, 2, 30, 30], None),  # the middle point itself hidden (and its complement)
    ],
)
def test_diverging_draws_suppressed_points_only_where_the_bar_stays_true(
    counts: list[int], paints: list[str] | None
) -> None:
    segments = charts.diverging_segments(statement("s", counts))
    if paints is None:
        assert segments is None
        return
    assert segments is not None
    assert [paint for _, _, paint, _ in segments] == paints
    hidden = [(start, width) for start, width, paint, _ in segments if paint == "hidden"]
    figures = statement("s", counts).figures
    assert sum(width for _, width, _, _ in segments) == pytest.approx(100, abs=2)
    if hidden:
        shown_total = sum(f.percent or 0 for f in figures if not f.suppressed)
        assert hidden[0][1] == pytest.approx(100 - shown_total)


@pytest.mark.parametrize(
    ("row", "drawn"),
    [
        (statement("few", [1, 1, 0, 1, 0]), False),  # answered itself is small
        (statement("none", [0, 0, 0, 0, 0]), False),  # zero answered
        (statement("few, beheerder", [1, 1, 0, 1, 0], exact=True), True),
        (Diverging("wrong length", [Figure(5, 50), Figure(5, 50)], Figure(10, 100)), False),
    ],
)
def test_diverging_rows_without_an_honest_bar_say_so(row: Diverging, drawn: bool) -> None:
    assert (charts.diverging_segments(row) is not None) is drawn
    layout = charts.diverging_layout([row], rtl=False, too_few="few", no_answers="none")
    assert bool(layout.rects) is drawn
    notes = [t.text for t in layout.texts if t.kind == "note"]
    expected = [] if drawn else ["none" if row.answered.count == 0 else "few"]
    assert notes == expected


@pytest.mark.parametrize(
    ("extents", "domain"),
    [([0], 10.0), ([37], 40.0), ([40], 40.0), ([41, 12], 50.0), ([100], 100.0), ([], 10.0)],
)
def test_diverging_domain_is_the_widest_side_rounded_up_to_ten(
    extents: list[int], domain: float
) -> None:
    # a row with all its answers on point 5 has an extent of exactly that percent
    rows = [shown([0, 0, 0, 0, extent]) for extent in extents]
    assert charts.diverging_domain(rows) == domain


def test_distribution_suppressed_row_has_a_note_and_no_bar() -> None:
    rows = [Bar("a", Figure(10, 50)), Bar("b", HIDDEN), Bar("c", Figure(10, 50), muted=True)]
    layout = charts.distribution_layout(rows, rtl=False, too_few="few")
    assert [r.paint for r in layout.rects] == ["bar", "muted"]
    assert [t.text for t in layout.texts if t.kind == "note"] == ["few"]
    assert [row.cells for row in layout.table] == [("10", "50%"), (None, None), ("10", "50%")]
    # the suppressed row's note sits between the bars of its neighbours
    note = next(t for t in layout.texts if t.kind == "note")
    assert layout.rects[0].y < note.y < layout.rects[1].y


def test_comparison_draws_one_bar_per_shown_value() -> None:
    rows = [Compared("a", [3.0, None, 5.0]), Compared("b", [None, None, None])]
    layout = charts.comparison_layout(rows, rtl=False, too_few="few")
    assert [r.paint for r in layout.rects] == ["series-0", "series-2"]
    assert [r.width for r in layout.rects] == [42.5, 85.0]
    assert len([t for t in layout.texts if t.kind == "note"]) == 4
    assert [t.text for t in layout.texts if t.kind == "tick"] == ["1", "2", "3", "4", "5"]
    assert layout.table[1].cells == (None, None, None)


def test_a_grid_line_never_runs_through_a_value() -> None:
    """2,9 stands just before the grid line of 3: the line leaves out that bar's band."""
    layout = charts.comparison_layout([Compared("a", [2.9, 3.0, 4.0])], rtl=False, too_few="few")
    at_three = charts.comparison_position(3, 1, 5)
    segments = [(line.y1, line.y2) for line in layout.lines if line.x == at_three]
    first, second, third = layout.rects
    assert len(segments) == 2  # above and below the first bar's band
    for y1, y2 in segments:
        assert y2 <= first.y or y1 >= first.y + first.height
    # 3,0 and 4,0 stand after their own bars, clear of a line at 3: their bands keep it
    assert any(y1 <= second.y and y2 >= third.y + third.height for y1, y2 in segments)
    at_four = charts.comparison_position(4, 1, 5)
    assert len([line for line in layout.lines if line.x == at_four]) == 1  # untouched


def layouts(rtl: bool) -> list[Layout]:
    return [
        charts.distribution_layout(
            [Bar("a", Figure(10, 30)), Bar("b", HIDDEN)], rtl=rtl, too_few="few"
        ),
        charts.diverging_layout(
            [statement("s", [5, 10, 20, 40, 25]), statement("t", [2, 3, 10, 40, 45])],
            rtl=rtl,
            too_few="few",
            no_answers="none",
        ),
        charts.comparison_layout([Compared("a", [3.8, None, 1.0])], rtl=rtl, too_few="few"),
    ]


def test_right_to_left_mirrors_every_shape() -> None:
    for ltr, rtl in zip(layouts(False), layouts(True), strict=True):
        assert (ltr.direction, rtl.direction) == ("ltr", "rtl")
        assert ltr.height == rtl.height
        assert ltr.table == rtl.table
        for left, right in zip(ltr.rects, rtl.rects, strict=True):
            assert right.x == pytest.approx(100 - left.x - left.width)
            assert (right.width, right.y, right.paint) == (left.width, left.y, left.paint)
        for left_line, right_line in zip(ltr.lines, rtl.lines, strict=True):
            assert right_line.x == pytest.approx(100 - left_line.x)
        for left_text, right_text in zip(ltr.texts, rtl.texts, strict=True):
            assert right_text.x == pytest.approx(100 - left_text.x)
            assert right_text.dx == -left_text.dx
            # anchors are logical: with direction rtl, "start" is the right-hand side
            assert right_text.anchor == left_text.anchor


def test_bars_grow_from_the_right_in_right_to_left() -> None:
    layout = charts.distribution_layout([Bar("a", Figure(10, 40))], rtl=True, too_few="few")
    (bar,) = layout.rects
    assert bar.x + bar.width == pytest.approx(100)
    label = next(t for t in layout.texts if t.kind == "label")
    assert (label.x, label.anchor) == (100, "start")


def test_long_labels_wrap_to_fit_a_phone() -> None:
    lines = charts.wrap_label("woord " * 40)
    assert len(lines) == charts.LABEL_LINES
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)
    assert lines[-1].endswith("…")
    assert charts.wrap_label("  kort\n label ") == ["kort label"]
    assert charts.wrap_label("") == [""]


@pytest.mark.parametrize(
    ("locale", "share", "mean"), [("nl", "43%", "3,8"), ("en", "43%", "3.8"), ("tr", "%43", "3,8")]
)
def test_numbers_follow_the_locale(locale: str, share: str, mean: str) -> None:
    with i18n.use_locale(locale):
        assert charts.format_share(43) == share
        assert charts.format_mean(3.8) == mean
        assert charts.format_share(None) == "\u2013"


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", sorted(charts.PAINTS))
def test_every_paint_stands_out_from_the_page_and_carries_its_text(name: str) -> None:
    paint = charts.PAINTS[name]
    edges = [c for c in (paint.fill, paint.stroke) if c.startswith("#")]
    assert max(contrast(c, charts.WHITE) for c in edges) >= 3  # WCAG 1.4.11
    if paint.text is not None:
        assert contrast(paint.text, paint.fill) >= 4.5  # a value drawn on the fill


# Rendering ------------------------------------------------------------------------------

HARNESS = """{% from "components/charts.html" import distribution, diverging, comparison
   with context %}<root>{{ chart(*args) }}</root>"""


def render(macro: str, *args: object, locale: str = "nl") -> ET.Element:
    """A macro's output, parsed: it is well-formed XML apart from the HTML around it."""
    template = environment.from_string(HARNESS.replace("chart(", macro + "("))
    with i18n.use_locale(locale):
        html = template.render(language=i18n.LANGUAGES[locale], _=i18n.gettext, args=args)
    return ET.fromstring(html)  # noqa: S314 (our own template's output, not input)


def svg_of(root: ET.Element) -> ET.Element:
    (svg,) = [element for element in root.iter("svg") if element.get("role") == "img"]
    return svg


def table_rows(root: ET.Element) -> list[list[str]]:
    body = root.find(".//table/tbody")
    assert body is not None
    return [["".join(cell.itertext()).strip() for cell in row] for row in body]


def test_distribution_renders_title_description_and_table() -> None:
    rows = [Bar("Tevreden", Figure(12, 60)), Bar("Ontevreden", HIDDEN), Bar("Geen", Figure(0, 0))]
    root = render("distribution", "c1", "Hoe tevreden?", "Procent van 20.", rows)
    figure = root.find("figure")
    assert figure is not None
    assert figure.get("id") == "c1"
    caption = figure.find("figcaption")
    assert caption is not None
    assert caption.text == "Hoe tevreden?"
    svg = svg_of(root)
    assert svg.get("role") == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title is not None
    assert desc is not None
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby") == desc.get("id")
    assert title.text == "Hoe tevreden?"
    assert desc.text is not None
    assert "Procent van 20." in desc.text
    too_few = i18n.gettext(TOO_FEW)
    assert table_rows(root) == [
        ["Tevreden", "12", "60%"],
        ["Ontevreden", too_few, too_few],
        ["Geen", "0", "0%"],
    ]
    # two bars (the zero one has no width), none for the suppressed row, which says so
    widths = [rect.get("width") for rect in svg.findall("rect")]
    assert widths == ["51.0%", "0.0%"]
    assert too_few in [text.text for text in svg.iter("text")]


def test_a_small_number_is_marked_for_the_beheerder() -> None:
    rows = [Bar("Weinig", Figure(2, 10, small=True)), Bar("Veel", Figure(18, 90))]
    root = render("distribution", "c1", "t", "d", rows)
    tags = [row for row in root.iter("tr") if row.find(".//span[@class='tag']") is not None]
    assert len(tags) == 1


def test_arabic_charts_are_mirrored() -> None:
    rows = [Bar("نعم", Figure(30, 75))]
    ltr_svg = svg_of(render("distribution", "c1", "t", "d", rows, locale="nl"))
    rtl_svg = svg_of(render("distribution", "c1", "t", "d", rows, locale="ar"))
    assert (ltr_svg.get("direction"), rtl_svg.get("direction")) == ("ltr", "rtl")
    rect = rtl_svg.findall("rect")[0]
    x, width = (float(rect.get(a, "").rstrip("%")) for a in ("x", "width"))
    assert x + width == pytest.approx(100)
    assert float(ltr_svg.findall("rect")[0].get("x", "").rstrip("%")) == 0
    assert {text.get("direction") for text in rtl_svg.iter("text")} == {"rtl"}


def test_labels_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    root = render("distribution", "c1", evil, evil, [Bar(evil, Figure(10, 10))])
    assert not list(root.iter("script"))
    texts = "".join(root.itertext())
    assert evil in texts  # shown as text, in the svg and the table


def test_diverging_renders_legend_bars_and_suppressed_rows() -> None:
    rows = [statement("Veilig", [5, 10, 20, 40, 25]), statement("Weinig", [1, 1, 0, 1, 0])]
    root = render("diverging", "c2", "Stellingen", "d", rows, SCALE)
    legend = root.find(".//ul[@class='chart-legend']")
    assert legend is not None
    assert ["".join(item.itertext()).strip() for item in legend] == SCALE
    svg = svg_of(root)
    assert len(list(svg.findall("rect"))) == 5  # the suppressed statement has none
    head = root.find(".//table/thead/tr")
    assert head is not None
    assert len(head) == 7  # statement, five points, answered
    too_few = i18n.gettext(TOO_FEW)
    assert table_rows(root) == [
        ["Veilig", "5%", "10%", "20%", "40%", "25%", "100"],
        ["Weinig", too_few, too_few, "0%", too_few, "0%", too_few],
    ]


def test_comparison_renders_series_and_too_few() -> None:
    rows = [Compared("Veiligheid", [3.84, None, 3.6])]
    root = render("comparison", "c3", "Gemiddelden", "d", rows, ["Buurt", "Focus", "Gemeente"])
    svg = svg_of(root)
    assert [rect.get("class") for rect in svg.findall("rect")] == [
        "chart-series-0",
        "chart-series-2",
    ]
    assert table_rows(root) == [["Veiligheid", "3,8", i18n.gettext(TOO_FEW), "3,6"]]
    legend = root.find(".//ul[@class='chart-legend']")
    assert legend is not None
    assert len(legend) == 3


@pytest.mark.parametrize("macro", ["distribution", "comparison"])
def test_no_rows_renders_a_caption_and_no_chart(macro: str) -> None:
    args: tuple[object, ...] = ("c4", "Leeg", "d", [])
    if macro == "comparison":
        args = (*args, ["Buurt"])
    root = render(macro, *args)
    assert root.find(".//figcaption") is not None
    assert not [e for e in root.iter("svg") if e.get("role")]
    assert root.find(".//table") is None

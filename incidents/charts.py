"""Geometry of the server-rendered charts (inline SVG, no JavaScript).

The templates draw what these functions measure: positions are in the SVG's own
units (its viewBox), so the chart scales with the page and stays sharp in print.
"""

import datetime
import math
from dataclasses import dataclass, field

# The casualty chart: one row per figure, a bar from its low to its high end.
WIDTH = 480
PLOT_LEFT = 8
PLOT_RIGHT = 440  # an open-ended bar runs on to WIDTH - 4, past the last tick
ROW_HEIGHT = 40
TOP = 6
AXIS_HEIGHT = 30
CAPTION_LIMIT = 66  # characters of "source · as said" that fit one line at the chart's size


def nice_step(value):
    """The smallest of 1, 2, 5 times a power of ten that is at least ``value`` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def figure_words(figure):
    """The numbers a figure stands for, in words: “23 or more”, “about 250”, “10 to 20”."""
    low, high = figure.min_count, figure.max_count
    about = "about " if figure.approximate else ""
    if low is None and high is None:
        return "not quantified"
    if high is None:
        return f"{about}{low} or more"
    if low is None:
        return f"{about}up to {high}"
    if low == high:
        return f"{about}{low}"
    return f"{about}{low} to {high}"


def range_words(rng):
    """A reported range in figures: “23–50”, “200+”, “250”; “not quantified” without numbers."""
    if rng.min is None and rng.max is None:
        return "not quantified"
    single = rng.min == rng.max or rng.max is None or rng.min is None
    text = str(rng.max if rng.min is None else rng.min) if single else f"{rng.min}–{rng.max}"
    return text + ("+" if rng.open_ended else "")


def _truncate(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class ChartRow:
    name: str
    quote: str
    full_name: str
    as_said: str
    words: str
    y: float
    x1: float | None = None
    x2: float | None = None
    open_ended: bool = False
    point: bool = False
    approximate: bool = False
    label: str = ""
    label_x: float = 0
    label_anchor: str = "start"
    label_inside: bool = False

    @property
    def text_y(self):
        return self.y + 13

    @property
    def bar_y(self):
        return self.y + 19

    @property
    def bar_mid(self):
        return self.y + 25

    @property
    def width(self):
        return (self.x2 or 0) - (self.x1 or 0)


@dataclass
class RangeChart:
    """One casualty category: each figure as a bar on one shared axis."""

    quantified: bool
    title: str
    description: str
    height: float
    axis_y: float
    ticks: list = field(default_factory=list)
    band: tuple | None = None
    rows: list = field(default_factory=list)
    width: int = WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    open_right: int = WIDTH - 4


def range_chart(rng):
    """Lay out one category's figures (a ``competing.Range``) as bars on one axis.

    An exact figure is a short tick, a range a bar, an open-ended figure (“at least
    23”) a bar that runs on past the axis's end with an arrow. Figures without a
    number are listed with “not quantified” and no bar.
    """
    figures = [row.figure for row in rng.rows]
    values = [v for f in figures for v in (f.min_count, f.max_count) if v is not None]
    top_value = max(values, default=0)
    if any(f.max_count is None and f.min_count is not None for f in figures):
        # Leave room to the right of the highest open-ended start.
        top_value = top_value * 1.15
    step = nice_step(top_value / 4)
    axis_max = step * max(1, math.ceil(top_value / step))
    span = PLOT_RIGHT - PLOT_LEFT

    def x(value):
        return round(PLOT_LEFT + span * value / axis_max, 1)

    rows = []
    for i, fig_row in enumerate(rng.rows):
        figure = fig_row.figure
        source = fig_row.claim.source
        full_name = source.public_name
        name = _truncate(full_name, CAPTION_LIMIT - 12)
        row = ChartRow(
            name=name,
            quote=_truncate(figure.as_said, max(CAPTION_LIMIT - len(name) - 5, 8)),
            full_name=full_name,
            as_said=figure.as_said,
            words=figure_words(figure),
            y=TOP + i * ROW_HEIGHT,
            approximate=figure.approximate,
        )
        low, high = figure.low, figure.high
        if low is not None:
            row.x1 = x(low)
            if figure.max_count is None and figure.min_count is not None:
                row.open_ended = True
                row.x2 = WIDTH - 4
                row.label = ("~" if figure.approximate else "") + f"{low}+"
            else:
                row.x2 = x(high)
                row.point = low == high
                about = "~" if figure.approximate else ""
                row.label = f"{about}{low}" if low == high else f"{about}{low}–{high}"
            if not row.open_ended and row.x2 <= PLOT_RIGHT - 40:
                row.label_x, row.label_anchor = row.x2 + 6, "start"
            elif row.x1 - PLOT_LEFT >= 40:
                row.label_x, row.label_anchor = row.x1 - 6, "end"
            else:
                row.label_x, row.label_anchor, row.label_inside = row.x1 + 4, "start", True
        rows.append(row)

    ticks = [(x(value), str(value)) for value in range(0, axis_max + 1, step)]

    band = None
    if rng.min is not None and rng.max is not None:
        band = (x(rng.min), (WIDTH - 4) if rng.open_ended else x(rng.max))

    axis_y = TOP + len(rows) * ROW_HEIGHT + 4
    name = rng.category.name
    described = "; ".join(f"{r.full_name}: {r.as_said} ({r.words})" for r in rows)
    return RangeChart(
        quantified=any(row.x1 is not None for row in rows),
        title=f"{name}: each source's figure on one scale",
        description=f"{name}, reported range {range_words(rng)} from {rng.sources} "
        f"source{'s' if rng.sources != 1 else ''}. {described}.",
        height=axis_y + AXIS_HEIGHT,
        axis_y=axis_y,
        ticks=ticks,
        band=band,
        rows=rows,
    )


# The timeline of a list: incidents per month (per year over long spans).
TIMELINE_WIDTH = 720
TIMELINE_HEIGHT = 150
TIMELINE_TOP = 16
TIMELINE_BOTTOM = 122
MAX_MONTHS = 120


@dataclass
class TimelineBar:
    label: str
    count: int
    start: object
    end: object
    x: float
    y: float
    width: float
    height: float

    @property
    def mid(self):
        return round(self.x + self.width / 2, 1)


@dataclass
class TimelineChart:
    unit: str
    bars: list
    labels: list
    max_count: int
    total: int
    width: int = TIMELINE_WIDTH
    height: int = TIMELINE_HEIGHT
    top: int = TIMELINE_TOP
    baseline: int = TIMELINE_BOTTOM


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def month_chart(rows):
    """Bars of incidents per month, from ``counts_by_month()`` rows; per year past ten years.

    Months without incidents between the first and the last get an empty slot, so
    the horizontal axis is time. Returns None when no incident has a date.
    """
    if not rows:
        return None
    counts = {row["month"]: row["count"] for row in rows}
    first, last = rows[0]["month"], rows[-1]["month"]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    slots = []
    if span > MAX_MONTHS:
        unit = "year"
        per_year = {}
        for month, count in counts.items():
            per_year[month.year] = per_year.get(month.year, 0) + count
        for year in range(first.year, last.year + 1):
            start = datetime.date(year, 1, 1)
            slots.append((str(year), per_year.get(year, 0), start, datetime.date(year, 12, 31)))
    else:
        unit = "month"
        month = first
        for _ in range(span):
            slots.append((f"{month:%B %Y}", counts.get(month, 0), month, _month_end(month)))
            month = _month_end(month) + datetime.timedelta(days=1)

    highest = max(count for _, count, _, _ in slots)
    step = TIMELINE_WIDTH / len(slots)
    # A few bars stay bars, not blocks: at most 48 units wide, centred in their slot.
    width = round(min(step - min(2, step * 0.2), 48), 1)
    plot = TIMELINE_BOTTOM - TIMELINE_TOP
    bars, labels = [], []
    every = max(1, math.ceil(len(slots) / 8))
    years_per_label = max(1, math.ceil(span / 12 / 8))
    for i, (label, count, start, end) in enumerate(slots):
        height = 0 if not count else max(2, round(plot * count / highest, 1))
        bar = TimelineBar(
            label=label,
            count=count,
            start=start,
            end=end,
            x=round(i * step + (step - width) / 2, 1),
            y=round(TIMELINE_BOTTOM - height, 1),
            width=width,
            height=height,
        )
        bars.append(bar)
        if unit == "year":
            if i % every == 0:
                labels.append((bar.mid, label))
        elif span <= 12:
            labels.append(
                (bar.mid, f"{start:%b %Y}" if i == 0 or start.month == 1 else f"{start:%b}")
            )
        elif start.month == 1 and (start.year - first.year) % years_per_label == 0:
            labels.append((bar.mid, str(start.year)))
    return TimelineChart(
        unit=unit,
        bars=bars,
        labels=labels,
        max_count=highest,
        total=sum(count for _, count, _, _ in slots),
    )

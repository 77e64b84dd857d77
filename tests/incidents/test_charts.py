"""The geometry of the server-rendered charts, and the words figures are given in."""

import datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from incidents import charts
from incidents.competing import FigureRow, Range


def figure(low, high, approximate=False, as_said="words"):
    return SimpleNamespace(
        min_count=low,
        max_count=high,
        approximate=approximate,
        as_said=as_said,
        low=low if low is not None else high,
        high=high if high is not None else low,
    )


def claim(name):
    return SimpleNamespace(source=SimpleNamespace(public_name=name))


def killed_range(*figures):
    rng = Range(category=SimpleNamespace(name="Killed"), min=None, max=None)
    for i, fig in enumerate(figures):
        rng.rows.append(FigureRow(claim(f"Source {i}"), fig))
        rng.source_ids.add(i)
    lows = [f.low for f in figures if f.low is not None]
    highs = [f.high for f in figures if f.high is not None]
    rng.min, rng.max = min(lows, default=None), max(highs, default=None)
    return rng


@pytest.mark.parametrize(
    ("fig", "words"),
    [
        (figure(23, None), "23 or more"),
        (figure(50, 50), "50"),
        (figure(250, 250, approximate=True), "about 250"),
        (figure(10, 20), "10 to 20"),
        (figure(None, 5), "up to 5"),
        (figure(None, None), "not quantified"),
    ],
)
def test_figures_are_put_in_words(fig, words):
    assert charts.figure_words(fig) == words


def test_the_axis_ends_on_a_round_number_past_the_highest_figure():
    chart = charts.range_chart(killed_range(figure(23, None), figure(50, 50)))
    assert [label for _, label in chart.ticks] == ["0", "20", "40", "60"]
    open_row, exact_row = chart.rows
    assert open_row.open_ended and open_row.x2 == chart.open_right
    assert exact_row.point and exact_row.x1 == exact_row.x2
    # The shaded band spans the reported range and runs on when it is open-ended.
    assert chart.band == (open_row.x1, exact_row.x1)


def test_a_bar_spans_a_figures_range_on_the_shared_axis():
    chart = charts.range_chart(killed_range(figure(0, 100), figure(40, 60)))
    wide, narrow = chart.rows
    assert wide.x1 == charts.PLOT_LEFT and wide.x2 == charts.PLOT_RIGHT
    assert wide.x1 < narrow.x1 < narrow.x2 < wide.x2
    assert "Source 1: words (40 to 60)" in chart.description


def test_the_month_chart_leaves_empty_months_and_switches_to_years_over_long_spans():
    rows = [
        {"month": datetime.date(2016, 1, 1), "count": 2},
        {"month": datetime.date(2016, 4, 1), "count": 1},
    ]
    chart = charts.month_chart(rows)
    assert chart.unit == "month"
    assert [bar.count for bar in chart.bars] == [2, 0, 0, 1]
    assert chart.bars[1].end == datetime.date(2016, 2, 29)
    long = charts.month_chart(
        [
            {"month": datetime.date(2001, 3, 1), "count": 1},
            {"month": datetime.date(2016, 5, 1), "count": 4},
        ]
    )
    assert long.unit == "year" and len(long.bars) == 16 and long.total == 5
    assert charts.month_chart([]) is None


def test_the_server_error_page_stands_alone_in_the_sites_style():
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "css/site.css" in html

"""core/ui/click_chart.py: what the browser sends is read as two finite numbers, or ignored."""

import pytest

from core.ui import click_chart


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"x": 0.5, "y": 2.0, "n": 1}, (0.5, 2.0)),
        ({"x": "1.25", "y": -1}, (1.25, -1.0)),
        ({"x": float("nan"), "y": 1.0}, None),
        ({"x": float("inf"), "y": 1.0}, None),
        ({"x": "abc", "y": 1.0}, None),
        ({"x": 1.0}, None),
        (None, None),
        ([1, 2], None),
    ],
)
def test_a_click_is_two_finite_numbers_or_nothing(value, expected):
    assert click_chart.point(value) == expected

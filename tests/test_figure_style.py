"""The shared figure helper: named colour scales reach plotly.js as explicit arrays."""

from core.style import color_for, figure


def test_named_colorscales_are_expanded_even_without_validation():
    fig = figure(
        [
            dict(type="heatmap", z=[[0, 1]], colorscale="Oranges"),
            dict(type="scatter", x=[0], y=[0], mode="markers", marker=dict(color=[1], colorscale="Viridis")),
        ],
        {},
        height=200,
    )
    assert fig.data[0].colorscale[0][1] == "rgb(255,245,235)"  # Oranges starts near white
    assert len(fig.data[1].marker.colorscale) > 2


def test_colour_by_declared_position():
    keys = ("a", "b", "c")
    assert color_for("b", keys) != color_for("a", keys) and color_for("b", keys) == color_for("b", ("a", "b"))

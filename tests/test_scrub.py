"""Scrub knobs (core/scrub.py): the positions a knob offers, slider steps that turn the drawn figure into the figure
of every other position, and the pages' scrub charts under AppTest (the browser side: tests/e2e)."""

import copy
import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from core import scrub
from core.activations import concept as act
from core.losses import concept as lc
from core.losses import figures as loss_figures
from core.normalization import figures as norm_figures
from core.normalization import steps as norm_steps
from core.params import Float, Int, LogFloat
from core.regularization import concept as reg
from core.regularization import figures as reg_figures
from core.text import Text
from core.ui import scrub_chart
from tests.conftest import clean, open_page, scrub_layouts


def test_positions_are_the_sliders_grid_built_from_integers():
    r0 = scrub.positions(lc.REG_PARAMS["r0"])
    assert len(r0) == 81 and r0[0] == -4.0 and r0[40] == 0.0 and r0[-1] == 4.0 and 1.6 in r0
    assert all(lc.REG_PARAMS["r0"].encode(v) == f"{v:g}" for v in r0)
    assert scrub.positions(Int("d", 3, lo=2, hi=10, step=2)) == (2, 4, 6, 8, 10)
    assert scrub.positions(LogFloat("lr", 0.1, lo=0.01, hi=1.0)) == LogFloat("lr", 0.1, lo=0.01, hi=1.0).grid()
    assert scrub.index_of(r0, 1.55) in (r0.index(1.5), r0.index(1.6)) and scrub.index_of(r0, 9) == 80
    assert scrub.scrubbable(Float("x", 0.0, lo=0, hi=1, step=0.01)) and not scrub.scrubbable(
        Float("x", 0.0, lo=0, hi=10, step=0.01)
    )


def unbold(fig: dict) -> dict:
    title = fig["layout"].get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        title["text"] = title["text"].removeprefix("<b>").removesuffix("</b>")
    return fig


def families():
    """Three real families: a probe on fixed curves (shapes move), fits of every degree (a trace and its name
    change), a batch size (traces and the title change)."""
    v = lc.REG_PARAMS.defaults()
    fig = Text("losses", "en").section("fig")
    names = {k: k for k in lc.REG_KEYS}
    grid = scrub.positions(lc.REG_PARAMS["r0"])[::8]
    yield "losses", [loss_figures.curves(lc.run_reg({**v, "r0": x}), fig, names, lc.REG_KEYS) for x in grid]
    v = reg.FIT.params.defaults()
    res, every = reg.FIT.run(v), reg.fit_curves(v)
    fig = Text("regularization", "en").section("fig")
    yield "degree", [reg_figures.fit(res, fig, d, every[d]) for d in (0, 3, 9, 11, 40)]
    v = norm_steps.STEPS.params.defaults()
    fig = Text("normalization", "en").section("fig")
    yield "batch", [norm_figures.steps(norm_steps.STEPS.run({**v, "n": n}), fig) for n in (2, 5, 8, 32)]


@pytest.mark.parametrize("name,figs", list(families()), ids=lambda x: x if isinstance(x, str) else "")
def test_each_step_turns_whichever_figure_is_drawn_into_its_own(name, figs):
    family = [scrub.plain(f) for f in figs]
    steps = scrub.steps(family[0], family, [str(i) for i in range(len(family))])
    assert len(steps) == len(family) and all(s["method"] == "update" for s in steps)
    for drawn in family:  # the steps are computed once, against the first member, and work from any of them
        for step, want in zip(steps, family):
            assert json.dumps(unbold(scrub.apply(drawn, step)), sort_keys=True) == json.dumps(want, sort_keys=True)
    carried = len(json.dumps(steps))
    assert carried < len(json.dumps(family))  # only what changes travels


def test_steps_carry_only_what_changes_and_refuse_a_family_with_other_traces():
    figs = [scrub.plain(f) for f in next(iter(families()))[1][:3]]
    steps = scrub.steps(figs[0], figs, ["a", "b", "c"])
    traces, layout, idx = steps[1]["args"]
    assert traces == {} and idx == [] and set(layout) == {"shapes"}  # the probe is shapes: the curves stay
    broken = copy.deepcopy(figs[1])
    broken["data"].pop()
    with pytest.raises(ValueError):
        scrub.steps(figs[0], [figs[0], broken], ["a", "b"])


def test_the_slider_stands_at_the_drawn_position_and_names_the_chart():
    figs = [scrub.plain(f) for f in next(iter(families()))[1][:3]]
    fig = scrub.with_slider(figs[1], scrub.steps(figs[0], figs, ["a", "b", "c"]), active=1, chart="c", prefix="r = ")
    layout = fig["layout"]
    slider = layout["sliders"][0]
    assert slider["active"] == 1 and [s["label"] for s in slider["steps"]] == ["a", "b", "c"]
    assert layout["meta"] == {"dlp_scrub": "c"} and slider["currentvalue"]["prefix"] == "r = "
    assert layout["height"] == figs[1]["layout"]["height"] + scrub.ROOM


def test_a_family_is_built_once_per_set_of_other_values():
    calls = []
    built = lambda x: calls.append(x) or next(iter(families()))[1][0]
    key = ("test", "c", "en", "{}", (1, 2, 3))
    scrub_chart._FAMILIES.pop(key, None)
    first = scrub_chart.family(key, (1, 2, 3), ["1", "2", "3"], built)
    again = scrub_chart.family(key, (1, 2, 3), ["1", "2", "3"], built)
    assert calls == [1, 2, 3] and again is first


def test_a_family_built_without_templates_has_the_steps_of_one_built_with_them():
    """scrub_chart.family builds the positions after the first without Plotly's default template (style.templateless,
    a third of the time): the steps are the same, the drawn member keeps its template, and figures built after it
    (or in another thread) have theirs."""
    import threading

    from core import style

    v = reg.FIT.params.defaults()
    res, every = reg.FIT.run(v), reg.fit_curves(v)
    fig = Text("regularization", "en").section("fig")
    grid = (0, 3, 9, 11, 40)
    at = lambda d: reg_figures.fit(res, fig, d, every[d])
    labels = [str(d) for d in grid]
    full = [scrub.plain(at(d)) for d in grid]
    scrub_chart._FAMILIES.clear()
    seen = []

    def with_other_thread(d):  # while the family builds, another session's thread builds a figure to draw
        other = threading.Thread(target=lambda: seen.append(at(d)))
        other.start()
        other.join()
        return at(d)

    first, steps = scrub_chart.family(("test-templates",), grid, labels, with_other_thread)
    assert steps == scrub.steps(full[0], full, labels) and first == full[0] and first["layout"]["template"]
    with style.templateless():
        assert scrub.plain(at(3))["layout"]["template"] == {}
    assert scrub.plain(at(3))["layout"]["template"] == full[0]["layout"]["template"]
    assert len(seen) == len(grid) and all(f.layout.template.layout for f in seen)


def test_a_link_off_the_grid_is_drawn_exactly_with_the_slider_at_the_nearest_position():
    at = open_page("losses", query={"r0": "1.55"})
    clean(at)
    layout = scrub_layouts(at)["losses.reg_curves"]
    probe = [s for s in layout["shapes"] if s["type"] == "line"][0]
    slider = layout["sliders"][0]
    assert probe["x0"] == pytest.approx(1.55)  # the link's value, not the slider's nearest position
    assert slider["steps"][slider["active"]]["label"] in ("1.5", "1.6")
    assert "(1.55) ≈" in slider["currentvalue"]["prefix"]
    assert at.query_params["r0"] == "1.55"


@pytest.mark.parametrize(
    "page,name,chart,value", [("losses", "m0", "losses.cls_curves", 1.2), ("normalization", "n", "norm.steps", 13)]
)
def test_a_pick_moves_the_chart_and_the_link(page, name, chart, value):
    from tests.conftest import pick

    at = open_page(page)
    pick(at, page, name, value)
    clean(at)
    slider = scrub_layouts(at)[chart]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == f"{value:g}"
    assert at.query_params[name] == f"{value:g}"


def test_the_cli_lists_which_knobs_scrub(capsys):
    from core import __main__ as cli

    assert cli.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "r0 [scrub]" in out and "degree [scrub]" in out and "steps(n [scrub]" in out and "x0 [scrub]" in out
    assert "x0 [scrub]" in out.split("optimizers")[0] and "y0 [scrub]" not in out  # the activations probe only


def test_every_declared_scrub_knob_can_be_one():
    """A scrub knob is a numeric slider with few enough positions to send them all, over its whole range (the
    browser's slider offers every position) — or a probe whose page offers positions within a range other knobs
    set (the activations' x₀ over [xmin, xmax]: `scrub.positions_within`)."""
    from core import registry

    knobs = [p for c in registry.CONCEPTS for p in c.params if p.scrub]
    assert {p.name for p in knobs} >= {"r0", "m0", "degree", "n", "x0"}
    for p in knobs:
        assert p.within is None and p.when is None, p.name
        assert scrub.scrubbable(p) or p.name == "x0", p.name


def test_a_probe_within_a_range_gets_at_most_max_positions_on_round_numbers():
    x0 = act.EXPLORER_PARAMS["x0"]
    assert scrub.positions_within(x0, -6.0, 6.0) == tuple(round(k * 0.1, 1) for k in range(-60, 61))
    assert scrub.positions_within(x0, -0.5, 0.5) == tuple(round(k * 0.1, 1) for k in range(-5, 6))
    xmin, xmax = act.EXPLORER_PARAMS["xmin"], act.EXPLORER_PARAMS["xmax"]
    for lo in scrub.positions(xmin):
        for hi in scrub.positions(xmax):
            grid = scrub.positions_within(x0, lo, hi)
            assert len(grid) <= scrub.MAX_POSITIONS and grid[0] >= lo and grid[-1] <= hi, (lo, hi)
            assert grid[-1] - grid[0] >= hi - lo - 0.2 - 1e-9 and 0.0 in grid
            every = 1 if round((hi - lo) * 10) + 1 <= scrub.MAX_POSITIONS else 2  # in tenths
            assert all(x0.encode(v) == f"{v:g}" and round(v * 10) % every == 0 for v in grid)
            assert all(round((b - a) * 10) == every for a, b in zip(grid, grid[1:]))
    assert len(scrub.positions_within(x0, -20.0, 20.0)) == 201  # every 0.2


def test_the_probe_steps_move_the_markers_onto_f_and_its_derivative():
    """Each position of the activations' probe sets the markers to f(x₀) and f′(x₀) (here against torch's sigmoid,
    tanh and its autograd derivative), and the dotted line and its label to x₀; the drawn position's step
    reproduces the drawn figure."""
    import torch

    at = open_page("activations", query={"fns": "sigmoid,tanh", "x0": "-1.5"})
    clean(at)
    layout = scrub_layouts(at)["act.explorer"]
    slider = layout["sliders"][0]
    grid = [float(s["label"]) for s in slider["steps"]]
    assert grid == list(scrub.positions_within(act.EXPLORER_PARAMS["x0"], -6.0, 6.0))
    x = torch.tensor(grid, dtype=torch.float64, requires_grad=True)
    for fn, col in ((torch.sigmoid, 0), (torch.tanh, 1)):
        y = fn(x)
        (dy,) = torch.autograd.grad(y.sum(), x)
        y = y.detach()
        for p, step in enumerate(slider["steps"]):
            traces, lay, idx = step["args"]
            assert idx == [2, 3, 6, 7] and traces["x"][2 * col] == [grid[p]]
            assert traces["y"][2 * col][0] == pytest.approx(float(y[p]), abs=1e-12)
            assert traces["y"][2 * col + 1][0] == pytest.approx(float(dy[p]), abs=1e-12)
            assert lay == {"shapes[0].x0": grid[p], "shapes[0].x1": grid[p], "annotations[0].x": grid[p]}
    traces, lay, idx = slider["steps"][slider["active"]]["args"]
    assert (
        grid[slider["active"]] == -1.5 and layout["shapes"][0]["x0"] == -1.5 and layout["annotations"][0]["x"] == -1.5
    )
    drawn = at.get("plotly_chart")
    spec = next(
        json.loads(c.proto.spec)
        for c in drawn
        if "act.explorer" in json.dumps(json.loads(c.proto.spec).get("layout", {}).get("meta", {}))
    )
    for k, i in enumerate(idx):
        assert spec["data"][i]["y"] == pytest.approx(traces["y"][k]) and spec["data"][i]["x"] == traces["x"][k]


def test_a_scrub_chart_is_sent_as_the_figure_of_its_spec_would_be():
    figs = next(iter(families()))[1][:3]
    plain = [scrub.plain(f) for f in figs]
    spec = scrub.with_slider(figs[1].to_plotly_json(), scrub.steps(plain[0], plain, ["a", "b", "c"]), active=1,
                             chart="c", prefix="r = ")  # fmt: skip
    sent = lambda fig: json.loads(pio.to_json(fig.to_dict(), validate=False))  # what st.plotly_chart writes
    assert sent(scrub_chart._Spec(spec)) == sent(go.Figure(spec, _validate=False))  # the same, in another order
    assert sent(scrub_chart._Spec(spec))["layout"]["height"] == plain[1]["layout"]["height"] + scrub.ROOM

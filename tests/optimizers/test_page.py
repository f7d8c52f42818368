"""The optimizers page under AppTest: surface choice loads its start and learning rates, the theory
button sets the optimal values, divergence is a message, and the network race trains to the end."""

import json

import numpy as np
import pytest

from core.__main__ import main as cli_main
from core.optimizers import concept as opt
from core.ui.widgets import wkey
from tests.conftest import clean, open_page

KEY = "optimizers"


def test_choosing_a_surface_loads_its_start_and_learning_rates_into_the_link():
    at = open_page(KEY)
    at.selectbox(key=wkey(KEY, "surface")).set_value("booth").run()
    clean(at)
    assert at.slider(key=wkey(KEY, "x0")).value == -8.0 and at.slider(key=wkey(KEY, "y0")).value == -7.0
    assert at.query_params["surface"] == "booth" and at.query_params["lr_adam"] == "0.3"
    slider = at.slider(key=wkey(KEY, "x0"))
    assert (slider.min, slider.max) == (-10.0, 10.0)  # the start sliders span this surface's plot (Booth's: ±10)


def test_moving_the_start_slider_rewrites_the_url_and_the_paths():
    at = open_page(KEY)
    before = at.get("plotly_chart")[0].proto.spec
    at.slider(key=wkey(KEY, "x0")).set_value(-0.5).run()
    clean(at)
    assert at.query_params["x0"] == "-0.5"
    assert at.get("plotly_chart")[0].proto.spec != before


def test_theory_panel_on_the_quadratic_and_its_button_sets_the_optimal_values():
    at = open_page(KEY, query={"surface": "quadratic", "kappa": "100", "opts": "sgd,nesterov", "inspect": "sgd"})
    clean(at)
    assert any("κ = 100" in h.value for h in at.subheader)
    at.button(key="opt_optimal").click().run()
    clean(at)
    q = at.query_params
    got = (q["lr_sgd"], q["lr_momentum"], q["mu_momentum"], q["opts"])
    assert got == ("1.9", "3.3", "0.669", "sgd,momentum,nesterov")
    table = at.dataframe[1].value  # the theory table: predicted and measured rates side by side
    rows = dict(zip(table.iloc[:, 0], zip(table.iloc[:, 3], table.iloc[:, 4])))
    for name in ("SGD", "Momentum"):
        predicted, measured = (float(x) for x in rows[name])
        assert abs(predicted - measured) < 0.01 * predicted


def test_a_diverging_run_is_an_info_message_not_an_error():
    values, _ = opt.CONCEPT.params.validate({**opt.CONCEPT.params.defaults(), **opt.PRESETS["too_large"]})
    at = open_page(KEY, query=opt.CONCEPT.params.encode(values), lang="zh")
    clean(at)
    assert any("SGD" in i.value and "发散" in i.value for i in at.info)


def test_the_race_trains_live_to_the_end_and_replays_from_the_store():
    query = {"net_opts": "sgd,adam", "net_steps": "200", "batch": "16", "width": "16"}
    at = open_page(KEY, query=query)
    clean(at)
    assert not any(c.proto.spec and "Training loss" in c.proto.spec for c in at.get("plotly_chart"))
    at.button(key="race_go").click().run()
    clean(at)
    race = [c for c in at.get("plotly_chart") if "Test accuracy" in c.proto.spec]
    assert len(race) == 1 and '"frames"' in race[0].proto.spec  # finished: the replay is in the figure
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["SGD", "Adam"]
    assert all(float(a.rstrip("%")) > 50 for a in table.iloc[:, 2])
    again = open_page(KEY, query=query)  # a fresh session with the same link: replayed, no button needed
    clean(again)
    assert any("Test accuracy" in c.proto.spec for c in again.get("plotly_chart"))


def test_the_view_draws_every_declared_knob_through_view_controls():
    from tests.conftest import ROOT
    from tests.hand_widgets import check_view, hand_drawn

    assert check_view(ROOT / "views/optimizers.py", KEY, opt.CONCEPT.params.names) == []
    # the check itself finds what it should: a hand-made slider, a key spelled out, the state helpers
    sample = (
        "from core.ui.widgets import to_widget, wkey\n"
        "st.slider('x', 0.0, 1.0, key=wkey(KEY, 'x0'))\n"
        "col.selectbox('s', ('a',), key='optimizers.surface')\n"
        "st.sidebar.toggle('t', key='my_own_toggle')\n"
        "st.button('b', key=wkey(KEY, 'x0'))\n"
    )
    found = hand_drawn(sample, KEY, ("x0", "surface"))
    assert [f.split(":")[0] for f in found] == ["line 1", "line 2", "line 3"], found


def test_which_knob_matters_when_is_declared_on_the_parameters():
    p, d = opt.CONCEPT.params, opt.CONCEPT.params.defaults()
    assert not p["kappa"].active(d) and p["theta"].active({**d, "surface": "quadratic"})
    assert p["lr_adam"].active(d) and not p["lr_nesterov"].active(d) and not p["b1_nadam"].active(d)
    assert p["b2_nadam"].active({**d, "opts": ("sgd", "nadam")}) and not p["mu_momentum"].active(
        {**d, "opts": ("sgd",)}
    )
    assert not p["seed"].active(d)  # the noise draws and the extra starts come from it
    assert p["seed"].active({**d, "noise": 0.1}) and p["seed"].active({**d, "starts": 3})
    on = {
        s: {n for n in ("every", "gamma", "warmup", "patience") if p[n].active({**d, "sched": s})}
        for s in opt.schedules.SCHEDULES
    }
    assert on == {s: set(opt.schedules.USES[s]) for s in opt.schedules.SCHEDULES}
    assert not p["nlr_adagrad"].active(d) and p["nlr_adagrad"].active({**d, "net_opts": ("adagrad",)})


def test_knobs_that_do_not_matter_are_greyed_out_on_the_page():
    at = open_page(KEY)
    clean(at)
    assert at.select_slider(key=wkey(KEY, "kappa")).disabled and at.slider(key=wkey(KEY, "seed")).disabled
    assert (
        at.select_slider(key=wkey(KEY, "lr_nesterov")).disabled
        and not at.select_slider(key=wkey(KEY, "lr_adam")).disabled
    )
    assert at.slider(key=wkey(KEY, "patience")).disabled
    at.slider(key=wkey(KEY, "starts")).set_value(3).run()
    clean(at)
    assert not at.slider(key=wkey(KEY, "seed")).disabled  # the extra starts are drawn from the seed
    at.selectbox(key=wkey(KEY, "sched")).set_value("plateau").run()
    clean(at)
    assert not at.slider(key=wkey(KEY, "patience")).disabled and at.slider(key=wkey(KEY, "every")).disabled


def test_the_inspect_choice_offers_only_the_optimizers_shown_and_follows_them_silently():
    at = open_page(KEY, query={"opts": "sgd,nesterov,adam", "inspect": "nesterov"})
    clean(at)
    box = at.selectbox(key=wkey(KEY, "inspect"))
    assert box.options == ["SGD", "Nesterov", "Adam"] and box.value == "nesterov"
    at.multiselect(key=wkey(KEY, "opts")).set_value(["sgd", "adam"]).run()
    clean(at)
    box = at.selectbox(key=wkey(KEY, "inspect"))
    assert box.options == ["SGD", "Adam"] and box.value == "sgd" and at.query_params["inspect"] == "sgd"
    assert not at.info  # nothing to explain: it only picks which chart is drawn


def test_the_start_sliders_span_the_chosen_surfaces_plot():
    at = open_page(KEY)
    x, y = at.slider(key=wkey(KEY, "x0")), at.slider(key=wkey(KEY, "y0"))
    assert (x.min, x.max, y.min, y.max) == (-2.0, 2.0, -1.0, 3.0)  # Rosenbrock's plot, not the ±10 of a link
    at = open_page(KEY, query={"x0": "-7"})  # a link's start outside the plot: moved to its edge, said
    clean(at)
    assert at.slider(key=wkey(KEY, "x0")).value == -2.0 and at.query_params["x0"] == "-2"
    assert any("-7" in i.value for i in at.info)


def test_the_paths_link_runs_from_the_cli_with_the_pages_numbers(capsys):
    assert cli_main(["optimizers", "opts=sgd,momentum", "--experiment", "paths"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "adjusted" not in out  # the inspected optimizer is a display choice: no conflict
    paths = out["experiments"]["paths"]["optimizers"]
    at = open_page(KEY, query={"opts": "sgd,momentum"})
    clean(at)
    table = at.dataframe[0].value
    assert list(table.iloc[:, 1]) == [f"{paths[k]['final_loss']:.3g}" for k in ("sgd", "momentum")]
    assert list(table.iloc[:, 3]) == [
        f"({x:.4f}, {y:.4f})" for x, y in (paths[k]["end_point"] for k in ("sgd", "momentum"))
    ]
    assert not at.info


def test_the_theory_tables_predicted_steps_are_the_steps_of_the_run():
    preset = {**opt.CONCEPT.params.defaults(), **opt.PRESETS["optimal_kappa100"], "steps": 1000}
    values, _ = opt.CONCEPT.params.validate(preset)
    at = open_page(KEY, query=opt.CONCEPT.params.encode(values))
    clean(at)
    table = at.dataframe[1].value
    shown = dict(zip(table.iloc[:, 0], table.iloc[:, 5]))
    res = opt.run_paths({n: values[n] for n in opt.PATHS_PARAMS.names})
    for o, kind in enumerate(res.kinds):
        dist = res.dist[:, o, 0].astype(np.float64)  # float32 in the result: ±1 step at the threshold
        above = np.flatnonzero(~(dist <= 1e-6 * dist[0]))
        assert abs(int(shown[{"sgd": "SGD", "momentum": "Momentum"}[kind]]) - (int(above[-1]) + 1)) <= 1
    assert shown["Momentum"] == "84"  # at the button's rounded constants; ρᵏ alone would say 74


def test_exact_link_values_off_the_slider_grids_are_used_as_given():
    from core import __main__ as cli

    query = (
        "surface=quadratic&kappa=30&theta=7&x0=-2.345&steps=1234&lr_sgd=0.123&mu_momentum=0.8765&every=15"
        "&gamma=0.33&sched=step&tol=3e-7&net_steps=150&batch=33&width=20&nlr_sgd=0.0123&net_opts=sgd"
    )
    out = cli.run(KEY, query)
    assert {"kappa", "theta", "x0", "steps", "lr_sgd", "mu_momentum", "every", "gamma", "tol"} <= set(out["exact"])
    paths, race = out["experiments"]["paths"], out["experiments"]["race"]
    assert paths["steps"] == 1234 and paths["tol"] == 3e-7 and paths["optimizers"]["sgd"]["start"] == [-2.345, 1.0]
    assert paths["theory"]["kappa"] == 30 and paths["theory"]["mu"] == pytest.approx(1 / 30)
    assert len(paths["optimizers"]["sgd"]["loss_curve"]) == 1235
    assert race["steps"] == 150 and race["batch"] == 33
    assert "lr=0.0123" in race["optimizers"]["sgd"]["torch"]


def test_the_claims_are_cards_beside_their_sections_and_the_network_ones_come_with_a_button():
    at = open_page(KEY)
    clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Momentum helps escape local minima" in text and "Checking the interview notes" not in text
    assert "On small data Adam" not in text  # the network's claims wait for their trainings
    at.button(key="_claim_preset.escape").click().run()  # one click: the evidence on the page
    clean(at)
    assert at.query_params["mu_momentum"] == "0.99" and at.query_params["surface"] == "rastrigin"
    at.button(key="opt_net_claims_go").click().run()
    clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "On small data Adam" in text and "Test accuracy falls" in text
    assert at.button(key="_claim_preset.small_data")  # the race with the adaptive optimizers, one click away

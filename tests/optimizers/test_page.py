"""The optimizers page under AppTest: surface choice loads its start and learning rates, the theory
button sets the optimal values, divergence is a message, and the network race trains to the end."""

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
    assert (slider.min, slider.max) == (-10.0, 10.0)  # the start sliders span this surface's plot


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

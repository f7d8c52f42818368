"""The regularization page under AppTest: light sections answer their sliders, trainings wait for their button
and then train live to the end (and replay for the next session), knobs that do not matter are greyed, an
impossible fold count is explained, and the CLI prints the same numbers."""

from core import __main__ as cli
from core.regularization import claims
from core.regularization import concept as reg
from core.ui.widgets import wkey
from tests.conftest import clean, open_page, pick

KEY = "regularization"


def charts(at) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_defaults_draw_the_light_sections_and_wait_with_every_training():
    at = open_page(KEY)
    clean(at)
    specs = " ".join(charts(at))
    for title in ("The fitted polynomial", "Every degree at once", "Loss contours", "torch.nn.Dropout",
                  "Validation error per degree", "Gradient descent with"):  # fmt: skip
        assert title in specs, title
    assert "A real MLP: errors over time" not in specs  # trainings wait for their button
    keys = {b.key for b in at.button}
    assert {f"reg_{k}_go" for k in ("mlp", "pen", "adamw", "dropout", "early", "augment", "memorize")} <= keys
    assert not any("Checking the interview notes" in h.value for h in at.header)  # claims are cards now
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert any("**“Weight decay subtracts the L2 norm of the weights from the loss: −λw².”**" in b for b in badges)
    assert any(":red-badge[❌ false]" in b and "−λw²" in b for b in badges)  # the light cards at once
    assert {f"reg_net_claims_go.{s}" for s in reg.NETWORK_SECTIONS} <= keys  # the others wait for a press


def test_moving_the_degree_rewrites_the_url_and_the_fit():
    at = open_page(KEY)
    before = at.get("plotly_chart")[0].proto.spec
    pick(at, KEY, "degree", 3)
    clean(at)
    assert at.query_params["degree"] == "3"
    assert at.get("plotly_chart")[0].proto.spec != before
    assert any("Degree **3**" in m.value for m in at.markdown)


def test_ridge_strength_is_greyed_until_ridge_is_on():
    at = open_page(KEY)
    assert at.select_slider(key=wkey(KEY, "ridge")).disabled
    at.toggle(key=wkey(KEY, "ridge_on")).set_value(True).run()
    clean(at)
    assert not at.select_slider(key=wkey(KEY, "ridge")).disabled
    assert at.query_params["ridge_on"] == "1"


def test_the_mlp_trains_live_to_the_end_and_a_new_session_replays_it():
    query = {"steps": "300", "width": "16"}
    at = open_page(KEY, query=query)
    at.button(key="reg_mlp_go").click().run()
    clean(at)
    mlp = [s for s in charts(at) if "A real MLP: errors over time" in s]
    assert len(mlp) == 1 and '"frames"' in mlp[0]  # finished: the replay is in the figure
    assert any("for 300 steps" in m.value for m in at.markdown)
    again = open_page(KEY, query=query)  # another session, the same link: replayed from the store
    clean(again)
    assert any("A real MLP: errors over time" in s for s in charts(again))
    assert "reg_mlp_go" not in {b.key for b in again.button}


def test_the_early_stopping_section_trains_and_reports_the_restored_weights():
    at = open_page(KEY, query={"es_steps": "500", "es_n": "200", "patience": "3"}, lang="zh")
    at.button(key="reg_early_go").click().run()
    clean(at)
    assert any("恢复的权重" in m.value for m in at.markdown)


def test_more_folds_than_points_is_explained_and_run_as_leave_one_out():
    at = open_page(KEY, query={"k": "20", "cv_n": "10"})
    clean(at)
    assert not at.warning
    assert any("k = 10" in i.value for i in at.info)
    assert at.query_params["k"] == "10"
    out = cli.run(KEY, "k=20&cv_n=10", "kfold")
    assert out["experiments"]["kfold"]["k"] == 10 and any("k = 10" in a for a in out["adjusted"])


def test_the_cli_prints_the_numbers_the_page_shows():
    out = cli.run(KEY, "n=10&degree=9", "fit")["experiments"]["fit"]
    r = reg.run_fit({**reg.FIT.params.defaults(), "n": 10, "degree": 9})
    assert out["test_mse"] == r.test_mse and out["train_mse"] < 1e-9 and out["interpolation_threshold"] == 9
    assert out["double_descent"] in (True, False)


def test_the_training_claims_button_passes_the_sections_finished_runs_and_shows_the_cards(monkeypatch):
    net = {"params_plain": 1, "params_dropout": 1, "ms_plain": 1.0, "ms_dropout": 1.1, "l1_zeros": 0, "l1_small": 0.6,
           "n_weights": 100, "l1_lam": 1e-3, "acc_p0": 0.8, "acc_p": 0.82, "p": 0.5, "acc_best_p": 0.3,
           "acc_best": 0.85, "acc_bag_member": 0.7, "acc_ensemble": 0.8, "drop_n": 100, "fit_true": 10,
           "fit_random": 100, "random_train": 1.0, "random_test": 0.1, "scratch": 0.5, "transfer": 0.6,
           "frozen": 0.55, "l1_small_pct": 60.0, "l1_zero_pct": 0.0}  # fmt: skip
    calls = []
    monkeypatch.setattr(claims, "network", lambda values, runs=None: calls.append(dict(runs or {})) or net)
    at = open_page(KEY)
    at.button(key="reg_net_claims_go.dropout").click().run()
    clean(at)
    assert calls and calls[-1] == {}  # nothing trained above: nothing to reuse
    shown = " ".join(m.value for m in at.markdown)
    assert "Wrong on both counts" in shown and "Transfer pays when" in shown and "only 0 are exactly 0" in shown
    assert not any(b.key.startswith("reg_net_claims_go") for b in at.button)  # every section shows its cards
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert any("partly true" in b and "small data" in b for b in badges)  # acc_best 0.85 ≥ acc_p0 0.8 + 1 point
    assert any("true" in b and "Transfer learning" in b for b in badges)

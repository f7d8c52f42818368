"""The pooling page under AppTest: editing the cells, grid buttons, conflicts as messages, building a
layer stack with buttons, and the training section (button, result kept for the same link)."""

import json

from core import __main__ as cli
from core.params import to_query_string
from core.pooling import concept as pl
from tests.conftest import ROOT, clean, open_page
from tests.hand_widgets import check_view


def grid_chart(at):
    return next(c for c in at.get("plotly_chart") if c.proto.id and "pool_grid_chart" in c.proto.id)


def output_cells(at) -> list:
    spec = json.loads(grid_chart(at).proto.spec)
    out = next(t for t in spec["data"] if t.get("xaxis") == "x2")
    return out["text"]


def test_typing_cells_changes_the_pooled_output_and_the_link():
    at = open_page("pooling")
    clean(at)
    assert output_cells(at) == [["6", "8"], ["3", "4"]]
    at.text_input(key="pooling.x").set_value("1,2,3,4,5,6,7,8,9").run()
    clean(at)
    assert at.query_params["x"] == "1,2,3,4,5,6,7,8,9"
    assert output_cells(at) == [["5"]]  # 3×3 input, 2×2 window, stride 2: one window
    at.segmented_control(key="pooling.op").set_value("avg").run()
    assert output_cells(at) == [["3"]] and at.query_params["op"] == "avg"


def test_grid_buttons_load_the_example_random_and_resized_grids():
    at = open_page("pooling", query={"x": "1,2,3,4"})
    at.button(key="pool_seeds").click().run()
    clean(at)
    assert "x" not in at.query_params  # back to the default: the notes' example
    at.button(key="pool_rand6").click().run()
    cells = at.query_params["x"].split(",")
    assert len(cells) == 36 and all(c in "0123456789" for c in cells)
    at.button(key="pool_grow").click().run()
    assert len(at.query_params["x"].split(",")) == 49


def test_a_combination_torch_refuses_shows_a_message_and_still_draws():
    at = open_page("pooling", query={"k": "5", "pad": "3"})  # torch: pad should be at most half the kernel
    clean(at)
    assert not at.warning  # valid values, only an inconsistent combination
    infos = " ".join(i.value for i in at.info)
    assert "PyTorch" in infos and "using 2" in infos
    assert output_cells(at) == [["7", "8"], ["7", "8"]]  # F.max_pool2d(example, 5, 2, padding=2)
    assert at.query_params == {"k": "5", "pad": "2"}  # the link says the view that is shown


def test_ceil_mode_drop_is_explained():
    at = open_page("pooling", query=pl.POOL_PARAMS.encode({**pl.POOL_PARAMS.defaults(), **pl.PRESETS["ceil_padding"]}))
    clean(at)
    assert any("drops it" in i.value for i in at.info)


def test_layer_buttons_build_the_stack_and_the_link():
    at = open_page("pooling", query={"layers": "c3"})
    at.button(key="rf_add_m2").click().run()
    at.button(key="rf_add_c3s2").click().run()
    clean(at)
    assert at.query_params["layers"] == "c3,m2,c3s2"
    at.button(key="rf_remove").click().run()
    assert at.query_params["layers"] == "c3,m2"
    at.text_input(key="pooling.layers").set_value("c3,q9").run()
    assert not at.exception
    assert "layers" not in at.query_params  # a typo is refused: the default stack is used, and the page says so
    assert any("c3,q9" in w.value and "Layer stack" in w.value for w in at.warning)
    at.text_input(key="pooling.x").set_value("1,2,3").run()
    assert any("1,2,3" in w.value for w in at.warning) and "x" not in at.query_params


def test_training_runs_on_the_button_and_the_same_link_replays_it():
    query = {"o_n": "50", "o_steps": "100", "seed": "7"}
    at = open_page("pooling", query=query)
    clean(at)
    charts = len(at.get("plotly_chart"))
    assert not any("Pooling reduces overfitting" in m.value for m in at.markdown)  # its card needs the run
    at.button(key="train_go").click().run()
    clean(at)
    assert len(at.get("plotly_chart")) == charts + 2  # the training chart and the overfitting card's evidence
    assert any("Overfitting" in m.value for m in at.markdown)
    card = next(m.value for m in at.markdown if "Pooling reduces overfitting" in m.value)
    assert "-badge[" in card  # this run's verdict: true where the pooled nets overfit clearly less, else depends
    again = open_page("pooling", query=query, lang="zh")  # a fresh session: no click, the stored run replays
    clean(again)
    assert len(again.get("plotly_chart")) == charts + 2
    assert any("过拟合" in m.value for m in again.markdown)


def test_chinese_page_and_claim_cards_render():
    at = open_page("pooling", lang="zh")
    clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "[[6, 8], [3, 4]]" in text and "池化" in text
    assert "游乐场所" not in text and "少 4 倍" not in text
    assert at.code[-1].value.endswith("?" + to_query_string({"lang": "zh"}))


def test_each_claim_is_a_card_in_its_section_and_the_fc_claim_is_false():
    at = open_page("pooling")
    clean(at)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(pl.CLAIMS) - 1  # all but the overfitting card, which waits for the training
    assert not any("Checking the interview notes" in h.value for h in at.header)
    fc = next(b for b in badges if "Fully connected layers reduce" in b)
    assert ":red-badge[" in fc  # false, by VGG-16's own counts
    at.button(key="_claim_preset.loop").click().run()
    clean(at)
    assert at.query_params["x"] == "1,2,3,4,5,6,7,8,9" and at.query_params["s"] == "1"


def test_every_knob_is_drawn_from_its_declaration():
    assert check_view(ROOT / "views/pooling.py", "pooling", pl.CONCEPT.params.names) == []


def test_a_knob_is_greyed_out_where_its_declaration_says_it_does_not_matter():
    at = open_page("pooling", query={"op": "avg", "pad": "1", "k": "3", "h_depth": "0"})
    clean(at)
    assert not at.toggle(key="pooling.cip").disabled and at.slider(key="pooling.pnorm").disabled
    assert at.slider(key="pooling.h_hidden").disabled and not at.slider(key="pooling.pad").disabled
    at.slider(key="pooling.pad").set_value(0).run()  # no padding: count_include_pad cannot change a window
    clean(at)
    assert at.toggle(key="pooling.cip").disabled
    at.slider(key="pooling.h_depth").set_value(1).run()
    assert not at.slider(key="pooling.h_hidden").disabled


def test_a_link_off_the_slider_grid_runs_its_exact_values():
    out = cli.run("pooling", "side=100&op=lp&pnorm=2.3&h_hidden=100&h_depth=1&o_n=75&o_steps=150")
    assert set(out["exact"]) == {"side", "pnorm", "h_hidden", "o_n", "o_steps"}
    e = out["experiments"]
    assert e["pool"]["norm_p"] == 2.3 and max(e["pool"]["image"]["input_shape"]) == 100
    assert e["head"]["params"]["gap"] == (512 + 1) * 100 + (100 + 1) * 1000
    assert e["train"]["steps"] == 150 and e["train"]["n_train"] == 75

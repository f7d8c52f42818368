"""The convolution page under AppTest: typed kernels and their size, conflicts as messages, the
step-through controls, counting, the training button (and the same link replaying it), both languages."""

import base64
import json

import numpy as np

from core import __main__ as cli
from core.convolution import concept as cv
from core.convolution import kernels as ck
from tests.conftest import ROOT, clean, open_page
from tests.hand_widgets import check_view


def chart(at, key):
    return next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id)


def feature_map(at) -> np.ndarray:
    """The filtered photo's pixels as the browser gets them (float32, base64)."""
    z = spec(at, "conv_filter_chart")["data"][1]["z"]
    shape = [int(n) for n in str(z["shape"]).split(",")]
    return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)


def spec(at, key):
    return json.loads(chart(at, key).proto.spec)


def test_typing_kernel_cells_makes_a_typed_kernel_and_changes_the_map_and_the_link():
    at = open_page("convolution")
    clean(at)
    before = chart(at, "conv_filter_chart").proto.spec
    at.text_input(key="convolution.k").set_value("0,0,0,0,-1,0,0,0,0").run()
    clean(at)
    assert at.query_params["kernel"] == "custom" and at.query_params["k"] == "0,0,0,0,-1,0,0,0,0"
    assert chart(at, "conv_filter_chart").proto.spec != before
    assert any("-1" in m.value for m in at.caption)  # the stats: a negated image has min -1


def test_edit_copies_the_preset_into_a_typed_kernel():
    at = open_page("convolution", query={"kernel": "gauss", "ksize": "5", "sigma": "0.8"})
    before = feature_map(at)
    at.button(key="conv_edit_kernel").click().run()
    clean(at)
    assert at.query_params["kernel"] == "custom" and at.query_params["ksize"] == "5"
    assert tuple(float(c) for c in at.query_params["k"].split(",")) == ck.cells("gauss", 5, 0.8)
    after = feature_map(at)  # the same kernel, now typed (cells rounded for the link): the same map
    assert after.shape == before.shape and float(np.abs(after - before).max()) < 1e-3


def test_a_typed_kernel_keeps_its_centre_when_the_size_changes():
    at = open_page("convolution", query={"kernel": "custom"})
    at.slider(key="convolution.ksize").set_value(5).run()
    clean(at)
    cells = at.query_params["k"].split(",")
    assert len(cells) == 25 and at.query_params["ksize"] == "5"
    assert tuple(float(c) for c in cells) == ck.resize(ck.SEEDS_SHARPEN, 5)
    at.selectbox(key="convolution.kernel").set_value("gauss").run()
    clean(at)
    assert at.query_params["kernel"] == "gauss"
    assert not at.slider(key="convolution.sigma").disabled


def test_an_impossible_combination_is_explained_and_the_link_says_what_is_shown():
    at = open_page("convolution", query={"img": "digit", "ksize": "7", "dil": "3", "pad": "0"})
    clean(at)
    assert not at.warning  # every value is valid on its own
    infos = " ".join(i.value for i in at.info)
    assert "dilation 3" in infos and "using dilation 1" in infos
    assert at.query_params == {"img": "digit", "ksize": "7", "pad": "0"}  # dilation 1 is the default
    assert any(r"\right\rfloor + 1 = 2" in m.value for m in at.latex)  # ⌊(8 + 0 − 6 − 1)/1⌋ + 1


def test_rgb_images_show_the_channel_sum_and_gray_ones_do_not():
    at = open_page("convolution", query={"img": "chelsea", "w_g": "-1"})
    clean(at)
    assert len(spec(at, "conv_channels_chart")["data"]) == 7
    at.toggle(key="convolution.gray").set_value(True).run()
    clean(at)
    assert not any(c.proto.id and "conv_channels_chart" in c.proto.id for c in at.get("plotly_chart"))


def test_step_through_buttons_resize_and_fill_the_kernel():
    at = open_page("convolution", query={"t_in": "ramp", "t_n": "5"})
    clean(at)
    steps_before = len(spec(at, "conv_steps_chart")["layout"]["sliders"][0]["steps"])
    assert steps_before == 25  # 5×5 input, 3×3 kernel, padding 1
    at.button(key="conv_tw_5").click().run()
    clean(at)
    assert len(at.query_params["t_w"].split(",")) == 25
    assert len(spec(at, "conv_steps_chart")["layout"]["sliders"][0]["steps"]) == 9  # 5 + 2 − 5 + 1 = 3
    at.button(key="conv_fill_ones").click().run()
    assert at.query_params["t_w"] == ",".join(["1"] * 25)
    at.selectbox(key="convolution.t_op").set_value("transposed").run()  # long labels: a select box
    clean(at)
    assert "conv_transpose2d" in " ".join(m.value for m in at.markdown)
    assert at.query_params["t_op"] == "transposed"


def test_counting_table_and_ratio():
    at = open_page("convolution", query={"c_in": "256", "c_out": "256", "c_k": "3", "c_bias": "0"})
    clean(at)
    table = next(d.value for d in at.dataframe if "layer" in d.value.columns)
    assert table.iloc[0, 2] == f"{9 * 256 * 256:,}" and table.iloc[1, 2] == f"{9 * 256 + 256 * 256:,}"
    assert any("8.7" in m.value for m in at.markdown)


def test_training_runs_on_the_button_and_the_same_link_replays_it():
    query = {"l_steps": "100", "l_ch": "4", "l_k": "3", "seed": "11", "l_digit": "2"}
    at = open_page("convolution", query=query)
    clean(at)
    charts = len(at.get("plotly_chart"))
    at.button(key="conv_learn_go").click().run()
    clean(at)
    assert len(at.get("plotly_chart")) == charts + 3  # curves, kernels, the digit's feature maps
    assert any("450" in m.value and "%" in m.value for m in at.markdown)
    again = open_page("convolution", query=query, lang="zh")  # a fresh session: no click, the stored run replays
    clean(again)
    assert len(again.get("plotly_chart")) == charts + 3
    assert any("测试数字" in m.value for m in again.markdown)


def test_chinese_page_and_claim_cards():
    at = open_page("convolution", lang="zh")
    clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "卷积核" in text and "错误" in text and "[[-2, 4, -2], [4, 1, 4], [-2, 4, -2]]" in text
    assert "游乐场所" not in text and "少 " not in text
    assert at.code[-1].value.endswith("?lang=zh")
    assert cv.CONCEPT.params.encode(cv.CONCEPT.params.defaults()) == {}


def test_each_claim_is_a_card_in_its_section_and_its_button_shows_the_evidence():
    at = open_page("convolution")
    clean(at)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(cv.CLAIMS) == 8  # the cards, once each (no closing list any more)
    assert not any("Checking the interview notes" in h.value for h in at.header)
    assert [m.value for m in at.markdown].index(badges[0]) < [m.value for m in at.markdown].index(badges[-1])
    at.button(key="_claim_preset.flip").click().run()
    clean(at)
    assert at.query_params["t_in"] == "impulse"


def test_every_knob_is_drawn_from_its_declaration():
    assert check_view(ROOT / "views/convolution.py", "convolution", cv.CONCEPT.params.names) == []


def test_a_knob_is_greyed_out_where_its_declaration_says_it_does_not_matter():
    at = open_page("convolution", query={"side": "64", "kernel": "box", "t_op": "transposed", "t_in": "ramp"})
    clean(at)
    assert at.slider(key="convolution.sigma").disabled and not at.slider(key="convolution.t_opad").disabled
    assert not at.slider(key="convolution.t_n").disabled
    at.selectbox(key="convolution.kernel").set_value("gauss").run()
    clean(at)
    assert not at.slider(key="convolution.sigma").disabled
    params, v = cv.CONCEPT.params, cv.CONCEPT.params.defaults()
    assert not params["pmode"].active({**v, "pad": 0}) and params["pmode"].active({**v, "pad": 1})
    assert not params["t_pm"].active({**v, "t_op": "transposed", "t_p": 1}) and params["t_pm"].active({**v, "t_p": 1})
    assert not params["t_n"].active({**v, "t_in": "digit"}) and not params["w_r"].active({**v, "gray": True})


def test_a_link_off_the_slider_grid_runs_its_exact_values():
    out = cli.run("convolution", "side=100&kernel=gauss&sigma=1.23&img=chelsea&w_r=0.123&l_steps=150&l_lr=0.00123")
    assert set(out["exact"]) == {"side", "sigma", "w_r", "l_steps", "l_lr"}
    e = out["experiments"]
    assert max(e["filter"]["input_shape"][1:]) == 100 and e["filter"]["channel_weights"][0] == 0.123
    g = np.exp(-(np.array([1.0, 0.0, 1.0]) ** 2) / (2 * 1.23**2))
    np.testing.assert_allclose(e["filter"]["kernel"], np.outer(g, g) / np.outer(g, g).sum(), atol=5e-5)
    assert e["learn"]["steps"] == 150 and len(e["learn"]["accuracy_per_chunk"]) == 3  # chunks end at 100 and 150

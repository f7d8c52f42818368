"""The gradient page's deep MLP: initializations against their variance formulas and torch.nn.init,
per-layer numbers against an independent nn.Module with hooks, and the behaviour the page claims."""

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from core import budget
from core.__main__ import _jsonable
from core.gradients import concept as gr
from core.gradients import inits, training
from core.gradients import net as grad_net
from core.gradients.net import Net
from core.params import Int, ParamSet, merge

# ---- initializations -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(inits.INITS))
@pytest.mark.parametrize("fan_out,fan_in", [(256, 512), (512, 256), (384, 384)])
def test_every_init_has_the_variance_of_its_formula(key, fan_out, fan_in):
    gen = torch.Generator().manual_seed(1)
    sigma = 0.3
    w = inits.weight(key, fan_out, fan_in, sigma, gen)
    assert w.shape == (fan_out, fan_in)
    formula = inits.INITS[key].variance(fan_in, fan_out, sigma)
    n = w.numel()
    # the sample variance of n draws has relative standard error ≈ √(2/n) (≈ 0.4 % here): allow 5σ
    assert float(w.var()) == pytest.approx(formula, rel=5 * math.sqrt(2 / n) + 1e-3)
    assert abs(float(w.mean())) < 5 * math.sqrt(formula / n)


@pytest.mark.parametrize(
    "key,reference",
    [
        ("default", lambda w: nn.Linear(w.shape[1], w.shape[0]).weight.data),  # PyTorch's own nn.Linear
        ("xavier_uniform", lambda w: nn.init.xavier_uniform_(w)),
        ("xavier_normal", lambda w: nn.init.xavier_normal_(w)),
        ("he", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
        ("lecun", lambda w: nn.init.kaiming_normal_(w, nonlinearity="linear")),  # gain 1: N(0, 1/fan_in)
        ("normal", lambda w: nn.init.normal_(w, 0.0, 1.0)),  # σ = 1 below
        ("orthogonal", lambda w: nn.init.orthogonal_(w)),
    ],
)
def test_inits_match_torch_nn_init_in_distribution(key, reference):
    torch.manual_seed(0)
    ref = reference(torch.empty(300, 500))
    ours = inits.weight(key, 300, 500, 1.0, torch.Generator().manual_seed(0))
    assert float(ours.var()) == pytest.approx(float(ref.var()), rel=0.03)
    assert float(ours.abs().max()) <= float(ref.abs().max()) * 1.2 + 1e-6  # same support for the uniform ones


def test_pytorch_default_is_uniform_one_over_sqrt_fan_in_and_not_he():
    w = inits.weight("default", 128, 128, 1.0, torch.Generator().manual_seed(0))
    bound = 1 / math.sqrt(128)
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.99 * bound
    assert inits.INITS["default"].variance(128, 128, 1.0) == pytest.approx(inits.INITS["he"].variance(128, 128, 1) / 6)
    lin = nn.Linear(128, 64)  # kaiming_uniform_(a=√5) bound = √(2/(1+5))·√(3/fan_in) = 1/√fan_in
    assert float(lin.weight.detach().abs().max()) <= bound


def test_default_biases_are_drawn_like_nn_linear_and_other_schemes_start_them_at_zero():
    depth, width = 40, 128
    p = grad_net.params(Net("relu", "default"), 0, depth, width, torch.device("cpu"), grad=False)
    torch.manual_seed(0)
    ref = torch.stack([nn.Linear(width, width).bias.detach() for _ in range(depth - 1)])  # (L−1, width)
    assert float(p.bias[1:].abs().max()) <= 1 / math.sqrt(width)
    assert float(p.bias[0].abs().max()) <= 1 / math.sqrt(grad_net.D_IN)  # the first layer's fan_in is 64
    assert float(p.bias[0].abs().max()) > 1 / math.sqrt(width)
    assert float(p.bias[1:].var()) == pytest.approx(float(ref.var()), rel=0.1)
    assert float(p.bias[1:].var()) == pytest.approx(1 / (3 * width), rel=0.1)
    assert float(p.head_bias.abs().max()) <= 1 / math.sqrt(width)
    he = grad_net.params(Net("relu", "he"), 0, depth, width, torch.device("cpu"), grad=False)
    assert not he.bias.any() and not he.head_bias.any()


@pytest.mark.parametrize("shape", [(64, 64), (32, 96), (96, 32)])
def test_orthogonal_is_orthonormal_along_its_short_side(shape):
    w = inits.orthogonal(torch.randn(5, *shape, dtype=torch.float64))  # batched
    short = min(shape)
    gram = w @ w.transpose(-2, -1) if shape[0] <= shape[1] else w.transpose(-2, -1) @ w
    torch.testing.assert_close(gram, torch.eye(short, dtype=torch.float64).expand(5, -1, -1), atol=1e-12, rtol=0)


# ---- an independent implementation: nn.Module layers, tensor hooks, .grad ----------------------------

MODULES = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
}


class Reference(nn.Module):
    """The page's MLP rebuilt from torch.nn modules, sharing the page's weights; activation gradients
    come from hooks registered on each layer's output during the forward pass."""

    def __init__(self, p: grad_net.Params, net: Net):
        super().__init__()
        weights = [p.first.detach(), *p.hidden.detach().unbind(0)]
        self.linears = nn.ModuleList()
        for w, b in zip(weights, p.bias.detach()):
            lin = nn.Linear(w.shape[1], w.shape[0])
            lin.weight.data.copy_(w)
            lin.bias.data.copy_(b)
            self.linears.append(lin)
        self.head = nn.Linear(p.head.shape[1], p.head.shape[0])
        self.head.weight.data.copy_(p.head.detach())
        self.head.bias.data.copy_(p.head_bias.detach())
        width = weights[0].shape[0]
        self.norm = {
            "none": nn.Identity,
            "batch": lambda: nn.BatchNorm1d(width, affine=False),
            "layer": lambda: nn.LayerNorm(width, elementwise_affine=False),
        }[net.norm]()
        self.act, self.res = MODULES[net.act](), net.res
        self.outputs, self.grads = [], {}

    def forward(self, x):
        h = x
        for i, lin in enumerate(self.linears):
            a = self.act(self.norm(lin(h)))
            h = h + a if self.res and i > 0 else a
            h.register_hook(lambda g, i=i: self.grads.__setitem__(i, g))
            self.outputs.append(h.detach())
        return self.head(h)


CONFIGS = [
    Net("sigmoid", "default"),
    Net("relu", "he"),
    Net("tanh", "orthogonal"),
    Net("gelu", "xavier_normal"),
    Net("selu", "lecun", norm="layer"),
    Net("leaky_relu", "he", norm="batch"),
    Net("elu", "normal", 0.2, res=True),
    Net("sigmoid", "xavier_uniform", norm="batch", res=True),
]


def batch(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 64, generator=g), torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("net", CONFIGS, ids=lambda n: f"{n.act}-{n.init}-{n.norm}-{int(n.res)}")
def test_per_layer_numbers_match_an_independent_hooked_module(net):
    depth, width = 12, 48
    x, y = batch()
    probe = grad_net.measure(net, x, y, seed=3, depth=depth, width=width)
    ref = Reference(grad_net.params(net, 3, depth, width, torch.device("cpu")), net)
    loss = nn.functional.cross_entropy(ref(x), y)
    loss.backward()
    act = np.array([float(ref.grads[i].norm()) for i in range(depth)])
    weight = np.array([float(lin.weight.grad.norm()) for lin in ref.linears])
    np.testing.assert_allclose(probe.act_grad, act, rtol=2e-4)
    np.testing.assert_allclose(probe.weight_grad, weight, rtol=2e-4)
    outs = torch.stack(ref.outputs).flatten(1).double()
    np.testing.assert_allclose(probe.mean, outs.mean(1).numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(probe.std, outs.std(1, unbiased=False).numpy(), rtol=1e-4, atol=1e-6)
    assert probe.loss == pytest.approx(float(loss.detach()), rel=1e-5)


def test_histograms_count_the_sampled_values_like_numpy():
    x, y = batch(128)
    net = Net("tanh", "xavier_normal")
    p = grad_net.measure(net, x, y, seed=0, depth=6, width=32)
    ref = Reference(grad_net.params(net, 0, 6, 32, torch.device("cpu")), net)
    ref(x)
    rows = grad_net.HIST_ROWS
    for layer, out in enumerate(ref.outputs):
        counts, _ = np.histogram(out[:rows].numpy().ravel(), bins=p.edges.astype(np.float64))
        np.testing.assert_allclose(p.hist[layer] * rows * 32, counts, atol=2)  # bin-edge rounding only
    assert p.hist.sum(1) == pytest.approx(np.ones(6), abs=1e-6)  # tanh: mean ± 4 std covers every value


def test_phi_prime_squared_is_the_autograd_slope_on_the_real_inputs():
    x, y = batch()
    p = grad_net.measure(Net("relu", "he"), x, y, seed=0, depth=5, width=64)
    # ReLU: φ′ ∈ {0, 1}, so E[φ′²] is the share of positive inputs — about 1/2 with zero biases
    assert np.all((p.phi2 > 0.35) & (p.phi2 < 0.65))
    assert grad_net.max_slope("sigmoid") == pytest.approx(0.25)
    assert grad_net.max_slope("selu") == pytest.approx(1.0507009873554805 * 1.6732632423543772, rel=1e-3)


# ---- behaviour the page claims (30 layers, width 128, fixed seeds) ----------------------------------------


def ratio(p):
    return float(p.act_grad[0] / p.act_grad[-1])


def probe(act, init, **kw):
    return gr.probe(Net(act, init, **kw), "normal", 256, 0, 30, 128)


def test_sigmoid_with_the_default_init_vanishes_by_many_orders_of_magnitude():
    p = probe("sigmoid", "default")
    assert ratio(p) < 1e-15
    assert grad_net.factor(p.act_grad) < 0.25  # never above max σ′ · √(n·Var W) = 0.144
    assert grad_net.factor(p.act_grad) <= 0.25 * p.gain * 1.01


def test_relu_with_he_init_stays_within_a_small_factor():
    assert 0.2 < ratio(probe("relu", "he")) < 5
    assert ratio(probe("relu", "default")) < 1e-6  # the same ReLU with PyTorch's default init vanishes


@pytest.mark.parametrize("fix", [dict(res=True), dict(norm="batch")])
def test_residual_and_batch_norm_reduce_the_decay_of_the_sigmoid_net(fix):
    assert ratio(probe("sigmoid", "default", **fix)) > 1e-3 > 1e10 * ratio(probe("sigmoid", "default"))


@pytest.mark.parametrize(
    "act,init",
    [("sigmoid", "default"), ("tanh", "xavier_normal"), ("relu", "he"), ("relu", "orthogonal"), ("selu", "lecun")],
)
def test_the_mean_field_prediction_matches_the_measured_factor(act, init):
    p = probe(act, init)
    assert grad_net.factor(p.theory) == pytest.approx(grad_net.factor(p.act_grad), rel=0.05)


def test_weight_gradients_stay_flat_while_activation_gradients_vanish():
    p = gr.probe(Net("tanh", "normal", 0.05), "normal", 256, 0, 10, 128)  # Glorot & Bengio's setting
    assert ratio(p) < 0.02
    assert 0.5 < p.weight_grad[0] / p.weight_grad[-1] < 2


def test_an_exploding_net_reports_where_it_blew_up_and_does_not_raise():
    p = probe("relu", "normal", sigma=10.0)
    d = grad_net.diagnose(p)
    assert d["first_nonfinite_layer"] is not None and 1 < d["first_nonfinite_layer"] < 30
    assert d["gradient_nonfinite"]
    assert np.isfinite(p.hist).all()  # the histograms only count finite values
    assert gr.notes(p)[0] == ("net.blowup", {"layer": d["first_nonfinite_layer"]})
    json.dumps(_jsonable(gr.probe_summary(p)))  # the CLI can print it


def test_an_underflowing_gradient_is_reported_as_exact_zeros():
    p = gr.probe(Net("sigmoid", "default"), "normal", 64, 0, 100, 64)
    d = grad_net.diagnose(p)
    assert d["underflow_layers"] and d["underflow_layers"][0] == 1 and not d["gradient_nonfinite"]
    assert (p.act_grad[np.array(d["underflow_layers"]) - 1] == 0).all()
    ((key, numbers),) = gr.notes(p)
    assert key == "net.underflow" and numbers["layers"].startswith("1–")


def test_two_configurations_on_one_seed_start_from_the_same_numbers():
    v = {**gr.NET_PARAMS.defaults(), "act_b": "sigmoid", "init_b": "default", "depth": 6, "width": 32}
    r = gr.run_net(v)
    np.testing.assert_array_equal(r.a.act_grad, r.b.act_grad)
    again = grad_net.measure(Net("sigmoid", "default"), *gr.inputs("normal", 256, 0), 0, 6, 32)
    np.testing.assert_array_equal(r.a.weight_grad, again.weight_grad)
    other = grad_net.measure(Net("sigmoid", "default"), *gr.inputs("normal", 256, 1), 1, 6, 32)
    assert not np.array_equal(r.a.weight_grad, other.weight_grad)


def test_digits_input_runs_and_the_summary_has_every_per_layer_list():
    r = gr.run_net({**gr.NET_PARAMS.defaults(), "data": "digits", "depth": 4, "width": 16, "batch": 64})
    s = gr.net_summary(r)["configs"]["a"]
    for key in ("act_grad_norm", "weight_grad_norm", "act_mean", "act_std"):
        assert len(s[key]) == 4
    assert s["factor_mean_field"] is not None and s["first_nonfinite_layer"] is None


# ---- parameters ----------------------------------------------------------------------------------------


def test_shared_knobs_appear_once_and_different_declarations_clash():
    names = gr.CONCEPT.params.names
    assert len(names) == len(set(names)) and names.count("seed") == 1
    assert set(gr.NET.params.names) & set(gr.TRAIN.params.names) >= {"depth", "act_a", "res_b"}
    with pytest.raises(ValueError, match="seed"):
        merge(ParamSet((Int("seed", 0, lo=0, hi=9),)), ParamSet((Int("seed", 1, lo=0, hi=9),)))


def test_training_work_is_capped_with_a_notice():
    values, notices = gr.CONCEPT.params.decode({"depth": "100", "width": "512", "steps": "2000"})
    assert values["steps"] == 30 and training.cost(values) <= training.LIMIT_S <= budget.CPU_S
    assert values["width"] == 400 and training.megabytes(values) <= budget.MEMORY_MB  # two 100 × 512 nets: 945 MB
    assert [(n.param, n.info["why"]) for n in notices] == [
        ("batch", "memory"),
        ("width", "memory"),
        ("steps", "train_budget"),
    ]
    values, notices = gr.CONCEPT.params.decode({"steps": "1000"})  # the default net may train 1000 steps
    assert values["steps"] == 1000 and notices == []


def test_the_probe_batch_is_cut_to_the_memory_budget():
    values, notices = gr.CONCEPT.params.decode({"depth": "100", "width": "512", "batch": "512"})
    assert values["batch"] == 224 and gr.net_megabytes(values) <= budget.MEMORY_MB
    assert [(n.param, n.raw, n.info["why"]) for n in notices if n.param == "batch"] == [("batch", "512", "memory")]
    assert gr.CONCEPT.params.decode({"batch": "512"}) == (gr.CONCEPT.params.defaults() | {"batch": 512}, [])


def test_claims_are_computed_and_say_what_the_page_says():
    c = gr.claims()
    assert c["relu_default_rel"] < 1e-6 and c["relu_normal_rel"] > 1e10 and c["relu_normal_factor"] > 4
    assert c["sigmoid_bn_rel"] > 0.1 and c["sigmoid_res_rel"] > 0.1 and c["sigmoid_rel"] < 1e-15
    assert c["relu_bn_rel"] > 10  # batch norm at init: the gradient grows towards the input
    assert c["relu_res_std_growth"] > 100 and c["sigmoid_big_factor"] > 1
    assert c["lstm1_steps"] > c["lstm0_steps"] >= c["rnn_steps"]
    assert c["clip_norm_after"] == pytest.approx(1.0) and c["clip_norm_cos"] == pytest.approx(1.0)
    assert c["clip_value_cos"] < 0.99
    assert c["rnn_loud_rel"] > 100 and c["lstm_loud_rel"] < 10  # W_hh ×3: the RNN explodes back in time
    assert c["batch16_factor"] == pytest.approx(c["batch512_factor"], rel=0.05)  # the batch does not set it


def test_large_but_finite_activations_are_not_reported_as_inf():
    p = probe("relu", "normal", sigma=1.0)  # h reaches ~1e26: finite in float32, its square is not
    assert np.isfinite(p.mean).all() and np.isfinite(p.std).all() and p.std[-1] > 1e20
    assert grad_net.diagnose(p)["first_nonfinite_layer"] is None

"""Gradient vanishing and exploding: the page's knobs, its three experiments, presets and claims.

    net    two configurations of a deep MLP on the same seed, one forward + backward each:
           per layer ‖∂L/∂h_l‖, ‖∂L/∂W_l‖, mean/std/histogram of h_l, mean-field theory (core/grad_net.py)
    train  both trained with SGD on the digits, live, with NaN detection and clipping (core/training.py)
    rnn    ‖∂L_T/∂h_t‖ against t for a tanh RNN, an LSTM and a GRU (core/grad_rnn.py)

The network knobs (depth, width, seed, both configurations) are declared once and shared by `net`
and `train`; `seed` is shared by all three.

Key equation (plain net, mean-field; Poole et al. 2016, Schoenholz et al. 2017):
    ‖∂L/∂h_{l−1}‖ / ‖∂L/∂h_l‖ ≈ √(n_in · Var W) · √E[φ′(z_l)²]
sigmoid: φ′ ≤ 1/4, PyTorch default init: n_in·Var W = 1/3  →  factor ≤ 0.144 per layer, 10⁻²⁵ over 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core import budget
from core.device import device
from core.experiment import Claim, Concept, Experiment, streaming
from core.gradients import inits, notes_code, training
from core.gradients import net as grad_net
from core.gradients import rnn as grad_rnn
from core.gradients.net import ACTIVATIONS, NORMS, Net, Probe
from core.params import Bool, Choice, Float, Int, LogFloat, Notice, ParamSet, when, when_not

FORMULAS = {
    "backward": r"\frac{\partial L}{\partial h_{l-1}} = W_l^{\top}\left(\varphi'(z_l) \odot "
    r"\frac{\partial L}{\partial h_l}\right), \qquad "
    r"\frac{\partial L}{\partial W_l} = \left(\varphi'(z_l) \odot \frac{\partial L}{\partial h_l}\right)"
    r" h_{l-1}^{\top}",
    "factor": r"\frac{\lVert \partial L/\partial h_{l-1} \rVert}{\lVert \partial L/\partial h_l \rVert} \approx "
    r"\underbrace{\sqrt{n_\mathrm{in}\,\mathrm{Var}(W)}}_{\text{weights}} \cdot "
    r"\underbrace{\sqrt{\mathbb{E}\left[\varphi'(z)^2\right]}}_{\text{activation}},\qquad "
    r"\sigma'(z) \le \tfrac14",
    "clip_norm": r"g \leftarrow g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert}\right)",
    "clip_value": r"g_i \leftarrow \max(-c, \min(c, g_i))",
    "rnn": r"\frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}\!\left(1 - h_t^2\right) W_{hh}"
    r"\quad\text{(RNN)},\qquad \frac{\partial c_t}{\partial c_{t-1}} \ni \mathrm{diag}(f_t)\quad\text{(LSTM)}",
}

# ---- the network, shared by `net` and `train` -------------------------------------------------------

DEPTH = Int("depth", 30, lo=2, hi=100)
WIDTH = Int("width", 128, lo=16, hi=512, step=16)
SEED = Int("seed", 0, lo=0, hi=999)


def _config(k: str, act: str, init: str) -> tuple:
    return (
        Choice(f"act_{k}", act, choices=ACTIVATIONS),
        Choice(f"init_{k}", init, choices=tuple(inits.INITS)),
        LogFloat(f"sigma_{k}", 1.0, lo=0.001, hi=10.0, when=when(f"init_{k}", "normal")),
        Choice(f"norm_{k}", "none", choices=NORMS),
        Bool(f"res_{k}", False),
    )


CONFIG_A, CONFIG_B = _config("a", "sigmoid", "default"), _config("b", "relu", "he")
NETWORK = (DEPTH, WIDTH, SEED, *CONFIG_A, *CONFIG_B)

# ---- the measured pass ----------------------------------------------------------------------------

DATA = Choice("data", "normal", choices=("normal", "digits"))
BATCH = Int("batch", 256, lo=16, hi=512, step=16)


# Peak memory of the probe (two nets; activations kept for backward, weights and their gradients), MB above the
# idle process: measured 537–1101 MB at 50–100 × 256–512 × 256–512 (peak RSS, /usr/bin/time), ≈ 40 bytes per
# activation element and 8 per weight; bench/link_budget.py --page gradients checks the largest link.
def net_megabytes(v: dict) -> float:
    return 40e-6 * v["depth"] * v["width"] * v["batch"] + 8e-6 * v["depth"] * v["width"] ** 2


def _net_rules(v: dict) -> list[Notice]:
    return budget.cut(v, net_megabytes, "batch", lo=BATCH.lo, step=BATCH.step, why="memory", limit=budget.MEMORY_MB)


NET_PARAMS = ParamSet((DEPTH, WIDTH, DATA, BATCH, SEED, *CONFIG_A, *CONFIG_B), rules=_net_rules)


@lru_cache(maxsize=4)
def inputs(data: str, batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The probe's batch on the device: standard-normal features with random labels, or standardized digits."""
    gen = torch.Generator().manual_seed(seed * 8 + 3)
    if data == "digits":
        x, y, _, _ = training.digits(seed)
        pick = torch.randperm(len(y), generator=gen)[:batch]
        x, y = x[pick], y[pick]
    else:
        x = torch.randn(batch, grad_net.D_IN, generator=gen)
        y = torch.randint(0, grad_net.D_OUT, (batch,), generator=gen)
    return x.to(device()), y.to(device())


@lru_cache(maxsize=32)
def probe(net: Net, data: str, batch: int, seed: int, depth: int, width: int) -> Probe:
    """One configuration's measured pass; kept per configuration, so moving a knob of A leaves B cached."""
    x, y = inputs(data, batch, seed)
    return grad_net.measure(net, x, y, seed, depth, width)


@dataclass(frozen=True)
class NetResult:
    a: Probe
    b: Probe
    depth: int
    width: int
    data: str


def run_net(values: dict) -> NetResult:
    a, b = (
        probe(n, values["data"], values["batch"], values["seed"], values["depth"], values["width"])
        for n in grad_net.pair(values)
    )
    return NetResult(a, b, values["depth"], values["width"], values["data"])


def probe_summary(p: Probe) -> dict:
    n = p.net
    return {
        "activation": n.act,
        "init": n.init,
        "sigma": n.sigma if n.init == "normal" else None,
        "norm": n.norm,
        "residual": n.res,
        "weight_variance_formula": p.weight_var_formula,
        "loss": p.loss,
        "act_grad_norm": p.act_grad,
        "weight_grad_norm": p.weight_grad,
        "act_mean": p.mean,
        "act_std": p.std,
        "factor_measured": grad_net.factor(p.act_grad),
        "factor_mean_field": grad_net.factor(p.theory) if n.plain else None,
        "max_slope": p.max_slope,
        **grad_net.diagnose(p),
    }


def ratio(a: float, b: float) -> float:
    """a / b, or NaN where that is not a finite number (an exploded or underflowed end)."""
    a, b = float(a), float(b)
    return a / b if np.isfinite(a) and np.isfinite(b) and b > 0 and np.isfinite(a / b) else float("nan")


def table_row(p: Probe) -> dict[str, float]:
    """The numbers the page prints under the norms chart for one configuration (NaN: not available)."""
    return {
        "factor": grad_net.factor(p.act_grad),
        "theory": grad_net.factor(p.theory) if p.net.plain else float("nan"),
        "gain": p.gain,
        "slope": p.max_slope,
        "act_ratio": ratio(p.act_grad[0], p.act_grad[-1]),
        "weight_ratio": ratio(p.weight_grad[0], p.weight_grad[-1]),
        "loss": p.loss,
    }


def notes(p: Probe) -> list[tuple[str, dict]]:
    """(text key, numbers) for each thing the page must say about a configuration: a forward pass that
    reached inf/NaN, gradients that did, gradients that underflowed to exactly 0."""
    d, out = grad_net.diagnose(p), []
    if d["first_nonfinite_layer"]:
        out.append(("net.blowup", {"layer": d["first_nonfinite_layer"]}))
    elif d["gradient_nonfinite"]:
        out.append(("net.grad_bad", {}))
    if d["underflow_layers"]:
        layers = d["underflow_layers"]
        shown = f"{layers[0]}–{layers[-1]}" if len(layers) > 1 else str(layers[0])
        out.append(("net.underflow", {"count": len(layers), "layers": shown}))
    return out


def net_summary(r: NetResult) -> dict:
    return {
        "depth": r.depth,
        "width": r.width,
        "data": r.data,
        "configs": {"a": probe_summary(r.a), "b": probe_summary(r.b)},
    }


NET = Experiment("net", NET_PARAMS, run_net, net_summary, heavy=True)

# ---- training ------------------------------------------------------------------------------------------

STEPS = Int("steps", 300, lo=10, hi=2000, step=10)


def _train_rules(v: dict) -> list[Notice]:
    mb, s = budget.MEMORY_MB, training.LIMIT_S
    room = budget.cut(v, training.megabytes, "width", lo=WIDTH.lo, step=WIDTH.step, why="memory", limit=mb)
    return room + budget.cut(v, training.cost, "steps", lo=STEPS.lo, step=STEPS.step, why="train_budget", limit=s)


TRAIN_PARAMS = ParamSet(
    (
        *NETWORK,
        STEPS,
        LogFloat("lr", 0.02, lo=0.001, hi=10.0),
        Choice("clip", "none", choices=("none", "norm", "value")),
        LogFloat("clip_at", 1.0, lo=0.001, hi=100.0, when=when_not("clip", "none")),
    ),
    rules=_train_rules,
)


def train_summary(r: training.TrainResult) -> dict:
    out = {"steps": r.steps, "lr": r.lr, "clip": r.clip, "clip_at": r.clip_at if r.clip != "none" else None}
    for k, net, nan in zip("ab", r.nets, r.nan_step):
        last = (nan - 1 if nan else r.done) - 1  # the last step with finite numbers
        out[k] = {
            "activation": net.act,
            "init": net.init,
            "loss_per_step": r.loss[: r.done, "ab".index(k)],
            "nan": nan is not None,
            "nan_step": nan,
            "final_loss": float(r.loss[last, "ab".index(k)]) if last >= 0 else None,
            "test_accuracy": None if nan else float(r.test_acc[-1, "ab".index(k)]),
            "layer_grad_norm_last_step": r.layer_grad["ab".index(k), last] if last >= 0 else None,
        }
    return out


def verdicts(r: training.TrainResult) -> list[tuple[str, dict]]:
    """(text key, numbers) per net: where it diverged, or its loss from first to last step and test accuracy."""
    out = []
    for i, step in enumerate(r.nan_step):
        if step is not None:
            out.append(("train.diverged", {"step": step}))
        else:
            out.append(
                (
                    "train.verdict",
                    {
                        "first": float(r.loss[0, i]),
                        "last": float(r.loss[r.done - 1, i]),
                        "acc": float(r.test_acc[-1, i]),
                    },
                )
            )
    return out


TRAIN = streaming("train", TRAIN_PARAMS, training.stream, train_summary, cost=training.cost)

# ---- through time -----------------------------------------------------------------------------------

RNN_PARAMS = ParamSet(
    (
        Int("seq_len", 50, lo=10, hi=500, step=10),
        Int("hidden", 64, lo=16, hi=256, step=16),
        Float("fbias", 1.0, lo=0.0, hi=5.0, step=0.5),
        Float("w_scale", 1.0, lo=0.25, hi=5.0, step=0.25),
        SEED,
    )
)


def rnn_summary(r: grad_rnn.ThroughTime) -> dict:
    out = {
        k: {"grad_norm_by_step": r.h[i], "steps_to_1e-6": grad_rnn.steps_to_drop(r.h[i])}
        for i, k in enumerate(grad_rnn.CELLS)
    }
    out["lstm_cell_state"] = {"grad_norm_by_step": r.c, "steps_to_1e-6": grad_rnn.steps_to_drop(r.c)}
    out["lstm_forget_gate_mean"] = r.forget
    return out


RNN = Experiment("rnn", RNN_PARAMS, grad_rnn.through_time, rnn_summary, heavy=True)

# ---- the seeds' claims, checked by computation -----------------------------------------------------------


def _probe30(act: str, init: str, sigma: float = 1.0, norm: str = "none", res: bool = False) -> Probe:
    return probe(Net(act, init, sigma, norm, res), "normal", 256, 0, 30, 128)


@lru_cache(maxsize=1)
def claims() -> dict[str, float]:
    """Numbers that confirm or refute the interview notes' statements about vanishing and exploding
    (30 layers of width 128, a batch of 256 standard-normal inputs, seed 0)."""
    rel = lambda p: float(p.act_grad[0] / p.act_grad[-1])
    relu_default, relu_normal = _probe30("relu", "default"), _probe30("relu", "normal")
    sig_plain, sig_bn, sig_res = (
        _probe30("sigmoid", "default"),
        _probe30("sigmoid", "default", norm="batch"),
        _probe30("sigmoid", "default", res=True),
    )
    relu_he, relu_bn, relu_res = (
        _probe30("relu", "he"),
        _probe30("relu", "he", norm="batch"),
        _probe30("relu", "he", res=True),
    )
    sig_big = _probe30("sigmoid", "normal", sigma=2.0)
    rnn = lambda fbias: grad_rnn.through_time({"seq_len": 100, "hidden": 64, "fbias": fbias, "w_scale": 1.0, "seed": 0})
    plain_lstm, biased_lstm = rnn(0.0), rnn(1.0)
    loud = grad_rnn.through_time({"seq_len": 100, "hidden": 64, "fbias": 1.0, "w_scale": 3.0, "seed": 0})
    small_batch, large_batch = (probe(Net("relu", "normal"), "normal", b, 0, 30, 128) for b in (16, 512))
    clip = _clip_check()
    return {
        "relu_default_rel": rel(relu_default),
        "relu_default_factor": grad_net.factor(relu_default.act_grad),
        "relu_normal_rel": rel(relu_normal),
        "relu_normal_factor": grad_net.factor(relu_normal.act_grad),
        "relu_normal_std": float(relu_normal.std[-1]),
        "relu_he_rel": rel(relu_he),
        "sigmoid_rel": rel(sig_plain),
        "sigmoid_factor": grad_net.factor(sig_plain.act_grad),
        "sigmoid_bn_rel": rel(sig_bn),
        "sigmoid_res_rel": rel(sig_res),
        "relu_bn_rel": rel(relu_bn),
        "relu_res_rel": rel(relu_res),
        "relu_res_std_growth": float(relu_res.std[-1] / relu_res.std[0]),
        "sigmoid_big_factor": grad_net.factor(sig_big.act_grad),
        "sigmoid_big_gain": sig_big.gain,
        "lstm0_steps": grad_rnn.steps_to_drop(plain_lstm.h[1]) or 100,
        "lstm1_steps": grad_rnn.steps_to_drop(biased_lstm.h[1]) or 100,
        "rnn_steps": grad_rnn.steps_to_drop(plain_lstm.h[0]) or 100,
        "forget0": plain_lstm.forget,
        "forget1": biased_lstm.forget,
        **clip,
        "rnn_loud_rel": float(loud.h[0][0] / loud.h[0][-1]),
        "lstm_loud_rel": float(loud.h[1][0] / loud.h[1][-1]),
        "batch16_factor": grad_net.factor(small_batch.act_grad),
        "batch512_factor": grad_net.factor(large_batch.act_grad),
    }


def _clip_check() -> dict[str, float]:
    """Clip a real exploding gradient (tanh, N(0, 1), 10 layers) by norm and by value: size and direction."""
    net = Net("tanh", "normal", 1.0)
    x, y = inputs("normal", 256, 0)
    p = grad_net.params(net, 0, 10, 128, device())
    logits, _, _ = grad_net.forward(p, x, net)
    grads = torch.autograd.grad(torch.nn.functional.cross_entropy(logits, y), p.tensors())
    g = torch.cat([t.flatten() for t in grads]).double()
    by_norm = g * min(1.0, 1.0 / float(g.norm()))
    by_value = g.clamp(-0.01, 0.01)
    cos = lambda a, b: float(a @ b / (a.norm() * b.norm()))
    return {
        "clip_raw_norm": float(g.norm()),
        "clip_norm_after": float(by_norm.norm()),
        "clip_norm_cos": cos(g, by_norm),
        "clip_value_after": float(by_value.norm()),
        "clip_value_cos": cos(g, by_value),
    }


def card_numbers() -> dict[str, float]:
    """What the claim cards quote (measured once per process): the networks' numbers and the notes' backprop code."""
    return {**claims(), **notes_code.numbers()}


# ---- presets ----------------------------------------------------------------------------------------------

PRESETS = {
    "sigmoid_30": {"act_a": "sigmoid", "init_a": "default", "act_b": "sigmoid", "init_b": "xavier_uniform"},
    "relu_he": {"act_a": "relu", "init_a": "default", "act_b": "relu", "init_b": "he", "depth": 50},
    "normal_explodes": {"act_a": "relu", "init_a": "normal", "act_b": "tanh", "init_b": "normal"},
    "residual_rescue": {
        "act_a": "sigmoid",
        "init_a": "default",
        "act_b": "sigmoid",
        "init_b": "default",
        "res_b": True,
    },
    "batchnorm_rescue": {
        "act_a": "sigmoid",
        "init_a": "default",
        "act_b": "sigmoid",
        "init_b": "default",
        "norm_b": "batch",
    },
    "glorot_flat": {
        "act_a": "tanh",
        "init_a": "normal",
        "sigma_a": 0.05,
        "act_b": "tanh",
        "init_b": "xavier_normal",
        "depth": 10,
    },
    "selu_lecun": {"act_a": "selu", "init_a": "lecun", "act_b": "relu", "init_b": "orthogonal"},
    "lr_explodes": {"lr": 0.5},
    "clip_rescues": {"lr": 0.2, "clip": "norm", "clip_at": 1.0},
    "lstm_vs_rnn": {"seq_len": 100},
    "pytorch_lstm": {"seq_len": 100, "fbias": 0.0},
    "rnn_explodes": {"seq_len": 100, "w_scale": 3.0},
    "sigmoid_big_weights": {
        "act_a": "sigmoid",
        "init_a": "default",
        "act_b": "sigmoid",
        "init_b": "normal",
        "sigma_b": 2.0,
    },
    "batchnorm_relu": {"act_a": "relu", "init_a": "he", "act_b": "relu", "init_b": "he", "norm_b": "batch"},
    "small_batch_explodes": {"act_a": "relu", "init_a": "normal", "act_b": "relu", "init_b": "normal", "batch": 16},
}


# ---- the notes' claims: cards beside their sections -------------------------------------------------------
# Numbers: 30 layers of width 128, 256 standard-normal inputs, seed 0; RNNs of 100 steps (`claims`). A verdict the
# numbers decide is computed from them (tests/gradients/test_claims.py checks each against its numbers).


CLAIMS = (
    Claim(
        "relu_always_one",
        lambda n: "false" if n["relu_default_rel"] < 1e-3 else "partly",
        "net",
        "relu_he",
        (("default", "relu_default_rel"), ("he", "relu_he_rel")),
    ),
    Claim(
        "relu_explode",
        lambda n: "false" if n["relu_normal_rel"] > 1e3 else "true",
        "net",
        "normal_explodes",
        (("normal", "relu_normal_rel"), ("he", "relu_he_rel")),
    ),
    Claim(
        "sigmoid_explode",
        lambda n: "partly" if n["sigmoid_big_factor"] > 1 and n["sigmoid_factor"] < 1 else "true",
        "net",
        "sigmoid_big_weights",
        (("default", "sigmoid_factor"), ("big", "sigmoid_big_factor")),
    ),
    Claim(
        "bn_vanish",
        lambda n: "true" if n["sigmoid_bn_rel"] > 0.01 > 1e6 * n["sigmoid_rel"] else "false",
        "net",
        "batchnorm_rescue",
        (("plain", "sigmoid_rel"), ("bn", "sigmoid_bn_rel")),
    ),
    Claim(
        "bn_explode",
        lambda n: "false" if n["relu_bn_rel"] > 10 * max(n["relu_he_rel"], 1.0) else "partly",
        "net",
        "batchnorm_relu",
        (("plain", "relu_he_rel"), ("bn", "relu_bn_rel")),
    ),
    Claim(
        "resnet",
        lambda n: "partly" if n["sigmoid_res_rel"] > 0.01 and n["relu_res_rel"] > 100 else "true",
        "net",
        "residual_rescue",
        (("sigmoid", "sigmoid_rel"), ("sigmoid_res", "sigmoid_res_rel"), ("relu_res", "relu_res_rel")),
    ),
    Claim(
        "batch",
        lambda n: "false" if abs(n["batch16_factor"] / n["batch512_factor"] - 1) < 0.05 else "depends",
        "net",
        "small_batch_explodes",
        (("small", "batch16_factor"), ("large", "batch512_factor")),
    ),
    Claim(
        "clip",
        lambda n: "true" if n["clip_norm_cos"] > 0.999 and abs(n["clip_norm_after"] - 1) < 1e-6 else "false",
        "train",
        "clip_rescues",
        (("by_norm", "clip_norm_cos"), ("by_value", "clip_value_cos")),
    ),
    Claim(
        "backprop_code",
        notes_code.verdict,
        "train",
        None,
        (("notes", "code_rel_err_notes"), ("fixed", "code_rel_err_fixed")),
    ),
    Claim(
        "lstm",
        lambda n: "partly" if n["lstm1_steps"] > n["lstm0_steps"] >= n["rnn_steps"] else "true",
        "rnn",
        "pytorch_lstm",
        (("rnn", "rnn_steps"), ("lstm0", "lstm0_steps"), ("lstm1", "lstm1_steps")),
    ),
    Claim(
        "lstm_explode",
        lambda n: "true" if n["rnn_loud_rel"] > 100 and n["lstm_loud_rel"] < 10 else "false",
        "rnn",
        "rnn_explodes",
        (("rnn", "rnn_loud_rel"), ("lstm", "lstm_loud_rel")),
    ),
)

CONCEPT = Concept("gradients", "🌋", (NET, TRAIN, RNN), PRESETS, claims=CLAIMS, numbers=card_numbers)

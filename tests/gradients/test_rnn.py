"""Gradients through time: the unrolled cells are PyTorch's cells, ∂L_T/∂h_t matches an explicit
recursion and finite differences, and the LSTM's gradient survives longer than the RNN's."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.gradients import concept as gr
from core.gradients import rnn as grad_rnn

V = gr.RNN_PARAMS.defaults()


def setup(kind, T=12, H=8, fbias=1.0, w_scale=1.0):
    gen = torch.Generator().manual_seed(0)
    cell = grad_rnn.make_cell(kind, H, gen, fbias, w_scale)
    x = torch.randn(T, 3, grad_rnn.INPUT, generator=gen, dtype=torch.float64)
    readout = torch.randn(grad_rnn.CLASSES, H, generator=gen, dtype=torch.float64)
    y = torch.tensor([1, 4, 7])
    return cell, x, readout, y


@pytest.mark.parametrize("kind", grad_rnn.CELLS)
def test_the_unrolled_cell_is_the_same_computation_as_the_sequence_module(kind):
    cell, x, _, _ = setup(kind)
    module = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](grad_rnn.INPUT, 8, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(module, f"{name}_l0").copy_(getattr(cell, name))
    hs, _, _ = grad_rnn.unroll(kind, cell, x, 8)
    out, _ = module(x)
    torch.testing.assert_close(torch.stack(hs), out, rtol=1e-12, atol=1e-12)


def test_rnn_gradient_matches_the_explicit_jacobian_recursion():
    cell, x, readout, y = setup("rnn")
    hs, _, _ = grad_rnn.unroll("rnn", cell, x, 8)
    grads = torch.autograd.grad(F.cross_entropy(hs[-1] @ readout.T, y), hs)
    g = grads[-1]
    for t in range(len(hs) - 1, 0, -1):  # ∂L/∂h_{t−1} = W_hhᵀ (1 − h_t²) ∂L/∂h_t
        g = ((1 - hs[t] ** 2) * g) @ cell.weight_hh.detach()
        torch.testing.assert_close(grads[t - 1], g, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gated_gradient_matches_central_differences(kind):
    cell, x, readout, y = setup(kind)
    hs, cs, _ = grad_rnn.unroll(kind, cell, x, 8)
    t = 3
    grads = torch.autograd.grad(F.cross_entropy(hs[-1] @ readout.T, y), hs)
    u = torch.randn_like(hs[t])

    def loss_from(h):  # rerun steps t+1 … T from a perturbed h_t (the LSTM keeps its c_t)
        c = cs[t].detach() if kind == "lstm" else None
        for x_s in x[t + 1 :]:
            h, c = cell(x_s, (h, c)) if kind == "lstm" else (cell(x_s, h), None)
        return F.cross_entropy(h @ readout.T, y)

    eps = 1e-6
    with torch.no_grad():
        fd = (loss_from(hs[t] + eps * u) - loss_from(hs[t] - eps * u)) / (2 * eps)
    assert float(fd) == pytest.approx(float((grads[t] * u).sum()), rel=1e-6, abs=1e-12)


def test_the_lstm_gradient_survives_longer_than_the_rnn_gradient():
    r = grad_rnn.through_time({**V, "seq_len": 100})
    rnn, lstm = grad_rnn.steps_to_drop(r.h[0]), grad_rnn.steps_to_drop(r.h[1])
    assert rnn is not None and rnn < 40
    assert lstm is None or lstm > rnn + 20
    assert r.h[1][0] / r.h[1][-1] > 1e6 * (r.h[0][0] / r.h[0][-1])


def test_the_forget_bias_sets_the_forget_gate_and_its_memory():
    plain = grad_rnn.through_time({**V, "seq_len": 100, "fbias": 0.0})
    biased = grad_rnn.through_time({**V, "seq_len": 100, "fbias": 2.0})
    assert plain.forget == pytest.approx(0.5, abs=0.05)
    assert biased.forget == pytest.approx(1 / (1 + math.exp(-2)), abs=0.05)
    assert biased.c[0] / biased.c[-1] > 1e6 * plain.c[0] / plain.c[-1]


def test_large_recurrent_weights_make_the_rnn_gradient_explode_backwards():
    r = grad_rnn.through_time({**V, "seq_len": 60, "w_scale": 4.0})
    assert r.h[0][0] / r.h[0][-1] > 100
    assert np.isfinite(r.h).all()
    assert grad_rnn.steps_to_drop(r.h[0]) is None


def test_steps_to_drop_counts_back_from_the_end():
    assert grad_rnn.steps_to_drop(np.array([1e-9, 1e-7, 1e-5, 1.0])) == 2
    assert grad_rnn.steps_to_drop(np.array([0.5, 1.0])) is None
    assert grad_rnn.steps_to_drop(np.array([np.nan, 1.0])) == 1

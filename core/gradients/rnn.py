"""Gradients through time: how much of a loss at the last step reaches each earlier hidden state.

    vanilla RNN  h_t = tanh(W_ih x_t + W_hh h_{t−1} + b)
                 ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh       a product of T such matrices: shrinks or grows
    LSTM         c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t,  h_t = o_t ⊙ tanh(c_t)
                 ∂c_t/∂c_{t−1} ⊇ diag(f_t)                 the cell path is scaled by the forget gate only
    GRU          h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}     the z_t ⊙ h_{t−1} path is a gated copy

(Hochreiter & Schmidhuber, 1997; Cho et al., 2014; Pascanu et al., 2013.) The cells are
torch.nn.RNNCell / LSTMCell / GRUCell with PyTorch's initialization U(−1/√H, 1/√H) for every weight
and bias, stepped one time step at a time so every h_t is a node of the graph; one backward pass from
the loss at step T gives ‖∂L_T/∂h_t‖ for every t. `fbias` is added to the LSTM's forget-gate bias
(f_t = σ(… + fbias) ≈ 0.5 at fbias = 0, ≈ 0.73 at 1: Gers et al., 2000; Jozefowicz et al., 2015);
`w_scale` multiplies every recurrent matrix W_hh.

Computed in float64: a gradient that decays by 0.5 per step is 10⁻⁴⁵ after 150 steps, below float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.device import device

CELLS = ("rnn", "lstm", "gru")
INPUT, BATCH, CLASSES = 16, 32, 10


@dataclass(frozen=True)
class ThroughTime:
    seq_len: int
    h: np.ndarray  # (3, T) ‖∂L_T/∂h_t‖ for rnn, lstm, gru (t = 1..T)
    c: np.ndarray  # (T,) ‖∂L_T/∂c_t‖ of the LSTM's cell state
    forget: float  # mean forget-gate value of the LSTM over the sequence
    fbias: float
    w_scale: float


def make_cell(kind: str, hidden: int, gen: torch.Generator, fbias: float, w_scale: float) -> nn.Module:
    cell = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind](INPUT, hidden, dtype=torch.float64)
    bound = 1 / math.sqrt(hidden)
    with torch.no_grad():
        for p in cell.parameters():  # PyTorch's own scheme for recurrent cells, from our generator
            p.uniform_(-bound, bound, generator=gen)
        cell.weight_hh.mul_(w_scale)
        if kind == "lstm":  # gate order in PyTorch: input, forget, cell, output
            cell.bias_hh[hidden : 2 * hidden] += fbias
    return cell


def unroll(kind: str, cell: nn.Module, x: torch.Tensor, hidden: int):
    """States h_1..h_T (and c_1..c_T for the LSTM) as graph nodes; x is (T, B, INPUT)."""
    h = x.new_zeros(x.shape[1], hidden)
    c = x.new_zeros(x.shape[1], hidden)
    hs, cs, gates = [], [], []
    for x_t in x:
        if kind == "lstm":
            with torch.no_grad():  # the forget gate's value, for the caption
                pre = F.linear(x_t, cell.weight_ih, cell.bias_ih) + F.linear(h, cell.weight_hh, cell.bias_hh)
                gates.append(torch.sigmoid(pre[:, hidden : 2 * hidden]).mean())
            h, c = cell(x_t, (h, c))
            cs.append(c)
        else:
            h = cell(x_t, h)
        hs.append(h)
    return hs, cs, gates


def through_time(values: dict) -> ThroughTime:
    """‖∂L_T/∂h_t‖ for t = 1..T for the three cells on the same inputs and the same readout."""
    dev = device()
    T, H, seed = values["seq_len"], values["hidden"], values["seed"]
    fbias, w_scale = float(values["fbias"]), float(values["w_scale"])
    gen = torch.Generator().manual_seed(seed * 8 + 5)
    x = torch.randn(T, BATCH, INPUT, generator=gen, dtype=torch.float64).to(dev)  # (T, B, INPUT)
    y = torch.randint(0, CLASSES, (BATCH,), generator=gen).to(dev)
    readout = (torch.empty(CLASSES, H, dtype=torch.float64).uniform_(-1, 1, generator=gen) / math.sqrt(H)).to(dev)
    norms, c_norm, forget = [], None, float("nan")
    for kind in CELLS:
        cell = make_cell(kind, H, gen, fbias, w_scale).to(dev)
        hs, cs, gates = unroll(kind, cell, x, H)
        loss = F.cross_entropy(hs[-1] @ readout.T, y)  # a loss at the last step only
        grads = torch.autograd.grad(loss, hs + cs)
        norms.append(torch.stack([torch.linalg.vector_norm(g) for g in grads[:T]]))
        if kind == "lstm":
            c_norm = torch.stack([torch.linalg.vector_norm(g) for g in grads[T:]])
            forget = torch.stack(gates).mean()
    out = torch.cat([*norms, c_norm, forget.view(1)]).cpu().numpy()  # one transfer
    return ThroughTime(
        seq_len=T,
        h=out[: 3 * T].reshape(3, T),
        c=out[3 * T : 4 * T],
        forget=float(out[-1]),
        fbias=fbias,
        w_scale=w_scale,
    )


def steps_to_drop(norms: np.ndarray, drop: float = 1e-6) -> int | None:
    """How many steps before T the gradient is last below `drop` × its value at T (None: never)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = norms / norms[-1]
    below = np.flatnonzero(~(rel >= drop))  # NaN counts as lost
    return None if len(below) == 0 else int(len(norms) - 1 - below[-1])

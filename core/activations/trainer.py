"""A small MLP classifier trainer for 2-D data, reusable by any page (no page knowledge here).

Network (L hidden layers of width H, activation f from core.activation_fns.FUNCTIONS, the table
behind core.activations.concept.FUNCTIONS):
    h₀ = x,   zₗ = Wₗ hₗ₋₁ + bₗ,   hₗ = f(zₗ)  (l = 1..L),   logits = W_out h_L + b_out
Loss: cross-entropy  −log softmax(logits)_y, averaged over the batch (any number of classes).
L2: λ/2 · Σₗ‖Wₗ‖² over the weight matrices (not biases), applied as the optimizer's weight_decay,
whose gradient term λW is exactly that penalty's gradient for SGD, Momentum and (coupled) Adam.
Optimizers are torch.optim's: SGD, SGD with momentum 0.9, Adam (β = 0.9, 0.999).

Dead unit: a hidden unit whose output is exactly 0 on every training point; it passes no gradient
to its weights, so (for ReLU, where output 0 ⇔ z ≤ 0 ⇔ f′ = 0) it can never recover. "Negative"
units (z ≤ 0 on every training point) are counted too: for Leaky ReLU / ELU they still learn.

With the identity activation the whole network is one affine map (`collapse`):
    logits = W_out ⋯ W₁ x + b_eff,   so its decision boundaries are straight lines.

Training is a generator on the house skeleton (core.training.chunked): `train(cfg, data)` yields
(fraction_done, TrainResult) once per chunk of steps; metrics stay on the device during a chunk and are
read once at its end.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from core import datasets2d, training
from core.activation_fns import FUNCTIONS, KNOB_DEFAULTS
from core.datasets2d import Dataset2D
from core.device import device
from core.experiment import drain

OPTIMIZERS = ("sgd", "momentum", "adam")
PARTS = 4  # about four chunks per run (each 100–250 steps): where a diverging run stops, so it is part of the result
INITS = ("default", "xavier", "he", "normal")


@dataclass(frozen=True)
class Config:
    depth: int = 2  # hidden layers
    width: int = 8  # units per hidden layer
    act: str = "tanh"  # a key of FUNCTIONS
    init: str = "default"  # default | xavier | he | normal (see init_params)
    opt: str = "adam"
    lr: float = 0.03
    batch: int = 32
    steps: int = 1000
    l2: float = 0.0
    seed: int = 0
    knobs: tuple[tuple[str, float], ...] = ()  # activation knob overrides, e.g. (("leak", 0.1),)
    eval_every: int = 0  # train/test metrics and dead units every this many steps (0: about 100 per run)
    snapshots: int = 25  # decision-boundary snapshots kept for replay (plus step 0)
    chunk: int = 0  # steps per yielded chunk (0: core.training.chunk_size(steps, PARTS), the house rule)
    grid: int = 50  # decision-boundary grid size per side
    unit_grid: int = 25  # per-unit response map size per side

    def knob_values(self) -> dict:
        return {**KNOB_DEFAULTS, **dict(self.knobs)}

    @property
    def every(self) -> int:
        return self.eval_every or max(5, self.steps // 100)

    @property
    def snap_every(self) -> int:
        """Steps between boundary snapshots: a multiple of `every`, about `snapshots` per run."""
        return max(1, math.ceil(self.steps / self.snapshots / self.every)) * self.every


@dataclass
class Net:
    """Parameters as plain tensors: weights[l] (out, in), biases[l] (out,), slopes[l] for PReLU."""

    weights: list[torch.Tensor]
    biases: list[torch.Tensor]
    slopes: list[torch.Tensor] = field(default_factory=list)


def init_params(cfg: Config, n_in: int, n_out: int, g: torch.Generator) -> Net:
    """default: PyTorch's nn.Linear (W, b ~ U(±1/√fan_in)); xavier: W ~ N(0, 2/(fan_in+fan_out));
    he: W ~ N(0, 2/fan_in); normal: W ~ N(0, 1) (too large). Biases are 0 except for `default`."""
    dev = device()
    sizes = [n_in] + [cfg.width] * cfg.depth + [n_out]
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if cfg.init == "default":
            bound = 1 / math.sqrt(fan_in)
            w = (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound
            b = (torch.rand(fan_out, generator=g) * 2 - 1) * bound
        else:
            std = {"xavier": math.sqrt(2 / (fan_in + fan_out)), "he": math.sqrt(2 / fan_in), "normal": 1.0}[cfg.init]
            w, b = torch.randn(fan_out, fan_in, generator=g) * std, torch.zeros(fan_out)
        weights.append(w.to(dev).requires_grad_(True))
        biases.append(b.to(dev).requires_grad_(True))
    slopes = []
    if cfg.act == "prelu":  # PReLU learns its negative slope, one per layer, from the knob's value
        slopes = [
            torch.full((1,), cfg.knob_values()["prelu_a"], device=dev, requires_grad=True) for _ in range(cfg.depth)
        ]
    return Net(weights, biases, slopes)


def activation(cfg: Config):
    """f(z, layer) for the configured activation."""
    if cfg.act == "prelu":
        return lambda z, net, i: F.prelu(z, net.slopes[i])
    fn, knobs = FUNCTIONS[cfg.act].fn, cfg.knob_values()
    return lambda z, net, i: fn(z, knobs)


def forward(net: Net, x: torch.Tensor, f) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """logits (N, K), pre-activations z_l and outputs h_l of every hidden layer, each (N, H)."""
    zs, hs, h = [], [], x
    for i, (w, b) in enumerate(zip(net.weights[:-1], net.biases[:-1])):
        z = F.linear(h, w, b)  # z_l = W_l h_{l-1} + b_l
        h = f(z, net, i)
        zs.append(z)
        hs.append(h)
    return F.linear(h, net.weights[-1], net.biases[-1]), zs, hs


def optimizer(cfg: Config, net: Net) -> torch.optim.Optimizer:
    groups = [{"params": net.weights, "weight_decay": cfg.l2}, {"params": net.biases + net.slopes, "weight_decay": 0.0}]
    if cfg.opt == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, foreach=True)
    if cfg.opt == "momentum":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9, foreach=True)
    if cfg.opt == "adam":  # foreach: one fused update for all tensors (the CPU default loops over them)
        return torch.optim.Adam(groups, lr=cfg.lr, foreach=True)
    raise ValueError(f"unknown optimizer '{cfg.opt}'")


def dead_fraction(hs: list[torch.Tensor], zs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per hidden layer: share of units whose output is 0 on every row (dead), and share whose input
    is ≤ 0 on every row (negative). Two (L,) tensors."""
    dead = torch.stack([(h == 0).all(0).float().mean() for h in hs])
    negative = torch.stack([(z <= 0).all(0).float().mean() for z in zs])
    return dead, negative


def batches(n: int, batch: int, steps: int, g: torch.Generator) -> torch.Tensor:
    """(steps, batch) row indices: shuffled epochs without replacement, concatenated."""
    batch = min(batch, n)
    epochs = math.ceil(steps * batch / n)
    order = torch.cat([torch.randperm(n, generator=g) for _ in range(epochs)])
    return order[: steps * batch].view(steps, batch)


@dataclass(frozen=True)
class TrainResult:
    config: Config
    done: int  # steps run so far
    eval_steps: np.ndarray  # (E,) int32
    train_loss: np.ndarray  # (E,) float32, cross-entropy without the L2 term
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    dead: np.ndarray  # (E, L) share of dead units per hidden layer
    negative: np.ndarray  # (E, L) share of units with z ≤ 0 on every training point
    dead_units: np.ndarray  # (L, H) bool, dead now (at the end of the latest chunk)
    snap_steps: np.ndarray  # (S,) int32
    probs: np.ndarray  # (S, G, G, K) float32 class probabilities on the grid (rows: x₂, columns: x₁)
    axis: np.ndarray  # (G,) float32 grid coordinates (both axes)
    unit_axis: np.ndarray  # (U,) float32
    units: np.ndarray  # (L, H, U, U) float32 hidden-unit outputs on the unit grid, now
    weights: tuple[np.ndarray, ...]  # W_l (out, in) now, float64
    biases: tuple[np.ndarray, ...]
    slopes: tuple[float, ...]  # PReLU's learned slope per layer (empty for other activations)
    diverged_at: int | None  # first evaluated step with a non-finite loss
    points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x_train, y_train, x_test, y_test
    classes: int
    extent: float

    @property
    def finished(self) -> bool:
        return self.done >= self.config.steps or self.diverged_at is not None


class _Recorder:
    """Metrics gathered on the device during a chunk, copied to the host once at its end."""

    def __init__(self, cfg: Config, data: Dataset2D, net: Net, f):
        dev = device()
        self.cfg, self.data, self.net, self.f = cfg, data, net, f
        self.x_tr, self.y_tr, self.x_te, self.y_te = (
            t.to(dev) for t in (data.x_train, data.y_train, data.x_test, data.y_test)
        )
        self.axis, grid = datasets2d.grid(data.extent, cfg.grid)
        self.unit_axis, unit_grid = datasets2d.grid(data.extent, cfg.unit_grid)
        self.grid, self.unit_grid = grid.to(dev), unit_grid.to(dev)
        self.rows: list[torch.Tensor] = []  # step, train loss, test loss, train acc, test acc, dead…, negative…
        self.snaps: list[torch.Tensor] = []  # (G², K) each
        self.snap_steps: list[int] = []
        self.evals = np.zeros((0, 5 + 2 * cfg.depth), np.float32)
        self.probs: list[np.ndarray] = []
        self.points = tuple(t.numpy() for t in (data.x_train, data.y_train, data.x_test, data.y_test))

    @torch.no_grad()
    def measure(self, step: int) -> None:
        net, f, dev = self.net, self.f, self.x_tr.device
        logits, zs, hs = forward(net, self.x_tr, f)
        logits_te = forward(net, self.x_te, f)[0]
        dead, negative = dead_fraction(hs, zs)
        self.rows.append(
            torch.cat(
                [
                    torch.tensor([float(step)], device=dev),
                    torch.stack(
                        [
                            F.cross_entropy(logits, self.y_tr),
                            F.cross_entropy(logits_te, self.y_te),
                            (logits.argmax(1) == self.y_tr).float().mean(),
                            (logits_te.argmax(1) == self.y_te).float().mean(),
                        ]
                    ),
                    dead,
                    negative,
                ]
            )
        )
        if step % self.cfg.snap_every == 0 or step == self.cfg.steps:
            self.snaps.append(torch.softmax(forward(net, self.grid, f)[0], 1))
            self.snap_steps.append(step)

    def flush(self) -> np.ndarray:
        """The one device → host copy of a chunk's metrics; returns the chunk's train losses (the finite check)."""
        new = np.zeros((0, self.evals.shape[1]), np.float32)
        if self.rows:
            new = torch.stack(self.rows).cpu().numpy()
            self.evals = np.concatenate([self.evals, new])
            self.probs += [p.cpu().numpy() for p in self.snaps]
            self.rows.clear()
            self.snaps.clear()
        return new[:, 1]

    @torch.no_grad()
    def result(self, done: int, diverged_at: int | None = None) -> TrainResult:
        cfg, net, f, g, u = self.cfg, self.net, self.f, self.cfg.grid, self.cfg.unit_grid
        e, L = self.evals, cfg.depth
        hs = forward(net, self.unit_grid, f)[2]
        units = torch.stack([h.T for h in hs]).reshape(L, cfg.width, u, u)  # (L, H, U, U)
        dead_units = torch.stack([(h == 0).all(0) for h in forward(net, self.x_tr, f)[2]])  # (L, H)
        return TrainResult(
            config=cfg,
            done=done,
            eval_steps=e[:, 0].astype(np.int32),
            train_loss=e[:, 1],
            test_loss=e[:, 2],
            train_acc=e[:, 3],
            test_acc=e[:, 4],
            dead=e[:, 5 : 5 + L],
            negative=e[:, 5 + L :],
            dead_units=dead_units.cpu().numpy(),
            snap_steps=np.asarray(self.snap_steps, np.int32),
            probs=np.stack(self.probs).reshape(len(self.probs), g, g, self.data.classes),
            axis=self.axis,
            unit_axis=self.unit_axis,
            units=units.cpu().numpy().astype(np.float32),
            weights=tuple(w.cpu().double().numpy() for w in net.weights),
            biases=tuple(b.cpu().double().numpy() for b in net.biases),
            slopes=tuple(float(a) for a in net.slopes),
            diverged_at=diverged_at,
            points=self.points,
            classes=self.data.classes,
            extent=self.data.extent,
        )


def train(cfg: Config, data: Dataset2D) -> Iterator[tuple[float, TrainResult]]:
    """Train from scratch; yield (fraction_done, result so far) after every chunk (core.training.chunked).
    Deterministic for cfg.seed: the same seed gives the same initial weights and mini-batches. A run
    whose loss becomes inf/NaN stops there and says where (`diverged_at`)."""
    g = torch.Generator().manual_seed(cfg.seed)
    net = init_params(cfg, 2, data.classes, g)
    order = batches(len(data.y_train), cfg.batch, cfg.steps, g).to(device())
    f, opt = activation(cfg), optimizer(cfg, net)
    rec = _Recorder(cfg, data, net, f)
    rec.measure(0)

    def train_chunk(start: int, stop: int) -> np.ndarray:
        for s in range(start, stop):
            rows = order[s]
            logits = forward(net, rec.x_tr[rows], f)[0]
            loss = F.cross_entropy(logits, rec.y_tr[rows])  # −log softmax(logits)_y, batch mean
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if (s + 1) % cfg.every == 0 or s + 1 == cfg.steps:
                rec.measure(s + 1)
        return rec.flush()  # the train losses evaluated in this chunk, read once

    def snapshot(stop: int, finite: bool) -> TrainResult:
        bad = None if finite else training.first_nonfinite(rec.evals[:, 1])
        return rec.result(stop, None if bad is None else int(rec.evals[bad, 0]))

    size = cfg.chunk or training.chunk_size(cfg.steps, PARTS)
    yield from training.chunked(cfg.steps, train_chunk, snapshot, size=size)


def run(cfg: Config, data: Dataset2D) -> TrainResult:
    """Train to the end (no intermediate results)."""
    return drain(train(cfg, data))


# ---- reading a trained network ---------------------------------------------------------------


def collapse(weights: tuple[np.ndarray, ...], biases: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map (W_eff (K, 2), b_eff (K,)) an identity-activation network computes."""
    w_eff, b_eff = weights[0], biases[0]
    for w, b in zip(weights[1:], biases[1:]):
        w_eff, b_eff = w @ w_eff, w @ b_eff + b  # W(Ax + c) + b = (WA)x + (Wc + b)
    return w_eff, b_eff


def logits_np(res: TrainResult, x: np.ndarray) -> np.ndarray:
    """Final network's logits for points x (N, 2), in float64 (for checks, not for training)."""
    cfg = res.config
    fn, knobs = FUNCTIONS[cfg.act].fn, cfg.knob_values()
    h = torch.from_numpy(np.asarray(x, np.float64))
    for i, (w, b) in enumerate(zip(res.weights, res.biases)):
        h = F.linear(h, torch.from_numpy(w), torch.from_numpy(b))
        if i < len(res.weights) - 1:
            h = F.prelu(h, torch.tensor([res.slopes[i]], dtype=h.dtype)) if cfg.act == "prelu" else fn(h, knobs)
    return h.numpy()


def linear_baseline(data: Dataset2D, steps: int = 300) -> dict[str, float]:
    """The best a linear classifier (softmax regression, full-batch Adam) reaches on this data."""
    g = torch.Generator().manual_seed(0)
    w = (torch.randn(data.classes, 2, generator=g) * 0.01).requires_grad_(True)
    b = torch.zeros(data.classes, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(steps):
        loss = F.cross_entropy(F.linear(data.x_train, w, b), data.y_train)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = lambda x, y: float((F.linear(x, w, b).argmax(1) == y).float().mean())
        return {"train_acc": acc(data.x_train, data.y_train), "test_acc": acc(data.x_test, data.y_test)}

"""Optimizers on a 2-D surface: every optimizer × every start point as one batch, step by step.

    simulate(...)  -> Histories   float64 tensors: p, momentum buffer m, second moment v per step
    paths(...)     -> Paths       what the page draws (float32, the main start's internals) + float64 numbers

A run *diverges* at the first step where it is far outside the plot (core.optimizers.paths.FAR plot sizes) or not
a finite number; it is drawn up to the plot's edge and marked there with the step (and the step where it
became inf/NaN, if it did), so a too-large learning rate shows as a path that stops at the edge with a
message, never as a blank figure or an exception.

Gradient noise simulates minibatch noise: g̃ = ∇f + σ·s·ξ, ξ ~ N(0, I) drawn once per step and start
from the seed and shared by all optimizers (a fair race); s is the surface's median gradient length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.optimizers import surfaces
from core.optimizers import theory as optim_theory
from core.optimizers.batched import Batched, Spec
from core.optimizers.surfaces import Surface


@dataclass(frozen=True)
class Histories:
    p: torch.Tensor  # (T+1, R, 2) positions, p[0] the starts
    m: torch.Tensor  # (T+1, R, 2) momentum buffer / first moment after each step (m[0] = 0)
    v: torch.Tensor  # (T+1, R, 2) second moment / sum of squares after each step
    u: torch.Tensor | None  # (T+1, R, 2) Adadelta's accumulated squared updates (None without Adadelta)
    lr: torch.Tensor  # (T, R, 1) learning rate used at each step
    noise: torch.Tensor | None  # (T, R, 2) the noise added to each gradient
    opt: Batched


def noise_for(steps: int, optimizers: int, starts: int, sigma: float, seed: int) -> torch.Tensor | None:
    """(T, O·S, 2): one draw per step and start, the same for every optimizer; None when σ = 0."""
    if sigma <= 0:
        return None
    gen = torch.Generator().manual_seed(seed)
    xi = torch.randn(steps, 1, starts, 2, generator=gen, dtype=torch.float64) * sigma
    return xi.expand(steps, optimizers, starts, 2).reshape(steps, optimizers * starts, 2)


def simulate(
    surface: Surface,
    specs: list[Spec],
    p0: torch.Tensor,
    steps: int,
    factors: np.ndarray,
    patience: int | None = None,
    noise: torch.Tensor | None = None,
) -> Histories:
    """Run row r from p0[r] with specs[r] for `steps` steps (float64, on the CPU: 2-D is overhead-bound)."""
    rows = len(specs)
    opt = Batched(specs, steps, factors, (rows, 2), patience=patience)
    p = torch.empty(steps + 1, rows, 2, dtype=torch.float64)
    p[0] = p0
    m, v = torch.zeros_like(p), torch.zeros_like(p)
    u = torch.zeros_like(p) if opt.use_u else None
    pv, mv, vv = p.unbind(0), m.unbind(0), v.unbind(0)
    uv = u.unbind(0) if u is not None else [None] * (steps + 1)
    nv = noise.unbind(0) if noise is not None else None
    rates = []
    for t in range(steps):
        g = surface.grad(pv[t])
        if nv is not None:
            g = g + nv[t]
        if opt.plateau is not None:
            rates.append(opt.plateau.lr)
        opt.step(t, pv[t], g, out=pv[t + 1], out_m=mv[t + 1], out_v=vv[t + 1], out_u=uv[t + 1])
        if opt.plateau is not None:
            opt.plateau.step(surface.f(pv[t]))  # scheduler.step(loss) after optimizer.step()
    lr = torch.stack(rates) if rates else opt.lr
    return Histories(p, m, v, u, lr, noise, opt)


# ---- leaving the plot ------------------------------------------------------------------------------

FAR = 10.0  # a run has diverged once it is this many plot sizes away from the plot's centre


def far_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    cx, cy, hx, hy = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[1] - box[0]) / 2, (box[3] - box[2]) / 2
    return cx - FAR * hx, cx + FAR * hx, cy - FAR * hy, cy + FAR * hy


def _inside(p: np.ndarray, box) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(p).all(-1)
            & (p[..., 0] >= box[0])
            & (p[..., 0] <= box[1])
            & (p[..., 1] >= box[2])
            & (p[..., 1] <= box[3])
        )


def exits(p: np.ndarray, box: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For positions (T+1, R, 2): the step at which a run diverged (−1: never), i.e. left the far box
    (FAR plot sizes) or stopped being finite; the first non-finite step (−1: never); and, for diverged
    runs, where the path last crossed the plot's edge on its way out (R, 2), where the page marks it.
    A run that swings out of the plot and comes back (heavy ball's transient) has not diverged."""
    finite = np.isfinite(p).all(-1)
    near = _inside(p, far_box(box))
    left = np.where(near.all(0), -1, np.argmin(near, 0))
    bad = np.where(finite.all(0), -1, np.argmin(finite, 0))
    shown = _inside(p, box)
    edge = np.full(p.shape[1:], np.nan)
    for r in np.flatnonzero(left > 0):
        inside = np.flatnonzero(shown[: left[r], r])
        if len(inside):
            k = inside[-1]
            edge[r] = _clip_to_box(p[k, r], p[k + 1, r], box)
    return left, bad, edge


def _clip_to_box(a: np.ndarray, b: np.ndarray, box) -> np.ndarray:
    """Where the segment from a (inside the box) towards b first meets the box edge (b may be inf/NaN)."""
    d = b - a
    if not np.isfinite(d).all():  # jumped to inf/NaN in one step: go out along the finite part
        d = np.where(np.isfinite(d), d, 0.0)
        if not d.any():
            return a
    s = 1.0
    for k, (lo, hi) in enumerate(((box[0], box[1]), (box[2], box[3]))):
        if d[k] > 0:
            s = min(s, (hi - a[k]) / d[k])
        elif d[k] < 0:
            s = min(s, (lo - a[k]) / d[k])
    return a + max(0.0, s) * d


def nearest_distance(p: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Distance from each point (..., 2) to the nearest of the targets (K, 2). Many targets laid out as
    a product grid (Rastrigin's minima) are handled per coordinate: the nearest grid point is the pair of
    nearest coordinates."""
    xs, ys = np.unique(targets[:, 0]), np.unique(targets[:, 1])
    with np.errstate(invalid="ignore"):
        if len(targets) > 8 and len(xs) * len(ys) == len(targets):
            near = lambda v, grid: np.abs(v[..., None] - grid).min(-1)
            return np.hypot(near(p[..., 0], xs), near(p[..., 1], ys))
        best = np.full(p.shape[:-1], np.inf)
        for tx, ty in targets:
            best = np.minimum(best, np.hypot(p[..., 0] - tx, p[..., 1] - ty))
    return np.where(np.isfinite(p).all(-1), best, np.nan)


# ---- what the page shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    surface: str
    box: tuple[float, float, float, float]
    points: tuple[surfaces.Point, ...]
    fstar: float | None
    log_colors: bool  # colour the landscape by log10(f − f*)
    kinds: tuple[str, ...]  # optimizers, in the order of the rows below
    calls: tuple[str, ...]  # the torch.optim constructor each reproduces
    starts: np.ndarray  # (S, 2) float64, starts[0] is the chosen start
    steps: int
    tol: float
    path: np.ndarray  # (T+1, O, S, 2) float32, NaN from the step a run diverged
    loss: np.ndarray  # (T+1, O, S) float32: f − f* (f for a surface without a minimum), NaN once diverged
    dist: np.ndarray  # (T+1, O, S) float32: distance to the nearest listed minimum (or the saddle)
    grad: np.ndarray  # (T, O, 2) float32: the gradient (with noise) each optimizer saw, main start
    buf: np.ndarray  # (T, O, 2) float32: momentum buffer / first moment after each step, main start
    eta: np.ndarray  # (T, O, 2) float32: effective per-coordinate step size lr_t / d, main start
    step_len: np.ndarray  # (T, O, 2) float32: |Δp| per coordinate, main start
    lr: np.ndarray  # (T, O) float32: scheduled learning rate, main start
    left: np.ndarray  # (O, S) int: step at which the run diverged, −1 never
    nonfinite: np.ndarray  # (O, S) int: step at which it became inf/NaN, −1 never
    edge: np.ndarray  # (O, S, 2) float64: where a diverged run last crossed the plot's edge (NaN otherwise)
    end: np.ndarray  # (O, S, 2) float64: last point before diverging (the final point otherwise)
    final_loss: np.ndarray  # (O, S) float64: f − f* (or f) at `end`
    to_tol: np.ndarray  # (O, S) int: first step with f − f* ≤ tol, −1 never
    theory: optim_theory.Theory | None

    def divergences(self) -> list[tuple[str, list[int], list[int], int | None]]:
        """Per optimizer that diverged from some start: (kind, starts 1-based, steps, first inf/NaN step)."""
        out = []
        for o, kind in enumerate(self.kinds):
            gone = [s for s in range(len(self.starts)) if self.left[o, s] >= 0]
            if gone:
                bad = [int(self.nonfinite[o, s]) for s in gone if self.nonfinite[o, s] >= 0]
                out.append((kind, [s + 1 for s in gone], [int(self.left[o, s]) for s in gone], min(bad, default=None)))
        return out


def _downcast(x: torch.Tensor) -> np.ndarray:
    with np.errstate(over="ignore"):  # a diverged run's huge numbers become ±inf in float32: still marked
        return x.numpy().astype(np.float32)


def paths(
    surface: Surface,
    specs: list[Spec],
    starts: np.ndarray,
    steps: int,
    factors: np.ndarray,
    patience: int | None,
    sigma: float,
    seed: int,
    tol: float,
    theory_for: tuple | None = None,
) -> Paths:
    """Run every spec from every start. theory_for = (κ, θ, wd, exact) adds the quadratic's theory panel."""
    n_opt, n_start = len(specs), len(starts)
    rows = [s for s in specs for _ in range(n_start)]  # row r = o·S + s
    p0 = torch.as_tensor(np.tile(starts, (n_opt, 1)), dtype=torch.float64)
    noise = noise_for(steps, n_opt, n_start, sigma, seed)
    h = simulate(surface, rows, p0, steps, factors, patience, noise)
    p = h.p.numpy()
    left, bad, edge = exits(p, surface.box)
    t_idx = np.arange(steps + 1)[:, None]
    gone = (left[None, :] >= 0) & (t_idx >= left[None, :])  # (T+1, R): from the step it diverged
    with torch.no_grad():
        f = surface.f(h.p).numpy()
    dist = nearest_distance(p, np.array([[q.x, q.y] for q in surface.targets()]))
    loss = f - surface.fstar if surface.fstar is not None else f
    with np.errstate(invalid="ignore"):
        loss = np.where(gone, np.nan, np.maximum(loss, 0.0) if surface.fstar is not None else loss)
        dist = np.where(gone, np.nan, dist)
        reached = loss <= tol if surface.fstar is not None else np.zeros_like(gone)
    to_tol = np.where(reached.any(0), np.argmax(reached, 0), -1)
    last = np.where(left >= 0, np.maximum(left - 1, 0), steps)
    end = p[last, np.arange(len(rows))]
    final_loss = loss[last, np.arange(len(rows))]
    path = _downcast(torch.from_numpy(np.where(gone[..., None], np.nan, p)))

    main = np.arange(n_opt) * n_start  # rows of the chosen start
    with torch.no_grad():
        g = surface.grad(h.p[:-1, main]) + (h.noise[:, main] if h.noise is not None else 0)
        scale = h.opt.denominator(h.v[1:], h.u[:-1] if h.u is not None else None)[:, main]
        eta = h.lr[:, main] * scale
        step_len = (h.p[1:, main] - h.p[:-1, main]).abs()
    shape = lambda a: a.reshape(a.shape[0], n_opt, n_start, *a.shape[2:])
    th = None
    if theory_for is not None:
        kappa, theta, wd, exact = theory_for
        th = optim_theory.theory(
            kappa,
            theta,
            wd,
            exact,
            tuple(starts[0]),
            [
                (s.kind, s.lr, s.momentum if s.kind in ("momentum", "nesterov") else None, dist[:, o * n_start])
                for o, s in enumerate(specs)
            ],
        )
    per_start = lambda a: a.reshape(n_opt, n_start, *a.shape[1:])
    return Paths(
        surface=surface.key,
        box=surface.box,
        points=surface.points,
        fstar=surface.fstar,
        log_colors=surface.log_colors,
        kinds=tuple(s.kind for s in specs),
        calls=tuple(s.torch_call() for s in specs),
        starts=np.asarray(starts, dtype=np.float64),
        steps=steps,
        tol=tol,
        path=shape(path),
        loss=shape(_downcast(torch.from_numpy(loss))),
        dist=shape(dist.astype(np.float32)),
        grad=_downcast(g),
        buf=_downcast(h.m[1:, main]),
        eta=_downcast(eta),
        step_len=_downcast(step_len),
        lr=h.lr[:, main, 0].numpy().astype(np.float32),
        left=per_start(left),
        nonfinite=per_start(bad),
        edge=per_start(edge),
        end=per_start(end),
        final_loss=per_start(final_loss),
        to_tol=per_start(to_tol),
        theory=th,
    )

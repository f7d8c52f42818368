"""A GAN on 2-D points, trained live: generator G: z ↦ x ∈ ℝ², discriminator (or critic) D: x ↦ f(x) ∈ ℝ.

One training iteration (Goodfellow et al. 2014, Algorithm 1), for the losses in core.gan.losses:
    repeat d_steps times:  x_r ~ target, z ~ p(z):  D ← D − opt(∇_D L_D(f(x_r), f(G(z))))
    G ← G − opt(∇_G L_G(f(G(z))))            (z of the last D step: its G(z) is reused)
Teaching phases after the main run train only one network for k iterations ("d": G frozen, "g": D
frozen, "d_g": first D, then G), so the page can show D sharpening against fixed fakes and G chasing
a fixed D.

Speed recipe (≈ 100 small ops per iteration, so overhead matters): real and fake batches go through D
in one call (torch.cat), D's parameters are frozen (requires_grad_(False)) during the G step so no D
weight gradients are computed, Adam and SGD are the fused single-kernel versions, data and noise for
a whole chunk are drawn in one call, and losses stay on the device until the chunk ends (one copy).

Each snapshot records, for a fixed noise batch: the generated samples, D's output on a grid (σ(f) =
P(real) for the logistic losses, the raw score f otherwise), the gradient field −∂ℓ_G/∂x at a subset
of fakes (the direction G's loss pushes each sample), and mode coverage (core.gan.metrics).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from core import training
from core.device import device
from core.gan import metrics, rejection, targets
from core.gan.config import RunConfig
from core.gan.losses import LOGISTIC, d_loss, g_terms, gradient_penalty
from core.gan.targets import Target

ACTS = ("relu", "leaky", "tanh", "elu")
NOISES = ("gauss", "uniform")
OPTS = ("adam", "rmsprop", "sgd")
PHASES = ("none", "d", "g", "d_g")
DRS_POOL = 8  # with rejection by D: G draws this many times the evaluated samples, D keeps some (core.gan.rejection)


@dataclass(frozen=True)
class Config(RunConfig):
    """The lab's knobs (core.gan.concept.LAB_PARAMS, as attributes: cfg.steps) and what a run records."""

    n_eval: int = 0  # fixed noise batch that coverage is measured on; 0: 1000, or 2,500 for a protocol target
    n_show: int = 400  # of which this many are drawn
    n_arrows: int = 80
    grid: int = 32
    snapshots: int = 25  # in the main phase (teaching phases add ~10 each)

    def plan(self) -> tuple[tuple[str, int], ...]:
        """The phases: (kind, iterations); kind is "both", "d" or "g"."""
        extra = {"none": (), "d": (("d", self.k),), "g": (("g", self.k),), "d_g": (("d", self.k), ("g", self.k))}
        return (("both", self.steps),) + extra[self.phase]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.plan())

    @property
    def eval_samples(self) -> int:
        return self.n_eval or (targets.PROTOCOL_SAMPLES if self.target in targets.PROTOCOL else 1000)

    @property
    def rejects(self) -> bool:
        """Samples are filtered by D's rejection sampling (the knob, where D's output gives the density ratio)."""
        return bool(self.drs) and self.pack == 1 and self.loss in rejection.LOGISTIC_LIKE

    def lr_scale(self, it: int) -> float:
        """Learning-rate factor before main-run iteration `it` (1-based): 1, or a linear decay to 0 at the end."""
        return 1.0 - (it - 1) / self.steps if self.decay else 1.0


# ---- networks ---------------------------------------------------------------------------------


def mlp(sizes: list[int], g: torch.Generator) -> list[torch.Tensor]:
    """[W₁, b₁, W₂, b₂, …] with PyTorch's nn.Linear initialisation U(±1/√fan_in), drawn from g."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        params += [
            (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound,
            (torch.rand(fan_out, generator=g) * 2 - 1) * bound,
        ]
    return [p.to(device()).requires_grad_(True) for p in params]


_ACT = {"relu": F.relu, "leaky": lambda x: F.leaky_relu(x, 0.2), "tanh": torch.tanh, "elu": F.elu}


def forward(params: list[torch.Tensor], x: torch.Tensor, act) -> torch.Tensor:
    """h_l = act(W_l h_{l−1} + b_l) for the hidden layers, a plain affine map at the output."""
    n = len(params) // 2
    for i in range(n):
        x = F.linear(x, params[2 * i], params[2 * i + 1])
        if i < n - 1:
            x = act(x)
    return x


def optimizer(kind: str, params: list[torch.Tensor], lr: float, betas: tuple[float, float]) -> torch.optim.Optimizer:
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=True)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    return torch.optim.SGD(params, lr=lr, fused=True)


def packed(x: torch.Tensor, m: int) -> torch.Tensor:
    """(N, 2) samples -> (N // m, 2m): m samples side by side, judged together by D (PacGAN, Lin et al. 2018).
    A remainder of N mod m samples is left out."""
    return x if m == 1 else x[: len(x) // m * m].reshape(-1, 2 * m)


def noise(kind: str, n: int, dim: int, g: torch.Generator) -> torch.Tensor:
    return torch.randn(n, dim, generator=g) if kind == "gauss" else torch.rand(n, dim, generator=g) * 2 - 1


def sample_target(t: Target, n: int, g: torch.Generator) -> torch.Tensor:
    """n real samples: a uniformly drawn anchor plus N(0, σ²I) noise."""
    anchors = torch.as_tensor(t.anchors, dtype=torch.float32)
    idx = torch.randint(len(anchors), (n,), generator=g)
    return anchors[idx] + t.std * torch.randn(n, 2, generator=g)


def grid_points(extent: float, n: int) -> tuple[np.ndarray, torch.Tensor]:
    """Axis (n,) and the (n², 2) grid, row-major with x₂ along rows (heatmap z[row = y, col = x])."""
    axis = np.linspace(-extent, extent, n, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)
    return axis, torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))


# ---- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GanResult:
    config: Config
    target: Target
    phases: tuple[tuple[str, int, int], ...]  # (kind, first iteration, last iteration)
    done: int  # iterations run
    real: np.ndarray  # (n_show, 2) float32, a fixed batch of real samples
    axis: np.ndarray  # (grid,) float32
    d_loss: np.ndarray  # (done,) float32, per iteration (index i = iteration i + 1)
    g_loss: np.ndarray
    snap_steps: np.ndarray  # (S,) int32
    fake: np.ndarray  # (S, n_show, 2) float32
    heat: np.ndarray  # (S, grid, grid) float32: σ(f) for logistic losses, f otherwise
    arrows_at: np.ndarray  # (S, n_arrows, 2) float32
    arrows: np.ndarray  # (S, n_arrows, 2) float32: −∂ℓ_G/∂x per sample
    grad_norm: np.ndarray  # (S,) float32: mean ‖∂ℓ_G/∂x‖ over the fixed batch's first n_arrows
    covered: np.ndarray  # (S,) int32
    hq: np.ndarray  # (S,) float32
    counts: np.ndarray  # (S, regions) int32
    clipped: np.ndarray  # (S,) float32: WGAN only, share of D's parameters at the clip bound ±c (else NaN)
    kept: np.ndarray  # (S,) float32: with rejection by D, the share of G's pool kept (else NaN)
    diverged_at: int | None
    train_s: float  # seconds spent training (not a pure function of the values: for speed reports)

    @property
    def finished(self) -> bool:
        return self.done >= self.config.total or self.diverged_at is not None

    @property
    def covered_published(self) -> np.ndarray:
        """(S,) modes with at least one high-quality sample: the published definition (core.gan.metrics)."""
        return metrics.published(self.counts).astype(np.int32)

    @property
    def logistic(self) -> bool:
        return self.config.loss in LOGISTIC


class _Recorder:
    """Snapshots taken during a chunk stay on the device; `result` copies them to the host once (the chunk's
    losses arrive on the host from `train`'s chunk)."""

    def __init__(self, cfg: Config, target: Target, g_fn, d_fn, D, g: torch.Generator):
        dev = device()
        self.cfg, self.target, self.g_fn, self.d_fn, self.D = cfg, target, g_fn, d_fn, D
        self.z = noise(cfg.noise, cfg.eval_samples, cfg.z_dim, g).to(dev)
        if cfg.rejects:  # a larger fixed pool, from its own generator (the other draws stay as without rejection)
            pool = torch.Generator().manual_seed(cfg.seed + 3_000_017)
            self.z = noise(cfg.noise, DRS_POOL * cfg.eval_samples, cfg.z_dim, pool).to(dev)
            self.u = torch.rand(len(self.z), generator=pool).to(dev)
        real = sample_target(target, cfg.n_show, g)
        self.real = real.numpy()
        self.axis, grid = grid_points(target.extent, cfg.grid)
        # a packed D judges m samples at once: each grid point is shown packed with the first m − 1 real samples
        mates = real[: cfg.pack - 1].reshape(1, -1).expand(len(grid), -1)
        self.grid = torch.cat([grid, mates], 1).to(dev)  # (grid², 2m)
        self.anchors = torch.as_tensor(target.anchors, dtype=torch.float32, device=dev)
        self.region = torch.as_tensor(target.region, device=dev)
        self.snaps: list[tuple[torch.Tensor, ...]] = []
        self.host: dict[str, list] = {
            k: [] for k in ("loss", "step", "fake", "heat", "at", "push", "gn", "cov", "hq", "counts", "clip", "kept")
        }

    def snapshot(self, step: int) -> None:
        cfg, D, d_fn = self.cfg, self.D, self.d_fn
        with torch.no_grad():
            fake = self.g_fn(self.z)
            kept = torch.tensor(float("nan"))
            if cfg.rejects:  # D keeps some of G's pool (rejection sampling), up to the evaluated number
                idx = rejection.keep(rejection.log_ratio(cfg.loss, d_fn(fake).squeeze(1)), self.u)
                kept = torch.tensor(len(idx) / len(fake))
                fake = fake[idx[: cfg.eval_samples]]
                if len(fake) < cfg.n_show:  # (never seen: γ keeps ≥ 10% of the pool on average) repeat to fill
                    fake = fake[torch.arange(cfg.n_show) % len(fake)]
            heat = d_fn(self.grid).view(cfg.grid, cfg.grid)
            if cfg.loss in LOGISTIC:
                heat = torch.sigmoid(heat)
            covered, hq, counts = metrics.coverage(
                fake, self.anchors, self.region, self.target.regions, self.target.std
            )
        with torch.enable_grad():
            at = fake[: cfg.n_arrows // cfg.pack * cfg.pack].clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(g_terms(cfg.loss, d_fn(packed(at, cfg.pack))).sum(), at)
        if cfg.loss == "wgan":
            flat = torch.cat([p.detach().abs().flatten() for p in D])
            clipped = (flat >= 0.99 * cfg.clip).float().mean()
        else:
            clipped = torch.tensor(float("nan"))
        self.host["step"].append(step)
        self.snaps.append(
            (fake[: cfg.n_show], heat, at.detach(), -grad, grad.norm(dim=1).mean(), covered, hq, counts, clipped, kept)
        )

    def result(self, done: int, phases, diverged_at: int | None, train_s: float) -> GanResult:
        h = self.host
        for fake, heat, at, push, gn, cov, hq, counts, clipped, kept in self.snaps:
            for key, val in (
                ("fake", fake),
                ("heat", heat),
                ("at", at),
                ("push", push),
                ("gn", gn),
                ("cov", cov),
                ("hq", hq),
                ("counts", counts),
                ("clip", clipped),
                ("kept", kept),
            ):
                h[key].append(val.cpu().numpy())
        self.snaps.clear()
        loss = np.concatenate(h["loss"]) if h["loss"] else np.zeros((0, 2), np.float32)
        f32 = lambda key: np.stack(h[key]).astype(np.float32)
        return GanResult(
            config=self.cfg,
            target=self.target,
            phases=phases,
            done=done,
            real=self.real,
            axis=self.axis,
            d_loss=loss[:, 0].astype(np.float32),
            g_loss=loss[:, 1].astype(np.float32),
            snap_steps=np.asarray(h["step"], np.int32),
            fake=f32("fake"),
            heat=f32("heat"),
            arrows_at=f32("at"),
            arrows=f32("push"),
            grad_norm=f32("gn"),
            covered=np.asarray(h["cov"], np.int32),
            hq=f32("hq"),
            counts=np.stack(h["counts"]).astype(np.int32),
            clipped=f32("clip"),
            kept=f32("kept"),
            diverged_at=diverged_at,
            train_s=train_s,
        )


# ---- training ---------------------------------------------------------------------------------


def _phases(cfg: Config) -> tuple[tuple[str, int, int], ...]:
    out, start = [], 0
    for kind, n in cfg.plan():
        out.append((kind, start + 1, start + n))
        start += n
    return tuple(out)


def _batches(cfg: Config, target: Target, g: torch.Generator) -> Iterator[tuple[int, torch.Tensor, ...]]:
    """Per iteration: (phase index, real (R, B, 2), z (R, B, Z), ε (R, B, 1)) with R = D steps in the main phase,
    else 1. Drawn a chunk of a phase at a time (one call each), so the data do not depend on how the run is
    cut into chunks for the page."""
    dev, B, size = device(), cfg.batch, training.chunk_size(cfg.total)
    for p, (kind, n) in enumerate(cfg.plan()):
        reps = cfg.d_steps if kind == "both" else 1
        for a, b in training.bounds(n, size):
            m = b - a
            real = sample_target(target, m * reps * B, g).view(m, reps, B, 2).to(dev)
            z = noise(cfg.noise, m * reps * B, cfg.z_dim, g).view(m, reps, B, cfg.z_dim).to(dev)
            eps = torch.rand(m, reps, B, 1, generator=g).to(dev)
            for s in range(m):
                yield p, real[s], z[s], eps[s]


def train(cfg: Config) -> Iterator[tuple[float, GanResult]]:
    """Yield (fraction_done, result so far) after every chunk of iterations (core.training.chunked).
    Deterministic for cfg.seed (on one device). A run whose losses become inf/NaN stops at that chunk and
    says where."""
    clock = time.perf_counter()
    target = targets.make(cfg.target, cfg.width, cfg.pts)
    g_init = torch.Generator().manual_seed(cfg.seed)
    G = mlp([cfg.z_dim] + [cfg.g_width] * cfg.g_depth + [2], g_init)
    D = mlp([2 * cfg.pack] + [cfg.d_width] * cfg.d_depth + [1], g_init)  # D reads a pack of m samples
    act, loss, m = _ACT[cfg.act], cfg.loss, cfg.pack
    betas = (cfg.beta1, cfg.beta2)
    opt_g, opt_d = optimizer(cfg.g_opt, G, cfg.g_lr, betas), optimizer(cfg.d_opt, D, cfg.d_lr, betas)
    data = _batches(cfg, target, torch.Generator().manual_seed(cfg.seed + 1_000_003))
    if cfg.norm:  # the networks work in units of the data's spread (its RMS coordinate s)
        s = target.scale
        g_fn = lambda z: forward(G, z, act) * s  # (B, Z) -> (B, 2)
        d_fn = lambda x: forward(D, x / s, act)  # (P, 2m) -> (P, 1)
    else:
        g_fn = lambda z: forward(G, z, act)
        d_fn = lambda x: forward(D, x, act)
    rec = _Recorder(cfg, target, g_fn, d_fn, D, torch.Generator().manual_seed(cfg.seed + 2_000_003))
    phases = _phases(cfg)
    decay = cfg.decay
    every = [max(10, n // cfg.snapshots) if kind == "both" else max(5, n // 10) for kind, n in cfg.plan()]

    def d_step(real, z, eps, keep):
        with torch.set_grad_enabled(keep):
            fake = g_fn(z)  # (B, 2); keeps its graph for the G step when `keep`
        real, fakes = packed(real, m), packed(fake.detach(), m)  # (P, 2m), P = B // m packs
        f = d_fn(torch.cat([real, fakes]))  # one D call on real and fake: (2P, 1)
        f_real, f_fake = f[: len(real)], f[len(real) :]
        ld = d_loss(loss, f_real, f_fake)
        if loss == "wgan_gp":
            ld = ld + cfg.gp * gradient_penalty(d_fn, real, fakes, eps[: len(real)])
        opt_d.zero_grad(set_to_none=True)
        ld.backward()
        opt_d.step()
        if loss == "wgan":
            with torch.no_grad():
                torch._foreach_clamp_min_(D, -cfg.clip)
                torch._foreach_clamp_max_(D, cfg.clip)
        return ld.detach(), f_fake.detach(), fake

    def g_step(fake, real=None, eps=None):
        for p in D:
            p.requires_grad_(False)  # no D weight gradients in the G step
        fakes = packed(fake, m)
        if real is None:
            lg = g_terms(loss, d_fn(fakes)).mean()
            ld = None
        else:  # G-only phase: also measure D's loss (both halves in one call)
            real = packed(real, m)
            f = d_fn(torch.cat([real, fakes]))
            n = len(real)
            lg = g_terms(loss, f[n:]).mean()
            ld = d_loss(loss, f[:n].detach(), f[n:].detach())
            if loss == "wgan_gp":
                ld = ld + cfg.gp * gradient_penalty(d_fn, real, fakes.detach(), eps[:n]).detach()
        opt_g.zero_grad(set_to_none=True)
        lg.backward()
        opt_g.step()
        for p in D:
            p.requires_grad_(True)
        return lg.detach(), ld

    def train_chunk(start: int, stop: int) -> np.ndarray:
        """Iterations start+1 … stop; returns their (D, G) losses, copied to the host once."""
        clock = time.perf_counter()
        losses = []
        for it in range(start + 1, stop + 1):
            p, real, z, eps = next(data)
            kind, first, last = phases[p]
            if decay:
                scale = cfg.lr_scale(it) if kind == "both" else 1.0  # teaching phases: the base rates
                for opt, lr in ((opt_g, cfg.g_lr), (opt_d, cfg.d_lr)):
                    opt.param_groups[0]["lr"] = lr * scale
            if kind == "both":
                for j in range(len(real)):
                    ld, _, fake = d_step(real[j], z[j], eps[j], keep=j == len(real) - 1)
                lg, _ = g_step(fake)
            elif kind == "d":
                ld, f_fake, _ = d_step(real[0], z[0], eps[0], keep=False)
                lg = g_terms(loss, f_fake).mean()  # G's loss on the batch D just saw (G is frozen)
            else:
                lg, ld = g_step(g_fn(z[0]), real[0], eps[0])
            losses.append(torch.stack([ld, lg]))
            if (it - first + 1) % every[p] == 0 or it == last:
                rec.snapshot(it)
        chunk = torch.stack(losses).cpu().numpy()  # the one device → host copy of this chunk's losses
        rec.host["loss"].append(chunk)
        busy[0] += time.perf_counter() - clock
        return chunk

    def snapshot(stop: int, finite: bool) -> GanResult:
        clock = time.perf_counter()
        res = rec.result(stop, phases, None, 0.0)
        bad = None if finite else training.first_nonfinite(np.stack([res.d_loss, res.g_loss], 1))
        busy[0] += time.perf_counter() - clock
        return replace(res, diverged_at=None if bad is None else bad + 1, train_s=busy[0])

    rec.snapshot(0)
    busy = [time.perf_counter() - clock]
    yield from training.chunked(cfg.total, train_chunk, snapshot)

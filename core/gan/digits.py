"""A small convolutional GAN on the scikit-learn 8×8 digits (core.data.digits), trained live.

    G: z ∈ ℝ^Z ─Linear→ 128×2×2 ─BN,ReLU→ ConvT(4, s2) 64×4×4 ─BN,ReLU→ ConvT(4, s2) 1×8×8 ─tanh
    D: 1×8×8 ─Conv(4, s2)→ 64×4×4 ─LeakyReLU(0.2)→ Conv(4, s2) 128×2×2 ─LeakyReLU(0.2)→ Linear → f ∈ ℝ
(the DCGAN pattern of Radford et al. 2016, shrunk to 8×8). Pixels are scaled to [−1, 1]. Losses from
core.gan.losses; Adam with β = (β₁, 0.999); real and fake through D in one call; D frozen in the G step.

Conditioned on the label (cGAN, Mirza & Osindero 2014; `dg_cond`, on by default): G reads z together with the
one-hot class y, and D is a projection discriminator (Miyato & Koyama 2018): f(x, y) = w·h(x) + b + e_y·h(x),
with h(x) D's features and e_y a learnt vector per class. Real digits come with their labels; fakes are asked for
the labels of the real batch, shuffled. The scored batch asks for every class equally often (index mod 10).

Digit-likeness: two classifiers trained only on real digits (core.gan.judges) score every snapshot — the
page's strict one (with a "not a digit" class) and an independent 10-class MLP: the share of samples called a
digit with p ≥ 0.9, and how many of the 10 classes appear.

Latent interpolation: z(t) = slerp(z_a, z_b, t) between the noise vectors drawn from seeds a and b
(spherical, since Gaussian z concentrate near a sphere of radius √Z; White 2016).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from core import training
from core.data import digits
from core.device import device
from core.gan.config import RunConfig
from core.gan.judges import classifier, digit_scores, mlp_classifier
from core.gan.losses import d_loss, g_terms

DIGIT_LOSSES = ("nonsat", "minimax", "lsgan", "hinge")
N_FIXED = 64  # the live grid: 8×8 samples from one fixed noise batch
N_SCORE = 500  # samples scored by the classifier at every snapshot
INTERP = 9  # images on the interpolation path


# ---- the GAN -----------------------------------------------------------------------------------


CH = 32  # channels of the widest 4×4 layer (the cost is in the convolutions: ∝ CH²)


CLASSES = 10


def one_hot(y: torch.Tensor) -> torch.Tensor:
    return nn.functional.one_hot(y, CLASSES).float()


class Generator(nn.Module):
    """G(z) or, conditioned, G(z, c) with c a one-hot class (or a blend of two, for the interpolation)."""

    def __init__(self, z_dim: int, cond: bool = False):
        super().__init__()
        self.cond = cond
        self.fc = nn.Linear(z_dim + (CLASSES if cond else 0), 2 * CH * 2 * 2)
        self.net = nn.Sequential(
            nn.BatchNorm2d(2 * CH),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * CH, CH, 4, 2, 1),
            nn.BatchNorm2d(CH),
            nn.ReLU(),  # 2×2 → 4×4
            nn.ConvTranspose2d(CH, 1, 4, 2, 1),
            nn.Tanh(),
        )  # 4×4 → 8×8

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        if self.cond:
            z = torch.cat([z, c], 1)
        return self.net(self.fc(z).view(-1, 2 * CH, 2, 2))


class Discriminator(nn.Module):
    """D(x) or, conditioned, the projection D(x, y) = out(h) + e_y·h with h the features of x."""

    def __init__(self, cond: bool = False):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, CH, 4, 2, 1),
            nn.LeakyReLU(0.2),  # 8×8 → 4×4
            nn.Conv2d(CH, 2 * CH, 4, 2, 1),
            nn.LeakyReLU(0.2),  # 4×4 → 2×2
            nn.Flatten(),
        )
        self.out = nn.Linear(2 * CH * 2 * 2, 1)
        self.embed = nn.Embedding(CLASSES, 2 * CH * 2 * 2) if cond else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.net(x)
        f = self.out(h)
        if self.embed is not None:
            f = f + (self.embed(y) * h).sum(1, keepdim=True)
        return f


def _seeded_init(module: nn.Module, g: torch.Generator) -> None:
    """Redraw every weight from g (DCGAN's N(0, 0.02) for conv / linear weights, BN γ ~ N(1, 0.02))."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Embedding):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.02)
            elif isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.02)
                m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + torch.randn(m.weight.shape, generator=g) * 0.02)
                m.bias.zero_()


@dataclass(frozen=True)
class DigitsConfig(RunConfig):
    """The digits GAN's knobs (core.gan.concept.DIGITS_PARAMS, as attributes: cfg.dg_steps)."""

    @property
    def total(self) -> int:
        return self.dg_steps


@dataclass(frozen=True)
class DigitsResult:
    config: DigitsConfig
    done: int
    d_loss: np.ndarray  # (done,) float32 per iteration
    g_loss: np.ndarray
    snap_steps: np.ndarray  # (S,) int32
    samples: np.ndarray  # (S, 64, 8, 8) uint8: the fixed noise batch, pixels 0..255
    confident: np.ndarray  # (S,) float32: share of N_SCORE samples the classifier calls a digit with p ≥ 0.9
    classes: np.ndarray  # (S,) int32: digit classes that appear (core.gan.metrics.class_scores)
    class_counts: np.ndarray  # (S, 10) int32
    real: np.ndarray  # (64, 8, 8) uint8: real training digits, for comparison
    real_confident: float  # the same score on the real test digits
    real_classes: int
    clf_test_acc: float
    mlp_confident: np.ndarray  # (S,) float32: the same share by the independent 10-class MLP (core.gan.judges)
    mlp_classes: np.ndarray  # (S,) int32
    real_mlp_confident: float  # the 10-class MLP on the real test digits
    mlp_test_acc: float
    g_state: dict[str, np.ndarray] | None  # the final generator (for interpolation), when finished
    diverged_at: int | None
    train_s: float

    @property
    def finished(self) -> bool:
        return self.done >= self.config.total or self.diverged_at is not None


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, 1, 8, 8) in [−1, 1] -> (N, 8, 8) uint8 (NaN -> 0)."""
    x = torch.nan_to_num((images[:, 0] + 1) * 127.5, nan=0.0).clamp(0, 255)
    return x.round().to(torch.uint8).cpu().numpy()


def real_examples(n: int = N_FIXED) -> np.ndarray:
    """n real training digits (a fixed choice), (n, 8, 8) uint8."""
    x = digits(0)[0]
    rows = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))[:n]
    return to_uint8(x[rows] * 2 - 1)


@lru_cache(maxsize=1)
def real_scores(strict: bool = True) -> tuple[float, int]:
    x_test = digits(0)[2]
    share, covered, _ = digit_scores(classifier() if strict else mlp_classifier(), x_test)
    return float(share), int(covered)


def train(cfg: DigitsConfig) -> Iterator[tuple[float, DigitsResult]]:
    """Yield (fraction_done, result so far) after every chunk (core.training.chunked); deterministic for
    the seed. A run whose losses become inf/NaN stops after that chunk and says where."""
    clf, mlp = classifier(), mlp_classifier()  # trained once per process: not part of this run's time
    real_conf, real_classes = real_scores()
    real_mlp = real_scores(strict=False)[0]
    clock = time.perf_counter()
    dev = device()
    x_train, y_train = digits(0)[:2]
    x_train, y_train = x_train.to(dev) * 2 - 1, y_train.to(dev)  # (N, 1, 8, 8) in [−1, 1]; (N,) labels
    g = torch.Generator().manual_seed(cfg.dg_seed)
    cond = cfg.dg_cond
    G, D = Generator(cfg.dg_z, cond), Discriminator(cond)
    _seeded_init(G, g)
    _seeded_init(D, g)
    G, D = G.to(dev), D.to(dev)
    betas = (cfg.dg_beta1, 0.999)
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.dg_lr, betas=betas, fused=True)
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.dg_lr, betas=betas, fused=True)
    d_params = list(D.parameters())
    z_fixed = torch.randn(N_SCORE, cfg.dg_z, generator=torch.Generator().manual_seed(cfg.dg_seed + 7)).to(dev)
    c_fixed = one_hot(torch.arange(N_SCORE, device=dev) % CLASSES) if cond else None  # every class equally often
    real_show = real_examples()
    B, loss = cfg.dg_batch, cfg.dg_loss
    host: dict[str, list] = {k: [] for k in ("loss", "step", "img", "conf", "cls", "counts", "mlp", "mlp_cls")}

    def score(step: int) -> None:
        G.eval()
        with torch.no_grad():
            imgs = G(z_fixed, c_fixed)
        G.train()
        share, covered, counts = digit_scores(clf, (imgs + 1) / 2)
        mlp_share, mlp_covered, _ = digit_scores(mlp, (imgs + 1) / 2)
        host["mlp"].append(float(mlp_share))
        host["mlp_cls"].append(int(mlp_covered))
        host["step"].append(step)
        host["img"].append(to_uint8(imgs[:N_FIXED]))
        host["conf"].append(float(share))
        host["cls"].append(int(covered))
        host["counts"].append(counts.cpu().numpy())

    def train_chunk(start: int, stop: int) -> np.ndarray:
        """Iterations start+1 … stop; returns their (D, G) losses, copied to the host once."""
        clock = time.perf_counter()
        m = stop - start
        rows = torch.randint(len(x_train), (m, B), generator=g).to(dev)
        z = torch.randn(m, B, cfg.dg_z, generator=g).to(dev)
        shuffles = torch.argsort(torch.rand(m, B, generator=g), 1).to(dev) if cond else None
        losses = []
        for s in range(m):
            real = x_train[rows[s]]
            y_real = y_fake = y_both = c_fake = None
            if cond:  # the fakes are asked for the real batch's labels, shuffled
                y_real = y_train[rows[s]]
                y_fake = y_real[shuffles[s]]
                y_both, c_fake = torch.cat([y_real, y_fake]), one_hot(y_fake)
            fake = G(z[s], c_fake)
            f = D(torch.cat([real, fake.detach()]), y_both)  # real and fake in one call: (2B, 1)
            ld = d_loss(loss, f[:B], f[B:])
            opt_d.zero_grad(set_to_none=True)
            ld.backward()
            opt_d.step()
            for p in d_params:
                p.requires_grad_(False)
            lg = g_terms(loss, D(fake, y_fake)).mean()
            opt_g.zero_grad(set_to_none=True)
            lg.backward()
            opt_g.step()
            for p in d_params:
                p.requires_grad_(True)
            losses.append(torch.stack([ld.detach(), lg.detach()]))
        chunk = torch.stack(losses).cpu().numpy()  # the one device → host copy of this chunk's losses
        host["loss"].append(chunk)
        busy[0] += time.perf_counter() - clock
        return chunk

    def snapshot(stop: int, finite: bool) -> DigitsResult:
        clock = time.perf_counter()
        score(stop)
        ls = np.concatenate(host["loss"])
        bad = None if finite else training.first_nonfinite(ls)
        done = stop >= cfg.total or not finite
        state = {k: v.detach().cpu().numpy().copy() for k, v in G.state_dict().items()} if done and finite else None
        busy[0] += time.perf_counter() - clock
        return DigitsResult(
            config=cfg,
            done=stop,
            d_loss=ls[:, 0].astype(np.float32),
            g_loss=ls[:, 1].astype(np.float32),
            snap_steps=np.asarray(host["step"], np.int32),
            samples=np.stack(host["img"]),
            confident=np.asarray(host["conf"], np.float32),
            classes=np.asarray(host["cls"], np.int32),
            class_counts=np.stack(host["counts"]).astype(np.int32),
            real=real_show,
            real_confident=real_conf,
            real_classes=real_classes,
            clf_test_acc=clf.test_acc,
            mlp_confident=np.asarray(host["mlp"], np.float32),
            mlp_classes=np.asarray(host["mlp_cls"], np.int32),
            real_mlp_confident=real_mlp,
            mlp_test_acc=mlp.test_acc,
            g_state=state,
            diverged_at=None if bad is None else bad + 1,
            train_s=busy[0],
        )

    score(0)
    busy = [time.perf_counter() - clock]
    yield from training.chunked(cfg.total, train_chunk, snapshot)


# ---- latent interpolation ----------------------------------------------------------------------


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between vectors a and b (Z,) at t (T,) -> (T, Z); linear if parallel."""
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    t = t[:, None]
    if float(omega.sin().abs()) < 1e-6:
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / omega.sin()


def latent(seed: int, z_dim: int) -> torch.Tensor:
    return torch.randn(z_dim, generator=torch.Generator().manual_seed(seed))


def path_classes(seed_a: int, seed_b: int, n: int = INTERP) -> torch.Tensor:
    """A conditioned generator's class input along the path: seed a asks for digit a mod 10, seed b for digit
    b mod 10, and the one-hot vectors are blended linearly in between, (n, 10)."""
    t = torch.linspace(0, 1, n)[:, None]
    ends = one_hot(torch.tensor([seed_a % CLASSES, seed_b % CLASSES]))
    return (1 - t) * ends[0] + t * ends[1]


def interpolate(res: DigitsResult, seed_a: int, seed_b: int, n: int = INTERP) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 8, 8) uint8 along the path from seed a's z to seed b's z (and, conditioned, from class a mod 10
    to class b mod 10), and the classifier's (n, 11) probabilities for them. Needs a finished result (its
    generator's weights)."""
    if res.g_state is None:
        raise ValueError("interpolation needs a finished run")
    cond = res.config.dg_cond
    G = Generator(res.config.dg_z, cond)
    G.load_state_dict({k: torch.from_numpy(v) for k, v in res.g_state.items()})
    G.eval()
    z = slerp(latent(seed_a, res.config.dg_z), latent(seed_b, res.config.dg_z), torch.linspace(0, 1, n))
    with torch.no_grad():
        imgs = G(z, path_classes(seed_a, seed_b, n) if cond else None)
        probs = classifier().probs((imgs + 1) / 2)
    return to_uint8(imgs), probs.numpy()

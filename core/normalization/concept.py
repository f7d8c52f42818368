"""Normalization and skip connections: what batch norm computes, and what BN, LN, GN and residual connections
change while a network trains.

Key equations (each module's docstring has the details and references):
    BN      x̂ = (x − μ_B)/√(σ²_B + ε),  y = γ x̂ + β;  running μ, σ² for eval mode        (core.normalization.steps)
    LN, GN  the same statistics over the features of one example (all, or one group of C/G)  (core.normalization.nets)
    ResNet  h_l = h_{l−1} + F_l(h_{l−1}): an identity path, no parameters                    (core.normalization.depth)

Sections (experiments), one URL namespace:
    steps   one mini-batch through BN step by step, running statistics, eval mode — against nn.BatchNorm1d/2d
    count   learned numbers and buffers of BN / LN / GN / IN against the torch modules; which axes each normalizes
    lr      learning-rate tolerance: a deep MLP with and without BN at several learning rates    (sweep.py)
    batch   small batches: BN vs LN vs GN vs none, eval vs training mode, running-statistics mismatch (batch.py)
    depth   degradation: plain vs residual MLPs at several depths, loss and first-layer gradient (depth.py)
    claims  the trainings the notes' last claims need (their cards; the others sit beside their sections) (claims.py)
References: Ioffe & Szegedy (2015); Ba, Kiros & Hinton (2016); Wu & He (2018); He, Zhang, Ren & Sun (2016);
Santurkar et al. (2018), "How does batch normalization help optimization?"; Yang et al. (2019), "A mean field
theory of batch normalization".
"""

from __future__ import annotations

from core.experiment import Concept
from core.normalization import batch, claims, count, depth, steps, sweep

PRESETS = {
    # what BN computes
    "two_examples": {"n": 2, "dist": "normal"},
    "two_bumps": {"n": 32, "dist": "bimodal"},
    "conv_channels": {"layout": "2d", "feat": 2, "n": 4},
    "eps_matters": {"x_std": 0.1, "eps": 0.1},
    "momentum_one": {"momentum": 1.0, "batches": 5},
    # counting
    "transformer_ln": {"c_ch": 512, "c_hw": 1, "c_groups": 32},
    "resnet_stage": {"c_ch": 256, "c_hw": 14, "c_groups": 32},
    # learning rates
    "issue_lrs": {"lrs": ("0.01", "0.1", "0.5")},
    "deeper_sweep": {"depth": 20, "lrs": ("0.03", "0.3", "1", "2")},
    # batch size
    "batch_two": {"bs": 2},
    "batch_large": {"bs": 64},
    # depth
    "he_figure_1": {"depths": ("20", "60"), "r_steps": 500},
    "residual_without_norm": {"depths": ("10", "30"), "r_norm": "none"},
}

CONCEPT = Concept(
    "normalization",
    "⚖️",
    (steps.STEPS, count.COUNT, sweep.SWEEP, batch.BATCH, depth.DEPTH, claims.CLAIMS),
    PRESETS,
    claims=claims.CARDS,
    numbers=claims.card_numbers,
)

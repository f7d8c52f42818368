"""Pooling: max, average and L_p pooling window by window, on real images, and what pooling buys.

Key equations (PyTorch's definitions, for one channel, window W_ij of size k×k at stride s, padding p):
    max pooling      y_ij = max_{(a,b) ∈ W_ij} x_ab                       (padding = −∞, never chosen)
    average pooling  y_ij = (1/N_ij) Σ_{(a,b) ∈ W_ij} x_ab                 N_ij: see core.pooling.windows
    L_p pooling      y_ij = (Σ_{(a,b) ∈ W_ij} x_ab^p)^{1/p}                (p = 1: sum, p → ∞: max)
    output size      n_out = ⌊(n + 2p − k)/s⌋ + 1    (⌈·⌉ with ceil_mode)
Gradients (all by autograd here): ∂y_ij/∂x_ab = 1 for the window's argmax only (max), 1/N_ij for every
cell of the window (average), (x_ab / y_ij)^{p−1} (L_p).
Global average pooling (Lin, Chen & Yan, "Network in Network", 2013) replaces flatten + FC.

Sections (experiments), one URL namespace; this module declares their knobs (ranges, defaults, when a knob
matters, the rules that fix a combination torch would refuse), the presets and the page. The code is in:
    pool     the editable grid (the interview notes' 4×4 example by default) and a real image
             (core.pooling.pool); every window also worked out by hand in core.pooling.windows
    shift    translation: how much a pooled map changes when the input moves 0…m pixels (core.pooling.shift)
    rf       receptive field of a user-written conv/pool stack (core.pooling.receptive_field)
    head     parameters of a flatten head vs a global-average-pooling head (core.pooling.heads)
    train    four small CNNs on digits: does pooling reduce overfitting? (core.pooling.training)
The notes' claims, checked: core.pooling.claims.
"""

from __future__ import annotations

from core.experiment import Claim, Concept, Experiment, streaming
from core.params import Bool, Choice, Float, FloatList, Int, Notice, ParamSet, When, when, when_not
from core.pooling import claims, heads, shift, training
from core.pooling import pool as pp
from core.pooling import receptive_field as rfm
from core.pooling import windows as pw

IMAGES = ("camera", "astronaut", "coins", "chelsea", "brick", "moon")
GRID_SIDES = tuple(range(2, 13))


# ---- the pooling section: the grid and a real image ----------------------------------------------


def _pool_rules(v: dict) -> list[Notice]:
    notes, n = [], pp.grid_side(v["x"])
    if v["op"] == "lp" and v["pad"] > 0:
        notes.append(Notice("pad", "conflict", str(v["pad"]), {"why": "lp_no_pad", "used": "0"}))
        v["pad"] = 0
    if pw.problem(n, v["k"], v["s"], v["pad"], v["ceil"]) == "pad_half":
        used = v["k"] // 2
        notes.append(Notice("pad", "conflict", str(v["pad"]), {"why": "pad_half", "used": str(used)}))
        v["pad"] = used
    if pw.problem(n, v["k"], v["s"], v["pad"], v["ceil"]) == "kernel_big":
        used = n + 2 * v["pad"]
        notes.append(Notice("k", "conflict", str(v["k"]), {"why": "kernel_big", "used": str(used), "n": n}))
        v["k"] = used
    return notes


POOL_PARAMS = ParamSet(
    (
        FloatList("x", pp.SEEDS_EXAMPLE, lo=-99.0, hi=99.0, lengths=tuple(n * n for n in GRID_SIDES)),
        Choice("op", "max", choices=pp.OPS),
        Int("k", 2, lo=1, hi=6),
        Int("s", 2, lo=1, hi=6),
        Int("pad", 0, lo=0, hi=3, when=when_not("op", "lp")),  # torch's L_p pooling takes no padding
        Bool("ceil", False),
        Bool("cip", True, when=when("op", "avg") & When(lambda v: v["pad"] > 0, "pad>0")),  # padded cells counted?
        Float("pnorm", 2.0, lo=1.0, hi=8.0, step=0.5, when=when("op", "lp")),
        Choice("img", "camera", choices=IMAGES),
        Int("side", 128, lo=32, hi=512, step=32),
    ),
    rules=_pool_rules,
)

POOL = Experiment("pool", POOL_PARAMS, pp.run_pool, pp.pool_summary)


# ---- translation invariance -------------------------------------------------------------------------

SHIFT_PARAMS = ParamSet(
    (
        Choice("t_img", "camera", choices=IMAGES),
        Choice("t_feat", "edges", choices=("edges", "image")),
        Int("t_k", 2, lo=2, hi=8),
        Int("t_s", 2, lo=1, hi=8),
        Int("t_max", 8, lo=1, hi=16),
        Choice("t_dir", "x", choices=("x", "y", "xy")),
    ),
)

SHIFT = Experiment("shift", SHIFT_PARAMS, shift.run_shift, shift.shift_summary)


# ---- receptive field -----------------------------------------------------------------------------


def _rf_rules(v: dict) -> list[Notice]:
    notes = []
    layers, changed = rfm.fix_pool_padding(rfm.parse_stack(v["layers"]))
    if changed:
        notes.append(
            Notice(
                "layers",
                "conflict",
                v["layers"],
                {"why": "pool_pad", "used": rfm.encode_stack(layers), "layer": ", ".join(str(i + 1) for i in changed)},
            )
        )
    rows = rfm.table(layers, v["rf_in"])
    if len(rows) < len(layers):
        cut = rfm.encode_stack(layers[: max(1, len(rows))])
        notes.append(
            Notice(
                "layers",
                "conflict",
                v["layers"],
                {"why": "stack_cut", "used": cut, "layer": str(len(rows) + 1), "n": v["rf_in"]},
            )
        )
        layers = layers[: max(1, len(rows))]
    v["layers"] = rfm.encode_stack(layers)
    if not rows:  # even the first layer does not fit: grow the input to the smallest size that works
        need = layers[0].k_eff - 2 * layers[0].p
        notes.append(Notice("rf_in", "conflict", str(v["rf_in"]), {"why": "rf_small", "used": str(need)}))
        v["rf_in"] = need
    return notes


RF_PARAMS = ParamSet(
    (
        rfm.Stack("layers", "c3,c3,m2,c3,c3,m2,c3,c3,m2"),
        Int("rf_in", 128, lo=16, hi=512),
        Choice("rf_img", "camera", choices=IMAGES),
    ),
    rules=_rf_rules,
)

RF = Experiment("rf", RF_PARAMS, rfm.run_rf, rfm.rf_summary)


# ---- global average pooling vs flatten -------------------------------------------------------------

HEAD_PARAMS = ParamSet(
    (
        Int("h_c", 512, lo=1, hi=2048),
        Int("h_size", 7, lo=1, hi=32),
        Int("h_cls", 1000, lo=2, hi=1000),
        Int("h_hidden", 4096, lo=16, hi=4096, step=16, when=When(lambda v: v["h_depth"] > 0, "h_depth>0")),
        Int("h_depth", 0, lo=0, hi=2),
    ),
)

HEAD = Experiment("head", HEAD_PARAMS, heads.run_head, heads.head_summary)


# ---- training: does pooling reduce overfitting? ---------------------------------------------------

TRAIN_PARAMS = ParamSet(
    (
        Int("seed", 0, lo=0, hi=9999),
        Int("o_n", 300, lo=50, hi=1000, step=50),
        Int("o_steps", 300, lo=100, hi=1500, step=100),
        Int("o_shift", 2, lo=0, hi=2),
    ),
)

TRAIN = streaming("train", TRAIN_PARAMS, training.stream, training.train_summary)


# ---- presets and the page ------------------------------------------------------------------------

PRESETS = {
    "average": {"op": "avg"},
    "overlapping": {"x": pp.random_grid(5, "overlap"), "k": 3, "s": 2},
    "ceil_padding": {"x": pp.random_grid(5, "ceil"), "k": 2, "s": 2, "pad": 1, "ceil": True},
    "avg_corners": {"x": pp.random_grid(5, "corners"), "op": "avg", "k": 3, "s": 2, "pad": 1, "cip": False},
    "lp_norm": {"op": "lp", "pnorm": 3.0, "k": 3, "s": 1},
    "notes_loop": {"x": tuple(float(i) for i in range(1, 10)), "k": 2, "s": 1},
    "alexnet_rf": {"layers": "c11s4p0,m3s2,c5,m3s2,c3,c3,c3,m3s2", "rf_in": 227},
    "resnet_stem": {"layers": "c7s2,m3s2p1,c3,c3,c3,c3,c3s2,c3,c3,c3", "rf_in": 224},
    "dilated": {"layers": "c3,c3d2,c3d4,c3d8", "rf_in": 64},
    "vgg_head": {"h_c": 512, "h_size": 7, "h_cls": 1000, "h_hidden": 4096, "h_depth": 2},
}


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number of `claims.card_numbers` it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). A verdict the
# numbers decide is computed (claims.VERDICTS); the constant ones are checked against the numbers in the tests. The
# overfitting card reads the training section's own run (the page passes it when the run is done).
V = claims.VERDICTS
CLAIMS = (
    Claim("seeds", V["seeds"], "pool", None),
    Claim("loop", V["loop"], "pool", "notes_loop", bars(cells="loop_cells", windows="loop_windows")),
    Claim("keeps", "partly", "pool", None, bars(max="kept_max", avg="kept_avg", sub="kept_sub")),
    Claim(
        "invariance", "partly", "shift", None, bars(unpooled="shift1_unpooled", max1="shift1_max", maxk="shiftk_max")
    ),
    Claim("depth", "partly", "rf", None, bars(avg="linear_gap", max="max_gap")),
    Claim("params", "partly", "head", "vgg_head", bars(flat="flat14", pool="pool14", gap="gap14")),
    Claim("fc_params", V["fc_params"], "head", "vgg_head", bars(conv="vgg_conv", fc="vgg_fc", gap="gap7")),
    Claim("compute", V["compute"], "head", None, bars(before="macs56", after="macs28")),
    Claim("overfit", V["overfit"], "train", None, bars(flat="gap_flat", max="gap_max", avg="gap_avg")),
)

CONCEPT = Concept("pooling", "🔳", (POOL, SHIFT, RF, HEAD, TRAIN), PRESETS, claims=CLAIMS, numbers=claims.card_numbers)

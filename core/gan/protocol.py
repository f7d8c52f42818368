"""The published mode-collapse protocol (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018) on this page.

    targets      ring of 8 (radius 1, σ = 0.01) and grid of 25 ({−4, −2, 0, 2, 4}², σ = 0.05): core.gan.targets
    samples      2,500 from G (targets.PROTOCOL_SAMPLES)
    modes        published: a mode with ≥ 1 sample within 3σ        this page: ≥ ¼ of its fair share (core.gan.metrics)
    quality      the share of samples within 3σ of their nearest mode
PacGAN4's published row is the yardstick; `INGREDIENTS` lists what the page's protocol presets add to a plain GAN
and, for each, the preset that leaves it out (core.gan.concept.PRESETS), so a student can see what it bought.
"""

from __future__ import annotations

from core.gan import lab

PUBLISHED = {"ring_pacgan": (7.8, 0.959), "grid_pacgan": (24.8, 0.936)}  # PacGAN4: modes, high quality
GOALS = {"ring_pacgan": (7.9, 0.90), "grid_pacgan": (24.5, 0.90)}  # issue 16: over 5 seeds, ≤ 30 s a run

# (ingredient, the protocol preset, the same preset without it); the page says what each one bought
INGREDIENTS = (
    ("decay", "ring_pacgan", "ring_pacgan_no_decay"),
    ("pack", "ring_pacgan", "ring_pacgan_no_pack"),
    ("batch", "ring_pacgan", "ring_pacgan_small_batch"),
    ("norm", "grid_pacgan", "grid_pacgan_no_norm"),
    ("unpacked", "grid_pacgan", "grid_pacgan_packed"),
    ("no_momentum", "grid_pacgan", "grid_pacgan_momentum"),
    ("slow_d", "grid_pacgan", "grid_pacgan_equal_rates"),
    ("drs", "grid_pacgan", "grid_pacgan_no_drs"),
)


def comparison(r: lab.GanResult) -> list[dict] | None:
    """Rows of the page's table for a finished run on a protocol target: PacGAN4 as published, then this run
    (modes by both definitions, high-quality share); None for other targets."""
    if r.target.key not in PUBLISHED or not r.finished or r.diverged_at is not None:
        return None
    modes, hq = PUBLISHED[r.target.key]
    return [
        {"who": "pacgan4", "published": modes, "strict": None, "hq": hq},
        {"who": "run", "published": int(r.covered_published[-1]), "strict": int(r.covered[-1]), "hq": float(r.hq[-1])},
    ]


def verdict(r: lab.GanResult) -> tuple[str, dict] | None:
    """The protocol sentence under a finished run on a protocol target."""
    rows = comparison(r)
    if rows is None:
        return None
    paper, run = rows
    return (
        "verdict.protocol",
        {
            "published": run["published"],
            "strict": run["strict"],
            "regions": r.target.regions,
            "samples": r.config.eval_samples,
            "hq": f"{run['hq']:.1%}",
            "p_modes": f"{paper['published']:g}",
            "p_hq": f"{paper['hq']:.1%}",
        },
    )

"""The 2-D GAN lab: determinism, what the page claims (an easy run covers the ring, the collapse and
stall presets do what their names say), teaching phases freeze the right network, divergence is
reported, the work budget, and the CLI's JSON."""

import json
from functools import cache

import numpy as np

from core.__main__ import main as cli
from core.experiment import drain
from core.gan import concept as gan
from core.gan import lab


@cache
def run(**changes) -> lab.GanResult:
    values, notices = gan.LAB_PARAMS.validate({**gan.LAB_PARAMS.defaults(), **changes})
    assert not notices
    return gan.LAB.run(values)


def test_a_seed_fixes_the_whole_run():
    cfg = lab.Config(steps=120, batch=64, snapshots=3)
    a, b = drain(lab.train(cfg)), drain(lab.train(cfg))
    for field in ("d_loss", "g_loss", "fake", "heat", "arrows", "hq", "covered", "real"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    c = drain(lab.train(lab.Config(steps=120, batch=64, snapshots=3, seed=1)))
    assert not np.array_equal(a.fake, c.fake) and not np.array_equal(a.real, c.real)


def test_an_easy_seeded_run_covers_most_of_the_ring():
    r = run(steps=600)
    assert r.diverged_at is None
    assert r.covered[-1] >= 6, r.covered  # the default run covers all 8 by ≈ iteration 500
    assert r.hq[-1] >= 0.4
    assert r.covered[0] == 0  # ... starting from none


def test_the_stream_yields_chunks_with_growing_results():
    parts = list(lab.train(lab.Config(steps=300, batch=32, snapshots=6)))
    assert [round(f, 3) for f, _ in parts] == [round(f, 3) for f in np.linspace(0, 1, len(parts) + 1)[1:]]
    assert [p.done for _, p in parts] == sorted({p.done for _, p in parts})
    last = parts[-1][1]
    assert last.finished and len(last.d_loss) == 300 and last.snap_steps[-1] == 300
    assert last.fake.dtype == np.float32 and last.heat.shape == (len(last.snap_steps), 32, 32)


def test_teaching_phases_freeze_the_other_network():
    r = drain(lab.train(lab.Config(steps=100, batch=64, phase="d_g", k=30)))
    assert r.phases == (("both", 1, 100), ("d", 101, 130), ("g", 131, 160)) and r.done == 160
    d_snaps = (r.snap_steps >= 100) & (r.snap_steps <= 130)
    g_snaps = r.snap_steps >= 130
    assert d_snaps.sum() >= 3 and g_snaps.sum() >= 3
    for i in np.flatnonzero(d_snaps)[1:]:  # D-only: G's samples do not move, D's output does
        np.testing.assert_array_equal(r.fake[i], r.fake[np.flatnonzero(d_snaps)[0]])
    assert not np.array_equal(r.heat[np.flatnonzero(d_snaps)[0]], r.heat[np.flatnonzero(d_snaps)[-1]])
    for i in np.flatnonzero(g_snaps)[1:]:  # G-only: D's output is frozen, G's samples move
        np.testing.assert_array_equal(r.heat[i], r.heat[np.flatnonzero(g_snaps)[0]])
    assert not np.array_equal(r.fake[np.flatnonzero(g_snaps)[0]], r.fake[np.flatnonzero(g_snaps)[-1]])
    keys = [k for k, _ in gan.lab_verdict(r)]
    assert "verdict.phase_d" in keys and "verdict.phase_g" in keys


def test_a_diverging_run_stops_and_says_where():
    r = drain(
        lab.train(lab.Config(loss="wgan", clip=1.0, g_opt="sgd", d_opt="sgd", g_lr=0.1, d_lr=0.1, steps=300, batch=64))
    )
    assert r.diverged_at is not None and r.done < 300 and r.finished
    assert gan.lab_verdict(r) == [("verdict.diverged", {"step": r.diverged_at})]
    text = json.dumps(gan.lab_summary(r), default=str)
    assert str(r.diverged_at) in text


def test_weight_clipping_keeps_every_critic_weight_in_bounds_and_reports_the_share():
    r = drain(lab.train(lab.Config(loss="wgan", clip=0.05, steps=150, batch=64, d_steps=2)))
    assert np.isfinite(r.clipped).all() and r.clipped[-1] > 0.2  # many weights pile up at ±c
    assert np.isnan(run(steps=100).clipped).all()  # only measured for WGAN


def test_the_budget_rule_shortens_a_huge_run_and_says_so():
    huge = {
        **gan.LAB_PARAMS.defaults(),
        "g_width": 256,
        "d_width": 256,
        "g_depth": 4,
        "d_depth": 4,
        "batch": 512,
        "d_steps": 10,
        "steps": 10000,
        "phase": "d_g",
        "k": 2000,
    }
    values, notices = gan.LAB_PARAMS.validate(huge)
    assert {n.param for n in notices} == {"steps", "k", "batch"} and all(n.info["why"] == "budget" for n in notices)
    assert values["steps"] == 100 and values["k"] == 10 and values["batch"] < 512
    assert gan.work(lab.Config.from_values(values)) <= gan.MAX_WORK  # a hard bound, whatever the link asks
    ok, none = gan.LAB_PARAMS.validate({**gan.LAB_PARAMS.defaults(), "steps": 10000})
    assert not none and ok["steps"] == 10000  # the default networks may run the full 10 000 steps
    assert gan.work(lab.Config.from_values(ok)) <= gan.MAX_WORK


# ---- what the presets claim, with their fixed seeds -------------------------------------------------


def preset(name: str) -> lab.GanResult:
    return run(**{k: v for k, v in gan.PRESETS[name].items() if k in gan.LAB_PARAMS.names})


def test_the_collapse_preset_collapses():
    collapsed = preset("ring_collapse")
    assert collapsed.covered[-1] <= 3 and collapsed.hq[-1] >= 0.6  # few modes, rendered well
    assert gan.lab_verdict(collapsed)[0][0] == "verdict.collapsed"


def test_wgan_gp_with_the_collapse_presets_settings_covers_the_ring():
    same = {k: v for k, v in gan.PRESETS["ring_wgan_gp"].items() if k not in ("loss", "gp")}
    assert same == {k: v for k, v in gan.PRESETS["ring_collapse"].items() if k != "loss"}  # only the loss differs
    fixed = preset("ring_wgan_gp")
    assert fixed.covered[-1] == 8
    assert 0.5 < float(np.median(fixed.grad_norm[-5:])) < 2.0  # the penalty keeps ‖∇f‖ near 1
    assert fixed.heat[-1].min() < -1.0  # a critic's score, not a probability (the claim "D outputs a probability")


def test_the_saturating_loss_stalls_where_the_non_saturating_one_moves():
    stalled, moving = preset("stall"), preset("stall_fixed")
    assert stalled.grad_norm[-1] < 1e-3 < 0.1 < moving.grad_norm[-1]
    spread = lambda r: float(np.abs(r.fake[-1] - r.fake[len(r.fake) // 2]).mean())
    assert spread(stalled) < 0.05 < 0.5 < spread(moving)


# ---- the CLI ---------------------------------------------------------------------------------------


def test_the_cli_prints_per_snapshot_numbers_and_speed(capsys):
    assert cli(["gan", "steps=100&batch=32&g_width=16&d_width=16", "--experiment", "lab"]) == 0
    out = json.loads(capsys.readouterr().out)["experiments"]["lab"]
    snap = out["snapshots"][-1]
    assert snap["step"] == 100 and set(snap) >= {"d_loss", "g_loss", "modes_covered", "high_quality"}
    assert out["snapshots"][0]["d_loss"] is None  # step 0: nothing trained yet
    assert out["steps_run"] == 100 and out["steps_per_s"] > 0 and out["wall_s"] > 0 and out["modes"] == 8


def test_with_adam_even_the_saturating_loss_covers_the_ring_against_a_strong_d():
    r = run(loss="minimax", d_steps=5, steps=300)  # the claim "a too strong D stops G", checked
    assert r.covered[-1] >= 6 and r.grad_norm[-1] > 0.01  # (all 8 at iteration 300 with seed 0)


def test_the_standard_gan_preset_drops_modes():
    r = preset("ring_drops")  # the same settings as the collapse preset, with the non-saturating loss
    assert 2 <= r.covered[-1] < 8 and gan.lab_verdict(r)[0][0] == "verdict.partial"

"""The 2-D GAN lab: determinism, what the page claims (an easy run covers the ring, the collapse and
stall presets do what their names say), teaching phases freeze the right network, divergence is
reported, the work budget, and the CLI's JSON."""

import json
from functools import cache

import numpy as np
import pytest

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
    cfg = gan.lab_config(steps=120, batch=64, snapshots=3)
    a, b = drain(lab.train(cfg)), drain(lab.train(cfg))
    for field in ("d_loss", "g_loss", "fake", "heat", "arrows", "hq", "covered", "real"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    c = drain(lab.train(gan.lab_config(steps=120, batch=64, snapshots=3, seed=1)))
    assert not np.array_equal(a.fake, c.fake) and not np.array_equal(a.real, c.real)


SEEDS = (0, 1, 2)  # behaviour is asserted over seeds, with margins: one trajectory changes with the CPU's vector
# kernels (float re-association), the behaviour does not (measured over seeds 0–4 with ATEN_CPU_CAPABILITY=
# default, avx2 and avx512)


def test_an_easy_run_covers_most_of_the_ring_whatever_the_seed():
    runs = [run(steps=600, seed=s) for s in SEEDS]
    assert all(r.diverged_at is None and r.covered[0] == 0 for r in runs)  # ... starting from none
    assert min(r.covered[-1] for r in runs) >= 6, [r.covered[-1] for r in runs]  # seeds 0–4: 7 or 8 of 8
    assert min(r.hq[-1] for r in runs) >= 0.4  # seeds 0–4: 0.53–0.70


def test_the_stream_yields_chunks_with_growing_results():
    parts = list(lab.train(gan.lab_config(steps=300, batch=32, snapshots=6)))
    assert [round(f, 3) for f, _ in parts] == [round(f, 3) for f in np.linspace(0, 1, len(parts) + 1)[1:]]
    assert [p.done for _, p in parts] == sorted({p.done for _, p in parts})
    last = parts[-1][1]
    assert last.finished and len(last.d_loss) == 300 and last.snap_steps[-1] == 300
    assert last.fake.dtype == np.float32 and last.heat.shape == (len(last.snap_steps), 32, 32)


def test_teaching_phases_freeze_the_other_network():
    r = drain(lab.train(gan.lab_config(steps=100, batch=64, phase="d_g", k=30)))
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
    """SGD at rate 0.1 against a weight-clipped critic blows up on about half the seeds — which ones depends on the
    CPU's float kernels (seeds 0–7: 8 of 8 under ATEN_CPU_CAPABILITY=default, 4 of 8 under avx2 / avx512; seed 3
    at step 52 under all three). Over seeds 0–7: a run is flagged exactly when its losses went non-finite, and the
    first that blew up early stops there and says where."""
    diverged = None
    for seed in range(8):
        r = drain(
            lab.train(
                gan.lab_config(
                    loss="wgan", clip=1.0, g_opt="sgd", d_opt="sgd", g_lr=0.1, d_lr=0.1, steps=300, batch=64, seed=seed
                )
            )
        )
        losses = np.stack([r.d_loss[: r.done], r.g_loss[: r.done]], 1)
        assert (r.diverged_at is None) == bool(np.isfinite(losses).all()), seed
        if r.diverged_at is not None and r.diverged_at <= 250:
            diverged = r
            break
    assert diverged is not None, "none of seeds 0–7 blew up by step 250"
    r = diverged
    assert r.diverged_at <= r.done < 300 and r.finished
    assert gan.lab_verdict(r) == [("verdict.diverged", {"step": r.diverged_at})]
    text = json.dumps(gan.lab_summary(r), default=str)
    assert str(r.diverged_at) in text


def test_weight_clipping_keeps_every_critic_weight_in_bounds_and_reports_the_share():
    r = drain(lab.train(gan.lab_config(loss="wgan", clip=0.05, steps=150, batch=64, d_steps=2)))
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
    assert gan.work(lab.Config(values)) <= gan.MAX_WORK  # a hard bound, whatever the link asks
    ok, none = gan.LAB_PARAMS.validate({**gan.LAB_PARAMS.defaults(), "steps": 10000})
    assert not none and ok["steps"] == 10000  # the default networks may run the full 10 000 steps
    assert gan.work(lab.Config(ok)) <= gan.MAX_WORK


# ---- what the presets claim, with their fixed seeds -------------------------------------------------


def preset(name: str, **changes) -> lab.GanResult:
    return run(**{k: v for k, v in gan.PRESETS[name].items() if k in gan.LAB_PARAMS.names}, **changes)


RING_TRIO = ("ring_collapse", "ring_drops", "ring_wgan_gp")  # the same settings with three losses


def test_the_three_ring_presets_differ_only_in_the_loss():
    rest = [{k: v for k, v in gan.PRESETS[name].items() if k not in ("loss", "gp")} for name in RING_TRIO]
    assert rest[0] == rest[1] == rest[2]
    assert [gan.PRESETS[name]["loss"] for name in RING_TRIO] == ["lsgan", "nonsat", "wgan_gp"]


@pytest.fixture(scope="module")
def trio() -> dict[str, list[lab.GanResult]]:
    return {name: [preset(name, seed=s) for s in SEEDS] for name in RING_TRIO}


def test_wgan_gp_covers_the_ring_where_the_other_losses_drop_modes(trio):
    """Measured over seeds 0–4 (avx2): WGAN-GP 8, 8, 8, 8, 8 modes; least squares 2, 5, 5, 2, 3; non-saturating
    5, 3, 6, 6, 5 — which seed collapses furthest changes with the CPU, that WGAN-GP alone covers all does not."""
    covered = {name: [int(r.covered[-1]) for r in runs] for name, runs in trio.items()}
    assert min(covered["ring_wgan_gp"]) >= 7, covered
    assert max(covered["ring_collapse"] + covered["ring_drops"]) <= 7, covered
    assert np.mean(covered["ring_collapse"]) <= 6 and np.mean(covered["ring_drops"]) <= 6.5, covered
    for r in trio["ring_wgan_gp"]:
        assert 0.5 < float(np.median(r.grad_norm[-5:])) < 2.0  # the penalty keeps ‖∇f‖ near 1 (seeds 0–4: 1.13–1.19)
        assert r.heat[-1].min() < -0.5  # a critic's score, not a probability (seeds 0–4: −1.2 to −3.0)


def test_the_verdict_names_what_each_run_did(trio):
    for runs in trio.values():
        for r in runs:
            n, hq, key = int(r.covered[-1]), float(r.hq[-1]), gan.lab_verdict(r)[0][0]
            if n == 8:
                assert key == "verdict.all"
            elif n <= 2 and hq >= 0.5:
                assert key == "verdict.collapsed"  # few modes rendered well: collapse, not a failure to learn
            else:
                assert key in ("verdict.partial", "verdict.spread")
    assert any(gan.lab_verdict(r)[0][0] == "verdict.all" for r in trio["ring_wgan_gp"])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_saturating_loss_stalls_where_the_non_saturating_one_moves(seed):
    stall = {k: v for k, v in gan.PRESETS["stall"].items() if k != "loss"}
    assert stall == {k: v for k, v in gan.PRESETS["stall_fixed"].items() if k != "loss"}  # only the loss differs
    stalled, moving = preset("stall", seed=seed), preset("stall_fixed", seed=seed)
    # seeds 0–4: the stalled gradient is below 1e-8, the moving one above 0.3; the samples move 0.0 vs > 0.14
    assert stalled.grad_norm[-1] < 1e-5 < 0.05 < moving.grad_norm[-1]
    spread = lambda r: float(np.abs(r.fake[-1] - r.fake[len(r.fake) // 2]).mean())
    assert spread(stalled) < 0.005 < 0.05 < spread(moving)


# ---- the CLI ---------------------------------------------------------------------------------------


def test_the_cli_prints_per_snapshot_numbers_and_speed(capsys):
    assert cli(["gan", "steps=100&batch=32&g_width=16&d_width=16", "--experiment", "lab"]) == 0
    out = json.loads(capsys.readouterr().out)["experiments"]["lab"]
    snap = out["snapshots"][-1]
    assert snap["step"] == 100 and set(snap) >= {"d_loss", "g_loss", "modes_covered", "high_quality"}
    assert out["snapshots"][0]["d_loss"] is None  # step 0: nothing trained yet
    assert out["steps_run"] == 100 and out["steps_per_s"] > 0 and out["wall_s"] > 0 and out["modes"] == 8


def test_with_adam_even_the_saturating_loss_covers_the_ring_against_a_strong_d():
    runs = [run(loss="minimax", d_steps=5, steps=300, seed=s) for s in SEEDS]  # "a too strong D stops G", checked
    assert all(r.covered[-1] >= 6 and r.grad_norm[-1] > 0.05 for r in runs)  # seeds 0–4: 7–8 modes, ‖∇‖ > 1.9

"""Section 5's reading is chosen and filled from the run's numbers: it names the run's deepest depth, its gradient
ratio and losses, and says only what the run showed (at the defaults and at the `residual_without_norm` preset)."""

import numpy as np
import pytest

from core.normalization import concept as nc
from core.normalization import depth
from core.text import LANGS, Text


def run(preset: str | None):
    v = {**depth.PARAMS.defaults(), **(nc.PRESETS[preset] if preset else {})}
    return depth.trained(depth.PARAMS.validate(v)[0])


def text(r, lang="en") -> str:
    t = Text("normalization", lang)
    return " ".join(t(f"depth.{key}", **numbers) for key, numbers in depth.reading(r))


def consistent(r) -> None:
    """Each chosen sentence agrees with the numbers it is chosen from."""
    keys = [k for k, _ in depth.reading(r)]
    deep, low = int(np.argmax(r.depths)), int(np.argmin(r.depths))
    ratio = r.grad0[deep, 0] / r.grad0[deep, 1]
    assert ("reading_grad_big" in keys or "reading_grad_big_none" in keys) == (ratio > 10)
    assert ("reading_grad_small" in keys) == (ratio < 0.1)
    for j, net in ((0, "plain"), (1, "res")):
        if r.diverged[deep, j] >= 0:
            assert any(k.startswith(f"reading_{net}_diverged") for k in keys)
        else:
            worse = r.loss[-1, deep, j] > r.loss[-1, low, j] + 0.3
            assert (f"reading_{net}_worse" in keys) == worse
    chance = r.diverged[deep, 0] < 0 and r.loss[-1, deep, 0] > depth.CHANCE - 0.3
    assert ("reading_chance" in keys) == chance
    assert ("reading_try" in keys) == (r.norm == "bn")
    for lang in LANGS:
        words = text(r, lang)
        assert "{" not in words and "depth.reading" not in words


def test_the_default_reading_states_what_the_default_run_measured():
    r = run(None)
    consistent(r)
    keys = [k for k, _ in depth.reading(r)]
    assert keys[0] == "reading_grad_big" and "reading_plain_worse" in keys and "reading_res_flat" in keys
    words = text(r)
    i = r.depths.index(60)
    assert "At 60 layers" in words and f"{r.grad0[i, 0] / r.grad0[i, 1]:,.0f} times larger" in words
    assert f"{r.loss[-1, i, 0]:.3f}" in words and f"{r.loss[-1, i, 1]:.3f}" in words


def test_without_normalization_the_reading_names_the_diverged_residual_net_and_its_depth():
    r = run("residual_without_norm")
    assert r.depths == (10, 30) and r.norm == "none"
    consistent(r)
    keys = [k for k, _ in depth.reading(r)]
    assert "reading_res_diverged_none" in keys and "reading_grad_big" not in keys and "reading_try" not in keys
    words = text(r)
    assert "The 30-layer residual net diverged at step" in words
    assert "60" not in words and "BN keeps" not in words  # nothing of the default run's story


def fake(loss, grad0, diverged, depths=(10, 60), norm="bn"):
    loss = np.array([loss], np.float32)  # (1, D, 2)
    return depth.DepthResult(
        depths=depths,
        norm=norm,
        total=100,
        steps=np.array([100]),
        loss=loss,
        grad=loss,
        grad0=np.array(grad0, np.float32),
        evals=np.array([0, 100]),
        train_acc=np.zeros((2, len(depths), 2), np.float32),
        test_acc=np.zeros((2, len(depths), 2), np.float32),
        params=np.ones((len(depths), 2), np.int64),
        diverged=np.array(diverged),
        finite=True,
    )


@pytest.mark.parametrize(
    "r,keys",
    [
        (
            fake([[0.2, 0.2], [0.25, 0.21]], [[1, 1], [2, 1]], [[-1, -1], [-1, -1]]),
            ["reading_grad_close", "reading_plain_flat", "reading_res_flat", "reading_try"],
        ),
        (
            fake([[0.2, 0.2], [2.2, 0.9]], [[1, 1], [0.001, 1]], [[-1, -1], [-1, -1]], norm="none"),
            ["reading_grad_small", "reading_plain_worse", "reading_res_worse", "reading_chance"],
        ),
        (
            fake([[0.3, 0.3]], [[1, 1]], [[-1, 7]], depths=(20,)),
            ["reading_grad_close", "reading_plain_one", "reading_res_diverged", "reading_try"],
        ),
    ],
)
def test_the_reading_follows_the_numbers(r, keys):
    assert [k for k, _ in depth.reading(r)] == keys
    consistent(r)

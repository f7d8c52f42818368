"""Training on the digits: clipping bounds what it promises, NaN runs are marked and never raise, the
vanishing net barely learns while the fixed one does, and the stream is deterministic."""

import json

import numpy as np
import pytest
import torch

from core.__main__ import _jsonable
from core.experiment import drain
from core.gradients import concept as gr
from core.gradients import net as grad_net
from core.gradients import training
from core.gradients.net import Net

TINY = {**gr.TRAIN_PARAMS.defaults(), "depth": 4, "width": 32, "steps": 100}


def train(**kw):
    return gr.TRAIN.run({**TINY, **kw})


def grads_after_step(clip, clip_at, lr=1.0):
    """One real _step on a net whose gradient is large; the .grad tensors it leaves are the clipped ones."""
    net = Net("tanh", "normal", 1.0)
    x, y, _, _ = training.digits(0)
    p = grad_net.params(net, 0, 6, 64, torch.device("cpu"))
    opt = torch.optim.SGD(p.tensors(), lr=lr)
    row = training._step(p, opt, net, x[:64], y[:64], clip, clip_at)
    return p, row


def test_clipping_by_norm_bounds_the_total_norm_and_keeps_the_direction():
    p_raw, raw = grads_after_step("none", 1.0)
    p, row = grads_after_step("norm", 0.5)
    before, after = float(row[1]), float(row[2])
    assert before == pytest.approx(float(raw[1]), rel=1e-6) and before > 5  # same gradient as unclipped
    total = torch.linalg.vector_norm(torch.stack([t.grad.norm() for t in p.tensors()]))
    assert float(total) <= 0.5 * (1 + 1e-5) and after == pytest.approx(float(total), rel=1e-5)
    g = torch.cat([t.grad.flatten() for t in p.tensors()])
    g_raw = torch.cat([t.grad.flatten() for t in p_raw.tensors()])
    assert float(torch.nn.functional.cosine_similarity(g, g_raw, dim=0)) == pytest.approx(1.0, abs=1e-5)


def test_clipping_by_value_bounds_every_coordinate():
    p, row = grads_after_step("value", 0.01)
    assert max(float(t.grad.abs().max()) for t in p.tensors()) <= 0.01
    assert float(row[2]) < float(row[1])


def test_a_run_with_clipping_never_steps_with_a_norm_above_the_threshold():
    r = train(lr=0.5, clip="norm", clip_at=0.2)
    done = np.isfinite(r.grad_norm[:, 1])
    assert done.all() and (r.grad_norm[:, 1] > 0.2).any()  # the threshold was actually hit
    assert (r.applied_norm[done, 1] <= 0.2 * (1 + 1e-4)).all()
    below = r.grad_norm[:, 1] < 0.2
    np.testing.assert_allclose(r.applied_norm[below, 1], r.grad_norm[below, 1], rtol=1e-6)


def test_an_exploding_run_is_marked_not_raised_and_the_other_net_carries_on():
    r = train(act_a="relu", init_a="normal", sigma_a=10.0, depth=8, lr=0.02)
    assert r.nan_step[0] is not None and r.nan_step[1] is None
    assert np.isnan(r.loss[r.nan_step[0] :, 0]).all()  # stopped after the NaN step
    assert np.isfinite(r.loss[:, 1]).all() and r.done == r.steps
    assert [key for key, _ in gr.verdicts(r)] == ["train.diverged", "train.verdict"]
    s = gr.train_summary(r)
    assert s["a"]["nan"] and s["a"]["nan_step"] == r.nan_step[0] and not s["b"]["nan"]
    assert np.isnan(r.test_acc[-1, 0]) and s["a"]["test_accuracy"] is None  # NaN weights have no accuracy
    assert 0 <= s["b"]["test_accuracy"] <= 1
    json.dumps(_jsonable(s))


def test_a_too_large_learning_rate_produces_nan_at_a_marked_step():
    r = train(depth=10, width=64, lr=5.0)
    step = r.nan_step[1]
    assert step is not None and 1 <= step <= r.steps
    numbers = np.stack([r.loss[:, 1], r.grad_norm[:, 1]], 1)  # (steps, 2)
    assert np.isfinite(numbers[: step - 1]).all() and not np.isfinite(numbers[step - 1]).all()


def test_the_vanishing_net_barely_learns_and_the_fixed_one_does():
    r = train(depth=12, width=64, steps=300, lr=0.05)  # A: sigmoid + default, B: ReLU + He
    assert r.test_acc[-1, 0] < 0.25 and r.test_acc[-1, 1] > 0.6
    assert np.nanmean(r.loss[-50:, 0]) > 2.2 > 1.0 > np.nanmean(r.loss[-50:, 1])
    first, last = r.layer_grad[0, :, 0].mean(), r.layer_grad[0, :, -1].mean()
    assert first < 1e-3 * last  # its first layer's weights barely get any gradient


def test_stream_yields_chunks_in_order_and_is_deterministic():
    chunks = list(training.stream({**TINY, "steps": 250}))
    assert [f for f, _ in chunks] == pytest.approx([0.4, 0.8, 1.0])
    assert [c.done for _, c in chunks] == [100, 200, 250]
    assert np.isnan(chunks[0][1].loss[100:]).all() and np.isfinite(chunks[-1][1].loss).all()
    again = drain(training.stream({**TINY, "steps": 250}))
    np.testing.assert_array_equal(chunks[-1][1].loss, again.loss)
    np.testing.assert_array_equal(chunks[-1][1].layer_grad, again.layer_grad)


def test_per_layer_weight_gradients_are_recorded_without_underflow():
    r = train(depth=30, width=32, steps=50)  # sigmoid + default: the first layers' gradients are ~1e-20
    assert (r.layer_grad[0] > 0).all() and np.isfinite(r.layer_grad).all()

"""The digits CNN: it learns (seeded, default budget), streams chunks, replays deterministically, and
reports an exploding run instead of crashing."""

import numpy as np
import pytest
import torch

from core.convolution import cnn as cn
from core.experiment import drain


def values(**kw):
    return {**cn.PROBE_PARAMS.defaults(), **kw}


@pytest.fixture(scope="module")
def default_run():
    return cn.trained(values())


def test_the_default_budget_reaches_high_test_accuracy(default_run):
    assert default_run.steps[-1] == cn.LEARN_PARAMS["l_steps"].default
    assert default_run.test_acc[-1] >= 0.95  # 450 held-out digits; chance is 0.10
    assert default_run.test_acc[0] < 0.3  # it really started from random weights
    assert default_run.loss[-1] < default_run.loss[1]
    assert default_run.finite and default_run.done


def test_snapshots_and_the_kernels_the_page_shows(default_run):
    ch, k = cn.LEARN_PARAMS["l_ch"].default, cn.LEARN_PARAMS["l_k"].default
    assert default_run.kernels.shape == (len(default_run.steps), ch, k, k)
    np.testing.assert_array_equal(default_run.kernels[-1], default_run.state["0.weight"][:, 0])
    assert not np.allclose(default_run.kernels[0], default_run.kernels[-1])  # training changed them


def test_feature_maps_are_the_first_layer_relu_outputs(default_run):
    probe = cn.feature_maps(default_run, 7)
    assert probe.label == 7 and probe.maps.shape == (default_run.ch, 8, 8) and probe.maps.min() >= 0
    model = cn.make(default_run.ch, default_run.k)
    model.load_state_dict({n: torch.from_numpy(a) for n, a in default_run.state.items()})
    x = torch.from_numpy(probe.image)[None, None]
    with torch.no_grad():
        np.testing.assert_allclose(probe.maps, torch.relu(model[0](x))[0].numpy(), atol=1e-6)
    assert probe.probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert cn.probe_summary(probe)["digit"] == 7


def test_the_stream_yields_one_result_per_chunk_and_is_deterministic():
    v = values(l_steps=200, l_ch=4, l_k=3, seed=3)
    chunks = list(cn.train(v))
    assert [round(f, 3) for f, _ in chunks] == [0.5, 1.0]
    assert list(chunks[-1][1].steps) == [0, 100, 200]
    again = drain(cn.train(v))
    np.testing.assert_array_equal(again.kernels, chunks[-1][1].kernels)
    _, other = next(cn.train({**v, "seed": 4}))  # the first chunk is enough: kernels[0] are the initial weights
    assert not np.array_equal(other.kernels[0], again.kernels[0])


def test_an_exploding_run_is_reported_and_stopped_not_raised():
    v = values(l_steps=300, l_lr=1e30, l_ch=2, l_k=3, seed=1)  # beyond the slider: forces overflow
    res = drain(cn.train(v))
    assert not res.finite and res.done and list(res.steps) == [0, 100]  # stopped after the first bad chunk
    summary = cn.learn_summary(res)
    assert summary["finite"] is False and summary["final_loss"] != summary["final_loss"]  # NaN

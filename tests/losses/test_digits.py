"""CE vs MSE on the softmax from a confidently wrong start, and the batched networks against nn.Sequential."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.experiment import drain
from core.losses import concept as lc
from core.losses import digits
from core.losses.nets import mlp


def run(**over):
    return drain(lc.cemse_stream({**lc.CM_PARAMS.defaults(), **over}))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_from_a_confidently_wrong_start_cross_entropy_learns_and_squared_error_does_not(seed):
    r = run(cm_seed=seed)
    acc_ce, acc_mse = r.test_acc[-1]
    assert acc_ce > 0.85 and acc_mse < 0.3
    assert r.test_acc[0, 0] < 0.15 and r.test_acc[0, 1] < 0.15  # both start out calling every digit a 0
    assert r.grad_out[0, 0] > 1000 * r.grad_out[0, 1]  # the gradient reaching the logits
    assert r.p_wrong[-1, 1] > 0.99  # MSE never leaves the wrong class


def test_from_a_fair_start_both_learn_and_adam_rescues_squared_error():
    fair = run(cm_bias=0.0)
    assert (fair.test_acc[-1] > 0.85).all()
    adam = run(cm_opt="adam")
    assert (adam.test_acc[-1] > 0.8).all()


def test_one_row_of_the_batch_trains_exactly_like_its_own_network():
    torch.manual_seed(0)
    x, y = torch.rand(32, 64), torch.randint(0, 10, (32,))
    net = mlp(3, 64, 16, 10, seed=5)
    ref = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    with torch.no_grad():
        ref[0].weight.copy_(net.w1[1].T)
        ref[0].bias.copy_(net.b1[1, 0])
        ref[2].weight.copy_(net.w2[1].T)
        ref[2].bias.copy_(net.b2[1, 0])
    opt, ref_opt = torch.optim.SGD(net.params, lr=0.3), torch.optim.SGD(ref.parameters(), lr=0.3)
    for _ in range(5):
        z = net(x)
        loss = sum(F.cross_entropy(z[i], y) for i in range(3))
        opt.zero_grad()
        loss.backward()
        opt.step()
        ref_loss = F.cross_entropy(ref(x), y)
        ref_opt.zero_grad()
        ref_loss.backward()
        ref_opt.step()
    torch.testing.assert_close(net(x)[1], ref(x), rtol=1e-5, atol=1e-6)


def test_the_split_and_the_wrong_start():
    x_tr, y_tr, x_te, y_te = digits.split("cpu", 300)
    assert x_tr.shape == (300, 64) and len(y_te) == 450
    assert lc.start_probability(12.0) == pytest.approx(1 / (1 + 9 * torch.exp(torch.tensor(-12.0)).item()))

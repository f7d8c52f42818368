"""The batched networks and their optimizer against nn.Sequential, torch.optim and autograd, row by row."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.regularization import nets

H = 16


def sequential(theta_row: torch.Tensor, p: float = 0.0) -> nn.Sequential:
    """nn.Sequential holding one row's parameters (nn.Linear keeps weights as (out, in))."""
    w1, b1, w2, b2 = torch.split(theta_row, nets.sizes(H))
    model = nn.Sequential(nn.Linear(64, H), nn.ReLU(), nn.Dropout(p), nn.Linear(H, 10))
    with torch.no_grad():
        model[0].weight.copy_(w1.view(64, H).T)
        model[0].bias.copy_(b1)
        model[3].weight.copy_(w2.view(H, 10).T)
        model[3].bias.copy_(b2)
    return model


def batch(seed=0, n=32):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 64, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_a_row_computes_what_nn_sequential_computes():
    theta = nets.init(3, H, seed=1, same=False)
    x, _ = batch()
    z = nets.logits(theta, x, H)  # (3, B, 10)
    for r in range(3):
        torch.testing.assert_close(z[r], sequential(theta[r]).eval()(x), rtol=1e-5, atol=1e-6)


def test_init_matches_nn_linear_bounds_and_same_rows_share_one_draw():
    theta = nets.init(2, H, seed=0)
    torch.testing.assert_close(theta[0], theta[1])
    w1, b1, w2, b2 = torch.split(theta[0], nets.sizes(H))
    assert w1.abs().max() <= 1 / 8 and b1.abs().max() <= 1 / 8  # U(±1/√64)
    assert w2.abs().max() <= 1 / H**0.5 and b2.abs().max() <= 1 / H**0.5
    assert not torch.equal(*nets.init(2, H, seed=0, same=False))


def test_dropout_multipliers_are_nn_dropouts_train_and_eval_scaling():
    """With the mask nn.Dropout drew, the batched forward equals nn.Sequential with nn.Dropout in train mode;
    with no mask it equals eval mode (dropout is the identity)."""
    p = 0.3
    theta = nets.init(1, H, seed=2)
    x, _ = batch()
    model = sequential(theta[0], p).train()
    torch.manual_seed(5)
    keep = nn.Dropout(p).train()(torch.ones(len(x), H))  # nn.Dropout's own multipliers: 0 or 1/(1 − p)
    assert all(v == 0 or v == pytest.approx(1 / (1 - p)) for v in torch.unique(keep).tolist())
    torch.manual_seed(5)
    h = model[1](model[0](x))
    want = model[3](model[2](h))  # the same draw inside the model
    torch.testing.assert_close(nets.logits(theta, x, H, keep[None]), want[None], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(nets.logits(theta, x, H), model.eval()(x)[None], rtol=1e-5, atol=1e-6)


def test_our_dropout_multipliers_keep_one_minus_p_and_scale_by_its_inverse():
    rates = torch.tensor([0.0, 0.25, 0.8])
    keep = nets.dropout_keep(rates, (4000, 8), torch.Generator().manual_seed(0))
    for r, p in enumerate(rates.tolist()):
        assert all(v == 0 or v == pytest.approx(1 / (1 - p)) for v in torch.unique(keep[r]).tolist())
        assert abs(float((keep[r] > 0).float().mean()) - (1 - p)) < 0.02
        assert abs(float(keep[r].mean()) - 1.0) < 0.05  # E[mask / (1 − p)] = 1


def train_rows(opt: nets.Optim, steps=5, rows=2):
    theta = nets.init(rows, H, seed=3).double().requires_grad_(True)
    opt.lr, opt.l2, opt.l1, opt.decay = (a.double() for a in (opt.lr, opt.l2, opt.l1, opt.decay))
    history = []
    for t in range(steps):
        x, y = batch(seed=t)
        loss = nets.losses(nets.logits(theta, x.double(), H), y)
        (g,) = torch.autograd.grad(loss.sum(), theta)
        opt.step(theta, g)
        history.append(theta.detach().clone())
    return history


def train_torch(make, row: torch.Tensor, steps=5):
    model = sequential(row.float()).double()
    opt = make(model.parameters())
    history = []
    for t in range(steps):
        x, y = batch(seed=t)
        loss = F.cross_entropy(model(x.double()), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        w1, b1, w3, b3 = model[0].weight, model[0].bias, model[3].weight, model[3].bias
        history.append(torch.cat([w1.T.reshape(-1), b1, w3.T.reshape(-1), b3]).detach().clone())
    return history


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (dict(kind="sgd", lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (dict(kind="sgd", lr=0.1, l2=0.05), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.05)),
        (dict(kind="adam", lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (dict(kind="adam", lr=0.01, l2=0.1), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1)),
        (dict(kind="adam", lr=0.01, decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ],
    ids=["sgd", "sgd_weight_decay", "adam", "adam_l2", "adamw"],
)
def test_each_row_steps_exactly_as_torch_optim(ours, theirs):
    """Row 1 carries the setting under test; row 0 none (it must not leak between rows)."""
    kind, lr = ours["kind"], ours["lr"]
    per_row = {k: torch.tensor([0.0, v]) for k, v in ours.items() if k in ("l2", "decay")}
    mine = train_rows(nets.Optim(kind, lr, **per_row))
    plain = {"sgd": lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9), "adam": lambda p: torch.optim.Adam(p, lr=lr)}
    start = nets.init(1, H, seed=3)[0]
    for got, want in zip(mine, train_torch(theirs, start), strict=True):
        torch.testing.assert_close(got[1], want, rtol=1e-6, atol=1e-9)
    for got, want in zip(mine, train_torch(plain[kind], start), strict=True):
        torch.testing.assert_close(got[0], want, rtol=1e-6, atol=1e-9)


def test_l1_step_adds_lambda_times_the_autograd_subgradient_of_the_l1_norm():
    lam, lr = 0.02, 0.1
    theta = torch.tensor([[0.5, -0.25, 0.0, 2.0]], dtype=torch.float64)
    grad = torch.tensor([[0.1, 0.1, -0.3, 0.0]], dtype=torch.float64)
    leaf = theta.clone().requires_grad_(True)
    (pen,) = torch.autograd.grad(lam * leaf.abs().sum(), leaf)  # autograd: λ·sign(θ), 0 at 0
    opt = nets.Optim("sgd", lr, l1=lam, momentum=0.0)
    opt.lr, opt.l1 = opt.lr.double(), opt.l1.double()
    opt.step(theta, grad)
    torch.testing.assert_close(theta, torch.tensor([[0.5, -0.25, 0.0, 2.0]], dtype=torch.float64) - lr * (grad + pen))


def test_weight_mask_marks_the_weights_not_the_biases():
    m = nets.weight_mask(H)
    assert int(m.sum()) == 64 * H + H * 10 and len(m) == nets.n_params(H)


def test_balanced_prefixes_are_nested_and_balanced():
    _, y, _, _ = nets.digits(0, "cpu")
    order = nets.balanced_order(y, 0)
    assert sorted(order.tolist()) == list(range(len(y)))
    counts = torch.bincount(y[order[:100]], minlength=10)
    assert counts.min() == counts.max() == 10
    assert set(nets.subset(50, y, 0).tolist()) <= set(nets.subset(100, y, 0).tolist())

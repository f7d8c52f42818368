"""The stacked MLPs against torch.nn: each model of a stack computes what an nn.Sequential of nn.Linear,
nn.BatchNorm1d / nn.LayerNorm / nn.GroupNorm and nn.ReLU (with identity skips) computes from the same
weights — logits, running statistics, eval mode, parameter counts and the SGD step (torch.optim.SGD)."""

import pytest
import torch
import torch.nn as nn

from core.normalization import blocks, nets


def Reference(stack: nets.Stack, m: int) -> nn.Sequential:
    """Model m of a stack, built from torch.nn modules (core.normalization.blocks) with the stack's weights."""
    spec = stack.spec
    net = blocks.mlp(spec.depth, spec.width, spec.kinds[m], spec.residual[m], spec.groups)
    return blocks.load(net, stack, m)


SPEC = nets.Spec(
    ("none", "bn", "bn", "ln", "gn", "gn"), (False, False, True, True, False, True), depth=5, width=16, groups=4
)


def data(b=12, seed=3):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, nets.D_IN, generator=g) * 2 + 0.5, torch.randint(0, 10, (b,), generator=g)


def test_every_model_of_a_stack_is_the_torch_nn_network_in_training_and_eval_mode():
    stack = nets.Stack(SPEC, seed=1, dev=torch.device("cpu"))
    refs = [Reference(stack, m) for m in range(SPEC.models)]
    x, _ = data()
    for _ in range(3):  # three training-mode batches: batch statistics, running statistics updated
        out = stack.forward(x)
        for m, ref in enumerate(refs):
            ref.train()
            torch.testing.assert_close(out[m], ref(x), atol=1e-5, rtol=1e-5)
        x = x * 0.7 + 1.0
    bn = [n for n in refs[1].modules() if isinstance(n, nn.BatchNorm1d)]
    torch.testing.assert_close(stack.running_mean[:, 1], torch.stack([n.running_mean for n in bn]))
    torch.testing.assert_close(stack.running_var[:, 1], torch.stack([n.running_var for n in bn]))
    out = stack.forward(x, "running")
    for m, ref in enumerate(refs):
        ref.eval()
        torch.testing.assert_close(out[m], ref(x), atol=1e-5, rtol=1e-5)


def test_groups_of_b_examples_are_normalized_as_separate_training_batches():
    stack = nets.Stack(SPEC, seed=2, dev=torch.device("cpu"))
    x, _ = data(b=14)
    out = stack.forward(x, 4)  # 14 -> groups of 4: the last one is examples 12, 13, 0, 1
    assert out.shape == (SPEC.models, 14, nets.D_OUT)
    ref = Reference(stack, 1).train()
    last = torch.cat([x[12:], x[:2]])
    with torch.no_grad():
        for g in range(3):
            torch.testing.assert_close(out[1, 4 * g : 4 * g + 4], ref(x[4 * g : 4 * g + 4]), atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(out[1, 12:], ref(last)[:2], atol=1e-5, rtol=1e-5)
        ln = Reference(stack, 3)
        torch.testing.assert_close(out[3], ln(x), atol=1e-5, rtol=1e-5)  # LN: no batch, the same in every mode
    torch.testing.assert_close(stack.running_mean, torch.zeros_like(stack.running_mean))  # nothing updated


def test_parameter_counts_match_the_modules_and_a_skip_adds_none():
    stack = nets.Stack(SPEC, seed=0, dev=torch.device("cpu"))
    for m in range(SPEC.models):
        assert SPEC.n_params(m) == sum(p.numel() for p in Reference(stack, m).parameters())
    assert SPEC.n_params(1) == SPEC.n_params(2)  # BN plain and BN residual
    assert SPEC.n_params(1) - SPEC.n_params(0) == 2 * 16 * 4  # γ and β in each of the 4 norm layers


@pytest.mark.parametrize("m", range(SPEC.models))
def test_one_step_is_torch_optim_sgd_with_the_models_own_learning_rate(m):
    stack = nets.Stack(SPEC, seed=4, dev=torch.device("cpu"))
    ref = Reference(stack, m).train()
    x, y = data()
    lr = torch.tensor([0.1, 0.2, 0.05, 0.3, 0.01, 0.5])
    opt = torch.optim.SGD(ref.parameters(), lr=float(lr[m]))
    loss = nn.functional.cross_entropy(ref(x), y)
    loss.backward()
    first_grad = ref[0].weight.grad.norm()  # the first nn.Linear
    opt.step()
    losses, first = stack.step(x, y, lr)
    torch.testing.assert_close(losses[m], loss.detach(), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(first[m], first_grad, atol=1e-6, rtol=1e-5)
    after = Reference(stack, m)
    for (name, a), b in zip(after.named_parameters(), ref.parameters()):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5, msg=name)


def test_models_start_from_the_same_weights_and_a_diverging_model_leaves_the_others_alone():
    spec = nets.Spec(("bn", "bn", "none"), (False,) * 3, depth=4, width=16)
    stack = nets.Stack(spec, seed=0, dev=torch.device("cpu"))
    assert torch.equal(stack.params["wh"][:, 0], stack.params["wh"][:, 2])
    x, y = data()
    solo = nets.Stack(nets.Spec(("bn",), (False,), depth=4, width=16), seed=0, dev=torch.device("cpu"))
    for _ in range(5):
        stack.step(x, y, torch.tensor([0.1, 1e30, 1e30]))
        solo.step(x, y, torch.tensor([0.1]))
    acc = stack.accuracy(x, y)
    assert torch.isnan(acc[1:]).all()  # blown up: reported as NaN, not as the argmax of NaN logits
    torch.testing.assert_close(stack.params["w0"][0], solo.params["w0"][0])
    torch.testing.assert_close(stack.running_var[:, 0], solo.running_var[:, 0])

"""ResNet "has fewer parameters" (the notes): section 5's nets rebuilt from torch modules compute what the page's
batched stack computes, and a residual net has exactly the plain net's parameters — only a 1×1 projection shortcut
(where a block changes the shape) adds any."""

import pytest
import torch

from core.normalization import blocks, nets


@pytest.mark.parametrize("norm", ["bn", "none"])
@pytest.mark.parametrize("residual", [False, True])
def test_the_modules_are_the_pages_networks(norm, residual):
    spec = nets.Spec((norm,), (residual,), 6, 16)
    stack = nets.Stack(spec, 3, torch.device("cpu"))
    x = torch.randn(20, nets.D_IN, generator=torch.Generator().manual_seed(0))
    net = blocks.load(blocks.mlp(6, 16, norm, residual), stack, 0).eval()
    with torch.no_grad():
        assert torch.allclose(net(x), stack.forward(x, "running")[0], atol=1e-5)
    assert blocks.n_params(net) == spec.n_params(0)


def test_a_skip_adds_no_parameters_a_projection_does():
    for depth in (10, 60):
        assert blocks.n_params(blocks.mlp(depth, 32, "bn", True)) == blocks.n_params(blocks.mlp(depth, 32, "bn", False))
    plain, same = blocks.Basic(64, 64, 1, "none"), blocks.Basic(64, 64, 1, "identity")
    assert blocks.n_params(plain) == blocks.n_params(same) == 2 * 9 * 64 * 64 + 2 * 2 * 64
    x = torch.randn(2, 64, 8, 8)
    same.load_state_dict(plain.state_dict())  # the same weights: the skip only adds the input
    with torch.no_grad():
        assert torch.allclose(same.eval()(x), torch.relu(plain.eval().body(x) + x))
    down, proj = blocks.Basic(64, 128, 2, "none"), blocks.Basic(64, 128, 2, "projection")
    assert blocks.n_params(proj) - blocks.n_params(down) == 64 * 128 + 2 * 128  # the 1×1 conv and its BN
    assert proj(x).shape == (2, 128, 4, 4)
    with pytest.raises(AssertionError):
        blocks.Basic(64, 128, 2, "identity")  # an identity cannot change the shape
    counts = blocks.counts(60, 32)
    assert counts["params_plain"] == counts["params_res"] and counts["proj_extra"] == 64 * 128 + 2 * 128

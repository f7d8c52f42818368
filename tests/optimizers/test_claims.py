"""The numbers behind the page's verdicts on the interview notes support those verdicts."""

from core.optimizers import claims, race


def test_the_surface_claims_numbers_support_the_page_verdicts():
    c = claims.claims()
    assert 0 < c["reach_momentum"] < c["reach_sgd"] and c["gd_big_diverges"] > 0
    assert c["zig_momentum"] > c["zig_sgd"]  # momentum does not remove the zig-zag
    assert c["noise_plateau"] < c["noise_const"] / 2
    assert 0 < c["escape_1e2"] < c["escape_1e8"] and c["escape_noise"] < c["escape_1e8"]


def test_adaptive_optimizers_keep_more_state_not_less():
    """“Adam and RMSprop lower the computational cost”: torch.optim's Adam keeps two numbers per weight."""
    n = sum(race.sizes(64))
    assert claims.state_sizes(n) == {"sgd": 0, "momentum": n, "adam": 2 * n}


def test_larger_batches_lose_only_at_a_fixed_number_of_epochs():
    b = claims.batch_effect(sizes=(8, 512))
    assert b["epochs_b8"] > b["epochs_b512"] + 0.3  # 3 epochs: batch 512 gets only 8 steps
    assert b["steps_b512"] >= b["steps_b8"]  # 150 steps each: the larger batch is at least as good

"""The numbers behind the page's verdicts on the interview notes support those verdicts (the claim cards beside the
paths and network sections), and a verdict the numbers decide says what they say."""

import pytest

from core.optimizers import claims, race
from core.optimizers import concept as opt

CARDS = {c.key: c for c in opt.CLAIMS}


@pytest.fixture(scope="module")
def numbers():
    return claims.card_numbers()


def test_the_surface_claims_numbers_support_the_page_verdicts(numbers):
    c = numbers
    assert 0 < c["reach_momentum"] < c["reach_sgd"] and c["gd_big_diverges"] > 0
    assert c["zig_momentum"] > c["zig_sgd"]  # momentum does not remove the zig-zag: "partly"
    assert c["noise_plateau"] < c["noise_const"] / 2  # halving on plateaus works: "true"
    assert 0 < c["escape_1e2"] < c["escape_1e8"] and c["escape_noise"] < c["escape_1e8"]  # saddles slow it down
    assert {CARDS[k].judged(c) for k in ("momentum", "saddle")} == {"partly"} and CARDS["halve"].judged(c) == "true"


def test_momentum_escapes_local_minima_only_with_a_heavy_momentum(numbers):
    """Real torch.optim runs on Rastrigin from a grid of starts: at μ = 0.9 (the page's) momentum ends where SGD
    does; a heavy μ = 0.99 ends lower from a good share of starts and (the card says so) never higher."""
    n = numbers
    assert n["escape_starts"] >= 49
    assert n["same_900"] >= 90 and n["lower_900"] < 10
    assert 20 <= n["lower_990"] < 90 and n["higher_990"] == 0 and n["lower_990"] + n["same_990"] == 100
    assert CARDS["escape"].judged(n) == "depends"


def test_the_escape_verdict_follows_the_numbers():
    judge = claims.escape_verdict
    assert judge({"lower_900": 60.0, "lower_990": 80.0}) == "true"
    assert judge({"lower_900": 0.0, "lower_990": 5.0}) == "false"
    assert judge({"lower_900": 0.0, "lower_990": 44.0}) == "depends"


def test_the_heavy_momentum_preset_shows_momentum_ending_lower_from_some_starts():
    values, _ = opt.PATHS.params.validate({**opt.PATHS.params.defaults(), **opt.PRESETS["rastrigin_heavy_momentum"]})
    r = opt.PATHS.run(values)
    sgd, mom = r.kinds.index("sgd"), r.kinds.index("momentum")
    lower = (r.final_loss[mom] < r.final_loss[sgd] - 0.5).sum()
    assert 1 <= lower < len(r.starts)  # some starts, not all


def test_adaptive_optimizers_keep_more_state_not_less():
    """“Adam and RMSprop lower the computational cost”: torch.optim's Adam keeps two numbers per weight."""
    n = sum(race.sizes(64))
    assert claims.state_sizes(n) == {"sgd": 0, "momentum": n, "adam": 2 * n}
    assert CARDS["state"].judged({}) == "false"


def test_larger_batches_lose_only_at_a_fixed_number_of_epochs():
    b = claims.batch_effect(sizes=(8, 512))
    assert b["epochs_b8"] > b["epochs_b512"] + 0.3  # 3 epochs: batch 512 gets only 8 steps
    assert b["steps_b512"] >= b["steps_b8"]  # 150 steps each: the larger batch is at least as good: "partly"
    assert CARDS["batch"].judged(b) == "partly"


def test_the_small_data_verdict_follows_the_accuracies():
    judge = CARDS["small_data"].judged
    assert judge({"acc_momentum": 0.96, "acc_adam": 0.97, "acc_adadelta": 0.95}) == "false"
    assert judge({"acc_momentum": 0.97, "acc_adam": 0.96, "acc_adadelta": 0.95}) == "depends"

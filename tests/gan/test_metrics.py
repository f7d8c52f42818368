"""Mode coverage and high-quality share on constructed samplers (no GAN involved), digit class scores,
the targets, and the validation of uploaded points."""

import math

import numpy as np
import pytest
import torch

from core.gan import metrics as gm
from core.gan import targets as gt


def sampler(target: gt.Target, n: int, seed: int, *, std_ratio: float = 1.0, modes=None) -> torch.Tensor:
    """Samples drawn exactly like the target (anchor + N(0, σ²I)), optionally too wide, optionally only
    from the listed anchors (a collapsed generator)."""
    g = torch.Generator().manual_seed(seed)
    anchors = torch.as_tensor(target.anchors if modes is None else target.anchors[modes], dtype=torch.float64)
    idx = torch.randint(len(anchors), (n,), generator=g)
    return anchors[idx] + std_ratio * target.std * torch.randn(n, 2, generator=g, dtype=torch.float64)


def cover(target, samples):
    covered, hq, counts = gm.coverage(samples, target.anchors, target.region, target.regions, target.std)
    return int(covered), float(hq), counts.numpy()


def test_the_perfect_sampler_covers_every_mode_at_the_chi2_quality():
    assert gm.expected_hq_share() == pytest.approx(1 - math.exp(-4.5), abs=1e-12)
    assert gm.expected_hq_share() == pytest.approx(0.98889, abs=1e-5)  # P(χ²₂ ≤ 9)
    for key in ("ring", "grid"):
        t = gt.make(key, 0.05)
        covered, hq, counts = cover(t, sampler(t, 200_000, 0))
        assert covered == t.regions
        assert hq == pytest.approx(0.98889, abs=0.002)  # binomial sd ≈ 0.0002
        assert counts.min() > 0.9 * 200_000 / t.regions * 0.98


def test_a_collapsed_sampler_covers_one_mode_with_full_quality():
    t = gt.make("ring", 0.05)
    covered, hq, counts = cover(t, sampler(t, 20_000, 1, modes=[3]))
    assert covered == 1 and int(np.argmax(counts)) == 3
    assert hq == pytest.approx(0.98889, abs=0.005)  # the trap: quality alone looks perfect


@pytest.mark.parametrize("ratio", [1.5, 2.0, 3.0, 5.0])
def test_too_wide_samples_lose_quality_as_predicted(ratio):
    t = gt.make("ring", 0.02)  # sharp, well separated modes: the nearest anchor is the sample's own
    predicted = 1 - math.exp(-4.5 / ratio**2)
    assert gm.expected_hq_share(ratio) == pytest.approx(predicted)
    covered, hq, _ = cover(t, sampler(t, 100_000, 2, std_ratio=ratio))
    assert hq == pytest.approx(predicted, abs=0.006)
    # a mode counts while its high-quality samples reach a quarter of a fair share: 1.5×, 2×, 3× too wide
    # still cover every mode (87%, 68%, 39% quality); 5× too wide (17%) covers none
    assert covered == (8 if predicted > gm.MIN_SHARE + 0.05 else 0)


def test_a_mode_needs_a_quarter_of_its_fair_share_to_count():
    t = gt.make("ring", 0.05)
    fair = 8000 // 8
    few = sampler(t, int(0.2 * fair), 3, modes=[0])  # 20% of a fair share at mode 0
    rest = sampler(t, 8000 - len(few), 4, modes=[1, 2])
    covered, _, counts = cover(t, torch.cat([few, rest]))
    assert counts[0] > 0 and covered == 2


# ---- the published protocol (VEEGAN / PacGAN) ---------------------------------------------------------


def test_the_protocol_targets_have_the_published_geometry_whatever_the_width():
    ring, grid = gt.make("ring_pacgan", 0.3), gt.make("grid_pacgan", 0.01)
    angles = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(ring.anchors, np.stack([np.cos(angles), np.sin(angles)], 1), atol=1e-12)
    assert ring.std == 0.01 and ring.regions == 8 and ring.is_protocol  # σ = 0.01 · radius 1
    centres = {(float(x), float(y)) for x, y in grid.anchors}
    assert centres == {(x, y) for x in (-4.0, -2.0, 0.0, 2.0, 4.0) for y in (-4.0, -2.0, 0.0, 2.0, 4.0)}
    assert grid.std == 0.05 and grid.regions == 25 and grid.is_protocol
    assert not gt.make("ring", 0.005).is_protocol and gt.make("ring", 0.005).std == pytest.approx(0.01)
    assert grid.scale == pytest.approx(math.sqrt(8 + 0.05**2)) and ring.scale == pytest.approx(math.sqrt(0.5 + 1e-4))
    for t in (ring, grid):
        assert np.abs(t.anchors).max() + 3 * t.std <= t.extent


@pytest.mark.parametrize("key", list(gt.PROTOCOL))
def test_both_coverage_definitions_on_a_perfect_sampler(key):
    t = gt.make(key, 0.05)
    samples = sampler(t, gt.PROTOCOL_SAMPLES, 11)
    covered, hq, counts = cover(t, samples)
    assert covered == int(gm.published(counts)) == t.regions
    assert hq == pytest.approx(gm.expected_hq_share(), abs=0.01)  # 2,500 samples: sd ≈ 0.002


def test_one_lucky_sample_covers_a_mode_as_published_but_not_on_this_page():
    t = gt.make("ring_pacgan", 0.05)
    seven = sampler(t, gt.PROTOCOL_SAMPLES - 1, 12, modes=list(range(7)))
    lucky = torch.as_tensor(t.anchors[7:8]) + 2.5 * t.std  # one sample of mode 7, 2.5σ·√2 ≈ 3.5σ away: not HQ
    covered, _, counts = cover(t, torch.cat([seven, lucky]))
    assert covered == int(gm.published(counts)) == 7
    near = torch.as_tensor(t.anchors[7:8]) + 2.0 * t.std / math.sqrt(2)  # 2σ away: one high-quality sample
    covered, hq, counts = cover(t, torch.cat([seven, near]))
    assert counts[7] == 1 and int(gm.published(counts)) == 8  # the published count: a mode with one sample
    assert covered == 7  # this page: a quarter of a fair share (78 of 2,500 / 8) is needed


def test_the_published_count_reads_snapshots_row_by_row():
    counts = np.array([[0, 0, 5], [1, 2, 0], [3, 4, 5]])
    np.testing.assert_array_equal(gm.published(counts), [1, 2, 3])


def test_curves_count_pieces_and_the_across_curve_quality():
    t = gt.make("circle", 0.05)
    covered, hq, _ = cover(t, sampler(t, 20_000, 5).float())
    assert covered == gt.CURVE_REGIONS
    assert hq == pytest.approx(0.9973, abs=0.002)  # only the offset across the curve counts: P(|N| ≤ 3)


def test_non_finite_samples_are_never_high_quality():
    t = gt.make("ring", 0.05)
    s = sampler(t, 1000, 6)
    s[:500] = float("nan")
    covered, hq, _ = cover(t, s)
    assert hq == pytest.approx(0.5 * 0.98889, abs=0.03) and covered == 8


def test_class_scores_count_confident_samples_and_classes():
    probs = torch.full((100, 10), 0.01)
    probs[:60, 3] = 0.91  # 60 confident threes
    probs[60:80, 7] = 0.95  # 20 confident sevens
    probs[80:, 1] = 0.5  # 20 unsure
    share, classes, counts = gm.class_scores(probs)
    assert float(share) == pytest.approx(0.8)
    assert counts[3] == 60 and counts[7] == 20 and int(classes) == 2  # each ≥ 0.25 · 100 / 10


# ---- targets and uploads -------------------------------------------------------------------------


@pytest.mark.parametrize("key", gt.TARGETS)
def test_targets_are_inside_their_plot_and_have_regions(key):
    t = gt.make(key, 0.05)
    assert t.std == pytest.approx(gt.PROTOCOL.get(key, 0.1))  # σ = width · radius 2, or the protocol's own
    assert np.abs(t.anchors).max() + 3 * t.std <= t.extent
    assert set(np.unique(t.region)) == set(range(t.regions))
    assert len(t.modes) == t.regions


def test_curve_anchors_are_evenly_spaced_along_the_curve():
    for key in ("circle", "spiral"):
        a = gt.make(key, 0.05).anchors
        gaps = np.linalg.norm(np.diff(a, axis=0), axis=1)
        assert gaps.max() / gaps.min() < 1.01
    ring = gt.make("circle", 0.05).anchors
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), gt.RADIUS, atol=1e-4)


def test_a_good_upload_is_read_centred_scaled_and_thinned():
    rows = "x,y\n" + "\n".join(f"{10 + np.cos(a):.5f};{5 + np.sin(a):.5f}" for a in np.linspace(0, 6, 300))
    pts = gt.parse_points(rows.encode())
    assert pts.shape == (300, 2)
    flat = gt.fit_points(pts)
    kept = np.asarray(flat).reshape(-1, 2)
    assert len(kept) == gt.MAX_POINTS
    assert np.abs(kept).max() == pytest.approx(gt.RADIUS, abs=0.01)
    assert np.allclose(np.round(kept, 2), kept)
    assert gt.fit_points(pts) == flat  # deterministic


@pytest.mark.parametrize(
    "data,code",
    [
        (b"x,y\n", "empty"),
        (b"1,2\n3\n", "columns"),
        (b"1,2\n3,abc\n", "number"),
        (b"1,2\n3,inf\n", "finite"),
        (b"1,2\nnan,4\n", "finite"),
        (b"\xff\xfe\x00bad", "not_text"),
        (b"1,2\n" * (gt.MAX_UPLOAD_ROWS + 1), "too_many"),
        (b"0" * (gt.MAX_UPLOAD_BYTES + 1), "too_big"),
    ],
)
def test_bad_uploads_are_refused_with_a_specific_reason(data, code):
    with pytest.raises(gt.PointsError) as err:
        gt.parse_points(data)
    assert err.value.code == code


def test_uploaded_points_fit_the_link_parameter():
    from core.gan import concept as gan

    pts = gt.fit_points(np.random.default_rng(0).normal(size=(1000, 2)) * 50)
    assert gan.LAB_PARAMS["pts"].check(pts) == pts  # in range, even length, within the cap


def test_repeated_user_points_are_one_mode_that_a_perfect_sampler_covers():
    t = gt.make("points", 0.05, (1.0, 1.0, -1.0, 0.5, 1.0, 1.0))
    np.testing.assert_array_equal(t.anchors, [[1.0, 1.0], [-1.0, 0.5]])  # first occurrences, in order
    covered, _, _ = cover(t, sampler(t, 4000, 7))
    assert t.regions == 2 and covered == 2


@pytest.mark.parametrize("rows", [[(1e308, 1e308), (1.7e308, 1.7e308)], [(1e-320, 1e-320), (2e-320, -1e-320)]])
def test_points_at_the_edges_of_floating_point_are_scaled_or_refused_never_nan(rows):
    """fit_points itself copes (it scales to |x| ≤ 1 before centring); the upload refuses such sizes earlier."""
    try:
        flat = gt.fit_points(np.array(rows))
    except gt.PointsError as err:
        assert err.code == "scale"
    else:
        assert np.isfinite(flat).all() and max(map(abs, flat)) == pytest.approx(gt.RADIUS, abs=0.01)


EXTREME = [b"1e308,1e308\n1.7e308,1.7e308\n", b"1e-320,1e-320\n2e-320,-1e-320\n", b"0,0\n1e13,1\n"]


@pytest.mark.parametrize("csv", EXTREME)
def test_an_upload_with_coordinates_of_extreme_size_is_refused(csv):
    with pytest.raises(gt.PointsError) as err:
        gt.parse_points(csv)
    assert err.value.code == "magnitude"
    assert gt.parse_points(b"0,0\n1e-3,2e5\n").shape == (2, 2)

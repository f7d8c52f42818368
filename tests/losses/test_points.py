"""The user's points: typed or uploaded, every refusal has a reason, nothing unbounded gets through."""

import numpy as np
import pytest

from core.losses import points as lp


def code(fn, *args):
    with pytest.raises(lp.PointsError) as err:
        fn(*args)
    return err.value.code, err.value.info


def test_typed_points_accept_commas_semicolons_and_spaces():
    pts = lp.parse_text("0,1; 2 3\n4,5.5 ,6,-7e1")
    assert pts.tolist() == [[0, 1], [2, 3], [4, 5.5], [6, -70]]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1,2,3", "odd"),
        ("1,2,3,4", "few"),
        ("1,2,x,4,5,6", "type"),
        ("1,2,3,nan,5,6", "type"),
        ("1,2,3,inf,5,6", "type"),
        ("1,2,1,3,1,4", "flat"),
        ("1,2,3,4,5,1e9", "range"),
        (",".join(["1", "2"] * 101), "many"),
    ],
)
def test_typed_points_are_refused_with_a_reason(raw, expected):
    got, info = code(lp.parse_text, raw)
    assert got == expected
    if got == "type":
        assert info["n"] in (3, 4) and len(info["cell"]) <= 20


def test_an_upload_with_a_header_is_read_and_a_long_one_thinned_evenly_in_x():
    rows = "\n".join(f"{x},{2 * x + 1}" for x in range(500))
    pts, n = lp.parse_csv(("x,y\n" + rows).encode())
    assert n == 500 and len(pts) == lp.MAX_POINTS
    assert pts[0].tolist() == [0, 1] and pts[-1].tolist() == [499, 999]
    assert np.all(np.diff(pts[:, 0]) > 0)


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"x,y\n1,2\n3,oops\n", "cell"),
        (b"1,2,3\n", "columns"),
        (b"\xff\xfe\x00", "not_text"),
        (b"x,y\n", "few"),
        (b"1," * 200_000, "too_big"),
    ],
)
def test_bad_uploads_say_why(data, expected):
    assert code(lp.parse_csv, data)[0] == expected


def test_flat_points_round_trip_through_the_link_form():
    pts = lp.parse_text("0,0,1,1,2,4")
    assert lp.flat(pts) == (0.0, 0.0, 1.0, 1.0, 2.0, 4.0)

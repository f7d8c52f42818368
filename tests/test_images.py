"""Built-in images: shape, range, downscaling and grayscale conversion."""

import pytest
import torch

from core import images


@pytest.mark.parametrize("name", images.BUILTIN)
def test_builtin_images_are_chw_float_in_unit_range(name):
    img = images.builtin(name, max_side=128)
    assert img.dtype == torch.float32 and img.ndim == 3 and img.shape[0] in (1, 3)
    assert max(img.shape[1:]) <= 128
    assert 0.0 <= float(img.min()) and float(img.max()) <= 1.0


def test_fit_keeps_aspect_ratio_and_gray_uses_luma():
    img = images.builtin("chelsea", max_side=150)  # 300 x 451 RGB
    assert img.shape == (3, 100, 150)
    gray = images.builtin("chelsea", max_side=150, gray=True)
    torch.testing.assert_close(gray[0], 0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2])


def test_unknown_name_is_rejected():
    with pytest.raises(KeyError):
        images.builtin("nope")

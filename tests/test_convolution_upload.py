"""Uploads: valid PNG/JPEG decoded (gray or RGB, EXIF-upright, downscaled with a flag); everything else
refused with a reason code, before any unbounded work."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from core import convolution as cv
from core import images


def encode(arr: np.ndarray, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **kw)
    return buf.getvalue()


RGB = (np.random.default_rng(0).random((120, 180, 3)) * 255).astype(np.uint8)


def test_a_png_is_decoded_exactly():
    up = images.load_upload(encode(RGB), max_side=512)
    assert (up.width, up.height, up.format, up.downscaled) == (180, 120, "PNG", False)
    torch.testing.assert_close(up.image, torch.from_numpy(RGB).permute(2, 0, 1).float() / 255)


def test_a_large_jpeg_is_downscaled_with_a_flag():
    up = images.load_upload(encode(RGB, "JPEG", quality=90), max_side=60)
    assert up.downscaled and tuple(up.image.shape) == (3, 40, 60) and up.format == "JPEG"


def test_gray_alpha_palette_and_16_bit_images_become_one_or_three_channels():
    gray = RGB[..., 0]
    assert images.load_upload(encode(gray)).image.shape[0] == 1
    rgba = np.dstack([RGB, np.full(RGB.shape[:2], 128, np.uint8)])
    assert images.load_upload(encode(rgba)).image.shape[0] == 3
    pal = Image.fromarray(RGB).convert("P")
    buf = io.BytesIO()
    pal.save(buf, format="PNG")
    assert images.load_upload(buf.getvalue()).image.shape[0] == 3
    deep = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16)
    up = images.load_upload(encode(deep))
    assert up.image.shape == (1, 64, 64) and float(up.image.max()) == pytest.approx(deep.max() / 65535, abs=1e-4)


def test_exif_orientation_is_applied():
    im = Image.fromarray(RGB)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes())
    up = images.load_upload(buf.getvalue())
    assert (up.image.shape[1], up.image.shape[2]) == (180, 120)


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"this is not an image at all, just some text", "not_image"),
    (b"%PDF-1.4\n" + b"0" * 200, "not_image"),
    (encode(RGB)[: len(encode(RGB)) // 2], "corrupt"),  # truncated PNG
    (encode(RGB, "JPEG")[:-400], "corrupt"),  # truncated JPEG
    (encode(RGB, "JPEG")[:300], "corrupt"),
    (encode(RGB, "GIF"), "format"),
    (encode(RGB, "BMP"), "format"),
    (encode(RGB[:4, :4]), "too_small"),
])
def test_bad_uploads_are_refused_with_a_reason(data, code):
    with pytest.raises(images.UploadError) as err:
        images.load_upload(data)
    assert err.value.code == code


def test_too_many_bytes_are_refused_before_decoding():
    with pytest.raises(images.UploadError) as err:
        images.load_upload(b"\x89PNG" + b"\0" * images.MAX_UPLOAD_BYTES)
    assert err.value.code == "too_large" and err.value.info["limit"] == "8"


def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = Image.new("1", (8000, 6000))  # 48 megapixels, a few kB compressed
    buf = io.BytesIO()
    bomb.save(buf, format="PNG")
    assert len(buf.getvalue()) < images.MAX_UPLOAD_BYTES
    with pytest.raises(images.UploadError) as err:
        images.load_upload(buf.getvalue())
    assert err.value.code == "too_many_pixels"


def test_an_upload_runs_through_the_filter_like_a_builtin():
    values, _ = cv.FILTER_PARAMS.validate({**cv.FILTER_PARAMS.defaults(), "side": 64, "kernel": "box"})
    info, res = cv.run_upload(encode(RGB), values)
    assert info["downscaled"] and (info["width"], info["height"]) == (180, 120) and (info["w"], info["h"]) == (64, 43)
    assert res.source == "upload" and res.in_shape == (3, 43, 64) and res.per_channel is not None
    gray_values = {**values, "gray": True}
    assert cv.run_upload(encode(RGB), gray_values)[1].in_shape == (1, 43, 64)

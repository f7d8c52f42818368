"""Uploads: valid PNG/JPEG decoded (gray or RGB, EXIF-upright, downscaled with a flag); everything else
refused with a reason code, before any unbounded work."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from core import images
from core.convolution import concept as cv


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
    deep = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16
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


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "empty"),
        (b"this is not an image at all, just some text", "not_image"),
        (b"%PDF-1.4\n" + b"0" * 200, "not_image"),
        (encode(RGB)[: len(encode(RGB)) // 2], "corrupt"),  # truncated PNG
        (encode(RGB, "JPEG")[:-400], "corrupt"),  # truncated JPEG
        (encode(RGB, "JPEG")[:300], "corrupt"),
        (encode(RGB, "GIF"), "format"),
        (encode(RGB, "BMP"), "format"),
        (encode(RGB[:4, :4]), "too_small"),
    ],
)
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


@pytest.mark.parametrize("shape,max_side", [((8, 4000), 256), ((4000, 8, 3), 512), ((100, 1000), 32)])
def test_a_long_thin_image_is_refused_before_decoding(shape, max_side):
    """Shrunk to the working size, its shorter side would be 1–3 px: no padding mode could take a 3×3 kernel."""
    arr = (np.random.default_rng(1).random(shape) * 255).astype(np.uint8)
    with pytest.raises(images.UploadError) as err:
        images.load_upload(encode(arr), max_side=max_side)
    assert err.value.code == "too_thin" and err.value.info["short"] < images.MIN_UPLOAD_SIDE


@pytest.mark.parametrize("shape,max_side", [((8, 256), 256), ((16, 512), 256), ((13, 51), 32), ((9, 600), 512)])
def test_the_thinnest_accepted_uploads_run_with_every_kernel_and_padding_mode(shape, max_side):
    arr = (np.random.default_rng(2).random(shape) * 255).astype(np.uint8)
    up = images.load_upload(encode(arr), max_side=max_side)
    assert min(up.image.shape[1:]) >= images.MIN_UPLOAD_SIDE  # the header check agrees with images.fit
    for mode in ("zeros", "reflect", "replicate", "circular"):
        for ksize, dil in ((3, 1), (7, 3)):
            values, _ = cv.FILTER_PARAMS.validate(
                {
                    **cv.FILTER_PARAMS.defaults(),
                    "side": max_side,
                    "pmode": mode,
                    "ksize": ksize,
                    "dil": dil,
                    "pad": 9,
                    "kernel": "box",
                }
            )
            res = cv.run_upload(encode(arr), values)[1]  # torch would raise on a combination the fixes missed
            assert min(res.out_shape) >= 1


def test_every_refusal_reason_has_its_message_in_both_languages():
    import re
    from pathlib import Path

    from core.text import LANGS, Text

    codes = set(re.findall(r'UploadError\(\s*"(\w+)"', Path(images.__file__).read_text()))
    assert {"empty", "too_large", "not_image", "format", "too_many_pixels", "too_small", "too_thin", "corrupt"} <= codes
    info = dict(size="9.0", limit="8", format="GIF", side=8, width=8, height=4000, max_side=256, short=1)
    for lang in LANGS:
        t = Text("convolution", lang)
        for code in codes:
            assert t.has(f"upload.{code}") and "{" not in t(f"upload.{code}", **info), (lang, code)


def test_an_upload_is_decoded_under_the_compute_gate(monkeypatch):
    """A class uploading at once decodes as many files at a time as the server has compute slots."""
    from core import device, images

    held = []
    decode = images.load_upload
    monkeypatch.setattr(images, "load_upload", lambda *a, **k: held.append(device._held()) or decode(*a, **k))
    cv.run_upload(encode(RGB), cv.CONCEPT.params.defaults())
    assert held == [1]

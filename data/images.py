"""Checked image uploads: a user's own picture for the convolution explainer and the attributions.

Refused with a sentence (``ImageRejected``), never a traceback: files above ``MAX_BYTES``, formats
other than PNG, JPEG, GIF, BMP and WebP, images above ``MAX_PIXELS`` (decompression bombs: a small
file that decodes to a gigantic bitmap), and files PIL cannot decode (corrupt or truncated). The
pixel count is read from the header before anything is decoded.
"""

from __future__ import annotations

import io
import warnings

import numpy as np

MAX_BYTES = 5 * 2**20
MAX_PIXELS = 4096 * 4096
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


class ImageRejected(ValueError):
    """An upload that cannot be used, with a sentence saying why."""


def load_image(raw: bytes, size: int | None = 64, grayscale: bool = True) -> np.ndarray:
    """Decode and check an uploaded image; returns float32 in [0, 1], (H, W) grey or (H, W, 3) RGB,
    resized so its longer side is ``size`` (None keeps it)."""
    from PIL import Image, UnidentifiedImageError

    if not raw:
        raise ImageRejected("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise ImageRejected(
            f"The file is {len(raw) / 2**20:.1f} MB; images up to {MAX_BYTES // 2**20} MB are accepted."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw))  # reads the header only
            if img.format not in FORMATS:
                raise ImageRejected(
                    f"{img.format or 'This'} images are not accepted; upload a {', '.join(FORMATS)} file."
                )
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageRejected(
                    f"The image is {w}×{h} pixels; at most {MAX_PIXELS:,} pixels (e.g. 4096×4096) are "
                    "accepted. Scale it down first."
                )
            img.load()  # decodes: a truncated or corrupt file fails here
    except ImageRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
        raise ImageRejected("The image would decode to too many pixels (a decompression bomb).") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ImageRejected(
            "This file is not a readable image (it is corrupt, truncated or not an image)."
        ) from e
    img = img.convert("L" if grayscale else "RGB")
    if size is not None:
        scale = size / max(img.size)
        img = img.resize(
            (max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.BILINEAR
        )
    return np.asarray(img, dtype=np.float32) / 255.0

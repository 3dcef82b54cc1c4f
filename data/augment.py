"""Batched image augmentations in plain torch: the views a self-supervised method compares.

SimCLR (Chen et al., 2020, arXiv:2002.05709) showed that the choice of augmentations decides what a
contrastive encoder learns: whatever the augmentations change (position, scale, colour, sharpness, noise),
the encoder is trained to ignore. ``augment`` applies the chosen operations to a whole batch at once, each
image drawing its own random parameters; ``positive_pairs`` draws two independent views of every image.

The operations always run in the order of ``AUGMENTATIONS`` (crop, flip, jitter, blur, noise), whatever
order they are named in, as SimCLR's pipeline does. Colour jitter on RGB images also turns the hue (as
SimCLR's does): without it, two views of an image keep their colour, and colour becomes the cheapest way
to tell images apart. ``strength`` scales every operation together:
0 leaves images unchanged, 1 is a setting modelled on SimCLR's, scaled to small (16 to 32 pixel) images.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

AUGMENTATIONS: dict[str, str] = {
    "crop": "cut a random rectangle (20 to 100 % of the area, aspect 3:4 to 4:3) and resize it to full size",
    "flip": "mirror the image left to right, half of the time",
    "jitter": "change brightness, contrast and (in colour) saturation by random factors and turn the hue, "
    "80 % of the time",
    "blur": "smooth with a Gaussian of random width (up to 4 % of the side), half of the time",
    "noise": "add Gaussian pixel noise, then clip to [0, 1]",
}


def _rand(n: int, g: torch.Generator | None, lo: float = 0.0, hi: float = 1.0) -> torch.Tensor:
    """(n,) uniform numbers in [lo, hi), drawn on the CPU so that one generator serves any device."""
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _crop(x: torch.Tensor, strength: float, g) -> torch.Tensor:
    """Random resized crop: an affine grid per image samples a sub-rectangle at full resolution."""
    b = x.shape[0]
    area = _rand(b, g, 1.0 - 0.8 * strength, 1.0)
    log_r = _rand(b, g, math.log(3 / 4), math.log(4 / 3)) * strength
    ratio = torch.exp(log_r)
    sw, sh = (area * ratio).sqrt().clamp(max=1.0), (area / ratio).sqrt().clamp(max=1.0)  # fractions of W, H
    cx = (_rand(b, g) * 2 - 1) * (1 - sw)  # centre in [-1, 1] so that the box stays inside
    cy = (_rand(b, g) * 2 - 1) * (1 - sh)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = sw, cx, sh, cy
    grid = F.affine_grid(theta.to(x), list(x.shape), align_corners=False)  # (B, H, W, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _flip(x: torch.Tensor, strength: float, g) -> torch.Tensor:
    do = (_rand(x.shape[0], g) < 0.5 * min(1.0, 2 * strength)).to(x.device)
    return torch.where(do[:, None, None, None], x.flip(-1), x)


def _gray(x: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W) luminance: the mean of one channel, ITU-R 601 weights of three."""
    if x.shape[1] == 1:
        return x
    return (x * x.new_tensor([0.299, 0.587, 0.114])[:, None, None]).sum(1, keepdim=True)


def _jitter(x: torch.Tensor, strength: float, g) -> torch.Tensor:
    b, c = x.shape[:2]
    s = 0.8 * strength
    on = (_rand(b, g) < 0.8).float()
    f_b, f_c, f_s = (1 + on * _rand(b, g, -s, s) for _ in range(3))  # factor 1 where the jitter is off
    f_b, f_c, f_s = (f.to(x)[:, None, None, None] for f in (f_b, f_c, f_s))
    x = (x * f_b).clamp(0, 1)  # brightness
    mean = _gray(x).mean((2, 3), keepdim=True)  # (B, 1, 1, 1)
    x = ((x - mean) * f_c + mean).clamp(0, 1)  # contrast about the mean grey
    if c == 3:
        gray = _gray(x)
        x = ((x - gray) * f_s + gray).clamp(0, 1)  # saturation: towards or away from grey
        angle = on * _rand(b, g, -math.pi, math.pi) * strength  # hue: up to half a turn at strength 1
        x = _rotate_hue(x, angle.to(x)).clamp(0, 1)
    return x


def _rotate_hue(x: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Turn every colour by ``angle`` (B,) radians about the grey axis: a rotation of the chroma plane
    (I, Q) of the YIQ colour space, the luminance Y kept."""
    to_yiq = x.new_tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    yiq = torch.einsum("ij,bjhw->bihw", to_yiq, x)  # (B, 3, H, W)
    cos, sin = angle.cos()[:, None, None], angle.sin()[:, None, None]
    i, q = yiq[:, 1], yiq[:, 2]
    yiq = torch.stack([yiq[:, 0], cos * i - sin * q, sin * i + cos * q], 1)
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(to_yiq), yiq)


def _blur(x: torch.Tensor, strength: float, g) -> torch.Tensor:
    """Separable Gaussian blur, sigma drawn per image (up to 4 % of the image side times strength)."""
    b, c, h, w = x.shape
    sigma_max = max(0.2, 0.04 * min(h, w) * strength)
    on = _rand(b, g) < 0.5
    sigma = torch.where(on, _rand(b, g, 0.1, sigma_max), torch.full((b,), 1e-3))  # ~identity when off
    radius = max(1, math.ceil(2 * sigma_max))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (t[None] / sigma[:, None]) ** 2)
    k = (k / k.sum(1, keepdim=True)).to(x)  # (B, K)
    k = k.repeat_interleave(c, 0)  # (B*C, K): one kernel per channel of each image
    y = x.reshape(1, b * c, h, w)
    y = F.pad(y, (radius, radius, radius, radius), mode="replicate")
    y = F.conv2d(y, k[:, None, None, :], groups=b * c)  # along W
    y = F.conv2d(y, k[:, None, :, None], groups=b * c)  # along H
    return y.reshape(b, c, h, w)


def _noise(x: torch.Tensor, strength: float, g) -> torch.Tensor:
    eps = torch.randn(x.shape, generator=g).to(x)
    return (x + 0.1 * strength * eps).clamp(0, 1)


_OPS = {"crop": _crop, "flip": _flip, "jitter": _jitter, "blur": _blur, "noise": _noise}


def augment(
    images: torch.Tensor,
    ops: tuple[str, ...] = tuple(AUGMENTATIONS),
    strength: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A random augmentation of each image of ``images`` (B, C, H, W) in [0, 1]; same shape, same device.

    ``ops`` names operations of AUGMENTATIONS (applied in that table's order); ``strength`` in [0, 1]
    scales them all; ``generator`` (a CPU torch.Generator) makes the draw reproducible."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        raise ValueError("augment takes a batch of images shaped (B, C, H, W)")
    unknown = [o for o in ops if o not in AUGMENTATIONS]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown[0]!r}; choose from {', '.join(AUGMENTATIONS)}")
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"augmentation strength must be between 0 and 1, not {strength}")
    x = images.float()
    if strength == 0.0:
        return x.clone()
    for name in AUGMENTATIONS:
        if name in ops:
            x = _OPS[name](x, strength, generator)
    return x


def positive_pairs(
    images: torch.Tensor, ops: tuple[str, ...] = tuple(AUGMENTATIONS), strength: float = 1.0, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two independent augmentations (view1, view2) of every image: the positive pairs of a batch."""
    g = torch.Generator().manual_seed(int(seed))
    return augment(images, ops, strength, g), augment(images, ops, strength, g)

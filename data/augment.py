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


# ------------------------------------------------------------------- supervised augmentation (issue 23)
# The operations above are SimCLR's; the ones below are the classic ones of supervised training on small
# images. Every one takes a ``magnitude`` in [0, 1] (0: the image unchanged) so that a RandAugment policy
# (Cubuk et al., 2020, arXiv:1909.13719) can turn one knob for all of them.

GEOMETRIC: dict[str, str] = {
    "rotate": "turn the image about its centre by a random angle, up to ±30° at magnitude 1",
    "shift": "move the image by a random offset, up to 20 % of its side each way at magnitude 1",
    "zoom": "scale the image about its centre by a random factor, 0.7 to 1.3 at magnitude 1",
    "erase": "blank out a random square (cutout / random erasing), up to half the side at magnitude 1",
}
ALL_OPS: dict[str, str] = {**AUGMENTATIONS, **GEOMETRIC}
# RandAugment draws from the label-preserving operations; flips would turn a 2 into a mirrored 2
POLICY_OPS: tuple[str, ...] = ("rotate", "shift", "zoom", "erase", "jitter", "blur", "noise")


def _check(x: torch.Tensor, magnitude: float) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dim() != 4:
        raise ValueError("augmentations take a batch of images shaped (B, C, H, W)")
    if not 0.0 <= magnitude <= 1.0:
        raise ValueError(f"the augmentation magnitude must be between 0 and 1, not {magnitude}")
    return x.float()


def _affine(x: torch.Tensor, angle: torch.Tensor, scale: torch.Tensor, tx: torch.Tensor, ty: torch.Tensor):
    """Resample each image through its own rotation (radians), scale and shift (fractions of the half-side,
    as affine_grid measures them); pixels from outside are 0 (the digits' background)."""
    cos, sin = angle.cos() / scale, angle.sin() / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], -1), torch.stack([sin, cos, ty], -1)], 1)  # (B, 2, 3)
    grid = F.affine_grid(theta.to(x), list(x.shape), align_corners=False)  # (B, H, W, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _rotate(x: torch.Tensor, m: float, g) -> torch.Tensor:
    b = x.shape[0]
    one, zero = torch.ones(b), torch.zeros(b)
    return _affine(x, _rand(b, g, -1, 1) * math.radians(30) * m, one, zero, zero)


def _shift(x: torch.Tensor, m: float, g) -> torch.Tensor:
    b = x.shape[0]
    return _affine(x, torch.zeros(b), torch.ones(b), _rand(b, g, -0.4, 0.4) * m, _rand(b, g, -0.4, 0.4) * m)


def _zoom(x: torch.Tensor, m: float, g) -> torch.Tensor:
    b = x.shape[0]
    scale = 1 + _rand(b, g, -0.3, 0.3) * m
    return _affine(x, torch.zeros(b), scale, torch.zeros(b), torch.zeros(b))


def _erase(x: torch.Tensor, m: float, g) -> torch.Tensor:
    b, _, h, w = x.shape
    side = 0.5 * m * min(h, w)
    cy, cx = _rand(b, g, 0, h), _rand(b, g, 0, w)
    ys, xs = torch.arange(h)[None, :, None], torch.arange(w)[None, None, :]
    inside = ((ys - cy[:, None, None]).abs() < side / 2) & ((xs - cx[:, None, None]).abs() < side / 2)
    return x.masked_fill(inside[:, None].to(x.device), 0.0)  # (B, 1, H, W) mask over every channel


_OPS.update({"rotate": _rotate, "shift": _shift, "zoom": _zoom, "erase": _erase})


def apply_ops(
    images: torch.Tensor,
    ops: tuple[str, ...],
    magnitude: float = 0.5,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Every operation of ``ops`` (names of ALL_OPS, applied in that table's order) on every image, each
    image drawing its own random parameters; ``magnitude`` in [0, 1] scales them all."""
    x = _check(images, magnitude)
    unknown = [o for o in ops if o not in ALL_OPS]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown[0]!r}; choose from {', '.join(ALL_OPS)}")
    for name in ALL_OPS:
        if name in ops and magnitude > 0:
            x = _OPS[name](x, magnitude, generator)
    return x


def rand_augment(
    images: torch.Tensor,
    num_ops: int = 2,
    magnitude: float = 0.5,
    generator: torch.Generator | None = None,
    ops: tuple[str, ...] = POLICY_OPS,
) -> tuple[torch.Tensor, list[list[str]]]:
    """RandAugment: each image gets ``num_ops`` operations drawn uniformly from ``ops``, all at the one
    ``magnitude``; no policy is searched (that is the point of the paper: two numbers replace
    AutoAugment's learned policy). Returns the images and, per image, the names of the operations drawn."""
    x = _check(images, magnitude)
    if not 0 <= num_ops <= 5:
        raise ValueError(f"RandAugment applies 0 to 5 operations per image, not {num_ops}")
    chosen = torch.randint(len(ops), (num_ops, x.shape[0]), generator=generator)  # (N, B)
    for row in chosen:
        out = x.clone()
        for k, name in enumerate(ops):
            pick = (row == k).nonzero().flatten()
            if len(pick):
                out[pick.to(x.device)] = _OPS[name](x[pick.to(x.device)], magnitude, generator)
        x = out
    return x, [[ops[int(k)] for k in chosen[:, i]] for i in range(x.shape[0])]


def _partners(b: int, alpha: float, g) -> tuple[torch.Tensor, torch.Tensor]:
    """A random pairing of the batch and one mixing weight λ ~ Beta(α, α) per image."""
    if alpha <= 0:
        raise ValueError(f"the Beta parameter alpha of mixup and cutmix must be positive, not {alpha}")
    return torch.randperm(b, generator=g), _beta(b, alpha, g)


def _beta(b: int, alpha: float, g: torch.Generator | None) -> torch.Tensor:
    """(b,) Beta(α, α) numbers drawn from ``g`` (torch's Beta cannot take a generator): the CDF inverted
    on a fine grid, accurate to about 1e-3."""
    t = torch.linspace(1e-4, 1 - 1e-4, 4001, dtype=torch.float64)
    pdf = (t * (1 - t)) ** (alpha - 1)
    cdf = torch.cumsum(pdf, 0)
    cdf = cdf / cdf[-1]
    u = torch.rand(b, generator=g, dtype=torch.float64)
    return t[torch.searchsorted(cdf, u).clamp(max=len(t) - 1)].float()


def soft_labels(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(B,) class ids or (B, K) probabilities -> (B, K) probabilities."""
    return y.float() if y.dim() == 2 else F.one_hot(y.long(), num_classes).float()


def mixup(
    images: torch.Tensor, labels: torch.Tensor, num_classes: int, alpha: float = 0.4, generator=None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """mixup (Zhang et al., 2018, arXiv:1710.09412): x = λ·xᵢ + (1−λ)·xⱼ and the same blend of the one-hot
    labels, λ ~ Beta(α, α). Returns the mixed images, the mixed labels (B, K) and λ (B,)."""
    x = _check(images, 0.0)
    perm, lam = _partners(x.shape[0], alpha, generator)
    lam = lam.to(x)
    y = soft_labels(labels, num_classes).to(x)
    mixed = lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm.to(x.device)]
    return mixed, lam[:, None] * y + (1 - lam[:, None]) * y[perm.to(x.device)], lam


def cutmix(
    images: torch.Tensor, labels: torch.Tensor, num_classes: int, alpha: float = 1.0, generator=None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """CutMix (Yun et al., 2019, arXiv:1905.04899): paste a random box of a partner image; the labels mix
    in proportion to the area each image keeps. Returns images, labels (B, K), and λ (B,) = the area kept."""
    x = _check(images, 0.0)
    b, _, h, w = x.shape
    perm, lam = _partners(b, alpha, generator)
    cut = (1 - lam).sqrt()  # the box's side, as a fraction of the image's, so its area is 1 − λ
    ch, cw = (cut * h).round(), (cut * w).round()
    cy, cx = _rand(b, generator, 0, h), _rand(b, generator, 0, w)
    y0, y1 = (cy - ch / 2).clamp(0, h), (cy + ch / 2).clamp(0, h)
    x0, x1 = (cx - cw / 2).clamp(0, w), (cx + cw / 2).clamp(0, w)
    ys, xs = torch.arange(h)[None, :, None] + 0.5, torch.arange(w)[None, None, :] + 0.5
    in_y = (ys >= y0[:, None, None]) & (ys < y1[:, None, None])
    box = in_y & (xs >= x0[:, None, None]) & (xs < x1[:, None, None])
    box = box[:, None].to(x.device)  # (B, 1, H, W)
    mixed = torch.where(box, x[perm.to(x.device)], x)
    kept = 1 - box.float().mean((1, 2, 3)).to(x)  # the exact area kept after clipping at the border
    y = soft_labels(labels, num_classes).to(x)
    return mixed, kept[:, None] * y + (1 - kept[:, None]) * y[perm.to(x.device)], kept

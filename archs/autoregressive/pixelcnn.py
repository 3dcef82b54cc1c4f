"""PixelCNN: van den Oord, Kalchbrenner & Kavukcuoglu (2016), "Pixel Recurrent Neural Networks",
arXiv 1601.06759, §3.4 and Table 1.

An image is a sequence of pixels in raster order (row by row, left to right; in colour R, then G, then B
within a pixel), and p(x) = ∏ p(x_i | x_<i). A convolution whose kernel is **masked** sees only the pixels
above and to the left of its centre, so one forward pass gives every conditional at once:

- the first layer is a 7×7 convolution with **mask A**: the centre itself is hidden (a pixel must not see
  itself); with colour, channel group R sees no colour of the centre, G sees R, B sees R and G;
- then residual blocks (Figure 5): ReLU, 1×1 (2h → h), ReLU, 3×3 **mask B** (h → h: the centre is visible,
  as it now holds features of the pixels before it, never the pixel's own value), ReLU, 1×1 (h → 2h), plus
  the input;
- two ReLU + 1×1 (mask B) layers and a softmax over the levels for every pixel and colour (256 in the
  paper; a few for binarised or few-level digits).

The stack of masked kernels leaves a **blind spot**: pixels up and to the right that come before the
centre in raster order but that no chain of masked kernels reaches (fixed by the Gated PixelCNN's two
stacks, van den Oord et al. 2016, arXiv 1606.05328).

``forward(x)`` takes pixels (B, C, H, W) scaled to [0, 1] and returns logits (B, levels, C, H, W):
F.cross_entropy(logits, levels_of_x) is the negative log-likelihood. No canonical preset: the paper gives
no parameter count for its PixelCNN. The ``paper`` preset is its CIFAR-10 shape (32×32 RGB, 256 levels,
7×7 mask A, fifteen layers, read here as 1 + 12 residual blocks + 2 output layers); its widths (h = 128,
256 channels in the output layers) are this atlas's choice: the paper states none we could cite.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class PixelCNNConfig(Config):
    in_channels: int = hp(1, lo=1, hi=3, help="Colour channels: 1 grey, 3 RGB (predicted R, then G, then B).")
    image_size: int = hp(8, lo=4, hi=256, help="Height and width of the square images, in pixels.")
    num_levels: int = hp(
        4,
        lo=2,
        hi=256,
        help="Values one pixel can take; each pixel gets a softmax over them (256 in the paper, 2 for "
        "black-and-white digits).",
    )
    hidden_dim: int = hp(
        32, lo=4, hi=1024, help="h: the residual stream has 2h channels, each block narrows to h inside."
    )
    num_layers: int = hp(
        4,
        lo=1,
        hi=64,
        help="Residual blocks of 3×3 mask-B convolutions after the first layer (12 here for "
        "the paper's fifteen layers).",
    )
    kernel_size: int = hp(
        7,
        lo=1,
        hi=15,
        help="Side of the first, mask-A convolution (7 in the paper). It must be odd: the mask needs a "
        "centre pixel with as many columns on its left as on its right.",
    )
    block_kernel: int = hp(
        3, lo=1, hi=9, help="Side of the mask-B convolution in each residual block (3 in the paper); odd."
    )
    head_dim: int = hp(
        32, lo=4, hi=2048, help="Width of the two 1×1 output layers before the per-pixel softmax."
    )

    def validate(self) -> None:
        for name in ("kernel_size", "block_kernel"):
            k = getattr(self, name)
            if k % 2 == 0:
                raise ConfigError(
                    f"{name} ({k}) must be odd: a masked convolution needs a centre pixel, with as many "
                    f"columns left of it as right of it. Try {k - 1} or {k + 1}."
                )
        if self.kernel_size < 3:
            raise ConfigError(
                f"kernel_size ({self.kernel_size}) must be at least 3: a 1×1 mask-A kernel hides its only "
                "pixel and sees nothing at all."
            )
        for name in ("hidden_dim", "head_dim"):
            if getattr(self, name) < self.in_channels:
                raise ConfigError(
                    f"{name} ({getattr(self, name)}) must be at least in_channels ({self.in_channels}): the "
                    "features are split into one group per colour (R, G, B), each seeing only the colours "
                    "before it, and every group needs a channel."
                )


def pixel_mask(k: int, c_in: int, c_out: int, colours: int, kind: str) -> torch.Tensor:
    """(c_out, c_in, k, k) of 0/1: 1 above the centre row, left of the centre in its row, and at the centre
    where the output's colour group may read the input's (mask A: earlier colours; B: also its own)."""
    if kind not in ("A", "B"):
        raise ValueError(f"mask type must be A or B, not {kind!r}")
    m = torch.zeros(c_out, c_in, k, k)
    c = k // 2
    m[:, :, :c, :] = 1
    m[:, :, c, :c] = 1
    g_out = torch.arange(c_out) * colours // c_out  # colour group of each channel
    g_in = torch.arange(c_in) * colours // c_in
    centre = g_in[None, :] < g_out[:, None] if kind == "A" else g_in[None, :] <= g_out[:, None]
    m[:, :, c, c] = centre.float()
    return m


class MaskedConv2d(nn.Conv2d):
    """A 'same' convolution whose kernel is multiplied by a fixed mask (pixel_mask) at every call."""

    def __init__(self, c_in: int, c_out: int, k: int, kind: str, colours: int):
        super().__init__(c_in, c_out, k, padding=k // 2)
        self.kind = kind
        self.register_buffer("mask", pixel_mask(k, c_in, c_out, colours, kind))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)  # (B, C_out, H, W)


class PixelBlock(nn.Module):
    """Residual block of Figure 5: ReLU-1×1 (2h→h), ReLU-k×k mask B (h→h), ReLU-1×1 (h→2h), plus x."""

    def __init__(self, h: int, k: int, colours: int):
        super().__init__()
        self.reduce = MaskedConv2d(2 * h, h, 1, "B", colours)
        self.conv = MaskedConv2d(h, h, k, "B", colours)
        self.expand = MaskedConv2d(h, 2 * h, 1, "B", colours)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(F.relu(self.reduce(F.relu(x))))
        return x + self.expand(F.relu(y))  # (B, 2h, H, W)


class PixelCNN(nn.Module):
    """Mask-A k×k conv, residual mask-B blocks, two ReLU-1×1 layers, a softmax over levels per pixel."""

    def __init__(self, cfg: PixelCNNConfig):
        super().__init__()
        self.cfg = cfg
        C, h = cfg.in_channels, cfg.hidden_dim
        self.input_conv = MaskedConv2d(C, 2 * h, cfg.kernel_size, "A", C)
        self.blocks = nn.Sequential(*[PixelBlock(h, cfg.block_kernel, C) for _ in range(cfg.num_layers)])
        self.head1 = MaskedConv2d(2 * h, cfg.head_dim, 1, "B", C)
        self.head2 = MaskedConv2d(cfg.head_dim, C * cfg.num_levels, 1, "B", C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(self.input_conv(2 * x - 1))  # pixels to [−1, 1]
        out = self.head2(F.relu(self.head1(F.relu(h))))  # (B, C·L, H, W), channel group c = colour c
        B, _, H, W = out.shape
        return out.view(B, self.cfg.in_channels, self.cfg.num_levels, H, W).transpose(1, 2)  # (B, L, C, H, W)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        generator: torch.Generator | None = None,
        temperature: float = 1.0,
        keep_probs: bool = False,
    ) -> dict[str, torch.Tensor]:
        """``n`` images drawn pixel by pixel in raster order (colour by colour within a pixel), H·W·C
        forward passes. Returns ``levels`` (n, C, H, W) int64 and ``order`` (H·W·C, 3) of (c, row, col) in
        drawing order; with ``keep_probs``, ``probs`` (H·W·C, n, L): each drawn value's distribution."""
        if temperature <= 0:
            raise ValueError("the temperature must be positive")
        cfg, dev = self.cfg, next(self.parameters()).device
        C, S, L = cfg.in_channels, cfg.image_size, cfg.num_levels
        levels = torch.zeros(n, C, S, S, dtype=torch.long, device=dev)
        order, probs = [], []
        for i in range(S):
            for j in range(S):
                for c in range(C):
                    logits = self(levels.float() / (L - 1))[:, :, c, i, j] / temperature  # (n, L)
                    p = logits.softmax(1).float().cpu()
                    levels[:, c, i, j] = torch.multinomial(p, 1, generator=generator)[:, 0].to(dev)
                    order.append((c, i, j))
                    if keep_probs:
                        probs.append(p)
        out = {"levels": levels, "order": torch.tensor(order)}
        if keep_probs:
            out["probs"] = torch.stack(probs)
        return out


def dependency_map(model: PixelCNN, row: int, col: int, colour: int = 0, n: int = 4) -> torch.Tensor:
    """(C, H, W): |∂ Σ |logits(row, col, colour)| / ∂ x| summed over ``n`` random images — non-zero where
    the output pixel's distribution depends on the input. Measured from the model's gradients, not from a
    formula: the receptive field, and the blind spot where it is zero though raster order would allow."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, cfg.in_channels, cfg.image_size, cfg.image_size, generator=g)
    x = x.to(next(model.parameters()).device).requires_grad_(True)
    with torch.enable_grad():
        out = model(x)[:, :, colour, row, col]  # (n, L)
        # every level's logit and every image: no accidental zero from one dead ReLU
        (grad,) = torch.autograd.grad(out.abs().sum(), x)
    return grad.abs().sum(0).detach().cpu()


def receptive_half_width(cfg: PixelCNNConfig) -> int:
    """How many rows above (and columns to either side) the stack can reach: (k_A − 1)/2 + L·(k_B − 1)/2."""
    return (cfg.kernel_size - 1) // 2 + cfg.num_layers * ((cfg.block_kernel - 1) // 2)


PAPER = dict(in_channels=3, image_size=32, num_levels=256, hidden_dim=128, num_layers=12, head_dim=256)

register(
    ArchSpec(
        name="pixelcnn",
        title="PixelCNN",
        family="autoregressive",
        year=2016,
        paper=Paper(
            "A. van den Oord, N. Kalchbrenner, K. Kavukcuoglu",
            2016,
            "Pixel Recurrent Neural Networks",
            arxiv="1601.06759",
        ),
        summary="Masked convolutions give every pixel a softmax over its values given the pixels above and "
        "to the left; images are drawn one pixel at a time.",
        tasks=("generation", "density estimation"),
        config=PixelCNNConfig,
        build=PixelCNN,
        example_input=lambda cfg: torch.rand(1, cfg.in_channels, cfg.image_size, cfg.image_size),
        presets={"tiny": {}, "paper": PAPER},
    )
)

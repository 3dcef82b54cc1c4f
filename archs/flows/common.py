"""What RealNVP and Glow share: the data kind, the shape checks of a multi-scale image flow, the example
input, and a readable sentence when a tensor of the wrong shape arrives."""

from __future__ import annotations

import torch

from archs.spec import ConfigError

DATA_HELP = (
    "What the flow models: 'points' in the plane (the 2-D lab, where every layer's warp can be drawn) or "
    "'image' (a multi-scale flow that squeezes 2×2 pixels into channels and splits half of them off)."
)


def check_common(cfg, squeezes: int) -> None:
    """Rules both flows share; ``squeezes``: how many times an image is halved in size."""
    if cfg.num_layers < 1:
        raise ConfigError(
            "num_layers is 0: a flow needs at least one coupling layer, otherwise it is only a fixed "
            "Gaussian and learns nothing."
        )
    if cfg.data == "image":
        f = 2**cfg.levels
        if cfg.image_size % f:
            raise ConfigError(
                f"image_size ({cfg.image_size}) must be divisible by {f}, 2 to the power of levels "
                f"({cfg.levels}): the flow halves the image at every level (a squeeze of 2×2 pixels into "
                f"channels). Choose a multiple of {f}, or fewer levels."
            )


def example_input(cfg) -> torch.Tensor:
    if cfg.data == "points":
        return torch.randn(4, 2)  # (B, 2)
    return torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size)  # (B, C, H, W)


def check_input(cfg, x: torch.Tensor, title: str) -> None:
    want = (2,) if cfg.data == "points" else (cfg.in_channels, cfg.image_size, cfg.image_size)
    if tuple(x.shape[1:]) != want:
        raise ValueError(
            f"{title} expects inputs of shape (batch, {', '.join(map(str, want))}), got {tuple(x.shape)}"
        )

"""A residual CNN for keyword spotting on log-mel spectrograms: res8 and res15 of Tang & Lin (2018).

R. Tang & J. Lin (2018), "Deep Residual Learning for Small-Footprint Keyword Spotting", ICASSP
(arXiv 1710.10361). A spoken command is a picture of one second of sound: 40 frequency bands × 101
frames. The network reads it like an image:

    conv 3×3 (no bias) -> ReLU -> [average pool]        the stem
    num_layers × (conv 3×3 -> ReLU -> BatchNorm)        residual: the input of every second conv is added
    mean over frequency and time -> linear -> classes   to its output (before its BatchNorm)

Every conv has ``width`` maps and no bias; the BatchNorms have no learned scale or shift (``affine=False``),
as in the reference code (castorini/honk), so res8 has exactly 9·45 + 6·9·45² + 45·12 + 12 = 110,307
weights ("110K" in the paper's Table 1). res8 shrinks the 40×101 input with a 3×4 average pool (4 frames
× 3 bands in the paper's time×frequency order) before the residual stack. The "dilated" preset follows
res15's idea (keep the resolution, widen the view with dilations 2^(i//3)) with 12 convs in pairs; the
published res15 has a 13th, unpaired conv, which this pairwise layout does not build.

Input (B, 1, n_mels, frames): one log-mel spectrogram per example (archs.audio.frontend), as the page
computes it. Twelve classes in the paper: ten keywords, "silence" and "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class KwsConfig(Config):
    n_mels: int = hp(40, lo=8, hi=128, help="Mel bands of the input spectrogram (the image's height).")
    num_frames: int = hp(
        101,
        lo=8,
        hi=3000,
        help="Frames of the input (its width): one per hop, 101 for 1 s at a 10 ms hop. The network ends "
        "with a mean over time, so it accepts any length; this one sets the example input.",
    )
    num_classes: int = hp(
        12, lo=2, hi=1000, help="Keywords to tell apart (the paper: 10 words, silence and unknown)."
    )
    width: int = hp(
        45,
        lo=1,
        hi=512,
        help="Feature maps of every conv layer (res8: 45; res8-narrow: 19). Weights grow with its square.",
    )
    num_layers: int = hp(
        6,
        lo=2,
        hi=48,
        step=2,
        help="Convs after the stem, in residual pairs (res8: 6, res15: 13 with dilation). The skip adds a "
        "pair's input to its output, so gradients reach the stem through short paths.",
    )
    pool_freq: int = hp(3, lo=1, hi=8, help="Average-pool size over frequency after the stem (1: none).")
    pool_time: int = hp(4, lo=1, hi=8, help="Average-pool size over time after the stem (1: no pooling).")
    dilation: bool = hp(
        False,
        help="res15's trick: conv i looks 2^(i//3) cells apart, so deep layers see a wide stretch of time "
        "without pooling the input away.",
    )

    def __post_init__(self) -> None:
        if self.num_layers % 2:
            raise ConfigError(
                f"num_layers ({self.num_layers}) must be even: the convs come in residual pairs."
            )
        if self.n_mels < self.pool_freq or self.num_frames < self.pool_time:
            raise ConfigError(
                f"The pool ({self.pool_freq}×{self.pool_time}) is larger than the input ({self.n_mels} mel "
                f"bands × {self.num_frames} frames): lower pool_freq / pool_time or use a larger input."
            )


class MeanPool(nn.Module):
    """(B, C, F, T) -> (B, C): the mean over frequency and time, so any clip length works."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class ResidualPair(nn.Module):
    """Two convs, each followed by ReLU and an affine-free BatchNorm; the pair's input joins the second
    conv's output before its BatchNorm (the reference's order)."""

    def __init__(self, width: int, d1: int, d2: int):
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=d1, dilation=d1, bias=False)
        self.bn1 = nn.BatchNorm2d(width, affine=False)
        self.conv2 = nn.Conv2d(width, width, 3, padding=d2, dilation=d2, bias=False)
        self.bn2 = nn.BatchNorm2d(width, affine=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn1(F.relu(self.conv1(x)))
        return self.bn2(F.relu(self.conv2(y)) + x)


class KwsResNet(nn.Module):
    """Log-mel (B, 1, n_mels, frames) -> class scores (B, num_classes)."""

    def __init__(self, cfg: KwsConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.stem = nn.Conv2d(1, w, 3, padding=1, bias=False)
        pooled = cfg.pool_freq * cfg.pool_time > 1
        self.pool = nn.AvgPool2d((cfg.pool_freq, cfg.pool_time)) if pooled else None
        dil = [2 ** (i // 3) if cfg.dilation else 1 for i in range(cfg.num_layers)]
        pairs = [ResidualPair(w, dil[i], dil[i + 1]) for i in range(0, cfg.num_layers, 2)]
        self.blocks = nn.Sequential(*pairs)
        self.head_pool = MeanPool()
        self.output = nn.Linear(w, cfg.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, width, F', T') maps before the final mean: what the page can show per class."""
        x = F.relu(self.stem(x))  # (B, C, F, T)
        if self.pool is not None:
            x = self.pool(x)  # (B, C, F/pf, T/pt)
        return self.blocks(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.head_pool(self.features(x)))  # (B, classes)


def example_input(cfg: KwsConfig, batch: int = 2) -> torch.Tensor:
    return torch.randn(batch, 1, cfg.n_mels, cfg.num_frames, generator=torch.Generator().manual_seed(0))


register(
    ArchSpec(
        name="kws_cnn",
        title="Keyword-spotting ResNet (res8)",
        family="audio",
        year=2018,
        paper=Paper(
            "R. Tang, J. Lin",
            2018,
            "Deep Residual Learning for Small-Footprint Keyword Spotting (ICASSP 2018)",
            arxiv="1710.10361",
        ),
        summary="A small residual CNN that reads a one-second log-mel spectrogram like an image and names "
        "the spoken command: the always-on wake-word model of phones and speakers.",
        tasks=("keyword spotting", "audio classification"),
        config=KwsConfig,
        build=KwsResNet,
        example_input=example_input,
        presets={
            "tiny": dict(n_mels=40, num_frames=81, width=16, num_layers=4),
            "canonical": dict(n_mels=40, num_frames=101, num_classes=12, width=45, num_layers=6),
            "res8_narrow": dict(width=19, num_layers=6),
            "dilated": dict(width=45, num_layers=12, pool_freq=1, pool_time=1, dilation=True),
        },
        published_params=110_307,
        published_source="Tang & Lin 2018, Table 1: res8 has 110K parameters (12 classes, 40 bands × 101 "
        "frames); 110,307 is the exact count of the reference code (castorini/honk utils/model.py, "
        "SpeechResModel with n_layers=6, n_feature_maps=45, res_pool=(4, 3)): 405 + 6·18,225 + 552",
    )
)

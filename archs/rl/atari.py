"""The Nature DQN: a convolutional Q-network that learned 49 Atari games from pixels with one architecture.

V. Mnih, K. Kavukcuoglu, D. Silver, A. A. Rusu, J. Veness, M. G. Bellemare, A. Graves, M. Riedmiller,
A. K. Fidjeland, G. Ostrovski et al. (2015), "Human-level control through deep reinforcement learning",
Nature 518, 529-533. Input: the last 4 frames, grey, 84×84 (stacked so that the network sees motion).
Three convolutions (32 8×8 stride 4, 64 4×4 stride 2, 64 3×3 stride 1, ReLU), a 512-unit layer, one output
per action (18, the full Atari action set). Parameters:
  conv1 4·32·64 + 32 = 8,224; conv2 32·64·16 + 64 = 32,832; conv3 64·64·9 + 64 = 36,928;
  fc 3,136·512 + 512 = 1,606,144 (3,136 = 64 × 7 × 7); out 512·18 + 18 = 9,234; total 1,693,362.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.rl.networks import QNetwork
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class DQNAtariConfig(Config):
    frames: int = hp(
        4,
        lo=1,
        hi=16,
        help="How many recent frames are stacked as input channels. One frame shows where the ball is; "
        "several show where it is going.",
    )
    image_size: int = hp(
        84, lo=36, hi=256, help="Side of the square grey input frame in pixels (the paper downsamples to 84)."
    )
    num_actions: int = hp(18, lo=1, hi=256, help="Outputs: one Q value per joystick action (18 in Atari).")
    hidden_dim: int = hp(
        512, lo=1, hi=4096, help="Neurons of the fully connected layer after the convolutions."
    )

    def validate(self) -> None:
        if self.conv_out_size() < 1:
            raise ConfigError(f"image_size ({self.image_size}) is too small for the three convolutions.")

    def conv_out_size(self) -> int:
        s = (self.image_size - 8) // 4 + 1
        s = (s - 4) // 2 + 1
        return s - 3 + 1


class DQNAtari(QNetwork):
    """frames (B, frames, H, W), floats in [0, 1] (or uint8 pixels, divided by 255) -> Q values (B, A)."""

    def __init__(self, cfg: DQNAtariConfig):
        super().__init__()
        self.cfg = cfg
        s = cfg.conv_out_size()
        self.features = nn.Sequential(
            nn.Conv2d(cfg.frames, 32, 8, stride=4),
            nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2),
            nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=1),
            nn.ReLU(),
            nn.Flatten(),  # (B, 64 · s · s)
        )
        self.head = nn.Sequential(
            nn.Linear(64 * s * s, cfg.hidden_dim), nn.ReLU(), nn.Linear(cfg.hidden_dim, cfg.num_actions)
        )

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        if frames.dtype == torch.uint8:
            frames = frames.float() / 255.0
        return self.head(self.features(frames))  # (B, A)


def example_frames(cfg: DQNAtariConfig, batch: int = 2) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.rand(batch, cfg.frames, cfg.image_size, cfg.image_size, generator=g)  # (B, frames, H, W)


register(
    ArchSpec(
        name="dqn_atari",
        title="DQN (Nature, Atari)",
        family="rl",
        year=2015,
        paper=Paper(
            "V. Mnih, K. Kavukcuoglu, D. Silver, A. A. Rusu, J. Veness, M. G. Bellemare et al.",
            2015,
            "Human-level control through deep reinforcement learning",
            url="https://doi.org/10.1038/nature14236",
        ),
        summary="Three convolutions and two dense layers from four stacked game frames to one Q value per "
        "joystick action: the network that reached human level on Atari from pixels alone.",
        tasks=("value-based control",),
        config=DQNAtariConfig,
        build=DQNAtari,
        example_input=example_frames,
        presets={
            "tiny": {"frames": 2, "image_size": 36, "num_actions": 4, "hidden_dim": 32},
            "canonical": {"frames": 4, "image_size": 84, "num_actions": 18, "hidden_dim": 512},
        },
        published_params=1_693_362,
        published_source="Mnih et al. (2015), Nature, Methods 'Model architecture': 4×84×84 input, conv "
        "32 8×8/4, 64 4×4/2, 64 3×3/1, fc 512, 18 outputs; counted: 8,224 + 32,832 + 36,928 + 1,606,144 + "
        "9,234 = 1,693,362.",
    )
)

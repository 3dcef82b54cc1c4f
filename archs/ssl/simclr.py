"""SimCLR: Chen, Kornblith, Norouzi & Hinton (2020), "A Simple Framework for Contrastive Learning of Visual
Representations", arXiv 2002.05709.

Two random augmentations of each image pass through one encoder f (a ResNet) and a projection head g;
the NT-Xent loss pulls the two projections z = g(f(x)) of an image together and pushes the other 2N − 2
views of the batch away (training/ssl/losses.nt_xent). After training the head is thrown away and the
representation h = f(x) is what a linear classifier reads: the head absorbs what the loss needs to
ignore (the paper's section 4.2 finds h a better representation than z).

The head is the paper's two-layer MLP 2048 → 2048 → 128 with ReLU, written as in the authors' code
(google-research/simclr, ``model_util.projection_head``, ``proj_head_mode="nonlinear"``): each linear
layer is followed by batch norm, whose shift replaces the layer's bias; the last batch norm has a scale
and no shift. Canonical: ResNet-50 (23,508,032 parameters without its classifier) + that head
(2048·2048 + 2·2048 + 2048·128 + 128 = 4,460,672) = 27,968,704.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Paper, hp
from archs.ssl.common import EncoderConfig, ResNetEncoder, ScaleOnlyBatchNorm1d, example_images


@dataclass(frozen=True)
class SimCLRConfig(EncoderConfig):
    proj_hidden_dim: int = hp(
        64,
        lo=4,
        hi=8192,
        help="Width of the projection head's hidden layer (2048 in the paper: the encoder's width).",
    )
    proj_dim: int = hp(
        32,
        lo=2,
        hi=4096,
        help="Size of the projection z that the contrastive loss compares (128 in the paper).",
    )


class SimCLR(nn.Module):
    """encode(x) -> h (B, D); project(h) -> z (B, proj_dim); forward(x) = project(encode(x))."""

    def __init__(self, cfg: SimCLRConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = ResNetEncoder(cfg)
        d, hid = self.encoder.out_dim, cfg.proj_hidden_dim
        self.projector = nn.Sequential(
            nn.Linear(d, hid, bias=False),
            nn.BatchNorm1d(hid),
            nn.ReLU(inplace=True),
            nn.Linear(hid, cfg.proj_dim, bias=False),
            ScaleOnlyBatchNorm1d(cfg.proj_dim),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def project(self, h: torch.Tensor) -> torch.Tensor:
        return self.projector(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.encode(x))


register(
    ArchSpec(
        name="simclr",
        title="SimCLR",
        family="ssl",
        year=2020,
        paper=Paper(
            "T. Chen, S. Kornblith, M. Norouzi, G. Hinton",
            2020,
            "A Simple Framework for Contrastive Learning of Visual Representations",
            arxiv="2002.05709",
        ),
        summary="Contrastive: two augmented views of an image are pulled together, all other images pushed "
        "away (NT-Xent), through a projection head that is dropped after training.",
        tasks=("self-supervised representation learning", "contrastive learning"),
        config=SimCLRConfig,
        build=SimCLR,
        example_input=example_images,
        presets={
            "tiny": {},
            "canonical": dict(
                in_channels=3,
                image_size=224,
                block="bottleneck",
                layers=(3, 4, 6, 3),
                width=64,
                small_stem=False,
                proj_hidden_dim=2048,
                proj_dim=128,
            ),
        },
        published_params=27_968_704,
        published_source="ResNet-50 without its classifier (23,508,032, torchvision) + the 2048-2048-128 "
        "head of the paper (section 2.1) as the authors' code builds it (google-research/simclr "
        "model_util.projection_head, nonlinear mode: dense layers without bias, batch norm after each, "
        "the last one without shift): 4,460,672; the whole network that pre-training optimises.",
    )
)

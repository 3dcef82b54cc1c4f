"""GoogLeNet: Szegedy et al. (2015), "Going deeper with convolutions", arXiv 1409.4842. Inception
modules (1×1, 3×3, "5×5" and pooled branches concatenated), canonical = torchvision's model without
the auxiliary classifiers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.conv import ImageConfig, conv_bn_act, conv_out, image_input, maybe_pool
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp, torchvision_top1

INCEPTION = {  # name: (in, 1×1, 3×3 reduce, 3×3, "5×5" reduce, "5×5", pool proj) — paper's Table 1
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


@dataclass(frozen=True)
class GoogLeNetConfig(ImageConfig):
    width_mult: float = hp(1.0, lo=0.0625, hi=2.0, step=0.0625, help="Scale every width (1 = published).")
    big_kernel: Literal[3, 5] = hp(
        3,
        help="Kernel of the 'wide' branch. The paper says 5×5; torchvision's reference network (whose "
        "weights and parameter count are the standard) uses 3×3 there.",
    )
    dropout: float = hp(0.2, lo=0.0, hi=0.9, step=0.05, help="Dropout before the classifier.")


def basic_conv(c_in: int, c_out: int, k: int, s: int = 1) -> nn.Sequential:
    return conv_bn_act(c_in, c_out, k, s, eps=1e-3)


class Inception(nn.Module):
    """Four parallel branches (1×1; 1×1→3×3; 1×1→k×k; 3×3 max-pool→1×1) concatenated on channels."""

    def __init__(self, dims: tuple[int, ...], big_kernel: int):
        super().__init__()
        c_in, c1, r3, c3, r5, c5, pp = dims
        self.branch1 = basic_conv(c_in, c1, 1)
        self.branch2 = nn.Sequential(basic_conv(c_in, r3, 1), basic_conv(r3, c3, 3))
        self.branch3 = nn.Sequential(basic_conv(c_in, r5, 1), basic_conv(r5, c5, big_kernel))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), basic_conv(c_in, pp, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(branches, 1)  # (B, c1 + c3 + c5 + pp, H, W)


class GoogLeNet(nn.Module):
    """GoogLeNet (Inception v1) without its two auxiliary classifiers (they only help training)."""

    def __init__(self, cfg: GoogLeNetConfig):
        super().__init__()
        w = lambda c: max(1, round(c * cfg.width_mult))
        s = conv_out(cfg.image_size, 7, 2, 3)
        self.conv1 = basic_conv(cfg.in_channels, w(64), 7, 2)
        self.maxpool1, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        self.conv2 = basic_conv(w(64), w(64), 1)
        self.conv3 = basic_conv(w(64), w(192), 3)
        self.maxpool2, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        blocks: list[nn.Module] = []
        prev_out = w(192)
        for name, dims in INCEPTION.items():
            if name == "inception4a":
                pool, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
                blocks.append(pool)
            if name == "inception5a":
                pool, s = maybe_pool(s, nn.MaxPool2d(2, 2, ceil_mode=True))
                blocks.append(pool)
            scaled = [w(d) for d in dims[1:]]
            blocks.append(Inception((prev_out, *scaled), cfg.big_kernel))  # input = previous output
            prev_out = scaled[0] + scaled[2] + scaled[4] + scaled[5]
        self.inception = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(cfg.dropout)
        self.fc = nn.Linear(prev_out, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.avgpool(self.inception(x)).flatten(1)  # (B, 1024)
        return self.fc(self.dropout(x))


register(
    ArchSpec(
        name="googlenet",
        title="GoogLeNet (Inception v1)",
        family="cnn",
        year=2014,
        paper=Paper("C. Szegedy et al.", 2014, "Going deeper with convolutions", arxiv="1409.4842"),
        summary="Inception modules run 1×1, 3×3, 5×5 convolutions and pooling side by side and concatenate "
        "them; 1×1 reductions keep it 12× smaller than AlexNet.",
        tasks=("classification",),
        config=GoogLeNetConfig,
        build=GoogLeNet,
        example_input=image_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 10,
                "image_size": 28,
                "width_mult": 0.125,
                "dropout": 0,
            },
            "canonical": {},
        },
        published_result=torchvision_top1(69.778, "GoogLeNet_Weights.IMAGENET1K_V1"),
        published_params=6_624_904,
        published_source="torchvision.models.googlenet(aux_logits=False, init_weights=True): the inference "
        "network without the auxiliary heads, 6,624,904 parameters",
    )
)

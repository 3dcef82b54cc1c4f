"""Image-to-image GANs: pix2pix (paired) and CycleGAN (unpaired): U-Net, ResNet and PatchGAN players.

pix2pix: Isola, Zhu, Zhou & Efros (2017), "Image-to-image translation with conditional adversarial
networks", arXiv 1611.07004: a U-Net generator (an encoder-decoder whose mirrored layers are joined by
skip connections) and a PatchGAN discriminator that scores overlapping patches of the pair (input,
output). CycleGAN: Zhu, Park, Isola & Efros (2017), "Unpaired image-to-image translation using
cycle-consistent adversarial networks", arXiv 1703.10593: two ResNet generators G: A→B and F: B→A,
two PatchGAN discriminators, and a cycle loss ‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁.

As for every GAN here, the built module holds ``generator`` and ``discriminator`` (for CycleGAN also
``generator_ba`` and ``discriminator_a``), so the graph and summary show all players. Layer sizes
follow the authors' PyTorch code (bias-free convolutions before batch norm; instance norm without
affine parameters in CycleGAN).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class Pix2PixConfig(Config):
    image_size: int = hp(
        16, choices=(16, 32, 64, 128, 256), help="Side of the square input and output images."
    )
    in_channels: int = hp(1, choices=(1, 3), help="Channels of the input image (1 for outlines).")
    out_channels: int = hp(3, choices=(1, 3), help="Channels of the output image.")
    g_width: int = hp(
        16,
        lo=4,
        hi=128,
        help="Feature maps of the U-Net's first layer (ngf); deeper layers double it, up to 8×.",
    )
    num_downs: int = hp(
        4,
        lo=2,
        hi=8,
        help="Down-sampling steps of the U-Net; each halves the image, so 2 to the power num_downs must not "
        "exceed its side.",
    )
    d_width: int = hp(16, lo=4, hi=128, help="Feature maps of the PatchGAN's first layer (ndf).")
    d_layers: int = hp(
        2, lo=1, hi=5, help="Strided layers of the PatchGAN: more layers, larger patches (3 gives 70×70)."
    )
    dropout: float = hp(
        0.5,
        lo=0.0,
        hi=0.9,
        step=0.1,
        help="Dropout in the U-Net's innermost decoder layers (its only noise).",
    )

    def validate(self) -> None:
        if 2**self.num_downs > self.image_size:
            raise ConfigError(
                f"num_downs ({self.num_downs}) halves the image too often: "
                f"2 to the power {self.num_downs} is {2**self.num_downs}, "
                f"more than the image side {self.image_size}."
            )
        if 2 ** (self.d_layers + 2) > self.image_size:  # the two last 4×4 convolutions need a 4×4 map
            raise ConfigError(
                f"d_layers ({self.d_layers}) is too many for {self.image_size}×{self.image_size} images: "
                f"the PatchGAN needs an image side of at least {2 ** (self.d_layers + 2)}."
            )


@dataclass(frozen=True)
class CycleGANConfig(Config):
    image_size: int = hp(
        16, choices=(16, 32, 64, 128, 256), help="Side of the square images of both domains."
    )
    channels: int = hp(3, choices=(1, 3), help="Colour channels of both domains.")
    g_width: int = hp(16, lo=4, hi=128, help="Feature maps of the ResNet generator's first layer (ngf).")
    res_blocks: int = hp(
        2, lo=1, hi=12, help="Residual blocks at the generator's bottleneck (9 for 256×256 in the paper)."
    )
    d_width: int = hp(16, lo=4, hi=128, help="Feature maps of the PatchGAN's first layer (ndf).")
    d_layers: int = hp(2, lo=1, hi=5, help="Strided layers of each PatchGAN (3 gives 70×70 patches).")

    def validate(self) -> None:
        if 2 ** (self.d_layers + 2) > self.image_size:  # the two last 4×4 convolutions need a 4×4 map
            raise ConfigError(
                f"d_layers ({self.d_layers}) is too many for {self.image_size}×{self.image_size} images: "
                f"the PatchGAN needs an image side of at least {2 ** (self.d_layers + 2)}."
            )


class UNet(nn.Module):
    """U-Net generator: encoder e_0 … e_{n-1} (4×4 convs, stride 2), decoder d_{n-1} … d_0 (4×4
    transposed convs); the decoder's input at level j is [e_j, d_{j+1}] concatenated (the skip)."""

    def __init__(self, cfg: Pix2PixConfig):
        super().__init__()
        n, w = cfg.num_downs, cfg.g_width
        ch = [w * min(2**i, 8) for i in range(n)]
        self.enc = nn.ModuleList()
        for i in range(n):
            layers: list[nn.Module] = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(cfg.in_channels if i == 0 else ch[i - 1], ch[i], 4, 2, 1, bias=False))
            if 0 < i < n - 1:
                layers.append(nn.BatchNorm2d(ch[i]))
            self.enc.append(nn.Sequential(*layers))
        self.dec = nn.ModuleList()
        for j in range(n - 1, -1, -1):
            c_in = ch[j] if j == n - 1 else 2 * ch[j]
            c_out = ch[j - 1] if j > 0 else cfg.out_channels
            layers = [nn.ReLU(), nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=j == 0)]
            layers += [nn.BatchNorm2d(c_out)] if j > 0 else [nn.Tanh()]
            if 0 < j and n - 5 < j < n - 1 and cfg.dropout > 0:  # the three levels below the bottleneck
                layers.append(nn.Dropout(cfg.dropout))
            self.dec.append(nn.Sequential(*layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for e in self.enc:
            x = e(x)  # (B, C_i, S/2^(i+1), S/2^(i+1))
            skips.append(x)
        h = self.dec[0](skips[-1])
        for k, d in enumerate(self.dec[1:], start=2):
            h = d(torch.cat([skips[-k], h], 1))  # (B, 2·C_j, …): the skip joins the decoder
        return h


class PatchGAN(nn.Module):
    """Scores every overlapping patch: a (B, 1, h, w) map of real/fake logits, one per patch."""

    def __init__(self, in_channels: int, width: int, n_layers: int, norm: str = "batch"):
        super().__init__()
        bias = norm == "instance"  # batch norm carries its own shift
        Norm = nn.BatchNorm2d if norm == "batch" else nn.InstanceNorm2d
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
        c = width
        for i in range(1, n_layers + 1):
            c_next = width * min(2**i, 8)
            stride = 2 if i < n_layers else 1
            layers += [nn.Conv2d(c, c_next, 4, stride, 1, bias=bias), Norm(c_next), nn.LeakyReLU(0.2)]
            c = c_next
        layers.append(nn.Conv2d(c, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ResBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(c, c, 3),
            nn.InstanceNorm2d(c),
            nn.ReLU(),
            nn.ReflectionPad2d(1),
            nn.Conv2d(c, c, 3),
            nn.InstanceNorm2d(c),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResNetGenerator(nn.Module):
    """CycleGAN's generator: c7s1-ngf, two stride-2 convs, residual blocks, two transposed convs, c7s1-C."""

    def __init__(self, cfg: CycleGANConfig):
        super().__init__()
        w, c = cfg.g_width, cfg.channels
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(c, w, 7), nn.InstanceNorm2d(w), nn.ReLU()]
        for m in (1, 2):
            layers += [nn.Conv2d(w * m, w * m * 2, 3, 2, 1), nn.InstanceNorm2d(w * m * 2), nn.ReLU()]
        layers += [ResBlock(w * 4) for _ in range(cfg.res_blocks)]
        for m in (4, 2):
            layers += [
                nn.ConvTranspose2d(w * m, w * m // 2, 3, 2, 1, output_padding=1),
                nn.InstanceNorm2d(w * m // 2),
                nn.ReLU(),
            ]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(w, c, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Pix2Pix(nn.Module):
    kind = "pairs"
    default_loss = "non_saturating"

    def __init__(self, cfg: Pix2PixConfig):
        super().__init__()
        self.cfg = cfg
        self.generator = UNet(cfg)
        self.discriminator = PatchGAN(cfg.in_channels + cfg.out_channels, cfg.d_width, cfg.d_layers)

    def translate(self, a: torch.Tensor) -> torch.Tensor:
        return self.generator(a)

    def judge(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Patch logits (B, 1, h, w) of the pair (input a, output b): D sees both, it is conditional."""
        return self.discriminator(torch.cat([a, b], 1))

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.judge(a, self.translate(a))


class CycleGAN(nn.Module):
    kind = "unpaired"
    default_loss = "least_squares"

    def __init__(self, cfg: CycleGANConfig):
        super().__init__()
        self.cfg = cfg
        self.generator = ResNetGenerator(cfg)  # G: A → B
        self.generator_ba = ResNetGenerator(cfg)  # F: B → A
        self.discriminator = PatchGAN(cfg.channels, cfg.d_width, cfg.d_layers, norm="instance")  # D_B
        self.discriminator_a = PatchGAN(cfg.channels, cfg.d_width, cfg.d_layers, norm="instance")  # D_A

    def translate(self, a: torch.Tensor) -> torch.Tensor:
        return self.generator(a)

    def translate_back(self, b: torch.Tensor) -> torch.Tensor:
        return self.generator_ba(b)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Both directions: D_B's patch logits of G(a) and D_A's of F(b), flattened and joined (B, N)."""
        fake_b, fake_a = self.generator(a), self.generator_ba(b)
        return torch.cat([self.discriminator(fake_b).flatten(1), self.discriminator_a(fake_a).flatten(1)], 1)


# pix2pix canonical: unet_256 (8 downs, ngf 64) + 70×70 PatchGAN (ndf 64, 3 layers) on 6 input channels.
PIX2PIX_G, PIX2PIX_D = 54_413_955, 2_768_705
# CycleGAN canonical: two resnet_9blocks generators (ngf 64) and two 70×70 PatchGANs, 256×256 RGB.
CYCLEGAN_G, CYCLEGAN_D = 11_378_179, 2_764_737

register(
    ArchSpec(
        name="pix2pix",
        title="pix2pix (U-Net + PatchGAN)",
        family="gan",
        year=2017,
        paper=Paper(
            "P. Isola, J.-Y. Zhu, T. Zhou, A. A. Efros",
            2017,
            "Image-to-image translation with conditional adversarial networks",
            arxiv="1611.07004",
        ),
        summary="Paired translation: a U-Net maps input to output, a PatchGAN judges each patch of the pair.",
        tasks=("image-to-image",),
        config=Pix2PixConfig,
        build=Pix2Pix,
        example_input=lambda cfg: torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size) * 2 - 1,
        presets={
            "tiny": {},
            "canonical": {
                "image_size": 256,
                "in_channels": 3,
                "out_channels": 3,
                "g_width": 64,
                "num_downs": 8,
                "d_width": 64,
                "d_layers": 3,
            },
        },
        published_params=PIX2PIX_G + PIX2PIX_D,
        published_source="the authors' PyTorch code (junyanz/pytorch-CycleGAN-and-pix2pix): unet_256 "
        "generator 54,413,955 (printed as 54.414 M) + basic 70×70 PatchGAN on 6 channels 2,768,705 "
        "(2.769 M) = 57,182,660.",
    )
)

register(
    ArchSpec(
        name="cyclegan",
        title="CycleGAN",
        family="gan",
        year=2017,
        paper=Paper(
            "J.-Y. Zhu, T. Park, P. Isola, A. A. Efros",
            2017,
            "Unpaired image-to-image translation using cycle-consistent adversarial networks",
            arxiv="1703.10593",
        ),
        summary="Unpaired translation: two generators and two discriminators, tied together by a cycle loss.",
        tasks=("image-to-image",),
        config=CycleGANConfig,
        build=CycleGAN,
        example_input=lambda cfg: tuple(
            torch.rand(2, cfg.channels, cfg.image_size, cfg.image_size) * 2 - 1 for _ in range(2)
        ),
        presets={
            "tiny": {},
            "canonical": {
                "image_size": 256,
                "channels": 3,
                "g_width": 64,
                "res_blocks": 9,
                "d_width": 64,
                "d_layers": 3,
            },
        },
        published_params=2 * CYCLEGAN_G + 2 * CYCLEGAN_D,
        published_source="the authors' PyTorch code: two resnet_9blocks generators (11,378,179 = 11.378 M "
        "each) and two 70×70 PatchGANs (2,764,737 = 2.765 M each) = 28,285,832 parameters.",
    )
)

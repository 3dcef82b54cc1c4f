"""StyleGAN and SAGAN: style-based and self-attention generators (latent GANs, the DCGAN interface).

StyleGAN: Karras, Laine & Aila (2019), "A style-based generator architecture for generative adversarial
networks", arXiv 1812.04948. A mapping network f turns z into an intermediate latent w; a learned
constant 4×4 tensor is refined by convolutions whose channels are restyled by w at every layer — by
AdaIN (StyleGAN: y_s · (x − μ(x)) / σ(x) + y_b with (y_s, y_b) = A(w)) or by modulated and
demodulated convolution weights (StyleGAN2, Karras et al. 2020, arXiv 1912.04958) — and per-pixel
noise scaled by a learned per-channel factor B adds stochastic detail. Style mixing: the layers from
``mix_at`` on take w from a second latent. The discriminator is a plain strided convolutional network.

SAGAN: Zhang, Goodfellow, Metaxas & Odena (2019), "Self-attention generative adversarial networks",
arXiv 1805.08318. DCGAN-like players with a self-attention block (softmax(f(x)ᵀ g(x)) over all pixel
pairs, scaled by a learned γ that starts at 0) at one resolution, spectral normalisation on every
weight of both players, trained with the hinge loss and separate learning rates for D and G.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from archs.gan.base import GANModel
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class StyleGANConfig(Config):
    image_size: int = hp(16, choices=(8, 16, 32, 64, 128, 256), help="Side of the generated images.")
    channels: int = hp(1, choices=(1, 3), help="Colour channels of the images.")
    latent_dim: int = hp(32, lo=1, hi=512, help="Length of z (512 in the paper).")
    w_dim: int = hp(32, lo=1, hi=512, help="Length of the intermediate latent w that the styles come from.")
    mapping_layers: int = hp(
        4, lo=1, hi=8, help="Fully connected layers of the mapping network z → w (8 in the paper)."
    )
    width: int = hp(32, lo=4, hi=512, help="Feature maps of every synthesis layer.")
    style: Literal["adain", "modulated"] = hp(
        "adain", help="How w restyles a layer: AdaIN (StyleGAN) or modulated/demodulated weights (StyleGAN2)."
    )
    d_width: int = hp(32, lo=4, hi=512, help="Feature maps of the discriminator's first layer.")

    @property
    def stages(self) -> int:
        return int(math.log2(self.image_size)) - 2

    @property
    def num_styles(self) -> int:
        return 1 + 2 * self.stages  # one styled conv at 4×4, two per doubling


@dataclass(frozen=True)
class SAGANConfig(Config):
    image_size: int = hp(16, choices=(16, 32, 64, 128), help="Side of the generated images.")
    channels: int = hp(1, choices=(1, 3), help="Colour channels of the images.")
    latent_dim: int = hp(32, lo=1, hi=512, help="Length of z (128 in the paper).")
    g_width: int = hp(32, lo=4, hi=512, help="Feature maps of G's last hidden layer (doubling towards z).")
    d_width: int = hp(32, lo=4, hi=512, help="Feature maps of D's first layer (doubling towards the output).")
    attn_res: int = hp(
        8, choices=(4, 8, 16, 32, 64), help="Resolution at which both players attend over all pixels."
    )

    def validate(self) -> None:
        if self.attn_res >= self.image_size:
            raise ConfigError(
                f"attn_res ({self.attn_res}) must be smaller than image_size ({self.image_size})."
            )


# ------------------------------------------------------------------------------------------ StyleGAN


class Mapping(nn.Module):
    """z → w: pixel-normalise z, then an MLP with leaky ReLUs."""

    def __init__(self, cfg: StyleGANConfig):
        super().__init__()
        layers: list[nn.Module] = []
        for i in range(cfg.mapping_layers):
            layers += [nn.Linear(cfg.latent_dim if i == 0 else cfg.w_dim, cfg.w_dim), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = z * torch.rsqrt(z.pow(2).mean(1, keepdim=True) + 1e-8)
        return self.net(z)  # (B, w_dim)


class StyledConv(nn.Module):
    """3×3 conv (after a 2× upsample if asked), noise · B, bias, leaky ReLU, and the style of w."""

    def __init__(self, c_in: int, c_out: int, w_dim: int, up: bool, mode: str):
        super().__init__()
        self.up, self.mode = up, mode
        self.weight = nn.Parameter(torch.randn(c_out, c_in, 3, 3) / math.sqrt(c_in * 9))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.noise_scale = nn.Parameter(torch.zeros(c_out))  # B: learned per-channel noise strength
        c_style = c_in if mode == "modulated" else c_out
        self.affine = nn.Linear(w_dim, c_style * (1 if mode == "modulated" else 2))  # A
        with torch.no_grad():  # styles start as the identity: scale 1, shift 0
            self.affine.bias.zero_()
            self.affine.bias[:c_style] = 1.0

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor | None) -> torch.Tensor:
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        B, C, H, W = x.shape
        if self.mode == "modulated":  # StyleGAN2: scale input channels of the weights, then demodulate
            s = self.affine(w)  # (B, C_in)
            wt = self.weight[None] * s[:, None, :, None, None]  # (B, C_out, C_in, 3, 3)
            wt = wt * torch.rsqrt(wt.pow(2).sum((2, 3, 4), keepdim=True) + 1e-8)
            x = F.conv2d(x.reshape(1, B * C, H, W), wt.reshape(-1, C, 3, 3), padding=1, groups=B)
            x = x.view(B, -1, H, W)  # (B, C_out, H, W)
        else:
            x = F.conv2d(x, self.weight, padding=1)
        if noise is not None:
            x = x + self.noise_scale.view(1, -1, 1, 1) * noise
        x = F.leaky_relu(x + self.bias.view(1, -1, 1, 1), 0.2)
        if self.mode == "adain":  # AdaIN: normalise each channel, then apply the style's scale and shift
            ys, yb = self.affine(w).chunk(2, 1)  # (B, C_out) each
            x = F.instance_norm(x) * ys[:, :, None, None] + yb[:, :, None, None]
        return x


class StyleSynthesis(nn.Module):
    def __init__(self, cfg: StyleGANConfig):
        super().__init__()
        c = cfg.width
        self.const = nn.Parameter(torch.ones(1, c, 4, 4))
        layers = [StyledConv(c, c, cfg.w_dim, False, cfg.style)]
        for _ in range(cfg.stages):
            layers += [
                StyledConv(c, c, cfg.w_dim, True, cfg.style),
                StyledConv(c, c, cfg.w_dim, False, cfg.style),
            ]
        self.layers = nn.ModuleList(layers)
        self.to_rgb = nn.Conv2d(c, cfg.channels, 1)

    def forward(self, ws: torch.Tensor, noise: str = "random") -> torch.Tensor:
        """``ws`` (B, num_styles, w_dim): one w per layer (equal unless styles are mixed)."""
        x = self.const.expand(len(ws), -1, -1, -1)  # (B, C, 4, 4)
        g = torch.Generator(device=ws.device).manual_seed(0) if noise == "fixed" else None
        for i, layer in enumerate(self.layers):
            side = x.shape[-1] * (2 if layer.up else 1)
            n = None
            if noise == "fixed":  # one noise image shared by the whole batch: comparisons see the same noise
                n = torch.randn(1, 1, side, side, device=ws.device, generator=g).expand(len(ws), -1, -1, -1)
            elif noise != "none":
                n = torch.randn(len(ws), 1, side, side, device=ws.device)
            x = layer(x, ws[:, i], n)
        return torch.tanh(self.to_rgb(x))


class StyleGenerator(nn.Module):
    def __init__(self, cfg: StyleGANConfig):
        super().__init__()
        self.num_styles = cfg.num_styles
        self.mapping = Mapping(cfg)
        self.synthesis = StyleSynthesis(cfg)

    def forward(self, z, z2=None, mix_at: int | None = None, noise: str = "random"):
        w = self.mapping(z)
        ws = w[:, None].expand(-1, self.num_styles, -1)  # (B, num_styles, w_dim)
        if z2 is not None and mix_at is not None:  # style mixing: coarse layers from z, the rest from z2
            w2 = self.mapping(z2)[:, None].expand(-1, self.num_styles - mix_at, -1)
            ws = torch.cat([ws[:, :mix_at], w2], 1)
        return self.synthesis(ws, noise)


class SimpleConvD(nn.Module):
    """Strided 3×3 convolutions with leaky ReLU down to 4×4, then a linear score (B,)."""

    def __init__(self, channels: int, width: int, stages: int, sn: bool = False, attn_at: int | None = None):
        super().__init__()
        wrap = spectral_norm if sn else (lambda m: m)
        layers: list[nn.Module] = []
        c = channels
        self.attn = None
        for i in range(stages):
            layers += [wrap(nn.Conv2d(c, width * 2**i, 4, 2, 1)), nn.LeakyReLU(0.2)]
            c = width * 2**i
            if attn_at is not None and i == attn_at:
                layers.append(SelfAttention(c, sn))
        self.convs = nn.Sequential(*layers)
        self.head = wrap(nn.Linear(c * 16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.convs(x).flatten(1))[:, 0]


class StyleGAN(GANModel):
    default_loss = "non_saturating"

    def __init__(self, cfg: StyleGANConfig):
        super().__init__()
        self.cfg, self.latent_dim = cfg, cfg.latent_dim
        self.out_shape = (cfg.channels, cfg.image_size, cfg.image_size)
        self.generator = StyleGenerator(cfg)
        self.discriminator = SimpleConvD(cfg.channels, cfg.d_width, cfg.stages)

    def generate(self, z, y=None, z2=None, mix_at=None, noise="random"):
        return self.generator(z, z2, mix_at, noise)

    def discriminate(self, x, y=None):
        return {"logit": self.discriminator(x)}


# ------------------------------------------------------------------------------------------ SAGAN


class SelfAttention(nn.Module):
    """β = softmax over i of f(x_i)ᵀ g(x_j); o_j = v(Σ_i β_ji h(x_i)); y = γ o + x with γ starting at 0."""

    def __init__(self, c: int, sn: bool = True):
        super().__init__()
        wrap = spectral_norm if sn else (lambda m: m)
        k = max(1, c // 8)
        self.f, self.g, self.h = (wrap(nn.Conv2d(c, k, 1, bias=False)) for _ in range(3))
        self.v = wrap(nn.Conv2d(k, c, 1, bias=False))
        self.gamma = nn.Parameter(torch.zeros(1))
        self.last_attention: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        B, C, H, W = x.shape
        f, g, h = self.f(x).flatten(2), self.g(x).flatten(2), self.h(x).flatten(2)  # (B, k, N)
        beta = torch.softmax(torch.bmm(g.transpose(1, 2), f), -1)  # (B, N_j, N_i): row j attends over i
        o = self.v(torch.bmm(h, beta.transpose(1, 2)).view(B, -1, H, W))  # (B, C, H, W)
        y = x + self.gamma * o
        return (y, beta) if return_attention else y


class SAGenerator(nn.Module):
    def __init__(self, cfg: SAGANConfig):
        super().__init__()
        n = int(math.log2(cfg.image_size)) - 2
        chans = [cfg.g_width * 2 ** (n - 1 - i) for i in range(n)]
        self.c0 = chans[0]
        self.project = spectral_norm(nn.Linear(cfg.latent_dim, chans[0] * 16))
        blocks: list[nn.Module] = []
        side = 4
        for i in range(n - 1):
            blocks += [
                spectral_norm(nn.ConvTranspose2d(chans[i], chans[i + 1], 4, 2, 1)),
                nn.BatchNorm2d(chans[i + 1]),
                nn.ReLU(),
            ]
            side *= 2
            if side == cfg.attn_res:
                blocks.append(SelfAttention(chans[i + 1]))
        blocks += [spectral_norm(nn.ConvTranspose2d(chans[-1], cfg.channels, 4, 2, 1)), nn.Tanh()]
        self.blocks = nn.ModuleList(blocks)
        self.bn0 = nn.BatchNorm2d(chans[0])

    def forward(self, z: torch.Tensor, return_attention: bool = False):
        x = F.relu(self.bn0(self.project(z).view(-1, self.c0, 4, 4)))  # (B, C0, 4, 4)
        attn = None
        for b in self.blocks:
            if isinstance(b, SelfAttention):
                x, attn = b(x, return_attention=True)
            else:
                x = b(x)
        return (x, attn) if return_attention else x


class SAGAN(GANModel):
    default_loss = "hinge"

    def __init__(self, cfg: SAGANConfig):
        super().__init__()
        self.cfg, self.latent_dim = cfg, cfg.latent_dim
        self.out_shape = (cfg.channels, cfg.image_size, cfg.image_size)
        n = int(math.log2(cfg.image_size)) - 2
        self.generator = SAGenerator(cfg)
        attn_at = (
            int(math.log2(cfg.image_size // cfg.attn_res)) - 1
        )  # D's layer whose output has side attn_res
        self.discriminator = SimpleConvD(
            cfg.channels, cfg.d_width, n, sn=True, attn_at=attn_at if 0 <= attn_at < n else None
        )

    def generate(self, z, y=None):
        return self.generator(z)

    def discriminate(self, x, y=None):
        return {"logit": self.discriminator(x)}

    def attention(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Samples and G's attention maps (B, N, N) at ``attn_res`` (row j: where pixel j looks)."""
        return self.generator(z, return_attention=True)


register(
    ArchSpec(
        name="stylegan",
        title="StyleGAN",
        family="gan",
        year=2019,
        paper=Paper(
            "T. Karras, S. Laine, T. Aila",
            2019,
            "A style-based generator architecture for generative adversarial networks",
            arxiv="1812.04948",
        ),
        summary="A mapping network and per-layer styles (AdaIN or modulated convolutions) with noise inputs.",
        tasks=("generation",),
        config=StyleGANConfig,
        build=StyleGAN,
        example_input=lambda cfg: torch.randn(4, cfg.latent_dim),
        presets={"tiny": {}, "stylegan2_tiny": {"style": "modulated"}},
    )
)

register(
    ArchSpec(
        name="sagan",
        title="SAGAN (self-attention GAN)",
        family="gan",
        year=2018,
        paper=Paper(
            "H. Zhang, I. Goodfellow, D. Metaxas, A. Odena",
            2018,
            "Self-attention generative adversarial networks",
            arxiv="1805.08318",
        ),
        summary="Self-attention over all pixels in G and D, spectral normalisation, hinge loss.",
        tasks=("generation",),
        config=SAGANConfig,
        build=SAGAN,
        example_input=lambda cfg: torch.randn(4, cfg.latent_dim),
        presets={"tiny": {}},
    )
)

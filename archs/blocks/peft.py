"""Parameter-efficient fine-tuning layers: LoRA and bottleneck adapters, and helpers that put them into a
pre-trained network.

- **LoRA** (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685): the
  pre-trained weight W stays frozen and the layer learns an update of rank r, ΔW = B A, scaled by α / r:
  ``h = W x + (α / r) B A x``. A (r × in) starts Kaiming-uniform and B (out × r) at zero, so the adapted
  network starts exactly as the pre-trained one; ``merge()`` folds (α / r) B A into W, so inference costs
  nothing extra. For a convolution (as in the reference ``loralib.Conv2d``) ΔW is the (out × in·k·k)
  reshaped kernel: A is a convolution with r output maps and the layer's kernel, stride and padding, B a
  1×1 convolution back to the out channels; by linearity ``B(A(x))`` is the convolution with ΔW.
- **Bottleneck adapter** (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for NLP",
  arXiv:1902.00751): down-project to a few features, a nonlinearity, up-project back, and add the input:
  ``h + U f(D h)``. U starts near zero, so the adapter starts near the identity. On feature maps the
  projections are 1×1 convolutions (the residual adapters of Rebuffi et al. 2017).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from archs.spec import ConfigError


def _check_rank(rank: int, limit: int, what: str) -> None:
    if not 1 <= rank <= limit:
        raise ConfigError(
            f"The LoRA rank ({rank}) must be between 1 and {limit}: the {what} has {limit} as its largest "
            "possible rank. Choose a smaller rank."
        )


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update (α / r) B A."""

    def __init__(self, base: nn.Linear, rank: int = 4, alpha: float = 8.0):
        super().__init__()
        _check_rank(
            rank, min(base.in_features, base.out_features), f"{base.out_features}×{base.in_features} layer"
        )
        self.base, self.rank, self.alpha = base, int(rank), float(alpha)
        self.scale = self.alpha / self.rank
        for p in base.parameters():
            p.requires_grad_(False)
        self.A = nn.Parameter(torch.empty(rank, base.in_features, device=base.weight.device))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank, device=base.weight.device))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))  # as nn.Linear (and loralib) initialise a weight

    def delta_weight(self) -> torch.Tensor:
        return self.scale * self.B @ self.A  # (out, r) @ (r, in) -> (out, in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scale * F.linear(
            F.linear(x, self.A), self.B
        )  # (B, in) -> (B, r) -> (B, out)

    @torch.no_grad()
    def merge(self) -> nn.Linear:
        """A plain ``nn.Linear`` whose weight is W + (α / r) B A: the same function, no extra cost."""
        out = nn.Linear(self.base.in_features, self.base.out_features, self.base.bias is not None)
        out = out.to(self.base.weight.device, self.base.weight.dtype)
        out.weight.copy_(self.base.weight + self.delta_weight())
        if self.base.bias is not None:
            out.bias.copy_(self.base.bias)
        return out


class LoRAConv2d(nn.Module):
    """A frozen ``nn.Conv2d`` plus a trainable low-rank kernel update (α / r) B A (groups = 1)."""

    def __init__(self, base: nn.Conv2d, rank: int = 4, alpha: float = 8.0):
        super().__init__()
        if base.groups != 1:
            raise ConfigError("LoRA on a grouped or depthwise convolution is not supported: leave it frozen.")
        kh, kw = base.kernel_size
        fan_in = base.in_channels * kh * kw
        _check_rank(rank, min(base.out_channels, fan_in), f"{base.out_channels}×{fan_in} kernel")
        self.base, self.rank, self.alpha = base, int(rank), float(alpha)
        self.scale = self.alpha / self.rank
        for p in base.parameters():
            p.requires_grad_(False)
        dev = base.weight.device
        self.A = nn.Parameter(torch.empty(rank, base.in_channels, kh, kw, device=dev))
        self.B = nn.Parameter(torch.zeros(base.out_channels, rank, device=dev))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))

    def delta_weight(self) -> torch.Tensor:
        """(out, in, kh, kw): the product B A of the (out × r) and (r × in·kh·kw) factors."""
        return self.scale * (self.B @ self.A.flatten(1)).view_as(self.base.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.base
        low = F.conv2d(x, self.A, None, b.stride, b.padding, b.dilation)  # (B, r, H', W')
        return b(x) + self.scale * F.conv2d(low, self.B[:, :, None, None])  # (B, out, H', W')

    @torch.no_grad()
    def merge(self) -> nn.Conv2d:
        b = self.base
        out = nn.Conv2d(
            b.in_channels,
            b.out_channels,
            b.kernel_size,
            b.stride,
            b.padding,
            b.dilation,
            1,
            b.bias is not None,
        ).to(b.weight.device, b.weight.dtype)
        out.weight.copy_(b.weight + self.delta_weight())
        if b.bias is not None:
            out.bias.copy_(b.bias)
        return out


class Adapter(nn.Module):
    """Houlsby's bottleneck adapter: ``h + U f(D h)``, U initialised near zero (the identity at start).

    ``conv=True`` adapts (B, C, H, W) feature maps with 1×1 convolutions; else the last axis of (B, ..., C).
    """

    def __init__(self, dim: int, bottleneck: int = 8, conv: bool = False, init_std: float = 1e-3):
        super().__init__()
        if not 1 <= bottleneck:
            raise ConfigError(f"An adapter needs at least one bottleneck feature, not {bottleneck}.")
        self.dim, self.bottleneck, self.conv = int(dim), int(bottleneck), bool(conv)
        make = (lambda a, b: nn.Conv2d(a, b, 1)) if conv else nn.Linear
        self.down, self.up = make(dim, bottleneck), make(bottleneck, dim)
        nn.init.normal_(self.up.weight, std=init_std)
        nn.init.zeros_(self.up.bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.up(F.gelu(self.down(h)))


class Adapted(nn.Module):
    """A frozen layer followed by its adapter: ``adapter(base(x))``."""

    def __init__(self, base: nn.Module, adapter: Adapter):
        super().__init__()
        self.base, self.adapter = base, adapter
        for p in base.parameters():
            p.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base(x))


# ------------------------------------------------------------------------------------------ helpers


def _replace(model: nn.Module, name: str, new: nn.Module) -> None:
    parent, _, leaf = name.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, leaf, new)


def _targets(model: nn.Module, skip: tuple[str, ...]) -> list[tuple[str, nn.Module]]:
    return [
        (n, m) for n, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d)) and n not in skip
    ]


def add_lora(model: nn.Module, rank: int, alpha: float, skip: tuple[str, ...] = ()) -> list[str]:
    """Wrap every Linear and Conv2d of ``model`` (but those named in ``skip``) in LoRA; returns their names.
    Ranks larger than a layer allows raise ConfigError before anything is changed."""
    targets = _targets(model, skip)
    for n, m in targets:  # check every layer first: a refused rank leaves the model as it was
        if isinstance(m, nn.Linear):
            _check_rank(
                rank, min(m.in_features, m.out_features), f"layer {n} ({m.out_features}×{m.in_features})"
            )
        elif m.groups == 1:
            fan = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            _check_rank(rank, min(m.out_channels, fan), f"layer {n} ({m.out_channels}×{fan})")
    for n, m in targets:
        _replace(model, n, (LoRALinear if isinstance(m, nn.Linear) else LoRAConv2d)(m, rank, alpha))
    return [n for n, _ in targets]


def add_adapters(model: nn.Module, bottleneck: int, skip: tuple[str, ...] = ()) -> list[str]:
    """Follow every Linear and Conv2d of ``model`` (but ``skip``) with a bottleneck adapter of
    ``min(bottleneck, its width)`` features; the wrapped layers are frozen. Returns their names."""
    targets = _targets(model, skip)
    for n, m in targets:
        conv = isinstance(m, nn.Conv2d)
        dim = m.out_channels if conv else m.out_features
        a = Adapter(dim, min(bottleneck, dim), conv=conv).to(next(m.parameters()).device)
        _replace(model, n, Adapted(m, a))
    return [n for n, _ in targets]


def merge_lora(model: nn.Module) -> nn.Module:
    """Fold every LoRA update into its layer, in place: the model becomes plain Linear / Conv2d again."""
    for n, m in list(model.named_modules()):
        if isinstance(m, (LoRALinear, LoRAConv2d)):
            _replace(model, n, m.merge())
    return model


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    ps = list(model.parameters())
    return sum(p.numel() for p in ps if p.requires_grad), sum(p.numel() for p in ps)

"""The residual blocks of He, Zhang, Ren & Sun (2016), "Deep residual learning for image recognition",
arXiv 1512.03385: the basic block (two 3×3 convolutions) and the bottleneck (1×1, 3×3, 1×1), with a
projection shortcut where the shape changes (torchvision's layout, stride on the 3×3).

``norm`` makes the normalisation layer (BatchNorm by default; detectors pass a frozen one) and
``dilation`` spaces the 3×3 taps (DeepLab's atrous stages keep resolution by dilating instead of
striding)."""

from __future__ import annotations

import torch
from torch import nn

from archs.blocks.conv import small_or_imagenet_stem


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, c_in: int, width: int, stride: int, dilation: int = 1, norm=nn.BatchNorm2d):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 3, stride, dilation, dilation, bias=False)
        self.bn1 = norm(width)
        self.conv2 = nn.Conv2d(width, c_out, 3, 1, dilation, dilation, bias=False)
        self.bn2 = norm(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _projection(c_in, c_out, stride, norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + identity)  # y = F(x, {W_i}) + x


class Bottleneck(nn.Module):
    """v1.5: the stride sits on the 3×3 convolution (not the first 1×1), as in torchvision."""

    expansion = 4

    def __init__(self, c_in: int, width: int, stride: int, dilation: int = 1, norm=nn.BatchNorm2d):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = norm(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, dilation, dilation, bias=False)
        self.bn2 = norm(width)
        self.conv3 = nn.Conv2d(width, c_out, 1, bias=False)
        self.bn3 = norm(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _projection(c_in, c_out, stride, norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


def _projection(c_in: int, c_out: int, stride: int, norm=nn.BatchNorm2d) -> nn.Module | None:
    """Option B shortcut: a 1×1 convolution + BN where the shape changes, identity elsewhere."""
    if stride == 1 and c_in == c_out:
        return None
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), norm(c_out))


class FrozenBatchNorm2d(nn.Module):
    """Batch norm with fixed statistics and affine terms, all buffers (detectors fine-tune with batches of
    one or two images, too few for batch statistics): y = (x − mean) / √(var + ε) · weight + bias. Its
    four tensors are buffers, so a frozen-BN backbone counts no parameters for them (torchvision's
    detection models are counted that way)."""

    def __init__(self, c: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        for name, value in (("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)):
            self.register_buffer(name, torch.full((c,), value))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.weight * (self.running_var + self.eps).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale[None, :, None, None] + shift[None, :, None, None]  # (B, C, H, W)


class ResNetTrunk(nn.Module):
    """The stem and four stages of a ResNet, without its classifier: the backbone that classifiers,
    self-supervised encoders, detectors (through a feature pyramid) and segmenters share.

    ``forward`` returns the last stage's map; ``stages(x)`` returns every stage's output (C2…C5 at
    strides 4, 8, 16, 32 with the ImageNet stem). ``dilate`` replaces the stride of stages 2–4 by
    dilation where True (torchvision's ``replace_stride_with_dilation``: DeepLab keeps stride 16 or 8).
    ``out_channels`` is the last stage's width."""

    def __init__(
        self,
        in_channels: int = 3,
        block: str = "bottleneck",
        layers: tuple[int, ...] = (3, 4, 6, 3),
        width: int = 64,
        small_stem: bool = False,
        dilate: tuple[bool, bool, bool] = (False, False, False),
        norm=nn.BatchNorm2d,
    ):
        super().__init__()
        kind = BasicBlock if block == "basic" else Bottleneck
        self.stem = small_or_imagenet_stem(in_channels, width, small_stem, norm)
        c_in, dilation, self.channels = width, 1, []
        stages = []
        for i, n in enumerate(layers):
            stride = 2 if i > 0 else 1
            previous = dilation
            if i > 0 and dilate[i - 1]:
                dilation, stride = dilation * stride, 1
            blocks = []
            for j in range(n):
                blocks.append(
                    kind(c_in, width * 2**i, stride if j == 0 else 1, previous if j == 0 else dilation, norm)
                )
                c_in = width * 2**i * kind.expansion
            stages.append(nn.Sequential(*blocks))
            self.channels.append(c_in)
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.out_channels = c_in

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        out, x = [], self.stem(x)
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = layer(x)
            out.append(x)  # C2, C3, C4, C5
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))

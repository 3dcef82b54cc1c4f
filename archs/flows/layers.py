"""The invertible layers of the flows family and the flow that chains them.

Every bijection maps ``x -> (y, log|det ∂y/∂x|)`` in ``forward`` and back in ``inverse``; the log-
determinant is per example, shape (B,). The change of variables gives the exact log-likelihood

    log p(x) = log p_Z(f(x)) + Σₖ log|det Jₖ|,

so the model is trained by maximising it directly. Layers (Dinh et al. 2017, arXiv 1605.08803; Kingma &
Dhariwal 2018, arXiv 1807.03039):

- ``MaskedCoupling``: RealNVP's affine coupling, y = m⊙x + (1−m)⊙(x⊙exp(s(m⊙x)) + t(m⊙x)), with a
  checkerboard, channel or (for points) coordinate mask m; log|det| = Σ(1−m)⊙s.
- ``HalfCoupling``: Glow's coupling; the first half of the channels conditions an affine (or additive) map
  of the second half.
- ``ActNorm``: a per-channel affine map y = (x + b)·exp(log s), set from the first batch's statistics.
- ``InvConv``: Glow's invertible 1×1 convolution (a C×C matrix at every pixel, or on a point's
  coordinates), optionally LU-decomposed so that its log-determinant is Σ log|sᵢ|.
- ``Squeeze``: (C, H, W) -> (4C, H/2, W/2), a reshape; ``Split``: factors half of the channels out with
  their own Gaussian (learned from the kept half in Glow, standard in RealNVP).

The networks inside couplings end in a layer initialised at zero, so every coupling starts as the
identity (Glow's ``conv2d_zeros``): a fresh flow's likelihood is the base distribution's.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

LOG_2PI = math.log(2 * math.pi)


def _sum(t: torch.Tensor) -> torch.Tensor:
    """Sum over every axis but the batch: (B, ...) -> (B,)."""
    return t.flatten(1).sum(1)


def normal_logp(z: torch.Tensor, mean: torch.Tensor | None = None, logs: torch.Tensor | None = None):
    """log N(z; mean, exp(logs)²) summed over all but the batch axis, (B,)."""
    if mean is None:
        return -0.5 * _sum(z * z + LOG_2PI)
    return _sum(-0.5 * (LOG_2PI + 2 * logs + (z - mean) ** 2 * torch.exp(-2 * logs)))


def _pixels(x: torch.Tensor) -> int:
    """How many positions share a per-channel map: H·W for images (B, C, H, W), 1 for points (B, D)."""
    return x.shape[2] * x.shape[3] if x.dim() == 4 else 1


def _per_channel(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return v.view(1, -1, 1, 1) if x.dim() == 4 else v.view(1, -1)


class ActNorm(nn.Module):
    """Glow's activation normalisation: y = (x + b)·exp(log s) per channel. ``init_from(x)`` sets b and s
    so that the batch comes out with zero mean and unit variance (data-dependent initialisation); until
    then the layer is the identity."""

    def __init__(self, channels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))
        self.logs = nn.Parameter(torch.zeros(channels))

    @torch.no_grad()
    def init_from(self, x: torch.Tensor) -> None:
        dims = [0, 2, 3] if x.dim() == 4 else [0]
        mean, std = x.mean(dims), x.std(dims)
        self.bias.copy_(-mean)
        self.logs.copy_(-torch.log(std + 1e-6))

    def forward(self, x: torch.Tensor):
        y = (x + _per_channel(self.bias, x)) * torch.exp(_per_channel(self.logs, x))
        return y, self.logs.sum().expand(len(x)) * _pixels(x)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        return y * torch.exp(-_per_channel(self.logs, y)) - _per_channel(self.bias, y)


class InvConv(nn.Module):
    """Glow's invertible 1×1 convolution: z = W x at every pixel (or for the point), W a C×C matrix that
    starts as a random rotation (log|det W| = 0). With ``lu`` W = P L (U + diag(sign·exp(log|s|))), P fixed:
    log|det W| = Σ log|sᵢ|, cheap for large C."""

    def __init__(self, channels: int, lu: bool = False):
        super().__init__()
        w = torch.linalg.qr(torch.randn(channels, channels))[0]
        self.lu = lu
        if not lu:
            self.weight = nn.Parameter(w)
            return
        p, lower, upper = torch.linalg.lu(w)
        s = torch.diagonal(upper)
        self.register_buffer("perm", p)
        self.register_buffer("sign_s", torch.sign(s))
        self.register_buffer("lower_mask", torch.tril(torch.ones(channels, channels), -1))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(torch.log(s.abs()))

    def matrix(self) -> torch.Tensor:
        if not self.lu:
            return self.weight
        eye = torch.eye(len(self.log_s), device=self.log_s.device, dtype=self.log_s.dtype)
        lower = self.lower * self.lower_mask + eye
        upper = self.upper * self.lower_mask.t() + torch.diag(self.sign_s * torch.exp(self.log_s))
        return self.perm @ lower @ upper

    def logdet(self) -> torch.Tensor:
        if self.lu:
            return self.log_s.sum()
        return torch.log(torch.abs(torch.det(self.weight)))

    def _mix(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            return F.conv2d(x, w[:, :, None, None])  # (B, C, H, W): the same W at every pixel
        return x @ w.t()  # (B, C)

    def forward(self, x: torch.Tensor):
        return self._mix(x, self.matrix()), self.logdet().expand(len(x)) * _pixels(x)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        return self._mix(y, torch.linalg.inv(self.matrix()))


class ZeroLinear(nn.Linear):
    """A linear layer initialised at zero, so the coupling it ends starts as the identity."""

    def __init__(self, d_in: int, d_out: int):
        super().__init__(d_in, d_out)
        nn.init.zeros_(self.weight)
        nn.init.zeros_(self.bias)


class ZeroConv(nn.Module):
    """Glow's ``conv2d_zeros``: a 3×3 convolution initialised at zero whose output is multiplied by
    exp(3·logs), a per-channel learned gain (the reference's ``logscale_factor`` 3)."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.logs = nn.Parameter(torch.zeros(c_out))
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) * torch.exp(3 * self.logs.view(1, -1, 1, 1))


def mlp(d_in: int, d_out: int, hidden: int, depth: int) -> nn.Sequential:
    """The coupling network for points: ``depth`` hidden layers of ``hidden`` units, a zero last layer."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(d_in if i == 0 else hidden, hidden), nn.ReLU()]
    layers.append(ZeroLinear(hidden, d_out))
    return nn.Sequential(*layers)


def _scale(h: torch.Tensor, kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(scale, log scale) from the network's raw output: exp(h) or Glow's code's σ(h + 2)."""
    if kind == "sigmoid":
        return torch.sigmoid(h + 2.0), F.logsigmoid(h + 2.0)
    return torch.exp(h), h


class MaskedCoupling(nn.Module):
    """RealNVP's affine coupling with a fixed binary mask m (1 = passed through and conditioning).
    s is bounded by tanh and a learned per-channel gain, as in the paper's code."""

    def __init__(self, mask: torch.Tensor, net: nn.Module, channels: int):
        super().__init__()
        self.register_buffer("mask", mask)  # (1, D) for points, (1, C, H, W) for images
        self.net = net  # maps m⊙x to 2C channels: s and t
        self.gain = nn.Parameter(torch.ones(channels))

    def _st(self, xm: torch.Tensor):
        h = self.net(xm)
        s, t = h.chunk(2, dim=1)
        s = _per_channel(self.gain, s) * torch.tanh(s)
        inv = 1 - self.mask
        return s * inv, t * inv

    def forward(self, x: torch.Tensor):
        xm = x * self.mask
        s, t = self._st(xm)
        return xm + (1 - self.mask) * (x * torch.exp(s) + t), _sum(s)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        ym = y * self.mask
        s, t = self._st(ym)
        return ym + (1 - self.mask) * (y - t) * torch.exp(-s)


class HalfCoupling(nn.Module):
    """Glow's coupling: x = [x₁, x₂] by channel halves; h = NN(x₁) gives a shift and a scale for x₂:
    y₂ = (x₂ + shift)·scale (``affine``) or y₂ = x₂ + NN(x₁) (``additive``, NICE's); y₁ = x₁."""

    def __init__(self, net: nn.Module, coupling: str = "affine", scale: str = "sigmoid"):
        super().__init__()
        self.net, self.coupling, self.scale = net, coupling, scale

    def _split(self, x):
        c = x.shape[1] // 2
        return x[:, :c], x[:, c:]

    def _shift_scale(self, x1):
        h = self.net(x1)
        if self.coupling == "additive":
            return h, None, None
        shift, raw = h[:, 0::2], h[:, 1::2]  # interleaved, as in the reference code
        scale, logscale = _scale(raw, self.scale)
        return shift, scale, logscale

    def forward(self, x: torch.Tensor):
        x1, x2 = self._split(x)
        shift, scale, logscale = self._shift_scale(x1)
        if scale is None:
            return torch.cat([x1, x2 + shift], 1), torch.zeros(len(x), device=x.device, dtype=x.dtype)
        return torch.cat([x1, (x2 + shift) * scale], 1), _sum(logscale)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        y1, y2 = self._split(y)
        shift, scale, _ = self._shift_scale(y1)
        if scale is None:
            return torch.cat([y1, y2 - shift], 1)
        return torch.cat([y1, y2 / scale - shift], 1)


class Squeeze(nn.Module):
    """Space to channels: (B, C, H, W) -> (B, 4C, H/2, W/2); volume-preserving, log|det| = 0."""

    def forward(self, x: torch.Tensor):
        b, c, h, w = x.shape
        x = x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)  # (B, C, 2, 2, H/2, W/2)
        return x.reshape(b, c * 4, h // 2, w // 2), torch.zeros(b, device=x.device, dtype=x.dtype)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        b, c, h, w = y.shape
        y = y.view(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)  # (B, C/4, H, 2, W, 2)
        return y.reshape(b, c // 4, h * 2, w * 2)


class Split(nn.Module):
    """Factor out the second half of the channels: it is not transformed further and is scored by a
    Gaussian, standard (RealNVP) or with mean and log-scale from a zero-initialised convolution of the
    kept half (Glow's ``split2d_prior``). forward returns (kept half, log-likelihood of the dropped half)."""

    def __init__(self, channels: int, learned: bool):
        super().__init__()
        self.prior = ZeroConv(channels // 2, channels) if learned else None

    def _params(self, z1):
        if self.prior is None:
            return torch.zeros_like(z1), torch.zeros_like(z1)
        h = self.prior(z1)
        return h[:, 0::2], h[:, 1::2]

    def forward(self, x: torch.Tensor):
        c = x.shape[1] // 2
        z1, z2 = x[:, :c], x[:, c:]
        mean, logs = self._params(z1)
        return z1, normal_logp(z2, mean, logs)

    def inverse(self, z1: torch.Tensor, temperature: float = 1.0, generator=None) -> torch.Tensor:
        mean, logs = self._params(z1)
        eps = torch.randn(z1.shape, generator=generator, device="cpu").to(z1)
        return torch.cat([z1, mean + torch.exp(logs) * eps * temperature], 1)


class Chain(nn.Module):
    """Several bijections applied in turn as one (a Glow step of flow: actnorm, 1×1 convolution,
    coupling), so that the graph view folds K repeated steps into one run."""

    def __init__(self, layers: list[nn.Module]):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor):
        total = torch.zeros(len(x), device=x.device, dtype=x.dtype)
        for layer in self.layers:
            x, ld = layer(x)
            total = total + ld
        return x, total

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        for layer in reversed(self.layers):
            y = layer.inverse(y)
        return y


class Flow(nn.Module):
    """A chain of bijections (and, for images, squeezes and splits) ending in a Gaussian prior.

    ``forward(x)`` is the exact log-likelihood log p(x) per example in nats, (B,); ``encode`` gives the
    latent and its parts; ``sample`` runs the chain backwards from the prior; ``trajectory`` (points only)
    gives the points after every layer, for drawing each layer's warp of the plane."""

    def __init__(self, steps: list[nn.Module], names: list[str], latent_shape: tuple[int, ...], top=None):
        super().__init__()
        self.steps = nn.ModuleList(steps)
        self.names = list(names)  # a readable name per step, for the page's layer-by-layer view
        self.latent_shape = latent_shape  # the shape of what reaches the top prior, per example
        self.top = top  # Glow's learned top prior (a ZeroConv of zeros) or None: N(0, I)

    def _top_params(self, z: torch.Tensor):
        if self.top is None:
            return None, None
        h = self.top(z.new_zeros(len(z), self.top.conv.in_channels, *z.shape[2:]))
        return h[:, 0::2], h[:, 1::2]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logp = torch.zeros(len(x), device=x.device, dtype=x.dtype)
        h = x
        for step in self.steps:
            h, term = step(h)
            logp = logp + term  # a log|det| or, for a split, the dropped half's log-likelihood
        mean, logs = self._top_params(h)
        return logp + normal_logp(h, mean, logs)

    def trajectory(self, x: torch.Tensor) -> list[torch.Tensor]:
        """x and its image after each step (points flows only; splits would change the dimension)."""
        out = [x]
        for step in self.steps:
            out.append(step(out[-1])[0])
        return out

    def inverse_trajectory(self, z: torch.Tensor) -> list[torch.Tensor]:
        """z and its image after each inverse step, from the latent back to the data (points only)."""
        out = [z]
        for step in reversed(self.steps):
            out.append(step.inverse(out[-1]))
        return out

    @torch.no_grad()
    def init_actnorm(self, x: torch.Tensor) -> None:
        """Glow's data-dependent initialisation: pass a batch forward, setting each ActNorm from what
        reaches it, so that every layer starts with unit-variance channels."""
        h = x
        for step in self.steps:
            for layer in step.layers if isinstance(step, Chain) else (step,):
                if isinstance(layer, ActNorm):
                    layer.init_from(h)
                h = layer(h)[0]

    def inverse(self, z: torch.Tensor, temperature: float = 1.0, generator=None) -> torch.Tensor:
        h = z
        for step in reversed(self.steps):
            h = step.inverse(h, temperature, generator) if isinstance(step, Split) else step.inverse(h)
        return h

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator=None) -> torch.Tensor:
        p = next(self.parameters())
        eps = torch.randn((n, *self.latent_shape), generator=generator, device="cpu").to(p)
        mean, logs = self._top_params(eps)
        z = eps * temperature if mean is None else mean + torch.exp(logs) * eps * temperature
        return self.inverse(z, temperature, generator)

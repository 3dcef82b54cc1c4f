"""CapsNet: Sabour, Frosst & Hinton (2017), "Dynamic Routing Between Capsules", arXiv 1710.09829.

Conv1 (256 9×9 ReLU) → PrimaryCaps (a 9×9 stride-2 convolution read as 32 types × 8-D capsule vectors at
every position of a 6×6 grid: 1,152 capsules, squashed) → DigitCaps (10 × 16-D: every primary capsule i
predicts every digit capsule j with its own matrix, û_{j|i} = W_ij u_i; three iterations of routing by
agreement mix the predictions into v_j = squash(Σ_i c_ij û_{j|i})). The length ‖v_j‖ is the probability
that digit j is present (the margin loss trains it); the decoder (FC 512 ReLU, 1024 ReLU, 784 sigmoid)
rebuilds the image from the 160 digit-capsule numbers with all but one capsule masked to zero: the true
class's in training, the longest at test.

Routing (the paper's Procedure 1): logits b_ij start at 0 for every input; each iteration sets
c_ij = softmax_j(b_ij) (coupling coefficients, summing to 1 over the parents j of each child i),
v_j = squash(Σ_i c_ij û_{j|i}) and b_ij += û_{j|i} · v_j. The logits are *state of one forward pass*, not
parameters: they are reset for every input and never trained. Gradients flow through every iteration.

``canonical`` is the MNIST model: Conv1 20,992 + PrimaryCaps 5,308,672 + W_ij 1,152·10·8·16 = 1,474,560
+ decoder 1,411,344 = 8,215,568 parameters: the paper's "8.2M parameters, 6.8M without the reconstruction
subnetwork" (Sec. 5) counted exactly, the number PyTorch and Keras re-implementations report. The
authors' TensorFlow code (Sarasra/models, research/capsules) also adds a learned bias to every digit
capsule's pre-activation (10·16 = 160 more); the paper does not mention it, so it is off by default
(``capsule_bias``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class CapsNetConfig(Config):
    image_size: int = hp(28, lo=4, hi=128, help="Side of the square input image in pixels (MNIST: 28).")
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the image (1 for grey digits).")
    conv1_channels: int = hp(256, lo=4, hi=1024, help="Feature maps of the first, ordinary convolution.")
    conv1_kernel: int = hp(9, lo=1, hi=32, help="Side of Conv1's kernel (paper: 9, stride 1, no padding).")
    primary_caps: int = hp(
        32, lo=1, hi=128, help="Capsule types of PrimaryCaps: each is a grid of vectors, one per position."
    )
    primary_dim: int = hp(8, lo=2, hi=32, help="Length of each primary capsule's vector (paper: 8).")
    primary_kernel: int = hp(9, lo=1, hi=32, help="Side of the PrimaryCaps convolution's kernel (paper: 9).")
    primary_stride: int = hp(2, lo=1, hi=8, help="Stride of the PrimaryCaps convolution (paper: 2).")
    num_classes: int = hp(10, lo=2, hi=100, help="Digit capsules: one per class.")
    digit_dim: int = hp(
        16,
        lo=2,
        hi=64,
        help="Length of each digit capsule's vector: how many ways it can describe its digit.",
    )
    routing_iters: int = hp(
        3,
        lo=0,
        hi=10,
        help="Iterations of routing by agreement (paper: 3). With 1 every child sends equally to every "
        "parent (no routing); each further iteration moves coupling toward the parents that agree.",
    )
    decoder: bool = hp(
        True, help="Add the reconstruction decoder (three dense layers) on the digit capsules."
    )
    decoder_dims: tuple[int, ...] = hp(
        (512, 1024), lo=1, hi=4096, max_len=4, help="Hidden widths of the decoder (paper: 512, 1024)."
    )
    capsule_bias: bool = hp(
        False,
        help="A learned bias added to every digit capsule before the squash, as in the authors' TensorFlow "
        "code (not in the paper).",
    )
    m_plus: float = hp(
        0.9, lo=0.5, hi=1.0, step=0.05, help="Margin loss: the true class's length should be ≥ m⁺."
    )
    m_minus: float = hp(0.1, lo=0.0, hi=0.5, step=0.05, help="Margin loss: other lengths should be ≤ m⁻.")
    lambda_absent: float = hp(
        0.5, lo=0.0, hi=1.0, step=0.05, help="Margin loss: weight λ of the absent classes' term (paper: 0.5)."
    )
    recon_weight: float = hp(
        0.0005,
        lo=0.0,
        hi=1.0,
        step=0.0005,
        help="Weight of the reconstruction's sum of squared errors in the loss (paper: 0.0005, so that it "
        "does not dominate the margin loss).",
    )

    def validate(self) -> None:
        if self.conv1_kernel > self.image_size:
            raise ConfigError(
                f"conv1_kernel ({self.conv1_kernel}) is larger than the image ({self.image_size} px): Conv1 "
                f"would have no output. Use a kernel of at most {self.image_size}, or a larger image."
            )
        c1 = self.conv1_out
        if self.primary_kernel > c1:
            raise ConfigError(
                f"primary_kernel ({self.primary_kernel}) is larger than Conv1's {c1}×{c1} output: "
                f"PrimaryCaps would have no capsules. Use a kernel of at most {c1}, or a smaller "
                "conv1_kernel."
            )
        if self.routing_iters < 1:
            raise ConfigError(
                f"routing_iters ({self.routing_iters}) must be at least 1: each iteration computes the digit "
                "capsules from the coupling coefficients, so with none there is no output. 1 is uniform "
                "coupling (no routing); the paper uses 3."
            )

    @property
    def conv1_out(self) -> int:
        return self.image_size - self.conv1_kernel + 1

    @property
    def grid(self) -> int:
        """Side of the PrimaryCaps grid."""
        return (self.conv1_out - self.primary_kernel) // self.primary_stride + 1

    @property
    def num_primary(self) -> int:
        return self.primary_caps * self.grid**2


def squash(s: torch.Tensor, dim: int = -1, eps: float = 1e-8) -> torch.Tensor:
    """v = ‖s‖² / (1 + ‖s‖²) · s / ‖s‖ (Eq. 1): the direction kept, the length mapped into [0, 1)."""
    sq = (s * s).sum(dim, keepdim=True)
    return s * (sq / (1 + sq) / torch.sqrt(sq + eps))


class Squash(nn.Module):
    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return squash(s)


class PrimaryCaps(nn.Module):
    """A convolution whose channels are read as ``primary_caps`` vectors of ``primary_dim`` per position."""

    def __init__(self, cfg: CapsNetConfig):
        super().__init__()
        self.cfg = cfg
        self.conv = nn.Conv2d(
            cfg.conv1_channels, cfg.primary_caps * cfg.primary_dim, cfg.primary_kernel, cfg.primary_stride
        )
        self.squash = Squash()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        u = self.conv(h)  # (B, types·D, g, g); no ReLU: the squash is the nonlinearity
        B, _, g, _ = u.shape
        u = u.view(B, c.primary_caps, c.primary_dim, g, g).permute(0, 1, 3, 4, 2)  # (B, types, g, g, D)
        return self.squash(u.reshape(B, -1, c.primary_dim))  # (B, I = types·g·g, D)


class DigitCaps(nn.Module):
    """Votes û_{j|i} = W_ij u_i for every child i and parent j, then routing by agreement (Procedure 1).
    One module (no children), so the graph draws it as one node."""

    def __init__(self, cfg: CapsNetConfig):
        super().__init__()
        self.iters = cfg.routing_iters
        n_in, J, Do, Di = cfg.num_primary, cfg.num_classes, cfg.digit_dim, cfg.primary_dim
        # (I, J, Do, Di): one matrix per pair, entries of variance 1/Di so that a vote is about as long as
        # its child (with 0.05 the votes and so the agreements start ~50× smaller and routing barely acts)
        self.W = nn.Parameter(torch.randn(n_in, J, Do, Di) / Di**0.5)
        self.bias = nn.Parameter(torch.zeros(J, Do)) if cfg.capsule_bias else None

    def votes(self, u: torch.Tensor) -> torch.Tensor:
        # laid out parent-major, (B, J, I, Do), so that routing's sums over children are batched matmuls
        return torch.einsum("ijdk,bik->bjid", self.W, u).contiguous()  # (B, J, I, Do)

    def route(self, u_hat: torch.Tensor, record: bool = False, iters: int | None = None):
        """v (B, J, Do) from votes û (B, J, I, Do); with ``record``, also each iteration's coupling
        c (B, I, J) and agreement û·v (B, I, J) in lists. ``iters`` overrides the configured count (to
        watch routing go on past it)."""
        B, J, n_in, _ = u_hat.shape
        iters = self.iters if iters is None else iters
        b = u_hat.new_zeros(B, J, 1, n_in)  # routing logits b_ij, reset for every input: not parameters
        cs, agrees = [], []
        for r in range(iters):
            c = b.softmax(dim=1)  # (B, J, 1, I): over the parents j of each child i
            s = (c @ u_hat).squeeze(2)  # (B, J, Do): Σ_i c_ij û_{j|i}
            if self.bias is not None:
                s = s + self.bias
            v = squash(s)
            a = (u_hat @ v.unsqueeze(-1)).transpose(2, 3)  # (B, J, 1, I): agreement û_{j|i} · v_j
            if record:
                cs.append(c[:, :, 0].transpose(1, 2))  # (B, I, J)
                agrees.append(a[:, :, 0].transpose(1, 2))
            if r < iters - 1:
                b = b + a
        return (v, cs, agrees) if record else v

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.route(self.votes(u))


class Lengths(nn.Module):
    """‖v_j‖: the probability that class j is present."""

    graph_label = "‖v‖"

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        return v.norm(dim=-1)  # (B, J)


class CapsNet(nn.Module):
    """forward(x (B, C, H, W), y=None) -> (lengths (B, J), reconstruction (B, C·H·W)); without the
    decoder, lengths alone. The decoder sees the true class's capsule when ``y`` is given in training
    mode, otherwise the longest (Sec. 4.1)."""

    def __init__(self, cfg: CapsNetConfig):
        super().__init__()
        self.cfg = cfg
        self.conv1 = nn.Conv2d(cfg.in_channels, cfg.conv1_channels, cfg.conv1_kernel)
        self.relu = nn.ReLU()
        self.primary = PrimaryCaps(cfg)
        self.digits = DigitCaps(cfg)
        self.lengths = Lengths()
        if cfg.decoder:
            dims = (cfg.num_classes * cfg.digit_dim, *cfg.decoder_dims)
            layers: list[nn.Module] = []
            for a, b in zip(dims[:-1], dims[1:], strict=True):
                layers += [nn.Linear(a, b), nn.ReLU()]
            layers += [nn.Linear(dims[-1], cfg.in_channels * cfg.image_size**2), nn.Sigmoid()]
            self.decoder = nn.Sequential(*layers)
        else:
            self.decoder = None

    def _check(self, x: torch.Tensor) -> None:
        c = self.cfg
        if x.dim() != 4 or tuple(x.shape[1:]) != (c.in_channels, c.image_size, c.image_size):
            raise ValueError(
                f"CapsNet expects images of shape (batch, {c.in_channels}, {c.image_size}, {c.image_size}), "
                f"got {tuple(x.shape)}"
            )

    def primary_capsules(self, x: torch.Tensor) -> torch.Tensor:
        self._check(x)
        return self.primary(self.relu(self.conv1(x)))  # (B, I, Dp)

    def capsules(self, x: torch.Tensor) -> torch.Tensor:
        """The digit capsules v (B, J, Dd)."""
        return self.digits(self.primary_capsules(x))

    def routing(self, x: torch.Tensor, iters: int | None = None) -> dict[str, torch.Tensor]:
        """Everything routing does for ``x``: primary capsules u (B, I, Dp), coupling c (R, B, I, J) and
        agreement (R, B, I, J) of each iteration, the digit capsules v (B, J, Dd). ``iters``: run that
        many iterations instead of the configured number."""
        u = self.primary_capsules(x)
        v, cs, agrees = self.digits.route(self.digits.votes(u), record=True, iters=iters)
        return {"u": u, "c": torch.stack(cs), "agreement": torch.stack(agrees), "v": v}

    def mask(self, v: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(B, J·Dd): every capsule zeroed but one: the label's in training, else the longest."""
        keep = y if (y is not None and self.training) else v.norm(dim=-1).argmax(-1)
        onehot = F.one_hot(keep, v.shape[1]).to(v.dtype)  # (B, J)
        return (v * onehot.unsqueeze(-1)).flatten(1)

    def decode(self, masked: torch.Tensor) -> torch.Tensor:
        if self.decoder is None:
            raise ValueError("This CapsNet has no decoder (decoder is off).")
        return self.decoder(masked)  # (B, C·H·W) in [0, 1]

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        v = self.capsules(x)
        lengths = self.lengths(v)
        if self.decoder is None:
            return lengths
        return lengths, self.decode(self.mask(v, y))


def margin_loss(lengths: torch.Tensor, y: torch.Tensor, cfg: CapsNetConfig) -> torch.Tensor:
    """Eq. 4: Σ_k T_k max(0, m⁺ − ‖v_k‖)² + λ (1 − T_k) max(0, ‖v_k‖ − m⁻)², averaged over the batch."""
    t = F.one_hot(y, lengths.shape[1]).to(lengths.dtype)
    present = t * F.relu(cfg.m_plus - lengths) ** 2
    absent = cfg.lambda_absent * (1 - t) * F.relu(lengths - cfg.m_minus) ** 2
    return (present + absent).sum(1).mean()


PAPER = Paper(
    "S. Sabour, N. Frosst, G. E. Hinton", 2017, "Dynamic Routing Between Capsules", arxiv="1710.09829"
)

register(
    ArchSpec(
        name="capsnet",
        title="CapsNet",
        family="capsules",
        year=2017,
        paper=PAPER,
        summary="Capsules whose vector length is a class probability, joined by routing by agreement, with a "
        "decoder that redraws the digit from its capsule.",
        tasks=("classification", "reconstruction"),
        config=CapsNetConfig,
        build=CapsNet,
        example_input=lambda cfg: torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size),
        presets={
            "tiny": dict(
                image_size=8,
                conv1_channels=64,
                conv1_kernel=3,
                primary_caps=8,
                primary_kernel=3,
                primary_stride=1,
                decoder_dims=(128, 256),
                recon_weight=0.005,
            ),
            "canonical": {},
        },
        published_params=8_215_568,
        published_source="Sabour et al. 2017, Sec. 4 layers counted (the paper's 8.2M, Sec. 5)",
    )
)

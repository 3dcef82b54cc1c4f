"""Wav2Vec 2.0: self-supervised speech representations learned from raw audio.

A. Baevski, H. Zhou, A. Mohamed, M. Auli (2020), "wav2vec 2.0: A Framework for Self-Supervised Learning of
Speech Representations", NeurIPS 2020, arXiv 2006.11477.

The waveform (16 kHz) goes through a **feature encoder** of seven 1-D convolutions (512 channels, kernels
(10,3,3,3,3,2,2), strides (5,2,2,2,2,2,2), GELU; group norm after the first in the base model): one output
frame every 320 samples (20 ms) that sees 400 samples (25 ms), see :func:`receptive_field`. The frames are
layer-normed and projected to the transformer width; a **convolutional relative position embedding**
(kernel 128, 16 groups, weight-normed) is added, and a post-norm transformer (12 × 768 in the base model)
builds context vectors c_t.

Pre-training masks spans of frames (each frame starts a span of 10 with probability p = 0.065; masked
frames are replaced by one learned vector) and asks c_t to pick the true **quantised** latent q_t of the
masked frame among K = 100 distractors drawn from other masked frames of the same utterance:

    L_m = −log( exp(sim(c_t, q_t)/κ) / Σ_q̃ exp(sim(c_t, q̃)/κ) ),  sim = cosine, κ = 0.1.

The **product quantiser** chooses one entry in each of G = 2 codebooks of V = 320 entries with a
straight-through Gumbel softmax and concatenates them; a **diversity loss** L_d = (GV − perplexity)/(GV)
pushes the model to use all entries; L = L_m + 0.1 L_d. Parameter names, layout and count follow
Hugging Face's ``Wav2Vec2ForPreTraining`` (facebook/wav2vec2-base, 95,044,608 parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from archs.blocks.transformer import BlockSettings, Stack
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

BASE_KERNELS = (10, 3, 3, 3, 3, 2, 2)
BASE_STRIDES = (5, 2, 2, 2, 2, 2, 2)


def receptive_field(kernels, strides) -> tuple[int, int]:
    """(samples one output frame sees, samples between two frames) of a stack of 1-D convolutions.

    Each layer widens the field by (k − 1) times the hop of its input: (400, 320) for the base encoder."""
    field, hop = 1, 1
    for k, s in zip(kernels, strides, strict=True):
        field += (k - 1) * hop
        hop *= s
    return field, hop


def num_frames(num_samples: int, kernels, strides) -> int:
    """Frames the feature encoder makes from ``num_samples`` (no padding): ⌊(S − k)/s⌋ + 1 per layer."""
    t = num_samples
    for k, s in zip(kernels, strides, strict=True):
        t = (t - k) // s + 1
    return max(t, 0)


@dataclass(frozen=True)
class Wav2Vec2Config(Config):
    conv_dim: int = hp(512, lo=1, hi=2048, help="Channels of every convolution of the feature encoder.")
    conv_kernels: tuple[int, ...] = hp(
        BASE_KERNELS,
        lo=1,
        hi=16,
        max_len=8,
        help="Kernel size of each feature-encoder convolution (samples).",
    )
    conv_strides: tuple[int, ...] = hp(
        BASE_STRIDES,
        lo=1,
        hi=8,
        max_len=8,
        help="Stride of each convolution; their product is the frame hop.",
    )
    embed_dim: int = hp(768, lo=4, hi=4096, help="d_model: the transformer's width.")
    depth: int = hp(12, lo=1, hi=48, help="Transformer layers.")
    num_heads: int = hp(12, lo=1, hi=64, help="Attention heads per layer.")
    hidden_dim: int = hp(3072, lo=4, hi=16384, help="Width of each feed-forward layer (4 × d_model).")
    pos_conv_kernel: int = hp(
        128,
        lo=2,
        hi=256,
        help="Kernel of the convolution that gives frames their relative positions (frames).",
    )
    pos_conv_groups: int = hp(16, lo=1, hi=64, help="Groups of that convolution (fewer weights per group).")
    num_codebooks: int = hp(2, lo=1, hi=8, help="G: codebooks of the product quantiser; one entry from each.")
    codebook_size: int = hp(320, lo=2, hi=2048, help="V: entries per codebook (320² ≈ 100k possible codes).")
    codevector_dim: int = hp(256, lo=2, hi=2048, help="Width of a quantised latent (split among codebooks).")
    proj_dim: int = hp(256, lo=2, hi=2048, help="Width in which context and quantised vectors are compared.")
    mask_prob: float = hp(
        0.065, lo=0.0, hi=0.5, step=0.005, help="Chance that a frame starts a masked span (p in the paper)."
    )
    mask_length: int = hp(10, lo=1, hi=50, help="Frames in each masked span (M in the paper).")
    num_negatives: int = hp(
        100, lo=1, hi=200, help="K: distractors the context vector must tell apart from the true latent."
    )
    logit_temperature: float = hp(
        0.1, lo=0.01, hi=1.0, step=0.01, help="κ: cosine similarities are divided by it before the softmax."
    )
    diversity_weight: float = hp(
        0.1,
        lo=0.0,
        hi=1.0,
        step=0.05,
        help="α: weight of the loss that spreads use over all codebook entries.",
    )
    gumbel_temperature: float = hp(
        2.0, lo=0.1, hi=10.0, step=0.1, help="τ of the Gumbel softmax (annealed 2 → 0.5 in the paper)."
    )
    dropout: float = hp(0.1, lo=0.0, hi=0.9, step=0.05, help="Dropout in the transformer.")

    def validate(self) -> None:
        if not self.conv_kernels or len(self.conv_kernels) != len(self.conv_strides):
            raise ConfigError(
                f"Give one stride per kernel: {len(self.conv_kernels)} kernels and {len(self.conv_strides)} "
                "strides (the base model has 7 of each)."
            )
        field, hop = receptive_field(self.conv_kernels, self.conv_strides)
        if hop > 1600 or field > 16000:
            raise ConfigError(
                f"The feature encoder would make one frame every {hop} samples, each seeing {field}: keep "
                "the hop (product of strides) at most 1,600 samples (0.1 s) and the field at most 1 s."
            )
        for a, b, why in (
            (self.embed_dim, self.num_heads, "each head gets an equal slice of the width"),
            (self.embed_dim, self.pos_conv_groups, "each group of the position conv gets equal channels"),
            (self.codevector_dim, self.num_codebooks, "each codebook supplies an equal slice of the latent"),
        ):
            if a % b:
                raise ConfigError(f"{a} must be divisible by {b}: {why}.")

    @property
    def frame_geometry(self) -> tuple[int, int]:
        return receptive_field(self.conv_kernels, self.conv_strides)


class FeatureEncoder(nn.Module):
    """Seven strided 1-D convolutions without bias, GELU after each, group norm (one group per channel)
    after the first: wave (B, S) -> frames (B, conv_dim, T)."""

    def __init__(self, cfg: Wav2Vec2Config):
        super().__init__()
        layers, c_in = [], 1
        for i, (k, s) in enumerate(zip(cfg.conv_kernels, cfg.conv_strides, strict=True)):
            norm = nn.GroupNorm(cfg.conv_dim, cfg.conv_dim) if i == 0 else nn.Identity()
            layers.append(nn.Sequential(nn.Conv1d(c_in, cfg.conv_dim, k, s, bias=False), norm, nn.GELU()))
            c_in = cfg.conv_dim
        self.layers = nn.Sequential(*layers)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        return self.layers(wave[:, None])  # (B, 1, S) -> (B, conv_dim, T)


class FeatureProjection(nn.Module):
    """LayerNorm over the conv channels, then a linear map to d_model. Returns both: the normed frames
    feed the quantiser (the targets), the projection feeds the transformer (the context)."""

    def __init__(self, cfg: Wav2Vec2Config):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.conv_dim)
        self.proj = nn.Linear(cfg.conv_dim, cfg.embed_dim)

    def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        normed = self.norm(frames.transpose(1, 2))  # (B, T, conv_dim)
        return self.proj(normed), normed  # (B, T, C), (B, T, conv_dim)


class ConvPositions(nn.Module):
    """Relative positions from a wide grouped convolution over the frames (weight-normed over the kernel
    axis, as the reference): x (B, T, C) -> GELU(conv(x)) (B, T, C), trimmed to T for even kernels."""

    def __init__(self, cfg: Wav2Vec2Config):
        super().__init__()
        k = cfg.pos_conv_kernel
        conv = nn.Conv1d(cfg.embed_dim, cfg.embed_dim, k, padding=k // 2, groups=cfg.pos_conv_groups)
        nn.init.normal_(conv.weight, 0.0, (4.0 / (k * cfg.embed_dim)) ** 0.5)
        nn.init.zeros_(conv.bias)
        self.conv = weight_norm(conv, name="weight", dim=2)
        self.trim = 1 if k % 2 == 0 else 0
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x.transpose(1, 2))  # (B, C, T + trim)
        y = y[:, :, : y.shape[2] - self.trim]
        return self.act(y).transpose(1, 2)  # (B, T, C)


class GumbelQuantizer(nn.Module):
    """Product quantisation: logits over V entries for each of G codebooks; a straight-through Gumbel
    softmax (hard one-hot forward, soft gradient) in training, argmax at evaluation; the chosen entries
    (each codevector_dim/G wide) are concatenated.

    Returns (q (B, T, D), codes (B, T, G), probs (B, T, G, V))."""

    def __init__(self, cfg: Wav2Vec2Config):
        super().__init__()
        self.G, self.V, self.tau = cfg.num_codebooks, cfg.codebook_size, cfg.gumbel_temperature
        self.weight_proj = nn.Linear(cfg.conv_dim, self.G * self.V)
        self.codevectors = nn.Parameter(torch.rand(1, self.G * self.V, cfg.codevector_dim // self.G))
        nn.init.normal_(self.weight_proj.weight, 0.0, 1.0)
        nn.init.zeros_(self.weight_proj.bias)

    def forward(self, x: torch.Tensor):
        B, T, _ = x.shape
        logits = self.weight_proj(x).view(B, T, self.G, self.V)  # (B, T, G, V)
        if self.training:
            onehot = F.gumbel_softmax(logits.float(), tau=self.tau, hard=True).type_as(x)
        else:
            onehot = F.one_hot(logits.argmax(-1), self.V).type_as(x)
        # (B, T, G, V) one-hot × (G, V, d) entries -> (B, T, G, d) -> concatenated (B, T, G·d)
        entries = self.codevectors.view(self.G, self.V, -1)
        q = torch.einsum("btgv,gvd->btgd", onehot, entries).reshape(B, T, -1)
        return q, logits.argmax(-1), logits.float().softmax(-1)


def span_mask(batch: int, frames: int, prob: float, length: int, generator=None, min_spans: int = 2):
    """Wav2Vec 2.0's time mask (B, T) bool: each row gets ⌊p·T/M + u⌋ spans (at least ``min_spans``) of
    ``length`` frames starting at distinct random frames; spans may overlap."""
    length = max(1, min(length, frames))
    mask = torch.zeros(batch, frames, dtype=torch.bool)
    for b in range(batch):
        u = torch.rand((), generator=generator).item()
        n = max(min_spans, int(prob * frames / length + u))
        starts = torch.randperm(frames - length + 1, generator=generator)[:n]
        for s in starts.tolist():
            mask[b, s : s + length] = True
    return mask


def sample_negatives(mask: torch.Tensor, num: int, generator=None) -> torch.Tensor:
    """For each masked frame, ``num`` other masked frames of the same utterance, uniformly with
    replacement: (N masked, num) flat indices into (B·T)."""
    B, T = mask.shape
    rows = []
    for b in range(B):
        idx = mask[b].nonzero().squeeze(1)  # (n,) masked frames of this utterance
        n = len(idx)
        if n < 2:
            raise ValueError("Contrastive pre-training needs at least two masked frames per utterance.")
        pick = torch.randint(0, n - 1, (n, num), generator=generator)
        pick = pick + (pick >= torch.arange(n)[:, None]).long()  # skip the frame itself
        rows.append(idx[pick] + b * T)
    return torch.cat(rows)


class Wav2Vec2(nn.Module):
    """forward(wave (B, S)) -> (hidden (B, T, C), context (B, T, P), targets (B, T, P)): the transformer's
    context vectors, and the two projections the contrastive task compares (of the context vectors and of
    the quantised latents), so that the graph shows the quantiser and every weight trains. With
    ``return_attention``: (that tuple, {"self": attention per layer}). In training mode, without a given
    ``mask``, spans of frames are masked as in pre-training (Hugging Face's model does the same);
    :meth:`pretraining_loss` runs the whole masked contrastive task."""

    def __init__(self, cfg: Wav2Vec2Config):
        super().__init__()
        self.cfg = cfg
        self.feature_encoder = FeatureEncoder(cfg)
        self.feature_projection = FeatureProjection(cfg)
        self.mask_embed = nn.Parameter(torch.rand(cfg.embed_dim))
        self.pos_conv = ConvPositions(cfg)
        self.norm = nn.LayerNorm(cfg.embed_dim)
        self.drop = nn.Dropout(cfg.dropout)
        s = BlockSettings(cfg.embed_dim, cfg.num_heads, cfg.hidden_dim, "gelu", cfg.dropout, False)
        self.encoder = Stack(s, cfg.depth)  # post-norm, as the base model
        self.quantizer = GumbelQuantizer(cfg)
        self.project_hid = nn.Linear(cfg.embed_dim, cfg.proj_dim)
        self.project_q = nn.Linear(cfg.codevector_dim, cfg.proj_dim)

    def _check(self, wave: torch.Tensor) -> None:
        field, _ = self.cfg.frame_geometry
        if wave.dim() != 2 or wave.shape[1] < field:
            raise ValueError(
                f"Wav2Vec 2.0 reads waveforms of shape (batch, samples) with at least {field} samples "
                f"(one frame's receptive field), got {tuple(wave.shape)}."
            )

    def context(self, x: torch.Tensor, need_weights: bool = False):
        """Transformer over projected frames x (B, T, C): positions added, normed, post-norm blocks."""
        h = self.drop(self.norm(x + self.pos_conv(x)))
        h, att, _ = self.encoder(h, need_weights=need_weights)
        return h, att

    def run(self, wave: torch.Tensor, mask: torch.Tensor | None = None, need_weights: bool = False, gen=None):
        """Every intermediate of the pre-training model: hidden, context, targets (see the class), the
        quantiser's ``codes`` (B, T, G) and ``probs`` (B, T, G, V), the ``mask`` used (B, T) or None, and
        ``attention`` (per layer, or Nones)."""
        self._check(wave)
        x, normed = self.feature_projection(self.feature_encoder(wave))  # (B, T, C), (B, T, conv_dim)
        if mask is None and self.training:
            mask = span_mask(x.shape[0], x.shape[1], self.cfg.mask_prob, self.cfg.mask_length, gen)
        if mask is not None:
            mask = mask.to(x.device)
            x = torch.where(mask[..., None], self.mask_embed.to(x.dtype), x)  # masked frames -> one vector
        h, att = self.context(x, need_weights)
        q, codes, probs = self.quantizer(normed)
        return {
            "hidden": h,
            "context": self.project_hid(h),
            "targets": self.project_q(q),
            "codes": codes,
            "probs": probs,
            "mask": mask,
            "attention": att,
        }

    def forward(self, wave: torch.Tensor, mask: torch.Tensor | None = None, return_attention: bool = False):
        r = self.run(wave, mask, return_attention)
        out = (r["hidden"], r["context"], r["targets"])
        return (out, {"self": r["attention"]}) if return_attention else out

    def pretraining_loss(self, wave: torch.Tensor, mask_seed: int = 0, mask: torch.Tensor | None = None):
        """The masked contrastive task on ``wave`` (B, S). Returns loss = contrastive + α·diversity (means
        over masked frames), its terms, the perplexity of the code choices, ``mask`` (B, T), the logits
        (N masked, 1 + K; column 0 is the true latent), accuracy (how often it wins) and ``codes``
        (B, T, G)."""
        self._check(wave)
        cfg, gen = self.cfg, torch.Generator().manual_seed(mask_seed)
        if mask is None:
            frames = num_frames(wave.shape[1], cfg.conv_kernels, cfg.conv_strides)
            mask = span_mask(len(wave), frames, cfg.mask_prob, cfg.mask_length, gen)
        r = self.run(wave, mask)
        mask, probs = r["mask"], r["probs"]
        B, T = mask.shape
        c, q = r["context"].reshape(B * T, -1), r["targets"].reshape(B * T, -1)  # (B·T, P)
        flat = mask.reshape(-1).nonzero().squeeze(1)  # (N,)
        neg = sample_negatives(mask.cpu(), cfg.num_negatives, gen).to(mask.device)  # (N, K)
        cands = torch.cat([q[flat][:, None], q[neg]], 1)  # (N, 1 + K, P): the true latent first
        logits = F.cosine_similarity(c[flat][:, None], cands, dim=-1).float() / cfg.logit_temperature
        same = (cands[:, 1:] == cands[:, :1]).all(-1)  # a distractor equal to the target is no distractor
        logits = torch.cat([logits[:, :1], logits[:, 1:].masked_fill(same, float("-inf"))], 1)
        target = torch.zeros(len(flat), dtype=torch.long, device=mask.device)
        contrastive = F.cross_entropy(logits, target)
        avg = probs[mask].mean(0)  # (G, V): average code distribution over masked frames
        perplexity = torch.exp(-(avg * torch.log(avg + 1e-7)).sum(-1)).sum()
        gv = cfg.num_codebooks * cfg.codebook_size
        diversity = (gv - perplexity) / gv
        return {
            "loss": contrastive + cfg.diversity_weight * diversity,
            "contrastive": contrastive,
            "diversity": diversity,
            "perplexity": perplexity,
            "mask": mask,
            "logits": logits,
            "accuracy": (logits.argmax(-1) == 0).float().mean(),
            "codes": r["codes"],
        }


BASE = dict(
    conv_dim=512,
    conv_kernels=BASE_KERNELS,
    conv_strides=BASE_STRIDES,
    embed_dim=768,
    depth=12,
    num_heads=12,
    hidden_dim=3072,
    pos_conv_kernel=128,
    pos_conv_groups=16,
    num_codebooks=2,
    codebook_size=320,
    codevector_dim=256,
    proj_dim=256,
    num_negatives=100,
)
TINY = dict(
    conv_dim=32,
    embed_dim=48,
    depth=2,
    num_heads=4,
    hidden_dim=96,
    pos_conv_kernel=16,
    pos_conv_groups=4,
    codebook_size=16,
    codevector_dim=32,
    proj_dim=32,
    mask_prob=0.2,
    mask_length=4,
    num_negatives=10,
    dropout=0.0,
)


def _wave_input(cfg: Wav2Vec2Config) -> torch.Tensor:
    """About one second of noise: enough samples for 49 frames (15,760 samples for the base encoder)."""
    field, hop = cfg.frame_geometry
    return torch.randn(2, field + 48 * hop) * 0.1


register(
    ArchSpec(
        name="wav2vec2_base",
        title="Wav2Vec 2.0 (base)",
        family="audio",
        year=2020,
        paper=Paper(
            "A. Baevski, H. Zhou, A. Mohamed, M. Auli",
            2020,
            "wav2vec 2.0: A Framework for Self-Supervised Learning of Speech Representations",
            arxiv="2006.11477",
        ),
        summary="Raw audio -> conv frames (25 ms seen, 20 ms hop) -> transformer; masked contrastive "
        "pre-training against product-quantised latents.",
        tasks=("self-supervised speech representations", "speech recognition (after fine-tuning)"),
        config=Wav2Vec2Config,
        build=Wav2Vec2,
        example_input=_wave_input,
        presets={"tiny": TINY, "canonical": BASE},
        published_params=95_044_608,
        published_source="Hugging Face transformers Wav2Vec2ForPreTraining(Wav2Vec2Config()) = "
        "facebook/wav2vec2-base's pre-training model (the paper's BASE, reported as 95M): feature encoder, "
        "projection, weight-normed positional conv, 12 × 768 transformer, mask vector, quantiser "
        "(G=2, V=320, 256-wide codes) and the two 256-wide projections",
    )
)

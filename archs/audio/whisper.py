"""Whisper: an encoder-decoder transformer that transcribes log-mel spectrograms.

A. Radford, J. W. Kim, T. Xu, G. Brockman, C. McLeavey, I. Sutskever (2022), "Robust Speech Recognition via
Large-Scale Weak Supervision", arXiv 2212.04356.

Input: 30 s of 16 kHz audio as an 80-band log-mel spectrogram (25 ms windows, 10 ms hop: (B, 80, 3000);
``archs.audio.frontend.log_mel_spectrogram`` computes it). The encoder's stem is two 1-D convolutions
(kernel 3, GELU; the second has stride 2, so 3000 frames -> 1500 positions of 20 ms), then fixed sinusoidal
positions and pre-norm transformer blocks with a final LayerNorm. The decoder embeds text tokens, adds
learned positions (448), runs pre-norm blocks with causal self-attention and cross-attention to the
encoder's output, a final LayerNorm, and scores the vocabulary with the token embedding itself (tied).
Key projections have no bias: a bias on k adds q·b to every score of a query, the same for every key, so
the softmax would remove it anyway.

Sizes (Table 1): tiny 4 + 4 layers of width 384 (6 heads), base 6 + 6 of 512 (8 heads), multilingual
vocabulary of 51,865 tokens. Counts follow Hugging Face's ``WhisperForConditionalGeneration``, which keeps
the fixed encoder position table as a (frozen) parameter: 37,760,640 (tiny) and 72,593,920 (base); the
OpenAI release keeps that table as a buffer (576,000 / 768,000 fewer); the paper rounds to 39M and 74M.

``forward(mel, tokens, return_attention=True)`` also returns the attention maps, "cross" among them: per
decoder layer (B, nh, tokens, audio positions), which words listen to which stretch of sound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.embeddings import Embeddings
from archs.blocks.transformer import BlockSettings, Stack, check_ids
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


def whisper_sinusoids(length: int, dim: int, max_timescale: float = 10000.0) -> torch.Tensor:
    """Whisper's position table (length, dim): sines in the first half of the channels, cosines in the
    second, timescales spaced geometrically from 1 to ``max_timescale``."""
    inc = math.log(max_timescale) / (dim // 2 - 1)
    inv = torch.exp(-inc * torch.arange(dim // 2, dtype=torch.float32))
    t = torch.arange(length, dtype=torch.float32)[:, None] * inv[None]  # (length, dim/2)
    return torch.cat([t.sin(), t.cos()], 1)


@dataclass(frozen=True)
class WhisperConfig(Config):
    n_mels: int = hp(80, lo=1, hi=256, help="Mel bands of the input spectrogram (80 in Whisper).")
    n_frames: int = hp(
        3000, lo=2, hi=6000, step=2, help="Spectrogram frames of the longest input (3,000 = 30 s at 10 ms)."
    )
    vocab_size: int = hp(51865, lo=4, hi=100_000, help="Text tokens the decoder reads and writes.")
    max_len: int = hp(448, lo=2, hi=4096, help="Longest token sequence the decoder can write.")
    embed_dim: int = hp(384, lo=4, hi=2048, help="d_model: the width of audio positions and text tokens.")
    encoder_depth: int = hp(4, lo=1, hi=48, help="Encoder blocks.")
    decoder_depth: int = hp(4, lo=1, hi=48, help="Decoder blocks.")
    num_heads: int = hp(6, lo=1, hi=32, help="Attention heads in every block (head width 64 in Whisper).")
    hidden_dim: int = hp(1536, lo=4, hi=8192, help="Width of each feed-forward layer (4 × d_model).")
    dropout: float = hp(
        0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout in the blocks (Whisper trains with none)."
    )

    def validate(self) -> None:
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): "
                "each head gets an equal slice of the width."
            )
        if self.embed_dim % 2 or self.embed_dim < 4:
            raise ConfigError(f"embed_dim ({self.embed_dim}) must be even: half sines, half cosines.")

    @property
    def audio_positions(self) -> int:
        return (self.n_frames + 1) // 2  # the stride-2 convolution halves the frames


class ConvStem(nn.Module):
    """Two convolutions over time (kernel 3, GELU), the second with stride 2: (B, n_mels, T) ->
    (B, C, ⌈T/2⌉)."""

    def __init__(self, cfg: WhisperConfig):
        super().__init__()
        self.conv1 = nn.Conv1d(cfg.n_mels, cfg.embed_dim, 3, padding=1)
        self.conv2 = nn.Conv1d(cfg.embed_dim, cfg.embed_dim, 3, stride=2, padding=1)
        self.act1, self.act2 = nn.GELU(), nn.GELU()

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.act2(self.conv2(self.act1(self.conv1(mel))))


class AudioPositions(nn.Module):
    """Adds the fixed sinusoidal table (a frozen parameter, as Hugging Face keeps it):
    (B, C, T) -> (B, T, C)."""

    def __init__(self, n: int, dim: int):
        super().__init__()
        self.weight = nn.Parameter(whisper_sinusoids(n, dim), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # (B, T, C)
        return x + self.weight[: x.shape[1]].to(x.dtype)


def _unbiased_keys(stack: Stack) -> None:
    for blk in stack.blocks:
        for att in (blk.attn, blk.cross):
            if att is not None:
                att.k = nn.Linear(att.k.in_features, att.k.out_features, bias=False)


class Whisper(nn.Module):
    """forward(mel (B, n_mels, T ≤ n_frames), tokens (B, L)) -> logits (B, L, vocab) for the next token
    after each position (teacher forcing), or (logits, {"encoder", "decoder", "cross"}) with
    ``return_attention``. :meth:`greedy` writes a transcript token by token."""

    def __init__(self, cfg: WhisperConfig):
        super().__init__()
        self.cfg = cfg
        s = BlockSettings(cfg.embed_dim, cfg.num_heads, cfg.hidden_dim, "gelu", cfg.dropout, True)
        self.stem = ConvStem(cfg)
        self.audio_pos = AudioPositions(cfg.audio_positions, cfg.embed_dim)
        self.encoder = Stack(s, cfg.encoder_depth, final_norm=True)
        self.embed = Embeddings(
            cfg.vocab_size, cfg.embed_dim, max_len=cfg.max_len, positions="learned", dropout=cfg.dropout
        )
        self.decoder = Stack(s, cfg.decoder_depth, causal=True, cross=True, final_norm=True)
        _unbiased_keys(self.encoder)
        _unbiased_keys(self.decoder)
        # linear layers keep PyTorch's default initialisation, as OpenAI's code; token embeddings ~ N(0, 1/d)
        # give the tied output unit-scale logits. (HF's N(0, 0.02) everywhere makes a small model's
        # cross-attention start so flat that learning to align words with sound stalls for hundreds of steps.)
        nn.init.normal_(self.embed.token.weight, 0.0, cfg.embed_dim**-0.5)
        nn.init.normal_(self.embed.pos.weight, 0.0, 0.02)

    def encode(self, mel: torch.Tensor, need_weights: bool = False):
        if mel.dim() != 3 or mel.shape[1] != self.cfg.n_mels or not 1 <= mel.shape[2] <= self.cfg.n_frames:
            raise ValueError(
                f"Whisper reads log-mel spectrograms of shape (batch, {self.cfg.n_mels}, frames ≤ "
                f"{self.cfg.n_frames}), got {tuple(mel.shape)}."
            )
        return self.encoder(self.audio_pos(self.stem(mel)), need_weights=need_weights)

    def decode(self, tokens: torch.Tensor, memory: torch.Tensor, need_weights: bool = False):
        check_ids(tokens, self.cfg.vocab_size, self.cfg.max_len)
        h, selfs, crosses = self.decoder(self.embed(tokens), None, memory, None, need_weights)
        return F.linear(h, self.embed.token.weight), selfs, crosses  # (B, L, vocab): tied output

    def forward(self, mel: torch.Tensor, tokens: torch.Tensor, return_attention: bool = False):
        memory, enc, _ = self.encode(mel, return_attention)
        logits, dec, cross = self.decode(tokens, memory, return_attention)
        return (logits, {"encoder": enc, "decoder": dec, "cross": cross}) if return_attention else logits

    @torch.no_grad()
    def greedy(self, mel: torch.Tensor, prefix: torch.Tensor, eos_id: int, max_new_tokens: int = 16):
        """Greedy decoding: (B, L0) prefix tokens -> (B, L0 + n) with n ≤ max_new_tokens; a row that wrote
        ``eos_id`` keeps writing it."""
        memory, _, _ = self.encode(mel)
        out = prefix
        done = torch.zeros(len(prefix), dtype=torch.bool, device=prefix.device)
        for _ in range(min(max_new_tokens, self.cfg.max_len - prefix.shape[1])):
            nxt = self.decode(out, memory)[0][:, -1].argmax(-1)  # (B,)
            nxt = torch.where(done, torch.full_like(nxt, eos_id), nxt)
            out, done = torch.cat([out, nxt[:, None]], 1), done | (nxt == eos_id)
            if done.all():
                break
        return out


def _whisper_input(cfg: WhisperConfig):
    return torch.randn(2, cfg.n_mels, cfg.n_frames), torch.randint(
        0, cfg.vocab_size, (2, min(8, cfg.max_len))
    )


PAPER = Paper(
    "A. Radford, J. W. Kim, T. Xu, G. Brockman, C. McLeavey, I. Sutskever",
    2022,
    "Robust Speech Recognition via Large-Scale Weak Supervision",
    arxiv="2212.04356",
)
TINY = dict(
    n_frames=200,
    vocab_size=32,
    max_len=16,
    embed_dim=64,
    encoder_depth=2,
    decoder_depth=2,
    num_heads=4,
    hidden_dim=128,
)
SIZES = {
    "whisper_tiny": (
        "Whisper tiny",
        dict(embed_dim=384, encoder_depth=4, decoder_depth=4, num_heads=6, hidden_dim=1536),
        37_760_640,
    ),
    "whisper_base": (
        "Whisper base",
        dict(embed_dim=512, encoder_depth=6, decoder_depth=6, num_heads=8, hidden_dim=2048),
        72_593_920,
    ),
}
for name, (title, size, count) in SIZES.items():
    register(
        ArchSpec(
            name=name,
            title=title,
            family="audio",
            year=2022,
            paper=PAPER,
            summary="Log-mel spectrogram -> conv stem -> transformer encoder; a text decoder cross-attends "
            "to it and writes the transcript token by token.",
            tasks=("speech recognition", "speech translation"),
            config=WhisperConfig,
            build=Whisper,
            example_input=_whisper_input,
            presets={
                "tiny": TINY,
                "canonical": dict(n_mels=80, n_frames=3000, vocab_size=51865, max_len=448, **size),
            },
            published_params=count,
            published_source="Hugging Face transformers WhisperForConditionalGeneration with "
            f"openai/{name.replace('_', '-')}'s config (multilingual vocabulary 51,865, 1,500 audio and "
            "448 text positions, output tied to the token embedding; the fixed encoder position table "
            "counted as HF does); paper Table 1 rounds "
            f"to {'39M' if name == 'whisper_tiny' else '74M'}",
        )
    )

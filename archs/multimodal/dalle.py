"""DALL-E: Ramesh, Pavlov, Goh, Gray, Voss, Radford, Chen & Sutskever (2021), "Zero-Shot Text-to-Image
Generation", arXiv 2102.12092 — text-to-image as next-token prediction, in two stages:

1. an image tokenizer turns an image into a grid of discrete codes (DALL-E: a discrete VAE mapping a
   256×256 image to 32×32 tokens from 8,192 codes; here the VQ-VAE of the Autoencoders page, whose
   quantiser and conv encoder/decoder live in ``archs/blocks/quantize.py``);
2. a decoder-only transformer reads the caption's tokens followed by the image's tokens, one stream,
   and learns to predict every next token. Text and image have their own embeddings and positions:
   text tokens a learned position each (and, as in the paper, a separate padding token for each text
   position), image tokens a row and a column embedding each (the paper's Figure 11).

To draw an image, the caption's tokens go in and image tokens are sampled one at a time (temperature,
top-k), raster order, each conditioned on the caption and on the tokens before it; the tokenizer's
decoder turns the finished grid into pixels.

``forward(text, image)`` runs the whole pipeline once (tokenize and reconstruct the image, predict every
next token), so the layer graph shows both stages. ``image`` may be pixels (B, C, H, W), giving (logits,
reconstruction), or already tokens (B, N), giving the logits.

The canonical preset is the published 12-billion-parameter transformer (64 pre-norm layers, d_model
3,968, 62 heads of 64, 256 text tokens of a 16,384-token BPE vocabulary, 1,024 image tokens of 8,192),
built without the tokenizer: the paper's 12B counts the transformer, and its dVAE is a separate model
trained first. DALL-E's attention is sparse (each layer a row, column or convolutional mask over the
image tokens, the text always fully visible): the masks carry no parameters, so this model uses the
dense causal mask and counts the same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.quantize import VectorQuantizer, vq_decoder, vq_encoder
from archs.blocks.transformer import BlockSettings, Stack, init_weights
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class DalleConfig(Config):
    image_tokenizer: Literal["vqvae", "none"] = hp(
        "vqvae",
        help="vqvae: the model carries its own VQ-VAE that turns images into tokens (stage 1). none: the "
        "transformer alone, reading image tokens made elsewhere (DALL-E's 12B count is the transformer's).",
    )
    in_channels: int = hp(3, lo=1, hi=4, help="Colour channels of the images.")
    image_size: int = hp(32, lo=8, hi=512, help="Height and width of the square images, in pixels.")
    num_downsamples: int = hp(
        2,
        lo=1,
        hi=4,
        help="Stride-2 convolutions of the tokenizer: each halves the token grid (DALL-E: 3, 256×256 "
        "pixels -> 32×32 tokens).",
    )
    vq_channels: int = hp(32, lo=4, hi=512, help="Channels of the VQ-VAE's convolutions.")
    num_res_blocks: int = hp(1, lo=0, hi=4, help="Residual blocks in the VQ-VAE's encoder and decoder.")
    codebook_dim: int = hp(16, lo=1, hi=512, help="D, the length of each codebook vector.")
    num_embeddings: int = hp(
        64, lo=2, hi=16_384, help="K, the image vocabulary: how many codes the codebook has (DALL-E: 8,192)."
    )
    codebook_update: Literal["ema", "loss"] = hp(
        "ema",
        help="ema: codes move to the running mean of the vectors assigned to them; loss: codes are "
        "learned by gradient descent.",
    )
    ema_decay: float = hp(0.99, lo=0.5, hi=0.999, step=0.001, help="Decay of the codebook's moving averages.")
    commitment: float = hp(
        0.25,
        lo=0.0,
        hi=2.0,
        step=0.05,
        help="β of the commitment loss that keeps encoder outputs near codes.",
    )
    text_vocab: int = hp(
        21, lo=2, hi=100_000, help="Words (or BPE pieces) the caption may use (DALL-E: 16,384 BPE tokens)."
    )
    text_len: int = hp(
        8,
        lo=1,
        hi=1024,
        help="Caption positions; shorter captions are padded with a separate padding token for each "
        "position (DALL-E: 256).",
    )
    embed_dim: int = hp(
        64, lo=8, hi=16_384, help="d_model: the width of every token's vector (DALL-E: 3,968)."
    )
    depth: int = hp(3, lo=1, hi=128, help="Transformer layers (DALL-E: 64).")
    num_heads: int = hp(4, lo=1, hi=128, help="Attention heads; each looks with embed_dim/num_heads dims.")
    hidden_dim: int = hp(
        256, lo=8, hi=65_536, help="Width of the feed-forward layer (4 × d_model in DALL-E)."
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout on attention weights and sublayers.")

    @property
    def grid(self) -> int:
        """Side of the image-token grid."""
        return self.image_size // 2**self.num_downsamples

    def validate(self) -> None:
        f = 2**self.num_downsamples
        if self.image_size % f:
            raise ConfigError(
                f"{self.num_downsamples} stride-2 convolutions need image_size ({self.image_size}) to be a "
                f"multiple of {f}; lower num_downsamples or pick another image size."
            )
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): each head "
                "gets an equal slice of the embedding."
            )


class ImageTokenizer(nn.Module):
    """The VQ-VAE as a tokenizer: pixels -> (B, h, w) code indices, and indices -> pixels."""

    def __init__(self, cfg: DalleConfig):
        super().__init__()
        args = (cfg.in_channels, cfg.vq_channels, cfg.codebook_dim, cfg.num_downsamples, cfg.num_res_blocks)
        self.encoder = vq_encoder(*args)
        self.quantizer = VectorQuantizer(
            cfg.num_embeddings, cfg.codebook_dim, cfg.codebook_update, cfg.ema_decay
        )
        self.decoder = vq_decoder(*args)

    def quantize(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.quantizer(self.encoder(x))  # z_q, indices (B, h, w), codebook, commitment

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.quantize(x)["indices"].flatten(1)  # (B, h·w) tokens in raster order

    def decode(self, indices: torch.Tensor) -> torch.Tensor:
        """(B, h, w) codes -> images (B, C, H, W) in [0, 1]."""
        return torch.sigmoid(self.decoder(self.quantizer.lookup(indices)))


class TextEmbedding(nn.Module):
    """Caption token + learned position embedding. Ids ≥ text_vocab are the per-position padding tokens."""

    def __init__(self, cfg: DalleConfig):
        super().__init__()
        self.token = nn.Embedding(cfg.text_vocab + cfg.text_len, cfg.embed_dim)
        self.pos = nn.Embedding(cfg.text_len, cfg.embed_dim)

    def forward(self, text: torch.Tensor) -> torch.Tensor:
        return self.token(text) + self.pos(torch.arange(text.shape[1], device=text.device))  # (B, Lt, C)


class ImageEmbedding(nn.Module):
    """Image-code embedding + a row and a column embedding for the token's place in the grid."""

    def __init__(self, cfg: DalleConfig):
        super().__init__()
        self.side = cfg.grid
        self.token = nn.Embedding(cfg.num_embeddings, cfg.embed_dim)
        self.row, self.col = nn.Embedding(self.side, cfg.embed_dim), nn.Embedding(self.side, cfg.embed_dim)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        i = torch.arange(image.shape[1], device=image.device)  # raster position of each given token
        return self.token(image) + self.row(i // self.side) + self.col(i % self.side)  # (B, n, C)


class Concat(nn.Module):
    """[text ; image] along the sequence: one stream, as the paper's transformer reads it."""

    def forward(self, text: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return torch.cat([text, image], 1)  # (B, Lt + n, C)


class Dalle(nn.Module):
    """Image tokenizer (optional) + decoder-only transformer over [caption tokens, image tokens]."""

    def __init__(self, cfg: DalleConfig):
        super().__init__()
        self.cfg = cfg
        self.num_image_tokens = cfg.grid**2
        self.tokenizer = ImageTokenizer(cfg) if cfg.image_tokenizer == "vqvae" else None
        self.text_embed, self.image_embed, self.concat = TextEmbedding(cfg), ImageEmbedding(cfg), Concat()
        s = BlockSettings(cfg.embed_dim, cfg.num_heads, cfg.hidden_dim, "gelu", cfg.dropout, norm_first=True)
        self.transformer = Stack(s, cfg.depth, causal=True, final_norm=True)
        # one head over both vocabularies (text incl. its padding tokens, then image codes), as the paper
        self.head = nn.Linear(cfg.embed_dim, cfg.text_vocab + cfg.text_len + cfg.num_embeddings)
        init_weights(self.transformer)
        init_weights(self.head)

    @property
    def text_classes(self) -> int:
        return self.cfg.text_vocab + self.cfg.text_len

    def logits(self, text: torch.Tensor, image: torch.Tensor, return_attention: bool = False):
        """Next-token logits (B, Lt + n, V_text + K) for the stream [text (B, Lt), image prefix (B, n)];
        position i predicts token i + 1."""
        if text.shape[1] != self.cfg.text_len:
            raise ValueError(f"expected {self.cfg.text_len} caption tokens, got {text.shape[1]}")
        if image.shape[1] > self.num_image_tokens:
            raise ValueError(f"at most {self.num_image_tokens} image tokens fit, got {image.shape[1]}")
        h = self.concat(self.text_embed(text), self.image_embed(image))  # (B, T, C)
        h, att, _ = self.transformer(h, need_weights=return_attention)
        out = self.head(h)  # (B, T, V)
        return (out, att) if return_attention else out

    def forward(self, text: torch.Tensor, image: torch.Tensor):
        """Logits (B, Lt + N, V); given pixels, also the tokenizer's reconstruction (B, C, H, W)."""
        if not image.is_floating_point():
            return self.logits(text, image)
        if self.tokenizer is None:
            raise ValueError("this model has no image tokenizer: give it image tokens (B, N), not pixels")
        q = self.tokenizer.quantize(image)
        recon = torch.sigmoid(self.tokenizer.decoder(q["z_q"]))  # stage 1's output
        return self.logits(text, q["indices"].flatten(1)), recon  # stage 2 reads the codes, raster order

    @torch.no_grad()
    def sample_tokens(
        self,
        text: torch.Tensor,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
        keep_every: int = 0,
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Image tokens (B, N) drawn one at a time given the caption tokens (B, Lt); with ``keep_every``
        > 0 also the partial grids (B, N) after every ``keep_every`` tokens (unfilled places -1)."""
        if temperature <= 0:
            raise ValueError("the temperature must be positive")
        B, N, V0 = text.shape[0], self.num_image_tokens, self.text_classes
        image = torch.zeros(B, 0, dtype=torch.long, device=text.device)
        kept: list[torch.Tensor] = []
        for i in range(N):
            z = self.logits(text, image)[:, -1, V0:] / temperature  # (B, K): image codes only
            if top_k:
                kth = z.topk(min(top_k, z.shape[1]), dim=1).values[:, -1:]
                z = z.masked_fill(z < kth, float("-inf"))
            nxt = torch.multinomial(z.softmax(1).float().cpu(), 1, generator=generator).to(text.device)
            image = torch.cat([image, nxt], 1)  # (B, i + 1)
            if keep_every and ((i + 1) % keep_every == 0 or i + 1 == N):
                kept.append(F.pad(image, (0, N - i - 1), value=-1))
        return image, kept


def _dalle_input(cfg: DalleConfig):
    text = torch.randint(0, cfg.text_vocab, (1, cfg.text_len))
    if cfg.image_tokenizer == "vqvae":
        return text, torch.rand(1, cfg.in_channels, cfg.image_size, cfg.image_size)
    return text, torch.randint(0, cfg.num_embeddings, (1, cfg.grid**2 - 1))  # the last token has no next


CANONICAL = dict(
    image_tokenizer="none",
    in_channels=3,
    image_size=256,
    num_downsamples=3,
    num_embeddings=8192,
    text_vocab=16_384,
    text_len=256,
    embed_dim=3968,
    depth=64,
    num_heads=62,
    hidden_dim=4 * 3968,
)
CANONICAL_PARAMS = 12_293_849_088  # counted on meta: see published_source

register(
    ArchSpec(
        name="dalle_toy",
        title="DALL-E (text-to-image tokens)",
        family="multimodal",
        year=2021,
        paper=Paper(
            "A. Ramesh, M. Pavlov, G. Goh, S. Gray, C. Voss, A. Radford, M. Chen, I. Sutskever",
            2021,
            "Zero-Shot Text-to-Image Generation",
            arxiv="2102.12092",
        ),
        summary="A VQ-VAE turns images into a grid of codes; a GPT-style transformer writes the codes one "
        "by one after the caption's words.",
        tasks=("generation", "text-to-image"),
        config=DalleConfig,
        build=Dalle,
        example_input=_dalle_input,
        presets={"tiny": {}, "canonical": CANONICAL},
        published_params=CANONICAL_PARAMS,
        published_source="the paper states 12B for its transformer (64 layers, d_model 3,968, 62 heads, 256 "
        "text tokens of a 16,384 BPE vocabulary, 1,024 image tokens of 8,192 codes); counted here with a "
        "separate padding token per text position, learned text positions, row and column image "
        "positions, pre-norm GPT blocks with 4× feed-forward and one output layer over all 16,640 + "
        "8,192 tokens: 12.29B (the blocks alone 12.10B). The dVAE is not counted, as in the paper; its "
        "sparse attention masks have no parameters.",
    )
)

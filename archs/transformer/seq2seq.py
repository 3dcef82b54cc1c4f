"""Encoder-decoder transformers of the zoo, on ``archs.transformer.encoder_decoder.EncoderDecoder``.

T5: Raffel et al. (2020), "Exploring the Limits of Transfer Learning with a Unified Text-to-Text
Transformer", arXiv 1910.10683 — pre-norm with RMSNorm, no biases, ReLU, relative position buckets,
no √d_k scaling, every task written as text to text. BART: Lewis et al. (2020), "BART: Denoising
Sequence-to-Sequence Pre-training", arXiv 1910.13461 — BERT-like encoder + GPT-like decoder, post-norm,
GELU, learned positions, trained to reconstruct corrupted text. Canonical counts equal the Hugging Face
reference models (T5Model / BartModel; their LM heads are tied to the shared embedding).
"""

from __future__ import annotations

from archs.registry import register
from archs.spec import ArchSpec, Paper
from archs.transformer.encoder_decoder import EncoderDecoder, Seq2SeqConfig, _seq2seq_input

T5 = dict(
    vocab_size=32_128,
    max_len=512,
    embed_dim=512,
    num_heads=8,
    hidden_dim=2048,
    encoder_depth=6,
    decoder_depth=6,
    activation="relu",
    norm_first=True,
    norm="rms",
    eps=1e-6,
    bias=False,
    scaled=False,
    positions="relative",
    final_norm=True,
    scale_embedding=False,
    dropout=0.1,
)
T5_TINY = {
    **T5,
    "vocab_size": 64,
    "max_len": 64,
    "embed_dim": 32,
    "num_heads": 4,
    "hidden_dim": 64,
    "encoder_depth": 2,
    "decoder_depth": 2,
    "dropout": 0.0,
}
T5_PAPER = Paper(
    "C. Raffel et al.",
    2020,
    "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
    arxiv="1910.10683",
)

for name, title, canon, count in (
    ("t5_small", "T5-Small", T5, 60_506_624),
    (
        "t5_base",
        "T5-Base",
        {
            **T5,
            "embed_dim": 768,
            "num_heads": 12,
            "hidden_dim": 3072,
            "encoder_depth": 12,
            "decoder_depth": 12,
        },
        222_903_552,
    ),
):
    register(
        ArchSpec(
            name=name,
            title=title,
            family="transformer",
            year=2020,
            paper=T5_PAPER,
            summary="Every task as text to text: a pre-norm encoder-decoder with relative position buckets.",
            tasks=("text-to-text", "span corruption"),
            config=Seq2SeqConfig,
            build=EncoderDecoder,
            example_input=_seq2seq_input,
            presets={"tiny": T5_TINY, "canonical": canon},
            published_params=count,
            published_source=f"Hugging Face T5Model of {name.replace('_', '-')} (32,128-token vocabulary, "
            "embedding shared by encoder, decoder and the tied LM head)",
        )
    )

BART = dict(
    vocab_size=50_265,
    max_len=1024,
    pos_offset=2,
    embed_dim=768,
    num_heads=12,
    hidden_dim=3072,
    encoder_depth=6,
    decoder_depth=6,
    activation="gelu",
    norm_first=False,
    embed_norm=True,
    scale_embedding=False,
    positions="learned",
    dropout=0.1,
)
register(
    ArchSpec(
        name="bart_base",
        title="BART-Base",
        family="transformer",
        year=2019,
        paper=Paper(
            "M. Lewis et al.",
            2019,
            "BART: Denoising Sequence-to-Sequence Pre-training for Natural "
            "Language Generation, Translation, and Comprehension",
            arxiv="1910.13461",
        ),
        summary="A bidirectional encoder and an autoregressive decoder trained to repair corrupted text.",
        tasks=("denoising", "summarisation", "text-to-text"),
        config=Seq2SeqConfig,
        build=EncoderDecoder,
        example_input=_seq2seq_input,
        presets={
            "tiny": {
                **BART,
                "vocab_size": 64,
                "max_len": 64,
                "embed_dim": 32,
                "num_heads": 4,
                "hidden_dim": 64,
                "encoder_depth": 2,
                "decoder_depth": 2,
                "dropout": 0.0,
            },
            "canonical": BART,
        },
        published_params=139_420_416,
        published_source="Hugging Face BartModel of facebook/bart-base (vocab 50,265, "
        "1,026 learned positions "
        "per stack, LM head tied)",
    )
)

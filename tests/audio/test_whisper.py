"""Whisper tiny and base: the released sizes counted as Hugging Face counts them, the conv stem's halving
of frames, and equality with HF's WhisperForConditionalGeneration (same weights -> same logits and the same
cross-attention maps)."""

from __future__ import annotations

import re

import pytest
import torch

import archs
from archs.audio.whisper import whisper_sinusoids
from archs.spec import ConfigError

torch.set_num_threads(1)


@pytest.mark.parametrize("name,count", [("whisper_tiny", 37_760_640), ("whisper_base", 72_593_920)])
def test_canonical_counts_are_the_released_sizes(name, count):
    model = archs.build_model(name, "canonical", device="meta")
    assert archs.count_params(model) == count == archs.get_arch(name).published_params
    assert model.embed.token.weight.shape == (51865, model.cfg.embed_dim)
    assert model.audio_pos.weight.shape[0] == 1500 and not model.audio_pos.weight.requires_grad


def test_stem_halves_the_frames_and_cross_attention_rows_sum_to_one():
    model = archs.build_model("whisper_tiny", "tiny").eval()
    mel, tokens = torch.randn(2, 80, 101), torch.randint(0, 32, (2, 5))
    with torch.no_grad():
        logits, att = model(mel, tokens, return_attention=True)
    assert logits.shape == (2, 5, 32)
    cross = att["cross"][-1]
    assert cross.shape == (2, 4, 5, 51)  # 101 frames -> 51 audio positions
    torch.testing.assert_close(cross.sum(-1), torch.ones(2, 4, 5))


def test_bad_inputs_and_configs_say_why():
    model = archs.build_model("whisper_tiny", "tiny")
    with pytest.raises(ValueError, match="frames ≤ 200"):
        model(torch.randn(1, 80, 201), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ConfigError, match="divisible"):
        archs.build_model("whisper_tiny", "tiny", num_heads=3)


KEY_MAP = [
    (r"^model\.encoder\.conv(\d)\.", r"stem.conv\1."),
    (r"^model\.encoder\.embed_positions\.", "audio_pos."),
    (r"^model\.decoder\.embed_tokens\.", "embed.token."),
    (r"^model\.decoder\.embed_positions\.", "embed.pos."),
    (r"^model\.(encoder|decoder)\.layers\.", r"\1.blocks."),
    (r"^model\.(encoder|decoder)\.layer_norm\.", r"\1.norm."),
    (r"\.self_attn_layer_norm\.", ".norm1."),
    (r"\.encoder_attn_layer_norm\.", ".norm_c."),
    (r"\.self_attn\.", ".attn."),
    (r"\.encoder_attn\.", ".cross."),
    (r"\.([qkv])_proj\.", r".\1."),
    (r"\.out_proj\.", ".o."),
    (r"\.final_layer_norm\.", ".norm2."),
    (r"\.fc(\d)\.", r".ffn.fc\1."),
]


def _ours(key: str) -> str:
    for pat, rep in KEY_MAP:
        key = re.sub(pat, rep, key)
    return key


def test_sinusoids_are_whispers():
    mw = pytest.importorskip("transformers.models.whisper.modeling_whisper")
    torch.testing.assert_close(whisper_sinusoids(1500, 384), mw.sinusoids(1500, 384))


def test_same_weights_give_hugging_faces_logits_and_cross_attention():
    tf = pytest.importorskip("transformers")
    torch.manual_seed(0)
    hf_cfg = tf.WhisperConfig(
        vocab_size=50,
        num_mel_bins=8,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_source_positions=10,
        max_target_positions=16,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=1,
        decoder_start_token_id=2,
        attn_implementation="eager",
    )
    hf = tf.WhisperForConditionalGeneration(hf_cfg).eval()
    with torch.no_grad():  # spread the norms' and biases' values away from 1 and 0
        for name, p in hf.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(torch.randn_like(p) * 0.1)
    ours = archs.build_model(
        "whisper_tiny",
        "tiny",
        n_mels=8,
        n_frames=20,
        vocab_size=50,
        max_len=16,
        embed_dim=32,
        num_heads=4,
        hidden_dim=64,
    ).eval()
    state = {_ours(k): v for k, v in hf.state_dict().items() if not k.startswith("proj_out")}
    ours.load_state_dict(state, strict=True)
    mel, tokens = torch.randn(2, 8, 20), torch.randint(0, 50, (2, 7))
    with torch.no_grad():
        want = hf(input_features=mel, decoder_input_ids=tokens, output_attentions=True)
        logits, att = ours(mel, tokens, return_attention=True)
    torch.testing.assert_close(logits, want.logits, rtol=1e-4, atol=1e-5)
    for a, b in zip(att["cross"], want.cross_attentions, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)

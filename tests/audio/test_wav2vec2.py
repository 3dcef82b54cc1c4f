"""Wav2Vec 2.0 base: the canonical count, the 400-sample field and 320-sample hop, and equality with Hugging
Face's Wav2Vec2ForPreTraining (same weights -> same context vectors, same quantised latents, same
contrastive loss for the same mask and distractors)."""

from __future__ import annotations

import re

import pytest
import torch

import archs
from archs.audio.wav2vec2 import num_frames, receptive_field, sample_negatives, span_mask
from archs.spec import ConfigError

torch.set_num_threads(1)


def test_canonical_count_is_hugging_faces_wav2vec2_base_pretraining_model():
    model = archs.build_model("wav2vec2_base", "canonical", device="meta")
    assert archs.count_params(model) == 95_044_608 == archs.get_arch("wav2vec2_base").published_params


def test_a_frame_sees_400_samples_and_frames_are_320_apart():
    assert receptive_field((10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)) == (400, 320)  # 25 ms, 20 ms
    assert num_frames(16000, (10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)) == 49  # 1 s -> 49 frames
    model = archs.build_model("wav2vec2_base", "tiny").eval()
    with torch.no_grad():
        assert model(torch.randn(1, 400 + 320 * 9))[0].shape[1] == 10
        assert model(torch.randn(1, 400 + 320 * 9 - 1))[0].shape[1] == 9  # one sample short of a frame


def test_bad_configs_and_inputs_say_why():
    with pytest.raises(ConfigError, match="one stride per kernel"):
        archs.build_model("wav2vec2_base", "tiny", conv_strides=(5, 2))
    with pytest.raises(ConfigError, match="divisible"):
        archs.build_model("wav2vec2_base", "tiny", pos_conv_groups=5)
    with pytest.raises(ValueError, match="at least 400 samples"):
        archs.build_model("wav2vec2_base", "tiny")(torch.randn(1, 399))


def test_span_masks_and_distractors():
    gen = torch.Generator().manual_seed(0)
    mask = span_mask(3, 49, 0.065, 10, gen)
    assert mask.shape == (3, 49) and (mask.sum(1) >= 10).all()  # at least two spans of 10 (may overlap)
    neg = sample_negatives(mask, 100, gen)
    assert neg.shape == (int(mask.sum()), 100)
    rows = mask.reshape(-1).nonzero().squeeze(1)
    assert mask.reshape(-1)[neg].all()  # distractors are masked frames
    assert (neg // 49 == rows[:, None] // 49).all() and (neg != rows[:, None]).all()  # same clip, not itself


def test_pretraining_loss_trains_the_contrastive_task():
    torch.manual_seed(0)
    model = archs.build_model("wav2vec2_base", "tiny")
    wave = torch.randn(2, 400 + 320 * 39) * 0.1
    out = model.pretraining_loss(wave, mask_seed=1)
    assert out["mask"].shape == (2, 40) and out["logits"].shape == (int(out["mask"].sum()), 11)
    assert 0 <= out["diversity"].item() <= 1
    out["loss"].backward()
    assert model.quantizer.codevectors.grad is not None and model.mask_embed.grad is not None


# HF Wav2Vec2ForPreTraining's names -> ours (its layout, our blocks)
KEY_MAP = [
    (r"^wav2vec2\.masked_spec_embed", "mask_embed"),
    (r"^wav2vec2\.feature_extractor\.conv_layers\.(\d+)\.conv\.", r"feature_encoder.layers.\1.0."),
    (r"^wav2vec2\.feature_extractor\.conv_layers\.(\d+)\.layer_norm\.", r"feature_encoder.layers.\1.1."),
    (r"^wav2vec2\.feature_projection\.layer_norm\.", "feature_projection.norm."),
    (r"^wav2vec2\.feature_projection\.projection\.", "feature_projection.proj."),
    (r"^wav2vec2\.encoder\.pos_conv_embed\.", "pos_conv."),
    (r"^wav2vec2\.encoder\.layer_norm\.", "norm."),
    (r"^wav2vec2\.encoder\.layers\.", "encoder.blocks."),
    (r"\.attention\.([qkv])_proj\.", r".attn.\1."),
    (r"\.attention\.out_proj\.", ".attn.o."),
    (r"\.layer_norm\.", ".norm1."),
    (r"\.final_layer_norm\.", ".norm2."),
    (r"\.feed_forward\.intermediate_dense\.", ".ffn.fc1."),
    (r"\.feed_forward\.output_dense\.", ".ffn.fc2."),
]


def _ours(key: str) -> str:
    for pat, rep in KEY_MAP:
        key = re.sub(pat, rep, key)
    return key


@pytest.fixture(scope="module")
def pair():
    tf = pytest.importorskip("transformers")
    torch.manual_seed(0)
    hf_cfg = tf.Wav2Vec2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        num_codevectors_per_group=8,
        codevector_dim=24,
        proj_codevector_dim=20,
        num_negatives=5,
    )
    hf = tf.Wav2Vec2ForPreTraining(hf_cfg).eval()
    with torch.no_grad():  # spread the norms' and biases' values away from 1 and 0
        for name, p in hf.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(torch.randn_like(p) * 0.1)
    ours = archs.build_model(
        "wav2vec2_base",
        "tiny",
        conv_dim=16,
        embed_dim=32,
        depth=2,
        num_heads=4,
        hidden_dim=64,
        pos_conv_kernel=16,
        pos_conv_groups=4,
        codebook_size=8,
        codevector_dim=24,
        proj_dim=20,
        num_negatives=5,
    ).eval()
    ours.load_state_dict({_ours(k): v for k, v in hf.state_dict().items()}, strict=True)
    return hf, ours


def test_same_weights_give_hugging_faces_context_vectors_and_latents(pair):
    hf, ours = pair
    wave = torch.randn(2, 400 + 320 * 19) * 0.3
    with torch.no_grad():
        out = hf.wav2vec2(wave)
        torch.testing.assert_close(ours(wave)[0], out.last_hidden_state, rtol=1e-4, atol=1e-5)
        q, _ = hf.quantizer(out.extract_features)
        x, normed = ours.feature_projection(ours.feature_encoder(wave))
        torch.testing.assert_close(normed, out.extract_features, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(ours.quantizer(normed)[0], q, rtol=1e-4, atol=1e-5)


def test_same_mask_and_distractors_give_hugging_faces_contrastive_loss(pair):
    hf, ours = pair
    wave = torch.randn(2, 400 + 320 * 29) * 0.3
    T = 30
    mask = span_mask(2, T, 0.1, 4, torch.Generator().manual_seed(3))
    neg = sample_negatives(mask, 5, torch.Generator().manual_seed(7))  # what ours draws with mask_seed=7
    hf_neg = torch.zeros(2, T, 5, dtype=torch.long)
    hf_neg[mask] = neg
    with torch.no_grad():
        got = ours.pretraining_loss(wave, mask_seed=7, mask=mask)
        want = hf(wave, mask_time_indices=mask, sampled_negative_indices=hf_neg)
    n = int(mask.sum())
    torch.testing.assert_close(got["contrastive"] * n, want.contrastive_loss, rtol=1e-4, atol=1e-4)

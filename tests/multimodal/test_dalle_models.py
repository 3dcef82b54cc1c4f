"""dalle_toy: the published DALL-E transformer counted on meta, the stream's causality, sampling token by
token, the caption vocabulary's sentences, and the VQ-VAE sharing its quantiser with the Autoencoders page."""

import numpy as np
import pytest
import torch

import archs
from archs.blocks.quantize import VectorQuantizer
from archs.spec import ConfigError
from training.multimodal.dalle_trainer import VOCAB, text_to_image


def test_canonical_is_the_published_12b_transformer():
    m = archs.build_model("dalle_toy", "canonical", device="meta")
    cfg = m.cfg
    assert (cfg.depth, cfg.embed_dim, cfg.num_heads, cfg.embed_dim // cfg.num_heads) == (64, 3968, 62, 64)
    assert (cfg.text_len, cfg.text_vocab, cfg.grid**2, cfg.num_embeddings) == (256, 16_384, 1024, 8192)
    assert m.tokenizer is None  # the paper's 12B counts the transformer; its dVAE is a separate model
    total = sum(p.numel() for p in m.parameters())
    assert total == archs.get_arch("dalle_toy").published_params == 12_293_849_088
    assert round(total / 1e9) == 12  # "12B" as published
    blocks = sum(p.numel() for p in m.transformer.parameters())
    d = 3968
    assert blocks == 64 * (12 * d * d + 13 * d) + 2 * d  # attention 4d²+4d, 4× MLP 8d²+5d, two norms 4d


def test_image_tokens_never_see_the_future():
    torch.manual_seed(0)
    m = archs.build_model("dalle_toy", "tiny").eval()
    text = torch.from_numpy(VOCAB.encode("a red circle at the top left"))[None]
    image = torch.randint(0, m.cfg.num_embeddings, (1, m.num_image_tokens))
    a = m.logits(text, image)
    image2 = image.clone()
    image2[0, 40:] = (image2[0, 40:] + 1) % m.cfg.num_embeddings
    b = m.logits(text, image2)
    Lt = text.shape[1]
    torch.testing.assert_close(a[:, : Lt + 40], b[:, : Lt + 40])
    assert not torch.allclose(a[:, Lt + 40 :], b[:, Lt + 40 :])
    # the caption matters: another caption changes the first image token's logits
    c = m.logits(torch.from_numpy(VOCAB.encode("a blue ring at the bottom"))[None], image)
    assert not torch.allclose(a[:, Lt - 1], c[:, Lt - 1])


def test_forward_tokenizes_pixels_and_sampling_fills_the_grid_in_raster_order():
    torch.manual_seed(0)
    spec = archs.get_arch("dalle_toy")
    cfg = spec.make_config("tiny")
    m = archs.build_model("dalle_toy", "tiny")
    text, pixels = spec.example_input(cfg)
    out, recon = m(text, pixels)
    assert recon.shape == pixels.shape
    V = cfg.text_vocab + cfg.text_len + cfg.num_embeddings
    assert out.shape == (1, cfg.text_len + cfg.grid**2, V)
    res = text_to_image(m, ["a red circle in the center", "a blue cross at the left"], top_k=4, fill_frames=4)
    assert res["images"].shape == (2, 3, cfg.image_size, cfg.image_size)
    assert res["tokens"].shape == (2, cfg.grid, cfg.grid)
    frames = res["fill_tokens"]  # (S, B, h, w), -1 where not drawn yet
    assert [int((f[0] >= 0).sum()) for f in frames] == res["fill_counts"] == [16, 32, 48, 64]
    np.testing.assert_array_equal(frames[-1], res["tokens"])
    again = text_to_image(m, ["a red circle in the center", "a blue cross at the left"], top_k=4)
    np.testing.assert_array_equal(again["tokens"], res["tokens"])  # a seed gives the same drawing


@pytest.mark.parametrize(
    "caption, words",
    [("", "empty"), ("   ", "empty"), ("a red dragon", "Unknown word 'dragon'"), ("a " * 9, "at most 8")],
)
def test_bad_captions_get_a_sentence(caption, words):
    with pytest.raises(ConfigError, match=words):
        VOCAB.encode(caption)


def test_padding_has_one_token_per_position():
    ids = VOCAB.encode("a red circle in the center")  # 6 words, 8 positions
    assert list(ids[6:]) == [len(VOCAB) + 6, len(VOCAB) + 7]


def test_config_rules_are_sentences():
    with pytest.raises(ConfigError, match="multiple of 4"):
        archs.get_arch("dalle_toy").make_config("tiny", image_size=30)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        archs.get_arch("dalle_toy").make_config("tiny", embed_dim=66)


def test_vqvae_and_dalle_share_one_quantiser():
    vq = archs.build_model("vq_vae", "tiny")
    d = archs.build_model("dalle_toy", "tiny")
    assert type(vq.quantizer) is VectorQuantizer is type(d.tokenizer.quantizer)
    assert {
        "quantizer.embedding",
        "quantizer.cluster_size",
        "quantizer.embed_sum",
        "encoder.0.weight",
    } <= set(vq.state_dict())

"""RWKV-4: the canonical count, the parallel and the recurrent WKV agree, decays lie in (0, 1), and the model
equals Hugging Face's RwkvForCausalLM with the same weights."""

from __future__ import annotations

import pytest
import torch

import archs

torch.set_num_threads(1)


def _scramble_time_parameters(model):
    """Spread decays, bonuses and mixes well beyond their initial values, so the tests see every regime."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "time_" in name:
                p.copy_(torch.randn_like(p) * 2 if "mix" not in name else torch.rand_like(p))


def test_canonical_count_matches_rwkv_4_169m():
    assert archs.count_params(archs.build_model("rwkv", "canonical", device="meta")) == 169_342_464


def test_parallel_equals_recurrent():
    torch.manual_seed(0)
    model = archs.build_model("rwkv", "tiny").double()
    _scramble_time_parameters(model)
    tokens = torch.randint(0, model.cfg.vocab_size, (3, 25))
    torch.testing.assert_close(model(tokens, mode="parallel"), model(tokens, mode="recurrent"))


def test_decays_are_per_channel_factors_between_zero_and_one():
    model = archs.build_model("rwkv", "tiny", num_layers=3)
    d = model.decays()
    assert d.shape == (3, model.cfg.embed_dim)
    assert ((d > 0) & (d < 1)).all() and d.max() - d.min() > 0.5  # fast and slow channels


def test_rwkv_equals_hugging_face_with_the_same_weights():
    tf = pytest.importorskip("transformers")
    torch.manual_seed(0)
    hf = tf.RwkvForCausalLM(
        tf.RwkvConfig(
            vocab_size=20,
            hidden_size=32,
            attention_hidden_size=32,
            intermediate_size=128,
            num_hidden_layers=2,
            rescale_every=0,
        )
    ).eval()
    _scramble_time_parameters(hf)
    ours = archs.build_model("rwkv", "tiny", vocab_size=20).eval()
    ours.load_state_dict({k.removeprefix("rwkv."): v for k, v in hf.state_dict().items()}, strict=True)
    tokens = torch.randint(0, 20, (2, 14))
    with torch.no_grad():
        torch.testing.assert_close(ours(tokens), hf(tokens).logits, rtol=1e-4, atol=1e-5)

"""The MoE models: counts of the published sizes, routing bookkeeping, bad settings, and equality with
Hugging Face's reference implementations given the same weights."""

from __future__ import annotations

import pytest
import torch

import archs
from archs.beyond.moe import active_params
from archs.beyond.moe_layers import MoELayer
from archs.spec import ConfigError

torch.set_num_threads(1)


def test_canonical_counts_and_active_parameters():
    assert active_params("mixtral") == (46_702_792_704, 12_879_925_248)
    # Switch-Base-8: T5-Base (222,903,552) + 12 routers (768 × 8) act on each token
    assert active_params("switch_transformer") == (619_339_008, 222_903_552 + 12 * 768 * 8)


def test_routing_record_shapes_and_the_balancing_loss():
    torch.manual_seed(0)
    layer = MoELayer(16, 32, num_experts=4, top_k=2, capacity_factor=None, expert="swiglu")
    y = layer(torch.randn(3, 5, 16))
    r = layer.last_routing
    assert y.shape == (3, 5, 16)
    assert r["probs"].shape == (15, 4) and r["topk"].shape == (15, 2) and r["weights"].shape == (15, 2)
    assert r["dropped"].shape == (15,) and not r["dropped"].any()
    torch.testing.assert_close(r["weights"].sum(-1), torch.ones(15))  # Mixtral renormalises its two
    torch.testing.assert_close(r["load"].sum(), torch.tensor(1.0))
    assert all(not v.requires_grad for v in r.values())
    # aux = E · Σ f_i P_i: 1 for a perfectly even router, E when one expert takes everything
    assert float(r["aux"]) >= 0.99
    with torch.no_grad():
        layer.router.weight.zero_()
        layer.router.weight[0] = 5.0
    layer(torch.ones(2, 4, 16))
    assert float(layer.last_routing["load"][0]) == 0.5 and float(layer.last_routing["aux"]) > 1.9


def test_capacity_drops_what_an_expert_cannot_take():
    torch.manual_seed(0)
    layer = MoELayer(8, 16, num_experts=4, top_k=1, capacity_factor=1.0, expert="relu")
    with torch.no_grad():
        layer.router.weight.zero_()
        layer.router.weight[2, 0] = 10.0  # every token with x_0 > 0 goes to expert 2
    x = torch.zeros(1, 8, 8)
    x[..., 0] = 1.0
    y = layer(x)
    dropped = layer.last_routing["dropped"]
    assert int((~dropped).sum()) == 2  # capacity ceil(1.0 · 8 · 1 / 4) = 2; the first two tokens kept
    assert not dropped[:2].any() and dropped[2:].all()
    assert torch.all(y[0, 2:] == 0)  # a dropped token gets nothing from the layer (the residual carries it)


@pytest.mark.parametrize(
    "name, over, words",
    [
        ("mixtral", dict(top_k=5, num_experts=4), "cannot be larger than num_experts"),
        ("switch_transformer", dict(top_k=3, num_experts=2), "cannot be larger than num_experts"),
        ("mixtral", dict(num_heads=4, num_kv_heads=3), "multiple of num_kv_heads"),
        ("mixtral", dict(num_experts=0), "at least"),
    ],
)
def test_bad_settings_say_what_to_change(name, over, words):
    with pytest.raises(ConfigError, match=words):
        archs.build_model(name, "tiny", **over)


# ------------------------------------------------------------------------ Hugging Face references


def test_tiny_mixtral_equals_hugging_face_with_the_same_weights():
    tr = pytest.importorskip("transformers")
    torch.manual_seed(0)
    model = archs.build_model("mixtral", "tiny").eval()
    cfg = model.cfg
    hf_cfg = tr.MixtralConfig(
        vocab_size=cfg.vocab_size, hidden_size=cfg.embed_dim, intermediate_size=cfg.hidden_dim,
        num_hidden_layers=cfg.depth, num_attention_heads=cfg.num_heads, num_key_value_heads=cfg.num_kv_heads,
        num_local_experts=cfg.num_experts, num_experts_per_tok=cfg.top_k, rms_norm_eps=cfg.eps,
        rope_theta=cfg.rope_theta, max_position_embeddings=cfg.max_len, tie_word_embeddings=False,
        attn_implementation="eager",
    )  # fmt: skip
    ref = tr.MixtralForCausalLM(hf_cfg).eval()
    F = cfg.hidden_dim
    state = {"model.embed_tokens.weight": model.embed_tokens.weight, "model.norm.weight": model.norm.weight,
             "lm_head.weight": model.lm_head.weight}  # fmt: skip
    for i, blk in enumerate(model.layers):
        p = f"model.layers.{i}."
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            state[p + f"self_attn.{n}.weight"] = getattr(blk.self_attn, n).weight
        state[p + "input_layernorm.weight"] = blk.input_layernorm.weight
        state[p + "post_attention_layernorm.weight"] = blk.post_attention_layernorm.weight
        state[p + "mlp.gate.weight"] = blk.moe.router.weight
        ex = blk.moe.experts
        state[p + "mlp.experts.gate_up_proj"] = torch.cat([ex.w1, ex.w3], 1)  # (E, 2F, D)
        state[p + "mlp.experts.down_proj"] = ex.w2
        assert ex.w1.shape[1] == F
    missing, unexpected = ref.load_state_dict({k: v.detach() for k, v in state.items()}, strict=False)
    assert not unexpected and not [k for k in missing if "rotary" not in k]
    ids = torch.randint(0, cfg.vocab_size, (2, 12))
    with torch.no_grad():
        torch.testing.assert_close(model(ids), ref(ids).logits, rtol=1e-4, atol=1e-5)


def _switch_state(model) -> dict[str, torch.Tensor]:
    """Our Switch Transformer's weights under Hugging Face's names."""
    state = {"shared.weight": model.shared.weight}
    for side, stack in (("encoder", model.encoder), ("decoder", model.decoder)):
        bias = f"{side}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"
        state[bias] = stack.rel.embedding.weight
        state[f"{side}.final_layer_norm.weight"] = stack.norm.weight
        for i, blk in enumerate(stack.blocks):
            p = f"{side}.block.{i}.layer."
            for n in "qkvo":
                state[p + f"0.SelfAttention.{n}.weight"] = getattr(blk.attn, n).weight
            state[p + "0.layer_norm.weight"] = blk.norm1.weight
            ff = 1
            if side == "decoder":
                for n in "qkvo":
                    state[p + f"1.EncDecAttention.{n}.weight"] = getattr(blk.cross, n).weight
                state[p + "1.layer_norm.weight"] = blk.norm_c.weight
                ff = 2
            state[p + f"{ff}.layer_norm.weight"] = blk.norm2.weight
            if isinstance(blk.ffn, MoELayer):
                state[p + f"{ff}.mlp.router.classifier.weight"] = blk.ffn.router.weight
                for e in range(blk.ffn.num_experts):
                    state[p + f"{ff}.mlp.experts.expert_{e}.wi.weight"] = blk.ffn.experts.w1[e]
                    state[p + f"{ff}.mlp.experts.expert_{e}.wo.weight"] = blk.ffn.experts.w2[e]
            else:
                state[p + f"{ff}.mlp.wi.weight"] = blk.ffn.fc1.weight
                state[p + f"{ff}.mlp.wo.weight"] = blk.ffn.fc2.weight
    return {k: v.detach().clone() for k, v in state.items()}


def test_tiny_switch_transformer_equals_hugging_face_with_the_same_weights():
    tr = pytest.importorskip("transformers")
    torch.manual_seed(0)
    model = archs.build_model("switch_transformer", "tiny", capacity_factor=0.0, encoder_depth=4).eval()
    cfg = model.cfg
    hf_cfg = tr.SwitchTransformersConfig(
        vocab_size=cfg.vocab_size, d_model=cfg.embed_dim, d_kv=cfg.embed_dim // cfg.num_heads,
        d_ff=cfg.hidden_dim, num_layers=cfg.encoder_depth, num_decoder_layers=cfg.decoder_depth,
        num_heads=cfg.num_heads, num_experts=cfg.num_experts, expert_capacity=10_000,
        num_sparse_encoder_layers=cfg.encoder_depth // 2, num_sparse_decoder_layers=cfg.decoder_depth // 2,
        router_jitter_noise=0.0, dropout_rate=0.0, layer_norm_epsilon=cfg.eps, tie_word_embeddings=True,
        attn_implementation="eager",
    )  # fmt: skip
    ref = tr.SwitchTransformersForConditionalGeneration(hf_cfg).eval()
    missing, unexpected = ref.load_state_dict(_switch_state(model), strict=False)
    assert not unexpected and all("embed_tokens" in k or "lm_head" in k for k in missing)
    ref.tie_weights()
    src = torch.randint(0, cfg.vocab_size, (2, 10))
    tgt = torch.randint(0, cfg.vocab_size, (2, 7))
    with torch.no_grad():
        want = ref(input_ids=src, decoder_input_ids=tgt).logits
        torch.testing.assert_close(model(src, tgt), want, rtol=1e-4, atol=1e-5)

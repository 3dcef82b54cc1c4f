"""Transformer family: attention is a distribution over keys and respects masks; positions, configs,
data, sampling and the explainer behave as documented; canonical sizes are exact on meta."""

import math

import numpy as np
import pytest
import torch

import archs
from archs import ConfigError
from archs.blocks.attention import Attention
from archs.blocks.positions import RelativeBias, apply_rotary, rotary_angles
from archs.transformer.explain import explain, saturation, words
from data.text import MASK, char_text, corpus, vocab
from data.text2text import solve, text2text
from training.sampling import generate, next_token_probs
from training.transformer.tasks import exact_match, mask_tokens

TEXT_ARCHS = [s.name for s in archs.list_archs("transformer") if not s.name.startswith("vit")]


def _attn(name, T=10):
    torch.manual_seed(0)
    spec = archs.get_arch(name)
    cfg = spec.make_config("tiny")
    model = archs.build_model(name).eval()
    x = spec.example_input(cfg)
    x = x if isinstance(x, tuple) else (x,)
    with torch.no_grad():
        out, att = model(*x, return_attention=True)
        plain = model(*x)
    return out, att, plain


@pytest.mark.parametrize("name", [s.name for s in archs.list_archs("transformer")])
def test_attention_rows_sum_to_one_and_explicit_path_matches_fused(name):
    out, att, plain = _attn(name)
    assert att and all(len(v) > 0 for v in att.values())
    for layers in att.values():
        for a in layers:
            assert a.dim() == 4 and torch.all(a >= 0)
            torch.testing.assert_close(a.sum(-1), torch.ones_like(a.sum(-1)), atol=1e-5, rtol=0)
    o = out[0] if isinstance(out, tuple) else out
    p = plain[0] if isinstance(plain, tuple) else plain
    torch.testing.assert_close(o, p, atol=1e-4, rtol=1e-4)  # the viewer's path computes the same model


@pytest.mark.parametrize("name", ["gpt", "gpt2_small", "gpt3", "transformer", "t5_small", "bart_base"])
def test_causal_attention_never_looks_ahead(name):
    _, att, _ = _attn(name)
    stack = "self" if "self" in att else "decoder"
    for a in att[stack]:
        T = a.shape[-1]
        upper = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        assert torch.all(a[..., upper] == 0)


def test_causal_output_does_not_depend_on_the_future():
    torch.manual_seed(0)
    m = archs.build_model("gpt2_small", positions="rotary").eval()
    x = torch.randint(0, 64, (1, 12))
    y = x.clone()
    y[0, 8:] = (y[0, 8:] + 7) % 64
    with torch.no_grad():
        torch.testing.assert_close(m(x)[:, :8], m(y)[:, :8])


def test_encoders_look_both_ways():
    _, att, _ = _attn("bert_base")
    a = att["self"][0]
    T = a.shape[-1]
    assert a[..., torch.triu(torch.ones(T, T, dtype=torch.bool), 1)].sum() > 0


def test_padding_mask_hides_pad_keys():
    attn = Attention(16, 4).eval()
    x = torch.randn(2, 5, 16)
    keep = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)[:, None, None, :]
    y, a = attn(x, mask=keep, need_weights=True)
    assert torch.all(a[0, ..., 3:] == 0)
    y2, _ = attn(x, mask=keep)
    torch.testing.assert_close(y, y2, atol=1e-5, rtol=1e-5)


def test_rotary_scores_depend_only_on_relative_position():
    ang = rotary_angles(32, 8)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)

    def score(i, j):
        return (apply_rotary(q, ang[i : i + 1]) * apply_rotary(k, ang[j : j + 1])).sum()

    torch.testing.assert_close(score(3, 1), score(20, 18), atol=1e-4, rtol=1e-4)
    assert not torch.allclose(score(3, 1), score(3, 2))


def test_relative_buckets_are_exact_near_and_logarithmic_far():
    rb = RelativeBias(2, bidirectional=True)
    b = rb.bucket(torch.tensor([-3, -1, 0, 1, 3, 100, 1000]))
    assert b[2] == 0 and len(set(b[:5].tolist())) == 5 and b[5] <= 31 and b[6] == 31


@pytest.mark.parametrize("positions", ["learned", "sinusoidal", "rotary", "relative"])
def test_every_position_scheme_trains_forward_backward(positions):
    m = archs.build_model("gpt2_small", positions=positions)
    m(torch.randint(0, 64, (2, 9))).logsumexp(-1).mean().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_bad_hyperparameters_are_sentences():
    with pytest.raises(ConfigError, match=r"embed_dim \(100\) must be divisible by num_heads \(3\)"):
        archs.build_model("gpt2_small", embed_dim=100, num_heads=3)
    with pytest.raises(ConfigError, match="must be even"):
        archs.build_model("gpt2_small", embed_dim=36, num_heads=12, positions="rotary")
    with pytest.raises(ConfigError, match="multiple of patch_size"):
        archs.build_model("vit_b_16", image_size=15, patch_size=4)
    m = archs.build_model("gpt2_small")
    with pytest.raises(ValueError, match="context is 64"):
        m(torch.zeros(1, 65, dtype=torch.long))


def test_canonical_sizes_and_gpt3_on_meta():
    expected = {
        "bert_base": 109_482_240,
        "gpt2_small": 124_439_808,
        "gpt2_medium": 354_823_168,
        "t5_small": 60_506_624,
        "vit_b_16": 86_567_656,
        "gpt3": 174_604_259_328,
    }
    for name, n in expected.items():
        assert archs.count_params(archs.build_model(name, "canonical", device="meta")) == n
    big = archs.build_model("transformer", "big", device="meta")
    assert archs.count_params(big) == 214_245_376  # the paper's "213M"
    tied = archs.build_model("gpt2_small", "canonical", device="meta")
    assert tied.embed.token.weight.data_ptr() is not None and "lm_head" not in dict(tied.named_modules())


def test_corpus_is_deterministic_ascii_and_vocab_refuses_unknown_characters():
    text = corpus()
    assert len(text) > 100_000 and set(text) <= set(vocab().chars)
    v = vocab()
    assert v.decode(v.encode("Return x.")) == "Return x."
    assert v.encode("a_b", mask_char="_")[1] == MASK
    with pytest.raises(ValueError, match="no character 'é'"):
        v.encode("café")
    d = char_text(context=32)
    np.testing.assert_array_equal(d.x_train[:, 1:], d.y_train[:, :-1])  # y is x shifted by one
    assert 2.5 < d.meta["unigram_ce"] < 4.5


def test_text2text_tasks_are_right():
    d = text2text(n_train=50, n_test=10)
    v = d.meta["vocab"]
    for x, y in zip(d.x_test, d.y_test, strict=True):
        assert solve(v.decode(x)) == v.decode(y)
    assert solve("add: 12+30") == "42" and solve("sort: cba") == "abc"
    with pytest.raises(ValueError, match="reverse"):
        solve("translate: abc")


def test_sampling_filters():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    assert torch.equal(next_token_probs(logits, 0.0), torch.tensor([1.0, 0, 0, 0]))
    p = next_token_probs(logits, 1.0, top_k=2)
    assert p[2:].sum() == 0 and math.isclose(p.sum().item(), 1.0, abs_tol=1e-6)
    p = next_token_probs(logits, 1.0, top_p=0.7)  # softmax: .64, .24, ... → keeps the first two
    assert (p > 0).sum() == 2
    hot, cold = next_token_probs(logits, 2.0), next_token_probs(logits, 0.5)
    assert hot.max() < logits.softmax(-1).max() < cold.max()
    with pytest.raises(ValueError, match="top-p"):
        next_token_probs(logits, 1.0, top_p=0)
    m = archs.build_model("gpt2_small").eval()
    out = generate(m, [5, 6], 10, context=64, temperature=0.8, top_k=5, seed=1)
    assert len(out) == 10 and out == generate(m, [5, 6], 10, context=64, temperature=0.8, top_k=5, seed=1)
    with pytest.raises(ValueError, match="empty"):
        generate(m, [], 3, context=64)


def test_masking_follows_bert_and_exact_match():
    x = torch.randint(4, 100, (64, 64))
    inp, chosen = mask_tokens(x, 100, 0.15, torch.Generator().manual_seed(0))
    assert 0.12 < chosen.float().mean() < 0.18
    assert 0.7 < (inp[chosen] == MASK).float().mean() < 0.9 and torch.equal(inp[~chosen], x[~chosen])
    assert exact_match(torch.tensor([[2, 5, 3]]), torch.tensor([[2, 5, 3, 0]])).item()


def test_explainer_math():
    toks = words("the cat sat on the mat")
    e = explain(toks, 8, 2, causal=True)
    np.testing.assert_allclose(e["weights"].sum(-1), 1.0, atol=1e-9)
    assert np.all(e["weights"][np.triu_indices(6, 1)] == 0)
    np.testing.assert_allclose(e["concat"] @ e["W_O"], e["Y"])
    np.testing.assert_allclose(e["X"][0], e["X"][4] - (e["X"][4] - e["X"][0]))
    with pytest.raises(ValueError, match="empty"):
        words("   ")
    with pytest.raises(ValueError, match="at most 16"):
        words("a " * 17)
    with pytest.raises(ValueError, match="divisible"):
        explain(toks, 8, 3)
    dims, scaled, unscaled = saturation()
    assert unscaled[-1] > 0.9 and scaled[-1] < 0.6  # unscaled softmax saturates; scaled does not

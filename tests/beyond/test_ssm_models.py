"""S4 (S4D) and Mamba: canonical counts, the convolution and the recurrence of S4 agree, Mamba's scan and
token-by-token recurrence agree, and Mamba equals Hugging Face's MambaForCausalLM with the same weights."""

from __future__ import annotations

import pytest
import torch

import archs
from archs.spec import ConfigError

torch.set_num_threads(1)


def test_canonical_counts_match_the_published_models():
    assert archs.count_params(archs.build_model("s4", "canonical", device="meta")) == 201_482
    assert archs.count_params(archs.build_model("mamba", "canonical", device="meta")) == 129_135_360


@pytest.mark.parametrize("disc", ["zoh", "bilinear"])
@pytest.mark.parametrize("init", ["legs", "lin"])
def test_s4_convolution_equals_recurrence(disc, init):
    torch.manual_seed(0)
    model = archs.build_model("s4", "tiny", discretization=disc, init=init, dt_max=0.5).double()
    layer = model.layers[0].ssm
    u = torch.randn(3, 40, model.cfg.embed_dim, dtype=torch.float64)
    torch.testing.assert_close(layer(u, "conv"), layer(u, "recurrent"))
    assert layer.kernel(40).shape == (model.cfg.embed_dim, 40)
    tokens = torch.randint(0, model.cfg.vocab_size, (2, 30))
    torch.testing.assert_close(model(tokens), model(tokens, mode="recurrent"))


def test_s4_kernel_is_the_impulse_response():
    torch.manual_seed(1)
    layer = archs.build_model("s4", "tiny").layers[0].ssm.double()
    u = torch.zeros(1, 20, layer.h, dtype=torch.float64)
    u[:, 0] = 1.0
    y = layer(u, "recurrent") - u * layer.D  # without the skip D, the output is K̄ itself
    torch.testing.assert_close(y[0].T, layer.kernel(20))


def test_mamba_scan_equals_recurrence_and_records_its_selection():
    torch.manual_seed(0)
    model = archs.build_model("mamba", "tiny", vocab_size=12).double()
    tokens = torch.randint(0, 12, (2, 20))
    scan = model(tokens, mode="scan")
    inner = model.layers[0].last_internals
    assert inner["delta"].shape == (2, 20, model.cfg.inner) and (inner["delta"] > 0).all()
    assert inner["B"].shape == inner["C"].shape == (2, 20, model.cfg.state_dim)
    torch.testing.assert_close(scan, model(tokens, mode="recurrent"))


def test_mamba_equals_hugging_face_with_the_same_weights():
    tf = pytest.importorskip("transformers")
    torch.manual_seed(0)
    hf = tf.MambaForCausalLM(
        tf.MambaConfig(
            vocab_size=20,
            hidden_size=32,
            num_hidden_layers=2,
            state_size=8,
            expand=2,
            conv_kernel=4,
            tie_word_embeddings=True,
        )
    ).eval()
    ours = archs.build_model("mamba", "tiny", vocab_size=20, state_dim=8).eval()
    state = {
        k.replace("backbone.embeddings", "embedding").replace("backbone.", ""): v
        for k, v in hf.state_dict().items()
    }
    ours.load_state_dict(state, strict=True)
    tokens = torch.randint(0, 20, (2, 14))
    with torch.no_grad():
        torch.testing.assert_close(ours(tokens), hf(tokens).logits, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["s4", "mamba"])
def test_a_state_of_size_zero_is_refused_with_a_sentence(name):
    with pytest.raises(ConfigError, match="state size"):
        archs.build_model(name, "tiny", state_dim=0)

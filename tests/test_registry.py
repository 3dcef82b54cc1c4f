"""Every registered architecture builds, runs forward and backward, and matches its published size."""

import dataclasses

import pytest
import torch

import archs
from archs import ConfigError

SPECS = archs.list_archs()
CANONICAL = [s for s in SPECS if "canonical" in s.presets]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_tiny_builds_forward_backward(spec):
    torch.manual_seed(0)
    cfg = spec.make_config("tiny")
    model = archs.build_model(spec.name, "tiny")
    x = spec.example_input(cfg)
    out = model(*(x if isinstance(x, tuple) else (x,)))
    # every tensor output: an actor-critic's second output (the value) has parameters of its own
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, torch.Tensor)]
    assert all(torch.isfinite(o).all() for o in outs)
    sum(o.float().pow(2).mean() for o in outs).backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and all(g is not None and torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize("spec", CANONICAL, ids=lambda s: s.name)
def test_canonical_matches_published_parameter_count(spec):
    model = archs.build_model(spec.name, "canonical", device="meta")
    assert all(p.is_meta for p in model.parameters()), "meta builds must not allocate"
    assert archs.count_params(model) == spec.published_params, spec.published_source


def test_lenet_300_100_is_exactly_266610():
    assert archs.count_params(archs.build_model("mlp", "canonical", device="meta")) == 266_610


def test_every_spec_is_complete():
    for s in SPECS:
        assert s.name == s.name.lower() and " " not in s.name
        assert s.title and s.summary and s.tasks and s.paper.title and s.year > 1900
        assert s.family in archs.FAMILIES
        for f in s.fields:
            assert f.help, f"{s.name}.{f.name} needs help text for students"
        for preset in s.presets:
            s.make_config(preset)  # every preset is valid


def test_unknown_name_suggests_close_names():
    with pytest.raises(KeyError, match="mlp"):
        archs.get_arch("mpl")


def test_config_errors_are_sentences():
    with pytest.raises(ConfigError, match="hidden_dims"):
        archs.build_model("mlp", hidden_dims=(8, 0))
    with pytest.raises(ConfigError, match="at least one hidden layer"):
        archs.build_model("mlp", hidden_dims=())
    with pytest.raises(ConfigError, match="activation must be one of"):
        archs.build_model("mlp", activation="swishy")
    with pytest.raises(ConfigError, match="no hyperparameter"):
        archs.build_model("mlp", width=3)
    with pytest.raises(ConfigError, match="no preset"):
        archs.build_model("mlp", preset="huge")


def test_overrides_apply_and_configs_are_frozen():
    spec = archs.get_arch("mlp")
    cfg = spec.make_config("tiny", hidden_dims=[5, 7], residual=True)
    assert cfg.hidden_dims == (5, 7) and cfg.residual
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.residual = False
    m = archs.build_model("mlp", hidden_dims=(5, 7), residual=True)
    assert m.layers[1].skip.weight.shape == (7, 5)  # a projection where widths differ


def test_mlp_exposes_hidden_activations():
    m = archs.build_model("mlp", hidden_dims=(6, 4))
    out, hidden = m(torch.randn(3, 64), return_hidden=True)
    assert out.shape == (3, 10) and [h.shape for h in hidden] == [(3, 6), (3, 4)]

"""The shape rules that let config fuzzing skip the loops over time on the meta device (Mamba's selective
scan, the DNC's steps) must give the shapes the real forward gives."""

from __future__ import annotations

import pytest
import torch

import archs
from archs.beyond.mamba import SelectiveScan
from archs.meta_shapes import shape_only


@pytest.mark.parametrize("with_state", [False, True])
def test_selective_scan_shape_rule_matches_the_scan(with_state):
    B, L, Di, N = 2, 5, 3, 4
    g = torch.Generator().manual_seed(0)
    x, delta = torch.randn(B, L, Di, generator=g), torch.rand(B, L, Di, generator=g)
    a, d = -torch.rand(Di, N, generator=g), torch.randn(Di, generator=g)
    b, c = torch.randn(B, L, N, generator=g), torch.randn(B, L, N, generator=g)
    state = torch.zeros(B, Di, N) if with_state else None
    scan = SelectiveScan()
    real = scan(x, delta, a, b, c, d, state)
    rule = scan.shape_forward(*(t.to("meta") for t in (x, delta, a, b, c, d)),
                              None if state is None else state.to("meta"))
    real, rule = (real, rule) if with_state else ((real,), (rule,))
    assert [r.shape for r in rule] == [r.shape for r in real]


@pytest.mark.parametrize("arch", ["dnc", "mamba"])
def test_whole_model_shapes_on_meta_equal_the_real_run(arch):
    spec = archs.get_arch(arch)
    cfg = spec.make_config("tiny")
    x = spec.example_input(cfg)
    torch.manual_seed(0)
    real = archs.build_from_config(spec, cfg, "cpu")(x)
    model = archs.build_from_config(spec, cfg, "meta")
    with torch.no_grad(), shape_only(model, leaves_only=False):
        fast = model(x.to("meta"))
    assert fast.shape == real.shape and fast.device.type == "meta"

"""The memory networks (archs/beyond/ntm.py, dnc.py, memory_ops.py): canonical counts, each addressing step
against its formula on hand-made cases, shapes and traces, bad configs, and the copy-task data."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import archs
from archs import ConfigError
from archs.beyond import memory_ops as ops
from archs.beyond.dnc import _count
from archs.registry import count_params
from data.copy_task import copy_data, copy_sequences

torch.set_num_threads(1)


@pytest.mark.parametrize(("name", "count"), [("ntm", 62_860), ("dnc", 43_980)])
def test_canonical_counts_are_the_reference_layouts(name, count):
    model = archs.build_model(name, "canonical", device="meta")
    assert count_params(model) == count == archs.get_arch(name).published_params


def test_the_dnc_count_is_the_reference_layout_by_parts():
    cfg = archs.get_arch("dnc").make_config("canonical")
    assert cfg.interface_size == 4 * 16 + 4 + 16 + 1 + 2 * 16 + 4 + 1 + 1 + 3 * 4 == 135
    assert _count(cfg) == (6 + 64 + 64 + 1) * 256 + 65 * 135 + (64 + 64 + 1) * 5 == 43_980


def test_circular_shift_moves_the_focus_by_one_row_and_wraps():
    w = F.one_hot(torch.tensor([0, 4]), 5).float()  # (2, 5)
    s = torch.tensor([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])  # all mass on the shift +1
    assert torch.equal(ops.circular_shift(w, s).argmax(-1), torch.tensor([1, 0]))
    back = ops.circular_shift(w, torch.tensor([[1.0, 0.0, 0.0]] * 2))
    assert torch.equal(back.argmax(-1), torch.tensor([4, 3]))


def test_content_addressing_is_a_softmax_of_scaled_cosine_similarity():
    memory = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])  # (1, 3, 2)
    key = torch.tensor([[[2.0, 0.1]]])
    w = ops.ContentAddressing()(memory, key, torch.tensor([[50.0]]))
    assert w.shape == (1, 1, 3) and w[0, 0].argmax() == 0 and w[0, 0, 0] > 0.9
    cos = F.cosine_similarity(key[0], memory[0], dim=-1)
    torch.testing.assert_close(
        ops.ContentAddressing()(memory, key, torch.tensor([[3.0]]))[0, 0],
        torch.softmax(3 * cos, -1),
        rtol=1e-4,
        atol=1e-5,
    )


def test_ntm_addressing_with_gate_closed_walks_one_row_and_sharpens():
    n = 6
    memory = torch.randn(1, n, 4)
    prev = torch.tensor([[0.0, 0.1, 0.8, 0.1, 0.0, 0.0]])
    w = ops.NTMAddressing()(
        memory,
        torch.randn(1, 4),
        torch.tensor([1.0]),
        torch.tensor([0.0]),
        torch.tensor([[0.0, 0.0, 1.0]]),
        torch.tensor([5.0]),
        prev,
    )
    assert w.argmax() == 3 and w[0, 3] > 0.99 and torch.isclose(w.sum(), torch.tensor(1.0))


def test_erase_and_add_replace_the_addressed_row_only():
    memory = torch.ones(1, 3, 2)
    w = torch.tensor([[0.0, 1.0, 0.0]])
    out = ops.EraseAndAdd()(memory, w, torch.ones(1, 2), torch.tensor([[5.0, 7.0]]))
    assert torch.equal(out, torch.tensor([[[1.0, 1.0], [5.0, 7.0], [1.0, 1.0]]]))


def test_allocation_goes_to_the_least_used_row_by_the_papers_formula():
    u = torch.tensor([[0.9, 0.1, 0.5, 0.3]])
    a = ops.AllocationWeighting()(u)
    # sorted ascending: rows 1 (0.1), 3 (0.3), 2 (0.5), 0 (0.9); a[φ_j] = (1 − u[φ_j]) Π_{i<j} u[φ_i]
    want = torch.tensor([[0.1 * 0.3 * 0.5 * 0.1, 0.9, 0.1 * 0.3 * 0.5, 0.1 * 0.7]])
    torch.testing.assert_close(a, want, rtol=1e-4, atol=1e-5)


def test_usage_rises_where_written_and_falls_where_freed():
    usage = torch.tensor([[0.0, 1.0, 1.0]])
    write = torch.tensor([[1.0, 0.0, 0.0]])
    read = torch.tensor([[[0.0, 1.0, 0.0]]])  # (B, R, N): the head read row 1
    out = ops.UsageUpdate()(usage, write, torch.tensor([[1.0]]), read)
    torch.testing.assert_close(out, torch.tensor([[1.0, 0.0, 1.0]]))


def test_temporal_links_replay_the_order_of_writing():
    n = 4
    link, prec = torch.zeros(1, n, n), torch.zeros(1, n)
    for row in (2, 0, 3):  # write rows 2, then 0, then 3
        link, prec = ops.TemporalLinkUpdate()(link, prec, F.one_hot(torch.tensor([row]), n).float())
    assert (
        link[0, 0, 2] == 1
        and link[0, 3, 0] == 1
        and link.sum() == 2
        and torch.all(link.diagonal(0, 1, 2) == 0)
    )
    fwd, bwd = ops.LinkFollow()(link, F.one_hot(torch.tensor([[0]]), n).float())  # a head on row 0
    assert fwd[0, 0].argmax() == 3 and bwd[0, 0].argmax() == 2


@pytest.mark.parametrize("name", ["ntm", "dnc"])
def test_forward_and_trace_shapes(name):
    spec = archs.get_arch(name)
    cfg = spec.make_config("tiny", seq_len=7)
    model = archs.build_from_config(spec, cfg)
    y = model(spec.example_input(cfg))
    r = getattr(cfg, "read_heads", 1)
    assert y.shape == (2, 7, cfg.out_dim)
    tr = model.last_trace
    assert tr["read_w"].shape == (2, 7, r, cfg.memory_rows) and tr["write_w"].shape == (2, 7, cfg.memory_rows)
    assert tr["memory"].shape == (2, cfg.memory_rows, cfg.memory_width) and not tr["memory"].requires_grad
    assert torch.all(tr["write_w"].sum(-1) <= 1 + 1e-5)
    if name == "ntm":  # every NTM weighting is a distribution over rows
        torch.testing.assert_close(tr["read_w"].sum(-1), torch.ones(2, 7, 1))


@pytest.mark.parametrize(
    ("name", "bad", "words"),
    [
        ("ntm", dict(memory_rows=0), "memory_rows (0) must be at least 1"),
        ("dnc", dict(memory_rows=0), "memory_rows (0) must be at least 1"),
        ("ntm", dict(memory_rows=2, shift_range=1), "more than the 2 memory rows"),
        ("dnc", dict(read_heads=0), "read_heads (0) must be at least 1"),
    ],
)
def test_impossible_configs_say_what_to_change(name, bad, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        archs.build_model(name, "tiny", **bad)


def test_copy_sequences_frame_the_bits_and_mask_the_recall():
    s = copy_sequences(20, 2, 5, width=3, seed=1)
    assert s.inputs.shape == (20, 12, 5) and s.targets.shape == (20, 12, 3) and s.mask.shape == (20, 12)
    for x, y, m, L in zip(s.inputs, s.targets, s.mask, s.lengths, strict=True):
        assert x[0, 3] == 1 and x[L + 1, 4] == 1 and x[:, 3:].sum() == 2
        np.testing.assert_array_equal(y[L + 2 : 2 * L + 2], x[1 : L + 1, :3])
        assert m.sum() == L and m[L + 2 : 2 * L + 2].all() and not x[L + 2 :].any()
    assert set(s.lengths) <= {2, 3, 4, 5} and len(set(s.lengths)) > 1
    d = copy_data(width=3, max_len=4, num_train=16, num_test=8)
    assert d.x_train.shape == (16, 10, 5) and d.y_train.shape == (16, 10, 4) and d.kind == "copy"


def test_the_snapshot_holds_one_longer_sequence_with_its_weightings_and_is_small():
    from training import get_recipe

    t = get_recipe("ntm_copy").trainer(num_steps=2, eval_every=2, num_train=64)
    t.step(2)
    ev = t.last_eval()
    assert set(ev["bit_errors_by_length"]) == {1, 2, 4, 6, 8} and ev["bit_errors"] >= 0
    ex = t.snapshot()["example"]
    T = 2 * 8 + 2
    assert ex["length"] == 8 and ex["inputs"].shape == (T, 6) and ex["targets"].shape == (T, 4)
    assert ex["outputs"].shape == (T, 4) and 0 <= ex["outputs"].min() and ex["outputs"].max() <= 1
    assert ex["read_w"].shape == (T, 16) and ex["write_w"].shape == (T, 16)
    assert len(pickle.dumps(t.snapshot())) < 200_000
    lstm = get_recipe("lstm_copy").trainer(num_steps=1, num_train=64)
    lstm.step(1)
    assert lstm.snapshot()["example"]["read_w"] is None

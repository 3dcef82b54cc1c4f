"""Recurrent cells and layers match torch.nn numerically; the other sequence models and data behave."""

import numpy as np
import pytest
import torch
from torch import nn

import archs
from archs.blocks.recurrent import ElmanCell, GRUCell, LSTMCell, Recurrent
from archs.rnn.analysis import compare_gradient_flow, gradient_flow, internals
from data.sequences import (
    SRC_LEN,
    adding_problem,
    copy_memory,
    dates,
    decode_target,
    encode_source,
    render_date,
)
from viz.rnn import unrolled_graph

TORCH = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


@pytest.mark.parametrize("kind,nl", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)])
def test_single_cell_matches_torch_cell(kind, nl):
    torch.manual_seed(0)
    ref = {
        "rnn": nn.RNNCell(5, 7, nonlinearity=nl or "tanh"),
        "lstm": nn.LSTMCell(5, 7),
        "gru": nn.GRUCell(5, 7),
    }[kind]
    mine = {"rnn": lambda: ElmanCell(5, 7, nl), "lstm": lambda: LSTMCell(5, 7), "gru": lambda: GRUCell(5, 7)}[
        kind
    ]()
    with torch.no_grad():
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(mine, n).copy_(getattr(ref, n))
    x, h, c = torch.randn(3, 5), torch.randn(3, 7), torch.randn(3, 7)
    if kind == "lstm":
        h_ref, c_ref = ref(x, (h, c))
        h_new, c_new, gates = mine(x, h, c)
        torch.testing.assert_close(c_new, c_ref)
        assert set(gates) == {"input", "forget", "candidate", "output", "cell"}
    else:
        h_ref = ref(x, h)
        h_new, _, gates = mine(x, h)
    torch.testing.assert_close(h_new, h_ref)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers,bi", [(1, False), (2, True)])
def test_stacked_bidirectional_layer_matches_torch(kind, layers, bi):
    torch.manual_seed(1)
    ref = TORCH[kind](4, 6, num_layers=layers, bidirectional=bi, batch_first=True)
    mine = Recurrent(kind, 4, 6, layers, bi).load_torch(ref)
    x = torch.randn(2, 9, 4)
    h0 = torch.randn(layers * (2 if bi else 1), 2, 6)
    state = (h0, torch.randn_like(h0)) if kind == "lstm" else h0
    out_ref, fin_ref = ref(x, state)
    out, fin, rec = mine(x, state, record=True)
    torch.testing.assert_close(out, out_ref)
    if kind == "lstm":
        torch.testing.assert_close(fin[0], fin_ref[0])
        torch.testing.assert_close(fin[1], fin_ref[1])
    else:
        torch.testing.assert_close(fin, fin_ref)
    assert rec["h"].shape == (layers * (2 if bi else 1), 2, 9, 6)
    # gradients agree too: backpropagation through time is the same computation
    g = torch.randn_like(out)
    (out_ref * g).sum().backward()
    (out * g).sum().backward()
    torch.testing.assert_close(mine.cells[0].weight_hh.grad, ref.weight_hh_l0.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind,nl", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)])
@pytest.mark.parametrize("layers,bi,with_state", [(1, False, False), (2, True, True), (3, False, True)])
def test_training_uses_the_fused_kernels_with_the_loops_numbers(kind, nl, layers, bi, with_state):
    """In training mode with nothing recorded the layer runs torch's fused RNN kernels: outputs, final
    states and every gradient equal the hand-written loop's. Eval mode keeps the loop (one cell call per
    step, which the graph and the gate views rely on)."""
    torch.manual_seed(2)
    fused = Recurrent(kind, 4, 6, layers, bi, nonlinearity=nl or "tanh")
    loop = Recurrent(kind, 4, 6, layers, bi, nonlinearity=nl or "tanh")
    loop.load_state_dict(fused.state_dict())
    loop.fused = False
    x = torch.randn(3, 7, 4)
    state = None
    if with_state:
        h0 = torch.randn(layers * (2 if bi else 1), 3, 6)
        state = (h0, torch.randn_like(h0)) if kind == "lstm" else h0
    calls = []
    hook = fused.cells[0].register_forward_hook(lambda *a: calls.append(1))
    out_f, fin_f, _ = fused(x, state)
    assert calls == []  # no per-step cell calls: the fused kernel ran
    out_l, fin_l, _ = loop(x, state)
    torch.testing.assert_close(out_f, out_l, rtol=1e-5, atol=1e-6)
    pairs = zip(fin_f, fin_l, strict=True) if kind == "lstm" else [(fin_f, fin_l)]
    for a, b in pairs:
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    g = torch.randn_like(out_f)
    (out_f * g).sum().backward()
    (out_l * g).sum().backward()
    for (name, p), q in zip(fused.named_parameters(), loop.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-5, msg=name)
    fused.eval()
    fused(x, state)
    assert len(calls) == x.shape[1]  # eval: the loop, one call of the first cell per time step
    hook.remove()


def test_lstm_gates_are_recorded_and_in_range():
    m = archs.build_model("lstm", "tiny")
    rec = internals(m, torch.randint(0, 10, (2, 7)))
    for g in ("input", "forget", "output"):
        assert rec[g].shape == (1, 7, 16) and rec[g].min() >= 0 and rec[g].max() <= 1
    gru = internals(archs.build_model("gru", "tiny"), torch.randint(0, 10, (1, 5)))
    assert set(gru) == {"h", "reset", "update", "candidate"}


def test_bidirectional_last_readout_uses_both_ends():
    m = archs.build_model("bilstm", "tiny", readout="sequence")
    assert m(torch.randint(0, 10, (2, 6))).shape == (2, 6, 4)
    m = archs.build_model("rnn", "tiny", bidirectional=True, num_layers=2)
    assert m.rnn.num_dirs == 2 and len(m.rnn.cells) == 4 and m(torch.randint(0, 10, (3, 5))).shape == (3, 4)


def test_tcn_is_causal():
    torch.manual_seed(0)
    m = archs.build_model("tcn", "signal", readout="sequence").eval()
    x = torch.randn(1, 16, 4)
    y = m(x)
    x2 = x.clone()
    x2[:, 10:] += 5.0  # change the future
    torch.testing.assert_close(m(x2)[:, :10], y[:, :10])
    assert not torch.allclose(m(x2)[:, 10:], y[:, 10:])
    assert archs.get_arch("tcn").make_config("tiny").receptive_field == 1 + 2 * 2 * 7


def test_text_cnn_rejects_windows_longer_than_the_sentence():
    with pytest.raises(archs.ConfigError, match="widest window"):
        archs.build_model("text_cnn", seq_len=3, kernel_sizes=(3, 4, 5))
    assert archs.build_model("text_cnn")(torch.randint(0, 50, (2, 12))).shape == (2, 2)


def test_seq2seq_attention_is_a_distribution_that_ignores_padding():
    torch.manual_seed(0)
    m = archs.build_model("seq2seq_attention").eval()
    src = torch.randint(2, 40, (2, 8))
    src[0, 5:] = 0  # padding
    logits, attn = m(src, torch.ones(2, 4, dtype=torch.long), return_attention=True)
    assert logits.shape == (2, 4, 16) and attn.shape == (2, 4, 8)
    torch.testing.assert_close(attn.sum(-1), torch.ones(2, 4))
    assert attn[0, :, 5:].abs().max() == 0
    toks, a = m.greedy(src, 6)
    assert toks.shape == (2, 6) and a.shape == (2, 6, 8)


def test_gradient_flow_vanishes_for_rnn_and_clipping_scales_it():
    flows = compare_gradient_flow(seq_len=40, clip=None)
    far = {k: f["norm"][0] / f["norm"][-1] for k, f in flows.items()}  # 39 steps back vs the last step
    # at initialisation the plain RNN's signal dies (measured 1.6e-11); the LSTM's cell path keeps far more
    # (7.7e-4, forget bias 1) and the GRU lies between (2.6e-9)
    assert far["rnn"] < 1e-8 and far["lstm"] > 1e-5 and far["rnn"] < far["gru"] < far["lstm"]
    boom = compare_gradient_flow(("rnn",), seq_len=30, nonlinearity="relu", weight_scale=6.0, clip=1.0)["rnn"]
    assert boom["norm"][0] > boom["norm"][-1] * 10 and boom["param_norm"] > 1.0  # exploding
    np.testing.assert_allclose(boom["clipped"], boom["norm"] * (1.0 / boom["param_norm"]), rtol=1e-4)
    m = archs.build_model("lstm", "tiny")
    f = gradient_flow(m, torch.randint(0, 10, (4, 9)), torch.randint(0, 4, (4,)))
    assert f["norm"].shape == (9,) and list(f["steps_back"]) == list(range(8, -1, -1))


def test_unrolled_graph_has_a_node_per_step_layer_and_direction():
    G = unrolled_graph(5, num_layers=2, bidirectional=True, readout="sequence")
    assert G.number_of_nodes() == 5 + 2 * 2 * 5 + 5
    assert G.has_edge(("h", 0, 0, 1), ("h", 0, 0, 2)) and G.has_edge(("h", 0, 1, 2), ("h", 0, 1, 1))


def test_sequence_data():
    d = copy_memory(lag=7, copy_len=2, num_symbols=5, n=50)
    assert d.x_train.shape[1] == 2 + 7 + 2 and d.y_train.shape[1] == 2 and d.meta["vocab_size"] == 11
    assert (d.x_train[:, 9] == 6).all() and (d.x_train[:, :2] == d.y_train).all()  # the cue, the symbols
    a = adding_problem(lag=12, n=40)
    assert a.x_train.shape == (32, 12, 2) and (a.x_train[..., 1].sum(1) == 2).all()
    np.testing.assert_allclose(a.y_train, (a.x_train[..., 0] * a.x_train[..., 1]).sum(1), rtol=1e-6)
    with pytest.raises(ValueError, match="lag"):
        copy_memory(lag=0)


def test_dates_encode_decode_and_refuse_unknown_characters():
    import datetime as dt

    d = dates(n=50)
    assert d.x_train.shape == (40, SRC_LEN) and d.y_train.shape == (40, 10)
    assert decode_target(d.y_train[0]).count("-") == 2
    assert render_date(dt.date(2024, 3, 7), 2) == "march 7, 2024"
    assert encode_source("7 March 2024")[0] > 1
    with pytest.raises(ValueError, match="never seen the characters '!', '@'"):
        encode_source("7 march 2024!@")
    with pytest.raises(ValueError, match="at most"):
        encode_source("1" * 30)
    with pytest.raises(ValueError, match="Type a date"):
        encode_source("   ")

"""kws_cnn (res8) and ctc_bilstm (Graves et al. 2013): published counts, shapes, the peephole cell."""

import pytest
import torch

import archs
from archs.audio.ctc import BiPeepholeLSTM, graves_count
from archs.spec import ConfigError


def _count(name, preset="canonical", **kw):
    return sum(p.numel() for p in archs.build_model(name, preset, device="meta", **kw).parameters())


def test_res8_counts_match_the_paper():
    assert _count("kws_cnn") == 110_307  # Table 1: res8 110K
    assert _count("kws_cnn", "res8_narrow") == 19_905  # Table 1: res8-narrow 19.9K


def test_kws_shapes_and_rules():
    m = archs.build_model("kws_cnn", "tiny")
    assert m(torch.randn(3, 1, 40, 81)).shape == (3, 12)
    assert m(torch.randn(1, 1, 40, 200)).shape == (1, 12)  # any clip length: a mean over time
    with pytest.raises(ConfigError, match="even"):
        archs.build_model("kws_cnn", "tiny", num_layers=5)
    with pytest.raises(ConfigError, match="pool"):
        archs.build_model("kws_cnn", "tiny", n_mels=2)


def test_graves_table1_counts():
    assert _count("ctc_bilstm") == graves_count(3, 250) == 3_787_562
    # Table 1: CTC-1L-250H 0.8M, CTC-2L-250H 2.3M, CTC-3L-250H 3.8M, CTC-5L-250H 6.8M, CTC-1L-622H 3.8M
    for layers, hidden, published in [
        (1, 250, 0.8),
        (2, 250, 2.3),
        (3, 250, 3.8),
        (5, 250, 6.8),
        (1, 622, 3.8),
    ]:
        assert round(graves_count(layers, hidden) / 1e6, 1) == published
        assert _count("ctc_bilstm", num_layers=layers, hidden_dim=hidden) == graves_count(layers, hidden)


def test_ctc_shapes_and_subsampling():
    m = archs.build_model("ctc_bilstm", "tiny")
    lp = m(torch.randn(2, 40, 61))
    assert lp.shape == (2, 30, 28)
    torch.testing.assert_close(lp.exp().sum(-1), torch.ones(2, 30))
    with pytest.raises(ConfigError, match="subsample"):
        archs.build_model("ctc_bilstm", "tiny", num_frames=1)


def test_peephole_cell_without_peepholes_is_torch_lstm():
    torch.manual_seed(0)
    ours = BiPeepholeLSTM(5, 7)
    ref = torch.nn.LSTM(5, 7, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for d, sfx in ((ours.fwd, ""), (ours.bwd, "_reverse")):
            d.weight_ih.copy_(getattr(ref, f"weight_ih_l0{sfx}"))
            d.weight_hh.copy_(getattr(ref, f"weight_hh_l0{sfx}"))
            d.bias.copy_(getattr(ref, f"bias_ih_l0{sfx}") + getattr(ref, f"bias_hh_l0{sfx}"))
    x = torch.randn(3, 9, 5)
    torch.testing.assert_close(ours(x), ref(x)[0])
    with torch.no_grad():
        ours.fwd.peephole.fill_(0.5)
    assert not torch.allclose(ours(x), ref(x)[0])  # the peepholes take part


def test_peephole_model_runs_and_has_shape_rule():
    m = archs.build_model("ctc_bilstm", "tiny", peephole=True)
    assert m(torch.randn(1, 40, 20)).shape == (1, 10, 28)
    fwd = m.rnn[0].fwd
    assert fwd.shape_forward(torch.empty(2, 10, 80, device="meta")).shape == (2, 10, 32)

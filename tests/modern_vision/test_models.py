"""MLP-Mixer and Swin: shapes, what each mixing step may and may not see (token mixing reaches every patch,
channel mixing none; a plain window none of its neighbours, a shifted window across the border, the
shift mask keeping rolled-in tokens apart), the relative position index, the patch-merging pyramid, the
canonical counts, and Swin against Hugging Face's SwinForImageClassification with the same weights."""

from __future__ import annotations

import pytest
import torch

import archs
from archs.modern_vision.swin import SwinBlock, relative_position_index, shift_mask, shift_regions
from archs.spec import ConfigError


@pytest.mark.parametrize("name", ["mlp_mixer_b16", "swin_t", "swin_b"])
def test_canonical_count_equals_the_published_one(name):
    m = archs.build_model(name, "canonical", device="meta")
    assert sum(p.numel() for p in m.parameters()) == archs.get_arch(name).published_params


def test_mixer_token_mixing_reaches_every_patch_and_channel_mixing_none():
    torch.manual_seed(0)
    m = archs.build_model("mlp_mixer_b16", depth=1).eval()
    x = torch.randn(1, 1, 16, 16)
    tokens = m.stem(x)  # (1, 64, C)
    blk = m.blocks[0]
    bumped = tokens.clone()
    bumped[0, 10] += torch.randn(tokens.shape[-1])  # not a constant: LayerNorm would remove it
    changed = (blk(bumped) - blk(tokens)).abs().sum(-1)[0]  # (64,)
    assert (changed > 1e-6).all()  # token mixing spreads one patch to all 64
    with torch.no_grad():  # without token mixing a patch's change stays its own
        blk.token_mlp.fc2.weight.zero_()
        blk.token_mlp.fc2.bias.zero_()
    changed = (blk(bumped) - blk(tokens)).abs().sum(-1)[0]
    assert changed[10] > 1e-3 and torch.count_nonzero(changed > 1e-6) == 1
    assert m.token_mixing_weights().shape == (32, 8, 8)  # D_S = 32 maps on the 8×8 patch grid
    assert m.channel_mixing_weights().shape == (64, 32)  # (D_C, C)


def _block(shift: int) -> SwinBlock:
    torch.manual_seed(0)
    return SwinBlock(16, 8, 2, 4, shift, 2.0, 0.0, 0.0).eval()


def _changed(blk: SwinBlock, token: tuple[int, int]) -> torch.Tensor:
    """(8, 8): which tokens of the block's output move when one input token does."""
    x = torch.randn(1, 64, 16)
    bumped = x.clone()
    bumped[0, token[0] * 8 + token[1]] += torch.randn(16)  # not a constant: LayerNorm would remove it
    return ((blk(bumped)[0] - blk(x)[0]).abs().sum(-1) > 1e-6).view(8, 8)


def test_a_plain_window_sees_only_itself_and_a_shifted_one_crosses_the_border():
    inside = torch.zeros(8, 8, dtype=torch.bool)
    inside[:4, :4] = True  # the top-left window of the plain partition
    plain = _changed(_block(0), (3, 3))
    assert plain[3, 3] and not (plain & ~inside).any()
    shifted = _changed(_block(2), (3, 3))  # rolled to (1, 1): its window holds tokens 2-5 of each axis
    assert (shifted & ~inside).any() and shifted[5, 5]
    # (0, 0) is rolled to (6, 6), into a window with tokens rolled in from the other corners: the mask
    # keeps it with the three that were its neighbours, (0-1, 0-1)
    corner = _changed(_block(2), (0, 0))
    assert corner[:2, :2].all() and corner.sum() == 4
    blk = _block(2)
    blk.attn_mask = None  # without the mask the rolled-in tokens see it
    assert _changed(blk, (0, 0)).sum() > 4


def test_the_shift_mask_blocks_exactly_the_pairs_from_different_regions():
    regions = shift_regions(8, 4, 2)
    assert sorted(regions.unique().tolist()) == list(range(9))
    mask = shift_mask(8, 4, 2)  # (4 windows, 16, 16)
    assert mask.shape == (4, 16, 16)
    assert (mask[0] == 0).all()  # the top-left window holds one region only
    assert (mask[3] != 0).any() and (mask[3].diagonal() == 0).all()
    blk = _block(2)
    _, att = blk(torch.randn(1, 64, 16), need_weights=True)  # (4, nh, 16, 16)
    blocked = (mask != 0)[:, None].expand_as(att)
    assert att[blocked].max() < 1e-30 and torch.allclose(att.sum(-1), torch.ones(()))


def test_relative_position_index_names_each_offset_once():
    idx = relative_position_index(3)  # (9, 9) into a 5×5 table
    assert idx.shape == (9, 9) and idx.min() == 0 and idx.max() == 24
    assert (idx.diagonal() == 12).all()  # offset (0, 0): the table's centre
    assert idx[0, 8] == 0 and idx[8, 0] == 24  # (−2, −2) and (+2, +2)
    assert len(idx.unique()) == 25


def test_swin_pyramid_halves_the_map_and_doubles_the_width():
    m = archs.build_model("swin_t", image_size=32, depths=(2, 2, 2), num_heads=(2, 4, 8)).eval()
    logits, maps, atts = m.stage_outputs(torch.randn(2, 1, 32, 32), need_weights=True)
    assert [tuple(f.shape[1:]) for f in maps] == [(32, 16, 16), (64, 8, 8), (128, 4, 4)]
    assert len(atts) == 6 and atts[0].shape == (2 * 16, 2, 16, 16)  # 16 windows of 4×4 per image
    assert m.stages[0].blocks[1].shift == 2 and m.stages[2].blocks[1].shift == 0  # 4×4 map: one window
    out, extra = m(torch.randn(2, 1, 32, 32), return_attention=True)
    assert out.shape == (2, 10) and len(extra["self"]) == 6


@pytest.mark.parametrize(
    "overrides, words",
    [
        (dict(window_size=3), "window_size (3) does not divide stage 1's 8×8"),
        (dict(patch_size=3), "patch_size (3) must divide image_size (16)"),
        (dict(num_heads=(3, 4)), "Stage 1 is 32 wide"),
        (
            dict(image_size=24, window_size=3, depths=(2, 2, 2, 2), num_heads=(1, 1, 1, 1)),
            "odd side that patch merging cannot halve",
        ),
    ],
)
def test_bad_swin_settings_are_sentences(overrides, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        archs.get_arch("swin_t").make_config("tiny", **overrides)
    with pytest.raises(ConfigError, match="patch_size"):
        archs.get_arch("mlp_mixer_b16").make_config("tiny", patch_size=5)


def _hf_name(k: str) -> str:
    swaps = [
        ("patch_embed.proj", "swin.embeddings.patch_embeddings.projection"),
        ("patch_embed.norm", "swin.embeddings.norm"),
        ("stages.", "swin.encoder.layers."),
        ("norm1", "layernorm_before"),
        ("norm2", "layernorm_after"),
        (
            "attn.relative_position_bias_table",
            "attention.relative_position_bias.relative_position_bias_table",
        ),
        ("attn.attn.q.", "attention.q_proj."),
        ("attn.attn.k.", "attention.k_proj."),
        ("attn.attn.v.", "attention.v_proj."),
        ("attn.attn.o.", "attention.o_proj."),
    ]
    if k.startswith("norm."):
        return "swin.layernorm." + k[5:]
    if k.startswith("head."):
        return "classifier." + k[5:]
    for a, b in swaps:
        k = k.replace(a, b)
    return k


def test_swin_matches_hugging_face_with_the_same_weights():
    tr = pytest.importorskip("transformers")
    # three stages: windows of 4 that shift on the 16×16 and 8×8 maps, then a 4×4 map that is one window
    # and does not shift. (Where the configured window is larger than a map, Hugging Face keeps the large
    # window's bias table while the reference code builds the shrunk window's: not compared.)
    kw = dict(image_size=32, patch_size=2, embed_dim=16, depths=(2, 2, 2), num_heads=(2, 4, 4))
    for window in (4,):
        ours = archs.build_model("swin_t", **kw, window_size=window, in_channels=3, num_classes=7).eval()
        hf_cfg = tr.SwinConfig(
            image_size=32,
            patch_size=2,
            num_channels=3,
            embed_dim=16,
            depths=[2, 2, 2],
            num_heads=[2, 4, 4],
            window_size=window,
            mlp_ratio=4.0,
            num_labels=7,
            drop_path_rate=0.0,
        )
        torch.manual_seed(1)
        hf = tr.SwinForImageClassification(hf_cfg).eval()
        sd = {k: v for k, v in hf.state_dict().items() if "relative_position_index" not in k}
        mapped = {k: sd[_hf_name(k)] for k in ours.state_dict()}
        assert len(mapped) == len(sd)
        ours.load_state_dict(mapped)
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            torch.testing.assert_close(ours(x), hf(pixel_values=x).logits, atol=1e-5, rtol=1e-5)

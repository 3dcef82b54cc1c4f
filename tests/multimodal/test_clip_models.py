"""CLIP against Hugging Face's CLIPModel: the canonical ViT-B/32 has exactly the released model's
parameters, and a small CLIP with the same weights gives the same logits_per_image; plus the config's
sentences and the shapes the towers refuse."""

from __future__ import annotations

import re

import pytest
import torch

import archs
from archs import ConfigError

transformers = pytest.importorskip("transformers")

B32_PARAMS = 151_277_313  # CLIPModel(CLIPConfig()) = openai/clip-vit-base-patch32's config


def test_canonical_is_the_released_vit_b_32_counted_as_hugging_face_counts_it():
    ours = archs.count_params(archs.build_model("clip_vit_b_32", "canonical", device="meta"))
    with torch.device("meta"):
        theirs = transformers.CLIPModel(transformers.CLIPConfig())
    assert ours == sum(p.numel() for p in theirs.parameters()) == B32_PARAMS
    assert archs.get_arch("clip_vit_b_32").published_params == B32_PARAMS


RENAMES = [
    (r"^text_model\.embeddings\.token_embedding", "text.token_embedding"),
    (r"^text_model\.embeddings\.position_embedding\.weight", "text.positions"),
    (r"^text_model\.final_layer_norm", "text.encoder.norm"),
    (r"^text_model\.encoder\.layers", "text.encoder.blocks"),
    (r"^vision_model\.embeddings\.class_embedding", "visual.class_embedding"),
    (r"^vision_model\.embeddings\.patch_embedding", "visual.patch"),
    (r"^vision_model\.embeddings\.position_embedding\.weight", "visual.positions"),
    (r"^vision_model\.pre_layrnorm", "visual.ln_pre"),
    (r"^vision_model\.post_layernorm", "visual.ln_post"),
    (r"^vision_model\.encoder\.layers", "visual.encoder.blocks"),
    (r"^visual_projection", "visual.proj"),
    (r"^text_projection", "text.proj"),
    (r"self_attn\.(q|k|v)_proj", r"attn.\1"),
    (r"self_attn\.out_proj", "attn.o"),
    (r"layer_norm1", "norm1"),
    (r"layer_norm2", "norm2"),
    (r"mlp\.", "ffn."),
]


def _ours(key: str) -> str:
    for pat, new in RENAMES:
        key = re.sub(pat, new, key)
    return key


def test_a_small_clip_with_hugging_faces_weights_gives_its_logits():
    V, T = 40, 12
    kw = dict(
        image_size=32,
        patch_size=8,
        vision_width=48,
        vision_layers=2,
        vision_heads=4,
        vocab_size=V,
        context_length=T,
        text_width=32,
        text_layers=2,
        text_heads=2,
        embed_dim=24,
    )
    ours = archs.build_model("clip_vit_b_32", "tiny", **kw).eval()
    cfg = transformers.CLIPConfig(
        text_config=dict(
            vocab_size=V,
            hidden_size=32,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=T,
            eos_token_id=V - 1,
            bos_token_id=1,
            pad_token_id=0,
        ),
        vision_config=dict(
            hidden_size=48,
            intermediate_size=192,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=32,
            patch_size=8,
        ),
        projection_dim=24,
    )
    torch.manual_seed(0)
    ref = transformers.CLIPModel(cfg).eval()
    with torch.no_grad():  # HF initialises some weights to constants: make every one random
        for p in ref.parameters():
            p.copy_(torch.randn_like(p) * 0.2 + (1.0 if p.dim() == 1 and p.shape[0] in (32, 48) else 0.0))
        ref.logit_scale.fill_(2.6592)
    state = {_ours(k): v for k, v in ref.state_dict().items() if "position_ids" not in k}
    ours.load_state_dict(state, strict=True)
    images = torch.rand(3, 3, 32, 32)
    ids = torch.randint(1, V - 1, (4, T))
    for i, n in enumerate((5, 12, 3, 8)):  # captions of different lengths, padded after the end token
        ids[i, n - 1] = V - 1
        ids[i, n:] = 0
    with torch.no_grad():
        want = ref(input_ids=ids, pixel_values=images).logits_per_image
        got = ours(images, ids)
    assert got.shape == (3, 4)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
    assert got.std() > 0.1  # a real comparison, not two constants


def test_the_temperature_starts_at_0_07_and_the_config_explains_itself():
    model = archs.build_model("clip_vit_b_32", "tiny")
    assert model.temperature == pytest.approx(0.07)
    assert float(model.logit_scale.detach().exp()) == pytest.approx(1 / 0.07)
    spec = archs.get_arch("clip_vit_b_32")
    with pytest.raises(ConfigError, match="text_width .* divisible by text_heads"):
        spec.make_config("tiny", text_width=30, text_heads=4)
    with pytest.raises(ConfigError, match="multiple of patch_size"):
        spec.make_config("tiny", image_size=30, patch_size=4)
    with pytest.raises(ValueError, match="images of shape"):
        model(torch.rand(2, 3, 16, 16), torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="token ids"):
        model(torch.rand(2, 3, 32, 32), torch.ones(2, 99, dtype=torch.long))

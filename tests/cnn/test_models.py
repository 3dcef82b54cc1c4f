"""The CNN family: architecture details, counts and graphs on meta, the explainer's arithmetic, uploads,
attributions, and the two recipes' learning results on fixed seeds."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

import archs
from archs.cnn.stats import family_table, receptive_fields
from archs.introspect import trace_graph
from archs.spec import ConfigError, to_device
from data.images import ImageRejected, load_image
from training.attributions import METHODS, attribute, cam_layers, conv_layers
from training.recipes import get_recipe
from viz.cnn import KERNELS, convolve, out_size, patch_at, pool

CNNS = [s.name for s in archs.list_archs("cnn")]
REQUIRED = {
    "lenet5",
    "alexnet",
    "vgg11",
    "vgg16",
    "vgg19",
    "nin",
    "googlenet",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "densenet121",
    "mobilenet_v2",
    "convnext_tiny",
    "plain_cnn",
    "residual_cnn",
    *[f"efficientnet_b{i}" for i in range(8)],
}
TORCHVISION = {  # torchvision's documented num_params
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "googlenet": 6_624_904,
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "resnet152": 60_192_808,
    "densenet121": 7_978_856,
    "mobilenet_v2": 3_504_872,
    "efficientnet_b0": 5_288_548,
    "efficientnet_b7": 66_347_960,
    "convnext_tiny": 28_589_128,
}


@pytest.fixture(autouse=True)
def one_thread():
    """Small CPU models train faster on one thread (and do not fight other processes for cores)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_every_required_architecture_is_registered_with_tiny_and_canonical():
    assert REQUIRED <= set(CNNS)
    for name in REQUIRED:
        assert {"tiny", "canonical"} <= set(archs.get_arch(name).presets), name


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_canonical_counts_equal_torchvision(name):
    assert archs.count_params(archs.build_model(name, "canonical", device="meta")) == TORCHVISION[name]


@pytest.mark.parametrize("name", ["resnet152", "efficientnet_b7", "googlenet", "densenet121"])
def test_canonical_giants_trace_on_meta_with_fx(name):
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical")
    G = trace_graph(archs.build_from_config(spec, cfg, "meta"), to_device(spec.example_input(cfg), "meta"))
    assert G.graph["method"] == "fx"
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    if name in ("resnet152", "efficientnet_b7"):
        assert "add" in kinds  # residual additions are visible
    else:
        assert "cat" in kinds  # concatenations (inception branches, dense connectivity)
    out = next(d for _, d in G.nodes(data=True) if d["kind"] == "output")
    assert out["shape"][-1] == 1000


def test_resnet_is_v1_5_and_efficientnet_scales_depth_and_width():
    r = archs.build_model("resnet50", "canonical", device="meta")
    assert r.layer2[0].conv1.stride == (1, 1) and r.layer2[0].conv2.stride == (2, 2)
    blocks = lambda m: sum(1 for x in m.modules() if type(x).__name__ == "MBConv")
    b0, b7 = (archs.build_model(f"efficientnet_b{i}", "canonical", device="meta") for i in (0, 7))
    assert blocks(b0) == 16 and blocks(b7) == 55  # ⌈n·3.1⌉ per stage
    assert b0.classifier[1].in_features == 1280 and b7.classifier[1].in_features == 2560
    assert archs.get_arch("efficientnet_b7").make_config("canonical").image_size == 600


def test_plain_and_residual_twins_have_identical_parameters():
    p, r = (
        archs.count_params(archs.build_model(n, "canonical", device="meta"))
        for n in ("plain_cnn", "residual_cnn")
    )
    assert p == r == 269_722
    with pytest.raises(ConfigError, match="three stages"):
        archs.build_model("plain_cnn", widths=(8, 16))


def test_receptive_fields_of_lenet_and_vgg16():
    for name, expected in (("lenet5", [5, 6, 14, 16]), ("vgg16", None)):
        spec = archs.get_arch(name)
        cfg = spec.make_config("canonical")
        model = archs.build_from_config(spec, cfg, "meta")
        rows = receptive_fields(
            trace_graph(model, to_device(spec.example_input(cfg), "meta")), model, cfg.image_size
        )
        rf = [r["receptive_field"] for r in rows]
        if expected:
            assert rf == expected
        else:  # conv5_3 sees 196 pixels, pool5 212; jumps double at every pool
            assert rf[-2:] == [196, 212] and rows[-1]["jump"] == 32


def test_published_top1_is_cited():
    assert archs.get_arch("resnet152").published_result.value == pytest.approx(78.312)
    rows = {r["name"]: r for r in family_table()}
    assert (
        rows["resnet152"]["top1"] == pytest.approx(78.312)
        and "ResNet152_Weights" in rows["resnet152"]["top1_source"]
    )
    assert (
        rows["efficientnet_b7"]["top1"] == pytest.approx(84.122)
        and "600 px" in rows["efficientnet_b7"]["top1_source"]
    )
    assert rows["nin"]["top1"] is None  # no torchvision weights: none cited


# ---------------------------------------------------------------------------------- the explainer


def test_convolution_output_is_the_dot_product_of_patch_and_kernel():
    rng = np.random.default_rng(0)
    img = rng.random((11, 13)).astype(np.float32)
    k = KERNELS["emboss"]
    for s, p, d in ((1, 0, 1), (2, 1, 1), (1, 2, 2), (3, 3, 2)):
        out, padded = convolve(img, k, s, p, d)
        assert out.shape == (out_size(11, 3, s, p, d), out_size(13, 3, s, p, d))
        for i, j in ((0, 0), (out.shape[0] - 1, out.shape[1] - 1)):
            assert np.isclose(out[i, j], (patch_at(padded, i, j, 3, s, d) * k).sum(), atol=1e-5)
    assert pool(np.arange(16.0, dtype=np.float32).reshape(4, 4), "max", 2).tolist() == [[5, 7], [13, 15]]


def test_explainer_refuses_impossible_settings_with_sentences():
    img = np.zeros((8, 8), np.float32)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        convolve(img, KERNELS["sharpen"], stride=0)
    with pytest.raises(ValueError, match="padded input is only 8×8"):
        convolve(img, np.ones((9, 9), np.float32), padding=0)
    with pytest.raises(ValueError, match="does not fit"):
        pool(img, "max", 9)


# -------------------------------------------------------------------------------------- uploads


def _png(size, mode="L") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, "PNG")
    return buf.getvalue()


def test_uploads_are_checked():
    assert load_image(_png((100, 50)), size=48).shape == (24, 48)
    with pytest.raises(ImageRejected, match="not a readable image"):
        load_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    with pytest.raises(ImageRejected, match="not a readable image"):
        load_image(_png((64, 64))[:60])  # truncated
    with pytest.raises(ImageRejected, match="pixels"):
        load_image(_png((5000, 5000), "1"))  # a few kB that decode to 25 megapixels
    with pytest.raises(ImageRejected, match="MB"):
        load_image(b"\0" * (6 * 2**20))
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "TIFF")
    with pytest.raises(ImageRejected, match="TIFF images are not accepted"):
        load_image(buf.getvalue())
    with pytest.raises(ImageRejected, match="empty"):
        load_image(b"")


# --------------------------------------------------------------------------------- attributions


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "googlenet"])
def test_every_attribution_is_a_finite_map_of_the_input_shape(name):
    torch.manual_seed(0)
    model = archs.build_model(name, "tiny")
    x = np.random.default_rng(0).random((1, 28, 28)).astype(np.float32)
    for method in METHODS:
        a = attribute(model, x, method, layer=conv_layers(model)[-1])
        assert a.shape == (28, 28) and np.isfinite(a).all(), method
        assert np.abs(a).sum() > 0, method


@pytest.mark.parametrize(
    "name, expected",
    [("resnet18", "layer4"), ("resnet152", "layer4"), ("vgg16", "features"), ("efficientnet_b0", "features")]
    + [("densenet121", "features"), ("convnext_tiny", "features"), ("mobilenet_v2", "features")],
)
def test_grad_cam_defaults_to_the_last_stage_not_a_shortcut_convolution(name, expected):
    """At the published resolution (on meta) Grad-CAM's default target is the last stage's output before
    global pooling: never ResNet's layer4.0.downsample.0, the last convolution *defined*."""
    spec = archs.get_arch(name)
    cfg = spec.make_config("canonical")
    model = archs.build_from_config(spec, cfg, "meta")
    targets = cam_layers(model, spec.example_input(cfg).to("meta")[:1])
    assert targets[-1] == expected
    assert all("pool" not in t and "fc" not in t and "classifier" not in t for t in targets)


def test_grad_cam_default_map_is_the_last_blocks():
    torch.manual_seed(0)
    model = archs.build_model("resnet18", "tiny")
    x = np.random.default_rng(0).random((1, 28, 28)).astype(np.float32)
    assert conv_layers(model)[-1] == "layer4.0.downsample.0"  # what the default used to be
    assert cam_layers(model, torch.as_tensor(x)[None])[-1] == "layer4"
    default = attribute(model, x, "grad_cam")
    assert np.allclose(default, attribute(model, x, "grad_cam", layer="layer4"))
    assert not np.allclose(default, attribute(model, x, "grad_cam", layer="layer4.0.downsample.0"))


# ------------------------------------------------------------------------------------- learning


def test_cnn_digits_reaches_97_percent():
    """LeNet-5 (ReLU, max-pool, 8/16 filters) on 28×28 digits, Adam 2e-3, 600 steps, seed 0: 97.8 %
    test accuracy when measured (margin 0.8 points over the threshold)."""
    t = get_recipe("cnn_digits").trainer(seed=0)
    t.step(600)
    assert t.status == "done"
    assert t.evaluate()["test_acc"] >= 0.97


def test_residual_twin_trains_where_the_plain_one_degrades():
    """32 layers (n = 5), widths 4/8/16, SGD 0.05, 100 steps, seed 0, identical initial weights: the
    plain net's batch loss stays near 2 (measured ≈2.0) while the residual twin's falls to ≈0.2. We
    require the residual loss (mean of the last 20 steps) to be below half the plain one and at least
    0.8 lower."""
    t = get_recipe("resnet_vs_plain_digits").trainer(seed=0, num_steps=100, eval_every=100, widths=(4, 8, 16))
    assert t.model.plain.cfg.depth == 32 and not t.model.plain.cfg.residual and t.model.residual.cfg.residual
    sd_p, sd_r = t.model.plain.state_dict(), t.model.residual.state_dict()
    assert all(torch.equal(sd_p[k], sd_r[k]) for k in sd_p)  # the same start
    t.step(100)
    assert t.status == "done", t.message
    last = t.history[-20:]
    plain = float(np.mean([r["plain_loss"] for r in last]))
    res = float(np.mean([r["residual_loss"] for r in last]))
    assert res < 0.5 * plain and plain - res > 0.8, (plain, res)

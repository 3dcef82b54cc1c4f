"""The hyperparameters of Faster and Mask R-CNN and their registry entries.

Canonical presets are torchvision's ``fasterrcnn_resnet50_fpn`` (41,755,286 parameters) and
``maskrcnn_resnet50_fpn`` (44,401,393): ResNet-50 with frozen batch norm (whose statistics and affine terms
are buffers, so they are not counted), a 256-channel FPN, anchors 32…512 over P2…P6, a 1024-wide box head,
91 box-predictor classes (90 COCO category ids + background), shorter image side 800. Tiny presets detect
the six kinds of procedural shape on 64×64 grey scenes with a four-block ResNet-10 of width 16.

The meta forward of canonical Faster R-CNN at 800×800 counts 134.38 G mult-adds per image, torchvision's
listed operation count ("_ops") for the model; Mask R-CNN's adds the mask head on 100 detections (187.6 G;
torchvision lists 134.38 for it too, a count without detections).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from archs.detection.rcnn import FasterRCNN, MaskRCNN
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, Result, hp


@dataclass(frozen=True)
class RCNNConfig(Config):
    in_channels: int = hp(
        3, lo=1, hi=4, help="Colour channels of the input: 3 for RGB photos, 1 for grey scenes."
    )
    num_classes: int = hp(
        90,
        lo=1,
        hi=1000,
        help="Object classes, background not counted. The box head scores num_classes + 1 (index 0 is "
        "'nothing here'); torchvision's COCO model scores 91 = 90 category ids + background.",
    )
    image_size: int = hp(
        800,
        lo=32,
        hi=1344,
        help="Side of the square example image in pixels. torchvision resizes photos so the shorter side "
        "is 800; any size works (the model pads to a multiple of 32).",
    )
    block: Literal["basic", "bottleneck"] = hp(
        "bottleneck", help="Backbone residual block: basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 ×4 wide)."
    )
    layers: tuple[int, ...] = hp(
        (3, 4, 6, 3), lo=1, hi=64, max_len=4, help="Blocks in each of the backbone's four stages (C2…C5)."
    )
    width: int = hp(
        64, lo=4, hi=256, help="Channels of the backbone's first stage; each later stage doubles."
    )
    norm: Literal["frozen", "batch"] = hp(
        "frozen",
        help="frozen: batch norm with fixed statistics (detectors fine-tune an ImageNet backbone on one or "
        "two images per batch, too few to estimate them). batch: ordinary batch norm, to train from scratch.",
    )
    fpn_channels: int = hp(256, lo=8, hi=512, help="Channels of every feature-pyramid level P2…P6.")
    anchor_size: int = hp(
        32,
        lo=4,
        hi=256,
        help="Side in pixels of the anchors on P2 (stride 4); each coarser level doubles it "
        "(32…512 on P2…P6). Every cell has three anchors of this area with aspect ratios ½, 1 and 2.",
    )
    rpn_pre_nms_top_n: int = hp(
        1000, lo=1, hi=10000, help="Best-scoring anchors of each level kept before the RPN's NMS (test time)."
    )
    rpn_post_nms_top_n: int = hp(
        1000,
        lo=1,
        hi=10000,
        help="Proposals passed to the box head after the RPN's NMS (test time; training uses twice as many).",
    )
    rpn_nms_threshold: float = hp(
        0.7,
        lo=0.1,
        hi=1.0,
        step=0.05,
        help="IoU above which the RPN's NMS drops the weaker of two proposals.",
    )
    rpn_batch_per_image: int = hp(
        256, lo=2, hi=4096, help="Anchors sampled per image to train the RPN (half of them positive at most)."
    )
    roi_batch_per_image: int = hp(
        512,
        lo=2,
        hi=4096,
        help="Proposals sampled per image to train the box head (a quarter positive at most).",
    )
    box_head_dim: int = hp(1024, lo=8, hi=4096, help="Width of the box head's two fully connected layers.")
    canonical_size: int = hp(
        224,
        lo=8,
        hi=1024,
        help="FPN level rule k = ⌊4 + log2(√(wh) / canonical_size)⌋: a box this many pixels on a side "
        "is pooled from P4, half of it from P3. 224 (ImageNet's crop) in the paper.",
    )
    sampling_ratio: int = hp(
        2,
        lo=1,
        hi=4,
        help="RoI Align reads sampling_ratio × sampling_ratio points in every output bin, each by bilinear "
        "interpolation, and averages them (2 in torchvision; the paper finds one point nearly as good).",
    )
    detections_per_image: int = hp(100, lo=1, hi=1000, help="Most detections returned per image.")

    def validate(self) -> None:
        if len(self.layers) != 4:
            raise ConfigError("The backbone has four stages: give four block counts, e.g. 3, 4, 6, 3.")


@dataclass(frozen=True)
class MaskRCNNConfig(RCNNConfig):
    mask_channels: int = hp(256, lo=4, hi=512, help="Channels of the mask head's convolutions.")
    mask_convs: int = hp(
        4,
        lo=1,
        hi=8,
        help="3×3 convolutions of the mask head on the 14×14 RoI features, before the ×2 upsampling.",
    )


def example_images(cfg: RCNNConfig) -> torch.Tensor:
    return torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size)  # (B, C, H, W) in [0, 1]


TINY = {
    "in_channels": 1,
    "num_classes": 6,
    "image_size": 64,
    "block": "basic",
    "layers": (1, 1, 1, 1),
    "width": 16,
    "norm": "batch",
    "fpn_channels": 64,
    "anchor_size": 16,
    "rpn_pre_nms_top_n": 200,
    "rpn_post_nms_top_n": 50,
    "rpn_batch_per_image": 128,
    "roi_batch_per_image": 32,
    "box_head_dim": 256,
    "canonical_size": 64,
    "sampling_ratio": 1,
    "detections_per_image": 20,
}
SOURCE = (
    "torchvision {} (weights COCO_V1, meta num_params = {}): ResNet-50 with FrozenBatchNorm2d (buffers), "
    "FPN 256, RPN with one 3×3 conv, TwoMLPHead 1024{}, 91 classes"
)

register(
    ArchSpec(
        name="faster_rcnn",
        title="Faster R-CNN (ResNet-50-FPN)",
        family="detection",
        year=2015,
        paper=Paper(
            "S. Ren, K. He, R. Girshick, J. Sun",
            2015,
            "Faster R-CNN: towards real-time object detection with region proposal networks "
            "(with the feature pyramid of Lin et al. 2017, arXiv 1612.03144)",
            arxiv="1506.01497",
        ),
        summary="Two stages: a region proposal network scores anchors on a feature pyramid, then RoI Align "
        "pools each proposal for a head that classifies it and refines its box.",
        tasks=("object detection",),
        config=RCNNConfig,
        build=FasterRCNN,
        example_input=example_images,
        presets={"tiny": TINY, "canonical": {}},
        published_params=41_755_286,
        published_source=SOURCE.format("fasterrcnn_resnet50_fpn", "41,755,286", ""),
        published_result=Result(37.0, "COCO val2017 box mAP@[.5:.95]", "torchvision fasterrcnn_resnet50_fpn"),
    )
)

register(
    ArchSpec(
        name="mask_rcnn",
        title="Mask R-CNN (ResNet-50-FPN)",
        family="detection",
        year=2017,
        paper=Paper("K. He, G. Gkioxari, P. Dollár, R. Girshick", 2017, "Mask R-CNN", arxiv="1703.06870"),
        summary="Faster R-CNN plus a small fully convolutional head that predicts a 28×28 mask per class for "
        "every detected object: instance segmentation.",
        tasks=("object detection", "instance segmentation"),
        config=MaskRCNNConfig,
        build=MaskRCNN,
        example_input=example_images,
        presets={"tiny": {**TINY, "mask_channels": 32, "mask_convs": 4}, "canonical": {}},
        published_params=44_401_393,
        published_source=SOURCE.format(
            "maskrcnn_resnet50_fpn",
            "44,401,393",
            ", mask head of four 3×3 256 convolutions + 2×2 deconvolution",
        ),
        published_result=Result(34.6, "COCO val2017 mask mAP@[.5:.95]", "torchvision maskrcnn_resnet50_fpn"),
    )
)

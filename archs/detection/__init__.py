"""Detection and segmentation: one-stage (YOLO) and two-stage (Faster/Mask R-CNN) detectors, U-Net and
DeepLabv3+, and the box operations they share (IoU, box coding, anchors, NMS, RoI Align), in plain torch."""

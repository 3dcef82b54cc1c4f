"""Training and metrics of the detection and segmentation family."""

"""Tests of the detection and segmentation family."""

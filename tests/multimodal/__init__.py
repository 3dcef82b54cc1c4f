"""Tests of the multimodal family."""

"""Transformers: the family's architectures."""

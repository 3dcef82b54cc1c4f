"""Diffusion models: the family's architectures."""

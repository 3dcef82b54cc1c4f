"""Generative adversarial networks: the family's architectures."""

"""Autoencoders: the family's architectures."""

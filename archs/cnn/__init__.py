"""Convolutional networks: the family's architectures."""

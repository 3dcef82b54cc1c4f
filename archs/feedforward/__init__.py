"""Feedforward networks (perceptrons, MLPs): the family's architectures."""

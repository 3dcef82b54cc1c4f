"""Recurrent networks: the family's architectures."""

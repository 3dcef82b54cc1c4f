"""Normalizing flows: invertible networks with an exact likelihood (RealNVP, Glow)."""

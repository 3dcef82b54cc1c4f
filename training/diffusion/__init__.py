"""Diffusion models: the family's recipes, tasks and trainers."""

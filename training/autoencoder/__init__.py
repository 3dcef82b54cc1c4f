"""Autoencoders: the family's recipes, tasks and trainers."""

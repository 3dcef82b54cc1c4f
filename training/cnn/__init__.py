"""Convolutional networks: the family's recipes, tasks and trainers."""

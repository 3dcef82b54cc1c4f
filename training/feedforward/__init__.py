"""Feedforward networks (perceptrons, MLPs): the family's recipes, tasks and trainers."""

"""Recurrent networks: the family's recipes, tasks and trainers."""

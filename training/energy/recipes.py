"""The energy family's recipes (the loader imports this module): the classic networks' live in
classic_recipes.py."""

from training.energy import classic_recipes  # noqa: F401

"""Recipes of the beyond-attention family (the loader imports this module): each part of the family
declares its recipes in its own module, imported here."""

from training.beyond import memory_recipes, moe_recipes, ssm_recipes  # noqa: F401

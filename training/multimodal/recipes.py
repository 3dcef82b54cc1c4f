"""Recipes of the multimodal family (the loader imports this module): each part declares its recipes in
its own module, imported here."""

from training.multimodal import clip_recipes, dalle_recipes  # noqa: F401

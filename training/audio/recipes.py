"""Recipes of the audio family (the loader imports this module): each part of the family declares its
recipes in its own module, imported here."""

from training.audio import signal_recipes, whisper_recipes  # noqa: F401

"""Recipes of the detection family (the loader imports this module): each group of models registers its
own recipes in its module, imported here."""

from training.detection import rcnn_recipes, seg_recipes, yolo_recipes  # noqa: F401

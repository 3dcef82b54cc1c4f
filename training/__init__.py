"""Training: the stepper Trainer, tasks, recipes, background jobs and device choice (no streamlit)."""

from training.device import DeviceInfo, available_devices, device_info, pick_device
from training.jobs import RUNNER, Job, JobRunner
from training.recipes import Recipe, get_recipe, list_recipes, register_recipe
from training.tasks import Classification, Regression, Task, make_task
from training.trainer import OPTIMIZERS, Trainer

__all__ = [
    "DeviceInfo",
    "available_devices",
    "device_info",
    "pick_device",
    "RUNNER",
    "Job",
    "JobRunner",
    "Recipe",
    "get_recipe",
    "list_recipes",
    "register_recipe",
    "Classification",
    "Regression",
    "Task",
    "make_task",
    "OPTIMIZERS",
    "Trainer",
]

"""The common shape of a supervised data set: train / validation / test arrays and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Supervised:
    """Inputs ``x_*`` (N, ...) float32 and targets ``y_*``: int64 class ids, or float32 (N,) for
    regression. ``x_val`` may be None, in which case the test split stands in for validation."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    kind: str  # "classification", "regression", or a family's own kind ("language_model", ...)
    num_classes: int
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    class_names: tuple[str, ...] = ()
    name: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a, b in ((self.x_train, self.y_train), (self.x_test, self.y_test), (self.x_val, self.y_val)):
            if a is not None and len(a) != len(b):
                raise ValueError(f"{self.name}: {len(a)} inputs but {len(b)} targets")
        if len(self.x_train) == 0:
            raise ValueError(f"{self.name}: the training split is empty")

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def in_features(self) -> int:
        return int(np.prod(self.input_shape))

    def splits(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {"train": (self.x_train, self.y_train)}
        if self.x_val is not None:
            out["val"] = (self.x_val, self.y_val)
        out["test"] = (self.x_test, self.y_test)
        return out

"""ArchAtlas architectures: the registry API used by the UI, the tests and the benchmarks.

>>> import archs
>>> model = archs.build_model("mlp", preset="tiny")
>>> big = archs.build_model("mlp", preset="canonical", device="meta")  # shapes only, no memory
"""

from archs.registry import (
    FAMILIES,
    build_from_config,
    build_model,
    count_params,
    get_arch,
    list_archs,
    register,
)
from archs.spec import ArchSpec, Config, ConfigError, FieldInfo, Paper, hp, schema, to_device

__all__ = [
    "ArchSpec",
    "Config",
    "ConfigError",
    "FieldInfo",
    "Paper",
    "hp",
    "schema",
    "to_device",
    "FAMILIES",
    "build_model",
    "build_from_config",
    "count_params",
    "get_arch",
    "list_archs",
    "register",
]

"""The declaration of one architecture: ArchSpec, its hyperparameter schema, and ConfigError.

A config is a frozen dataclass whose fields are declared with :func:`hp`; the field's type picks the
widget (int/float -> slider or number, bool -> toggle, Literal -> select, tuple[int, ...] -> a list of
sizes) and its metadata carries range, step, choices and the help text a student reads.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

import torch
from torch import nn


class ConfigError(ValueError):
    """An impossible combination of hyperparameters, with a sentence the user can act on."""


@dataclass(frozen=True)
class Paper:
    authors: str
    year: int
    title: str
    arxiv: str | None = None
    url: str | None = None

    @property
    def link(self) -> str | None:
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.url

    def cite(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}."


@dataclass(frozen=True)
class Result:
    """A published score of the canonical model: ``value`` on ``benchmark`` (a percentage, higher is
    better), as reported by ``source``."""

    value: float
    benchmark: str
    source: str

    def __str__(self) -> str:
        return f"{self.value:g} % {self.benchmark} ({self.source})"


IMAGENET_TOP1 = "ImageNet-1k top-1"


def torchvision_top1(value: float, weights: str) -> Result:
    """ImageNet-1k top-1 accuracy (single 224-px crop unless the weights say otherwise) of torchvision's
    ``weights``, from the model's documentation page."""
    return Result(value, IMAGENET_TOP1, f"torchvision {weights}")


def is_graph_input(example: Any) -> bool:
    """A graph network's example input: node features (N, F) and an edge_index (2, E) of integers, then
    optionally ``ptr`` (G + 1,) marking where each graph of a batch starts (archs/graph)."""
    return (
        isinstance(example, (tuple, list))
        and len(example) >= 2
        and isinstance(example[0], torch.Tensor)
        and example[0].ndim == 2
        and example[0].is_floating_point()
        and isinstance(example[1], torch.Tensor)
        and example[1].ndim == 2
        and example[1].shape[0] == 2
        and not example[1].is_floating_point()
    )


def hp(
    default: Any,
    *,
    help: str,
    lo: float | None = None,
    hi: float | None = None,
    step: float | None = None,
    log: bool = False,
    choices: tuple | None = None,
    max_len: int | None = None,
) -> Any:
    """Declare one hyperparameter: a dataclass field carrying its range or choices and help text."""
    meta = {
        "help": help,
        "lo": lo,
        "hi": hi,
        "step": step,
        "log": log,
        "choices": choices,
        "max_len": max_len,
    }
    if isinstance(default, (list, tuple)):
        default = tuple(default)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class FieldInfo:
    """What a form (or a fuzzer) needs to know about one config field."""

    name: str
    kind: Literal["int", "float", "bool", "choice", "ints"]
    default: Any
    help: str
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple | None = None
    max_len: int | None = None


def _kind_of(tp: Any) -> tuple[str, tuple | None]:
    if tp is bool:
        return "bool", None
    if tp is int:
        return "int", None
    if tp is float:
        return "float", None
    if get_origin(tp) is Literal:
        return "choice", get_args(tp)
    if get_origin(tp) is tuple:
        return "ints", None
    if tp is str:
        return "choice", None
    raise TypeError(f"unsupported hyperparameter type {tp!r}")


def schema(config_cls: type) -> list[FieldInfo]:
    """The declared fields of a config class, in declaration order."""
    hints = typing.get_type_hints(config_cls, include_extras=False)
    out = []
    for f in dataclasses.fields(config_cls):
        kind, literal_choices = _kind_of(hints[f.name])
        m = dict(f.metadata)
        choices = m.get("choices") or literal_choices
        out.append(
            FieldInfo(
                name=f.name,
                kind=kind,
                default=f.default,
                help=m.get("help", ""),
                lo=m.get("lo"),
                hi=m.get("hi"),
                step=m.get("step"),
                log=m.get("log", False),
                choices=tuple(choices) if choices else None,
                max_len=m.get("max_len"),
            )
        )
    return out


def check_ranges(cfg: Any) -> None:
    """Raise ConfigError for any field outside its declared range or choices."""
    for f in schema(type(cfg)):
        v = getattr(cfg, f.name)
        if f.kind == "ints":
            if not isinstance(v, tuple) or not all(isinstance(x, int) for x in v):
                raise ConfigError(f"{f.name} must be a list of whole numbers, got {v!r}.")
            if f.max_len is not None and len(v) > f.max_len:
                raise ConfigError(f"{f.name} has {len(v)} entries; at most {f.max_len} are allowed.")
            vals = v
        elif f.kind in ("int", "float"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(f"{f.name} must be a number, got {v!r}.")
            if f.kind == "int" and not isinstance(v, int):
                raise ConfigError(f"{f.name} must be a whole number, got {v!r}.")
            vals = (v,)
        elif f.kind == "bool":
            if not isinstance(v, bool):
                raise ConfigError(f"{f.name} must be true or false, got {v!r}.")
            vals = ()
        else:
            vals = ()
        if f.choices is not None and f.kind != "bool" and v not in f.choices:
            raise ConfigError(f"{f.name} must be one of {', '.join(map(str, f.choices))}; got {v!r}.")
        for x in vals:
            if f.lo is not None and x < f.lo:
                raise ConfigError(f"{f.name} ({x}) must be at least {f.lo:g}.")
            if f.hi is not None and x > f.hi:
                raise ConfigError(f"{f.name} ({x}) must be at most {f.hi:g}.")


class Config:
    """Base of every architecture's config dataclass: ranges are checked first, then ``validate``.

    Subclasses are ``@dataclass(frozen=True)`` with fields declared by :func:`hp` and put their
    cross-field rules in ``validate``, raising ConfigError with a sentence the user can act on.
    """

    def __post_init__(self) -> None:
        check_ranges(self)
        self.validate()

    def validate(self) -> None:
        pass

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class ArchSpec:
    """One registered architecture. Build models through ``archs.build_model``, not ``build`` directly."""

    name: str
    title: str
    family: str
    year: int
    paper: Paper
    summary: str
    tasks: tuple[str, ...]
    config: type
    build: Callable[[Any], nn.Module]
    example_input: Callable[[Any], Any]
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    published_params: int | None = None  # parameter count of the canonical preset, from the paper/reference
    published_source: str = ""  # where that number comes from
    published_result: Result | None = None  # the canonical model's published score, where cited

    def __post_init__(self) -> None:
        if "tiny" not in self.presets:
            raise ValueError(f"{self.name}: every architecture needs a 'tiny' preset")
        if ("canonical" in self.presets) != (self.published_params is not None):
            raise ValueError(f"{self.name}: a canonical preset and published_params go together")
        if self.published_result is not None and "canonical" not in self.presets:
            raise ValueError(f"{self.name}: a published result belongs to a canonical preset")

    @property
    def fields(self) -> list[FieldInfo]:
        return schema(self.config)

    def make_config(self, preset: str = "tiny", **overrides: Any) -> Any:
        """The validated config of ``preset`` with ``overrides`` applied; raises ConfigError."""
        if preset not in self.presets:
            raise ConfigError(
                f"{self.title} has no preset '{preset}'; choose one of {', '.join(self.presets)}."
            )
        known = {f.name for f in dataclasses.fields(self.config)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(
                f"{self.title} has no hyperparameter {', '.join(sorted(unknown))}; "
                f"it has {', '.join(sorted(known))}."
            )
        values = {**self.presets[preset], **overrides}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        try:
            return self.config(**values)
        except TypeError as e:
            raise ConfigError(str(e)) from e


def to_device(x: Any, device: torch.device | str) -> Any:
    """Move a tensor, or a tuple of tensors, to ``device``."""
    if isinstance(x, torch.Tensor):
        return x.to(device)
    if isinstance(x, (tuple, list)):
        return type(x)(to_device(t, device) for t in x)
    return x

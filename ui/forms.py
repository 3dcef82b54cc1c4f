"""Config forms generated from an architecture's schema: one widget per hyperparameter.

The field's type picks the widget (int/float -> slider or number box, bool -> toggle, choices ->
select, a list of sizes -> a text box "64, 32"); its range, step and help come from the declaration.
A ConfigError from the config's own rules is shown in the page and the form returns None.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from archs.spec import ArchSpec, ConfigError, FieldInfo


def _label(f: FieldInfo) -> str:
    """The field's name as its widget's label, free to wrap after each underscore (a zero-width space):
    in a narrow column a long name such as tie_embeddings broke inside its word, a letter or two on the
    next line (the beyond page in presenter mode at 1024 px)."""
    return f.name.replace("_", "_\u200b")


def _int_widget(f: FieldInfo, value: int, key: str, disabled: bool) -> int:
    lo, hi = int(f.lo if f.lo is not None else 0), int(f.hi if f.hi is not None else 10**9)
    value = min(max(int(value), lo), hi)
    if hi - lo <= 256:
        return st.slider(
            _label(f), lo, hi, value, step=int(f.step or 1), help=f.help, key=key, disabled=disabled
        )
    return int(
        st.number_input(
            _label(f), lo, hi, value, step=int(f.step or 1), help=f.help, key=key, disabled=disabled
        )
    )


def log_options(f: FieldInfo, value: float) -> list[float]:
    """The choices of a log-scaled float field: 25 steps from its low to its high end, and ``value``."""
    lo, hi = float(f.lo), float(f.hi)
    steps = [10 ** (math.log10(lo) + i * (math.log10(hi) - math.log10(lo)) / 24) for i in range(25)]
    return sorted({float(f"{v:.3g}") for v in steps} | {float(value)})


def _float_widget(f: FieldInfo, value: float, key: str, disabled: bool) -> float:
    lo = float(f.lo) if f.lo is not None else None
    hi = float(f.hi) if f.hi is not None else None
    if f.log and lo and hi:
        opts = log_options(f, value)
        return float(
            st.select_slider(_label(f), opts, value=float(value), help=f.help, key=key, disabled=disabled)
        )
    if lo is not None and hi is not None:
        return float(
            st.slider(
                _label(f),
                lo,
                hi,
                float(value),
                step=float(f.step or (hi - lo) / 100),
                help=f.help,
                key=key,
                disabled=disabled,
            )
        )
    return float(st.number_input(_label(f), value=float(value), help=f.help, key=key, disabled=disabled))


def _ints_widget(f: FieldInfo, value: tuple, key: str, disabled: bool) -> tuple[int, ...] | str:
    text = st.text_input(
        _label(f),
        ", ".join(str(v) for v in value),
        help=f.help + " Write the sizes separated by commas, e.g. 64, 32.",
        key=key,
        disabled=disabled,
    )
    try:
        return tuple(int(t) for t in text.replace(" ", "").split(",") if t)
    except ValueError:
        return text  # reported as a ConfigError by the caller


def field_widget(f: FieldInfo, value: Any, key: str, disabled: bool = False) -> Any:
    if f.kind == "bool":
        return st.toggle(_label(f), bool(value), help=f.help, key=key, disabled=disabled)
    if f.kind == "choice" and not f.choices:  # free text (a DARTS genotype): the config validates it
        return st.text_input(_label(f), str(value), help=f.help, key=key, disabled=disabled).strip()
    if f.kind == "choice" or (f.choices and f.kind != "ints"):  # numbers limited to listed values too
        opts = list(f.choices or [value])
        return st.selectbox(
            _label(f),
            opts,
            index=opts.index(value) if value in opts else 0,
            help=f.help,
            key=key,
            disabled=disabled,
        )
    if f.kind == "int":
        return _int_widget(f, value, key, disabled)
    if f.kind == "float":
        return _float_widget(f, value, key, disabled)
    return _ints_widget(f, value, key, disabled)


def config_form(
    spec: ArchSpec, *, key: str, preset: str = "tiny", fixed: dict[str, Any] | None = None, columns: int = 3
) -> Any | None:
    """Widgets for every hyperparameter of ``spec`` starting from ``preset``; ``fixed`` values are shown
    but not editable (e.g. sizes dictated by the data). Returns the validated config, or None after
    showing why the combination is impossible."""
    fixed = fixed or {}
    base = spec.presets[preset]
    defaults = {f.name: base.get(f.name, f.default) for f in spec.fields}
    values: dict[str, Any] = {}
    cols = st.columns(columns)
    for i, f in enumerate(spec.fields):
        with cols[i % columns]:
            v = fixed.get(f.name, defaults[f.name])
            wkey = f"{key}.{spec.name}.{preset}.{f.name}"
            if f.name in fixed:  # dictated by the data: a new (disabled) widget whenever the value changes
                wkey += f".fixed={v}"
            values[f.name] = field_widget(f, v, key=wkey, disabled=f.name in fixed)
    values.update(fixed)
    bad = [
        k
        for k, v in values.items()
        if isinstance(v, str) and dict((f.name, f.kind) for f in spec.fields)[k] == "ints"
    ]
    try:
        if bad:
            raise ConfigError(f"{bad[0]} must be whole numbers separated by commas, like 64, 32.")
        return spec.make_config(preset, **values)
    except ConfigError as e:
        st.error(f"**Impossible configuration.** {e}", icon=":material/block:")
        return None


def link_caption(linked: dict[str, Any], cfg: Any) -> str:
    """What a recipe's data overrides in the form, said plainly: "The data fixes in_features = 2 (the
    form says 64)…", so a student does not wonder why the trained model differs from the form."""
    if not linked:
        return "The form's hyperparameters are used as set."
    parts = []
    for k, v in linked.items():
        mine = getattr(cfg, k, v)
        parts.append(f"{k} = {v}" + (f" (the form says {mine})" if mine != v else ""))
    return (
        "This experiment's data fixes " + ", ".join(parts) + "; every other hyperparameter of the form is "
        "used as set."
    )

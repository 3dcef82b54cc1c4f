"""Look inside a model: its layer graph (``trace_graph``) and its activations (``capture``).

``trace_graph`` uses torch.fx first (fast, and it sees functional ops such as the skip-connection add
and concatenations). Where fx cannot trace (data-dependent control flow, Python loops over time steps),
it falls back to an executed-path tracer: the model is run once with hooks on every leaf module and a
TorchFunctionMode that records the functional ops between them, so RNNs still give a graph.

Graph nodes carry: ``path`` (module path, '' for functional ops at top level), ``scope`` (enclosing
module path), ``type`` (class or function name), ``kind`` (input, output, module, add, cat, mul,
function, param, block), ``shape`` (output shape), ``params`` (parameters of that module, tied
tensors once), ``order`` (execution order) and ``label`` (the class name, or a module's
``graph_label`` where its class declares one, e.g. the VAE's "μ" and "log σ²" heads).
``G.graph["modules"]`` maps each module path to its (type, params) so graphs can be collapsed to any
depth without the model.
"""

from __future__ import annotations

import contextlib
import inspect
import operator
from collections.abc import Iterable
from typing import Any

import networkx as nx
import torch
import torch.fx as fx
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from archs.collapse import collapse_depth
from archs.meta_shapes import shape_only

_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
_PASS_THROUGH = {"Identity", "getitem", "contiguous", "clone", "to", "type_as", "float", "detach"}
_ADD = {operator.add, operator.iadd, torch.add, "add", "add_", "__add__", "__iadd__", "__radd__"}
_CAT = {torch.cat, torch.stack, torch.concat, "cat", "stack", "concat"}
_MUL = {operator.mul, operator.imul, torch.mul, "mul", "mul_", "__mul__", "__imul__", "__rmul__"}


def is_leaf(module: nn.Module) -> bool:
    """A module drawn as one node: torch.nn's own layers (not containers), torch_geometric's layers and
    message-passing layers built on its ``MessagePassing`` (whose insides are gathers and scatters over
    edges, not layers), or anything without children."""
    if isinstance(module, _CONTAINERS):
        return False
    if any(c.__module__.startswith("torch_geometric.nn") for c in type(module).__mro__):
        return True
    return type(module).__module__.startswith("torch.nn") or not any(True for _ in module.children())


def module_table(model: nn.Module) -> dict[str, tuple[str, int]]:
    """Each module path -> (class name, parameters below it, tied tensors once)."""
    owned: dict[int, set[int]] = {}  # the parameters below each module (by identity), children first
    sizes: dict[int, int] = {}

    def below(m: nn.Module) -> set[int]:
        if id(m) not in owned:
            own = {id(p) for p in m.parameters(recurse=False)}
            sizes.update({id(p): p.numel() for p in m.parameters(recurse=False)})
            for c in m.children():
                own |= below(c)
            owned[id(m)] = own
        return owned[id(m)]

    return {name: (type(m).__name__, sum(sizes[i] for i in below(m))) for name, m in model.named_modules()}


def _labels(model: nn.Module) -> dict[str, str]:
    """Module path -> the label a module class asks the graph to show (``graph_label``)."""
    return {
        n: m.graph_label for n, m in model.named_modules() if isinstance(getattr(m, "graph_label", 0), str)
    }


def _fn_name(target: Any) -> str:
    if isinstance(target, str):
        return target
    return getattr(target, "__name__", str(target))


def _kind_of(target: Any, name: str) -> str:
    for kind, group in (("add", _ADD), ("cat", _CAT), ("mul", _MUL)):
        try:
            if target in group or name in group:
                return kind
        except TypeError:
            pass
    return "function"


def _shape_of(x: Any) -> tuple | None:
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    if isinstance(x, (tuple, list)) and x and isinstance(x[0], torch.Tensor):
        return tuple(x[0].shape)
    return None


def _as_tuple(example_input: Any) -> tuple:
    return example_input if isinstance(example_input, tuple) else (example_input,)


# ---------------------------------------------------------------------------------------------- fx path


class _Tracer(fx.Tracer):
    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return is_leaf(m)


def _trace_fx(model: nn.Module, inputs: tuple) -> nx.DiGraph:
    params = list(inspect.signature(model.forward).parameters.values())
    concrete = {p.name: p.default for p in params[len(inputs) :] if p.default is not inspect.Parameter.empty}
    tracer = _Tracer()
    graph = tracer.trace(model, concrete_args=concrete or None)
    with torch.no_grad():  # interpreted on the model itself: no GraphModule (its code generation is slow)
        _ShapeProp(tracer.root, graph=graph).run(*inputs)
    table, labels = module_table(model), _labels(model)
    G = nx.DiGraph()
    for i, n in enumerate(graph.nodes):
        shape = n.meta.get("atlas_shape")
        stack = list((n.meta.get("nn_module_stack") or {}).values())
        scope = stack[-1][0] if stack else ""
        if n.op == "placeholder":
            if n.name in concrete or n.target in concrete:
                continue
            attrs = dict(kind="input", type="input", path="", label=n.name)
        elif n.op == "output":
            attrs = dict(kind="output", type="output", path="", label="output")
            shape = shape or _first_arg_shape(n)
        elif n.op == "call_module":
            typ, p = table[n.target]
            attrs = dict(kind="module", type=typ, path=n.target, params=p, label=labels.get(n.target, typ))
            scope = n.target.rpartition(".")[0] if not stack else (stack[-2][0] if len(stack) > 1 else "")
        elif n.op == "get_attr":
            attrs = dict(kind="param", type="parameter", path=n.target, label=n.target.rsplit(".", 1)[-1])
        else:
            name = _fn_name(n.target)
            attrs = dict(kind=_kind_of(n.target, name), type=name, path="", label=name)
        if shape is None and n.op not in ("output",):
            continue  # not a tensor (a size, an assert): no data flows on it
        G.add_node(n.name, shape=shape, scope=scope, order=i, params=attrs.pop("params", 0), **attrs)
        for a in n.all_input_nodes:
            if a.name in G:
                G.add_edge(a.name, n.name)
    G.graph.update(method="fx", modules=table)
    return G


def _first_arg_shape(n: fx.Node) -> tuple | None:
    for a in n.all_input_nodes:
        if a.meta.get("atlas_shape") is not None:
            return a.meta["atlas_shape"]
    return None


class _ShapeProp(fx.Interpreter):
    """Runs the traced graph and records each node's output shape (of its first tensor, for tuples)."""

    def run_node(self, n: fx.Node) -> Any:
        out = super().run_node(n)
        n.meta["atlas_shape"] = _shape_of(out)
        return out


# ------------------------------------------------------------------------------------ executed path


class _Recorder(TorchFunctionMode):
    """Records functional tensor ops executed outside leaf modules, wiring edges by tensor identity."""

    _SKIP = {
        "size",
        "dim",
        "numel",
        "__get__",
        "__len__",
        "item",
        "tolist",
        "__bool__",
        "__index__",
        "__format__",
        "__repr__",
        "requires_grad_",
        "__setitem__",
        "is_floating_point",
        "stride",
    }

    def __init__(self, G: nx.DiGraph, producers: dict, keep: list):
        super().__init__()
        self.G, self.producers, self.keep = G, producers, keep
        self.scope: list[str] = []
        self.leaf_depth = 0
        self.counter = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func is F.scaled_dot_product_attention and args and args[0].is_meta:
            q, v = args[0], args[2] if len(args) > 2 else kwargs["value"]
            out = q.new_empty((*q.shape[:-1], v.shape[-1]))  # its meta kernel is slow; its shape is simple
        else:
            out = func(*args, **(kwargs or {}))
        name = _fn_name(func)
        if self.leaf_depth == 0 and name not in self._SKIP:
            srcs = [self.producers[id(t)] for t in _tensors((args, kwargs)) if id(t) in self.producers]
            outs = list(_tensors(out))
            if srcs and outs:
                self.add_node(
                    dict(kind=_kind_of(func, name), type=name, path="", label=name),
                    _shape_of(out),
                    srcs,
                    outs,
                )
        return out

    def add_node(self, attrs: dict, shape, srcs: Iterable[str], outs: list) -> str:
        self.counter += 1
        nid = f"{attrs['type']}_{self.counter}"
        self.G.add_node(
            nid,
            shape=shape,
            scope=self.scope[-1] if self.scope else "",
            order=self.counter,
            params=attrs.pop("params", 0),
            **attrs,
        )
        for s in dict.fromkeys(srcs):
            self.G.add_edge(s, nid)
        for t in outs:
            self.producers[id(t)] = nid
            self.keep.append(t)
        return nid


def _tensors(obj: Any) -> Iterable[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


def _trace_executed(model: nn.Module, inputs: tuple) -> nx.DiGraph:
    G = nx.DiGraph()
    producers: dict[int, str] = {}
    keep: list = []
    rec = _Recorder(G, producers, keep)
    table, labels = module_table(model), _labels(model)
    names = {m: n for n, m in model.named_modules()}
    for i, t in enumerate(_tensors(inputs)):
        rec.add_node(dict(kind="input", type="input", path="", label=f"input {i}"), tuple(t.shape), [], [t])
    handles = []

    def pre(mod, args):
        path = names[mod]
        if rec.leaf_depth == 0:
            rec.scope.append(path)
        if is_leaf(mod):
            if rec.leaf_depth == 0:
                mod._atlas_srcs = [producers[id(t)] for t in _tensors(args) if id(t) in producers]
            rec.leaf_depth += 1

    def post(mod, args, out):
        path = names[mod]
        if is_leaf(mod):
            rec.leaf_depth -= 1
        if rec.leaf_depth == 0:
            rec.scope.pop()
            if is_leaf(mod):
                typ, p = table[path]
                rec.add_node(
                    dict(kind="module", type=typ, path=path, label=labels.get(path, typ), params=p),
                    _shape_of(out),
                    getattr(mod, "_atlas_srcs", []),
                    list(_tensors(out)),
                )
                del mod._atlas_srcs

    for mod in model.modules():
        if mod is model:
            continue
        handles += [mod.register_forward_pre_hook(pre), mod.register_forward_hook(post)]
    try:
        with torch.no_grad(), rec:
            out = model(*inputs)
    finally:
        for h in handles:
            h.remove()
    srcs = [producers[id(t)] for t in _tensors(out) if id(t) in producers]
    rec.scope.clear()
    rec.add_node(
        dict(kind="output", type="output", path="", label="output"), _shape_of(out), srcs[:1] or [], []
    )
    for _, d in G.nodes(data=True):  # the scope of a module node is its parent's path
        if d["kind"] == "module":
            d["scope"] = d["path"].rpartition(".")[0]
    G.graph.update(method="executed", modules=table)
    return G


# ------------------------------------------------------------------------------------------- public


def _contract(G: nx.DiGraph, pred) -> nx.DiGraph:
    """Remove nodes for which ``pred`` holds, joining their predecessors to their successors."""
    for n in [n for n, d in G.nodes(data=True) if pred(d)]:
        for u in G.predecessors(n):
            for v in G.successors(n):
                if u != v:
                    G.add_edge(u, v)
        G.remove_node(n)
    return G


def trace_graph(
    model: nn.Module, example_input: Any, depth: int | None = None, method: str = "auto"
) -> nx.DiGraph:
    """The layer graph of ``model`` run on ``example_input`` (a tensor or a tuple of inputs).

    ``depth=None`` shows every leaf layer; ``depth=k`` merges everything below module paths of k
    components into one node per module (``depth=1``: the model's top-level children). ``method``
    is "auto" (fx, falling back to the executed path), "fx" or "executed".
    """
    inputs = _as_tuple(example_input)
    was_training = model.training
    model.eval()
    on_meta = all(t.is_meta for t in _tensors(inputs))
    try:
        with shape_only(model) if on_meta else contextlib.nullcontext():
            if method in ("auto", "fx"):
                try:
                    G = _trace_fx(model, inputs)
                except Exception as e:  # fx cannot trace data-dependent control flow
                    if method == "fx":
                        raise
                    G = _trace_executed(model, inputs)
                    G.graph["fx_error"] = f"{type(e).__name__}: {e}"[:300]
            else:
                G = _trace_executed(model, inputs)
    finally:
        model.train(was_training)
    G = _contract(G, lambda d: d["type"] in _PASS_THROUGH)
    if depth is not None:
        G = collapse_depth(G, depth)
    return G


def capture(model: nn.Module, inputs: Any, names: Iterable[str]) -> dict[str, torch.Tensor]:
    """Outputs of the named submodules (module paths) for ``inputs``, detached copies; the first tensor
    of a tuple output. Copies, because a later in-place op (ResNet's ``ReLU(inplace=True)`` after a
    BatchNorm) would otherwise overwrite the captured tensor. Unknown names raise KeyError with the
    closest paths."""
    modules = dict(model.named_modules())
    names = list(names)
    missing = [n for n in names if n not in modules]
    if missing:
        import difflib

        close = difflib.get_close_matches(missing[0], list(modules), n=3)
        raise KeyError(
            f"no module {missing[0]!r} in {type(model).__name__}; close: {', '.join(close) or 'none'}"
        )
    out: dict[str, torch.Tensor] = {}
    handles = []
    for n in names:

        def hook(mod, args, o, n=n):
            t = next(iter(_tensors(o)), None)
            if t is not None:
                out[n] = t.detach().clone()

        handles.append(modules[n].register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(*_as_tuple(inputs))
    finally:
        for h in handles:
            h.remove()
    return out

"""No raw math notation in what the pages show: "x_t", "c_{t−1}", "C_in" or "2^depth" in prose, labels or
chart text. Prose writes math as Streamlit's inline math (``$x_t$``); chart text, where Plotly shows no
LaTeX, uses Unicode subscripts or Plotly's ``<sub>`` markup (``ui.charts.subscript``).

The scan reads every string literal of pages/, ui/ and viz/ (f-strings with ``{}`` for their fields),
leaving out docstrings, ``st.latex`` formulas, widget keys, subscripts (``d["x_0"]``) and ``$...$`` spans.
"""

from __future__ import annotations

import ast
import re

from tests.apptest import open_page
from tests.conftest import ROOT

# A short symbol with an underscore subscript (x_t, ᾱ_t, C_in, SNR_t, c_{t-1}) or a caret power (2^depth).
NOTATION = re.compile(r"(?<![\w.])[^\W\d_]{1,3}_(?:\{|[^\W_]{1,3}\b)|\^(?:\{|\w)")
# In a string that is a whole identifier, only a one-letter symbol counts (x_0, d_k; not val_acc, ood_rec).
IDENTIFIER_NOTATION = re.compile(r"^[^\W\d_]_[^\W_]{1,3}$")
ALLOWED = {
    "s_in": "a memo key (ui/autoencoder/views.py)",
    "s_{}": "a memo key (ui/autoencoder/views.py)",
    "Return the n_mber of it_ms.": "underscores are the blanks the model fills in",
    "^φ": "what pages/cnn.py replaces in the compound-scaling table's headers",
    "x1^2": "a Playground feature's name in a lesson step (shown as x₁²: data.toy2d.FEATURES)",
    "x2^2": "a Playground feature's name in a lesson step (shown as x₂²: data.toy2d.FEATURES)",
    "q_mlp": "a registry name (archs/rl/networks.py: the Q-network), not q with a subscript",
    "n_gt": "a result key (training/detection/metrics.py: how many true boxes), not n with a subscript",
}
# Modules other work is changing right now; their owners fix them (ui/cnn/explainer.py: "Σ_m Σ_n").
PENDING: set[str] = set()


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _docstring(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _skipped(tree: ast.AST) -> set[int]:
    skip: set[int] = set()

    def drop(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and _docstring(body[0].value):
            drop(body[0].value)  # a docstring
        if isinstance(node, ast.Call):
            if getattr(node.func, "attr", getattr(node.func, "id", "")) == "latex":
                for a in node.args:
                    drop(a)
            for k in node.keywords:
                if k.arg == "key":
                    drop(k.value)
        elif isinstance(node, ast.Subscript):
            drop(node.slice)
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)  # read as one string
    return skip


def raw_notation(source: str) -> list[tuple[int, str, str]]:
    """(line, match, string) for every raw notation in the string literals of ``source``."""
    tree = ast.parse(source)
    skip = _skipped(tree)
    found = []
    for node in ast.walk(tree):
        text = None if id(node) in skip else _text(node)
        if text is None or text in ALLOWED:
            continue
        prose = re.sub(r"\$[^$]+\$", "", text)
        pattern = IDENTIFIER_NOTATION if prose.isidentifier() else NOTATION
        found += [
            (node.lineno, node.col_offset, m.start(), m.group(0), text) for m in pattern.finditer(prose)
        ]
    return [(line, m, text) for line, _, _, m, text in sorted(found)]


def test_the_scan_finds_raw_notation_and_passes_math():
    planted = """
st.markdown("the cell state c_t and ∂c_t/∂c_{t−1}, C_in channels, a field of 2^depth")
fig.update_layout(title="ᾱ_t (signal kept)", xaxis_title="d_k")
st.markdown("the cell state $c_t$, $C_\\\\text{in}$ channels; xₜ, ᾱₜ and W<sub>Q</sub> in charts")
st.latex(r"h_t = \\sigma(W h_{t-1})")
st.slider("Layers", key="pg.w_1"); record["val_acc"]; memo(job, "ood_rec", f)
"""
    hits = [m for _, m, _ in raw_notation(planted)]
    assert hits == ["c_t", "c_t", "c_{", "C_in", "^d", "ᾱ_t", "d_k"], hits


def test_pages_and_ui_show_no_raw_notation():
    found = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("viz/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel not in PENDING:
            found += [f"{rel}:{line}: {m!r} in {s[:80]!r}" for line, m, s in raw_notation(path.read_text())]
    assert not found, "write math as $...$ in prose, Unicode or <sub> in charts:\n" + "\n".join(found)


# Names that are identifiers, not math: fields a message tells the user to change, dictionary keys, the
# Playground's feature names (shown through data.toy2d.FEATURES as x₁², ...).
IDENTIFIERS = {
    "cat_dim",
    "seq_len",
    "min_len",
    "max_len",
    "x_val",
    "q_cat",
    "k_d",
    "k_g",
    "z_q",
    "x1^2",
    "x2^2",
    "dt_min",
    "dt_max",
    "top_k",
    "d_ff",
    "in_dim",
}


def test_help_texts_and_messages_of_models_data_and_training_show_no_raw_notation():
    """What the model, data and training modules say reaches the pages too: a hyperparameter's help (the
    form's tooltip), a ConfigError's sentence (the page's error box), a preset's source note."""
    found = []
    for path in sorted(
        [*ROOT.glob("archs/**/*.py"), *ROOT.glob("data/**/*.py"), *ROOT.glob("training/**/*.py")]
    ):
        rel = path.relative_to(ROOT).as_posix()
        for line, m, s in raw_notation(path.read_text()):
            words = re.findall(r"[\w^]+", s)
            if any(m in w and w in IDENTIFIERS for w in words) or s in ALLOWED or "^φ" in s:
                continue
            found.append(f"{rel}:{line}: {m!r} in {s[:80]!r}")
    assert not found, "write math as $...$ or Unicode (hₜ, βₜ, 2ⁱ) in help texts and messages:\n" + "\n".join(
        found
    )


def test_table_headers_show_no_raw_notation():
    """Table headers show no LaTeX either: the CNN page's compound-scaling table (its column names come from
    archs/cnn/efficientnet.py)."""
    at = open_page("pages/cnn.py")
    headers = [str(c) for df in at.dataframe for c in df.value.columns]
    assert "depth αᵠ" in headers and not [h for h in headers if NOTATION.search(h)], headers

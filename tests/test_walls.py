"""The walls of the house (DESIGN.md): one package per family in every layer, and no family reaches into
another's. What two families share moves down into ``archs/blocks/`` or a layer's shared modules.

Owners: ``archs/<f>/``, ``training/<f>/``, ``ui/<f>/``, ``tests/<f>/``, ``viz/<f>.py`` and a page that
shows family ``f`` belong to ``f``; every other module of ``archs``, ``data``, ``training``, ``viz`` and
``ui`` is shared machinery. A family module may import shared modules and its own family's modules in
any layer; a shared module imports no family module (the registries find families by discovery).
"""

from __future__ import annotations

import ast
from pathlib import Path

import archs
from tests.conftest import ROOT
from ui.nav import PAGES

FAMILY_LAYERS = ("archs", "training", "ui", "tests")
SHARED_LAYERS = ("archs", "data", "training", "viz", "ui")


def owner_of_module(dotted: str) -> str | None:
    """The family a dotted module name belongs to, or None for shared machinery."""
    parts = dotted.split(".")
    if (
        parts[0] in ("archs", "training", "ui", "viz", "tests")
        and len(parts) > 1
        and parts[1] in archs.FAMILIES
    ):
        return parts[1]
    return None


def owner_of_file(path: Path, root: Path) -> str | None | bool:
    """The family that owns a source file, None for shared machinery, False for files outside the walls."""
    rel = path.relative_to(root).parts
    if rel[0] in FAMILY_LAYERS and len(rel) > 2 and rel[1] in archs.FAMILIES:
        return rel[1]
    if rel[0] == "viz" and len(rel) == 2 and rel[1][:-3] in archs.FAMILIES:
        return rel[1][:-3]
    if rel[0] == "pages":
        fams = next((p.families for p in PAGES if p.path == "/".join(rel)), ())
        return fams[0] if len(fams) == 1 else False
    if rel[0] in SHARED_LAYERS:
        return None
    return False  # app.py, bench/, top-level tests: free to look at everything


def imported_modules(source: str) -> set[str]:
    """Every absolute module an import statement names, at any depth (imports inside functions too);
    ``from pkg import name`` also yields ``pkg.name`` in case ``name`` is a module."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def wall_breaches(root: Path) -> list[str]:
    """One sentence per import that crosses a wall, for every Python file under ``root``."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        owner = owner_of_file(path, root)
        if owner is False:
            continue
        mods = imported_modules(path.read_text())
        for mod in sorted(mods):
            target = owner_of_module(mod)
            if target is None or target == owner:
                continue
            if mod.rsplit(".", 1)[0] in mods and owner_of_module(mod.rsplit(".", 1)[0]) == target:
                continue  # `from archs.cnn.classic import X` is reported once, as archs.cnn.classic
            who = f"family {owner!r}" if owner else "shared module"
            bad.append(f"{path.relative_to(root)} ({who}) imports {mod} (family {target!r})")
    return bad


def test_no_import_crosses_a_family_wall():
    assert wall_breaches(ROOT) == []


def test_the_wall_check_catches_a_planted_import(tmp_path):
    """Plant one forbidden import in a copy of two family packages: the check must name it."""
    for rel, text in {
        "archs/cnn/classic.py": "from archs.blocks.conv import conv_bn_act\n",
        "archs/rnn/recurrent.py": "from archs.cnn.classic import LeNet5\n",  # the planted breach
        "viz/gan.py": "import viz.curves\n",
        "ui/panels.py": "def f():\n    from ui.diffusion.panels import x\n",  # shared -> family, nested
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = wall_breaches(tmp_path)
    assert found == [
        "archs/rnn/recurrent.py (family 'rnn') imports archs.cnn.classic (family 'cnn')",
        "ui/panels.py (shared module) imports ui.diffusion.panels (family 'diffusion')",
    ]


def test_every_family_has_its_home_in_every_layer():
    """The same key names a family everywhere: archs/, training/, ui/, tests/ packages and its page."""
    for fam in archs.FAMILIES:
        assert (ROOT / "archs" / fam / "__init__.py").is_file(), fam
        assert archs.list_archs(fam), f"family {fam} registers no architecture"
        assert any(fam in p.families for p in PAGES if p.exists), f"no page shows family {fam}"
    for layer in FAMILY_LAYERS:
        for d in (ROOT / layer).iterdir():
            if d.is_dir() and (d / "__init__.py").exists() and d.name != "blocks":
                assert d.name in archs.FAMILIES, f"{layer}/{d.name}/ is not a family key"

"""The core never imports streamlit: archs, data, training and viz work headless."""

import subprocess
import sys

from tests.conftest import ROOT


def test_core_packages_do_not_import_streamlit():
    code = (
        "import sys, archs, data, training, viz, archs.introspect, archs.catalog, training.probes; "
        "import viz.feedforward; "
        "import archs.registry; archs.list_archs(); "
        "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_pages_are_thin():
    for page in (ROOT / "pages").glob("*.py"):
        src = page.read_text()
        assert len(src.splitlines()) <= 140, f"{page.name} is too long for a page"
        assert "\nensure_app()\n" in src, f"{page.name} must call ui.boot.ensure_app() first"
        for banned in ("torch.nn", "F.conv", ".backward(", "optim."):
            assert banned not in src, f"{page.name} does tensor work ({banned}); move it to the core"

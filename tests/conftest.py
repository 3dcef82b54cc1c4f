import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ARCHATLAS_DEVICE", "cpu")  # tests never depend on a GPU
# AppTest pages train on threads (fast to start, one process); the job contract tests run every backend,
# and the browser tests' server runs the default (process) backend, as a real server does
os.environ.setdefault("ARCHATLAS_JOBS", "thread")

# Parallel workers share the cores: each gets its share of intra-op threads, and so does the streamlit server
# the browser tests start (it inherits OMP_NUM_THREADS). Oversubscribed OpenMP pools wait at every barrier
# for a thread another process has descheduled: a page that draws in 7 s took over 60 s that way in CI.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _workers > 1:
    _threads = str(max(1, (os.cpu_count() or 1) // _workers))
    os.environ["OMP_NUM_THREADS"] = _threads
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(int(_threads))


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one browser test module (see tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    """A real ``streamlit run app.py`` for one browser test module; its URL."""
    from tests.browser import serve

    with serve() as url:
        yield url

"""On a fresh server many sessions ask for the registries at once: every one must see all of them."""

import subprocess
import sys

from tests.conftest import ROOT

CODE = """
import threading
import archs, training
seen, errors = [], []
def ask():
    try:
        found = training.get_recipe("mlp_toy2d").name
        seen.append((len(archs.list_archs()), len(training.list_recipes()), found))
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=ask) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(errors, set(seen))
assert not errors and len(set(seen)) == 1, (errors, set(seen))
"""


def test_concurrent_first_lookups_see_the_whole_registry():
    for _ in range(3):  # a fresh interpreter each time: the first lookups are the racy ones
        r = subprocess.run(
            [sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert r.returncode == 0, r.stdout + r.stderr

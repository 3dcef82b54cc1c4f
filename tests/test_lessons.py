"""Every lesson of every family page, walked step by step under AppTest: Next moves the page to the step's
settings (tab, architecture, fields, lab settings), the page draws that state without an exception, and
Back returns to the step before."""

from __future__ import annotations

import pytest

from tests.apptest import app_test
from ui.lessons import LESSONS, resolve, state_at
from ui.nav import existing_pages

PAGES = {
    "ff": "feedforward",
    "cnn": "cnn",
    "det": "detection",
    "rnn": "rnn",
    "fc": "forecasting",
    "tx": "transformers",
    "ae": "autoencoders",
    "gan": "gans",
    "dif": "diffusion",
    "gnn": "graph",
    "rl": "rl",
    "energy": "energy",
    "ssl": "ssl",
    "beyond": "beyond",
    "audio": "audio",
    "multimodal": "multimodal",
    "continuous": "continuous",
    "capsules": "capsules",
    "autoregressive": "autoregressive",
    "flows": "flows",
    "modern_vision": "modern_vision",
    "cmp": "compare",
}


def test_every_family_page_and_compare_has_a_lesson_of_four_to_eight_steps():
    family_pages = {p.path.rsplit("/", 1)[-1][:-3] for p in existing_pages() if p.families}
    assert family_pages <= set(PAGES.values())
    for prefix in PAGES:
        assert LESSONS.get(prefix), f"no lesson for {PAGES[prefix]}"
        assert all(4 <= len(le.steps) <= 8 for le in LESSONS[prefix])


@pytest.mark.parametrize("prefix", list(PAGES))
def test_walking_every_lesson_sets_each_step_and_draws_it(prefix):
    at = app_test(f"pages/{PAGES[prefix]}.py", timeout=300, every_tab=False).run()
    for lesson in LESSONS[prefix]:
        at.selectbox(key=f"{prefix}.lesson").set_value(lesson.title).run()
        for i in range(len(lesson.steps)):
            if i:
                at.button(key=f"{prefix}.lesson.next").click().run()
            assert not at.exception, (lesson.title, i, [e.value for e in at.exception])
            assert any(f"Step {i + 1} of {len(lesson.steps)}" in x.value for x in at.info)
            for key, value in state_at(lesson, i).items():
                assert at.session_state[key] == resolve(value), (lesson.title, i, key)
        at.button(key=f"{prefix}.lesson.back").click().run()
        assert any(f"Step {len(lesson.steps) - 1} of" in x.value for x in at.info)

"""The dates experiment before training and with its demo model: the data's pairs and the untrained
network's translation and alignment are drawn before any step; "Load the demo model" translates the
typed date correctly at once, with its attention alignment, without training."""

from tests.apptest import errors, open_page, progress


def test_dates_untrained_then_the_demo_translates_without_training():
    at = open_page("pages/rnn.py", timeout=240)
    at.radio(key="rnn.exp").set_value("Dates with attention").run()
    assert any(i.value.startswith("**Untrained**") for i in at.info)
    assert any("source (input)" in d.value.columns for d in at.dataframe)  # the data: pairs to learn
    assert any("the untrained network" in m.value for m in at.markdown)
    attention = [c for c in at.get("plotly_chart") if "source characters" in c.proto.spec]
    assert attention, "the untrained alignment is drawn"
    assert not progress(at)

    at.select_slider(key="rnn.d.h").set_value(16).run()
    at.button(key="rnn.d.train.demo_btn").click().run()
    assert not at.exception and not errors(at)
    assert at.select_slider(key="rnn.d.h").value == 64
    assert any("done** · step 600 / 600" in p for p in progress(at))
    assert any("**7 march 2024** → **`2024-03-07`**" in m.value for m in at.markdown)
    at.text_input(key="rnn.d.text").input("25/12/1999").run()
    assert any("→ **`1999-12-25`**" in m.value for m in at.markdown)
    assert any("done** · step 600 / 600" in p for p in progress(at))  # typing keeps the demo

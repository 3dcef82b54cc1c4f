"""The browser suite: a real ``streamlit run`` server and headless Chromium (Debian's, via Playwright).

Skipped when Chromium or Playwright is missing (CI installs both). Checks what only a browser
shows: pages load without an exception box, Plotly charts are drawn, training moves the loss curve.
"""

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.live_training import PAUSE_JS, SAMPLE_JS, TRAIN_JS, TRAINING_JS, open_playground, run_and_pause
from tests.browser import BROWSER_MARKS, CURVE_LAST_STEP, IDLE, no_exception, open_page, serve
from tests.conftest import ROOT
from ui.nav import existing_pages

pytestmark = BROWSER_MARKS


def test_a_direct_link_on_a_fresh_server_runs_the_whole_app(browser):
    """The first request of a new server goes straight to a page, not to the root: the page must still
    come with app.py's sidebar and navigation (see ui/boot.py)."""
    with serve() as fresh:
        _direct_link(browser, fresh)


def _direct_link(browser, server):
    page = open_page(browser, f"{server}/feedforward")
    try:
        page.wait_for_selector("h1:has-text('Feedforward networks')", timeout=120_000)
        page.wait_for_selector("text=Global seed", timeout=30_000)  # app.py's sidebar
        assert "Foundations" in page.inner_text("body")
    finally:
        page.close()


@pytest.mark.parametrize("path", [p.path for p in existing_pages()])
def test_every_page_loads_and_draws(server, browser, path, tmp_path):
    slug = "" if path.endswith("home.py") else path.rsplit("/", 1)[-1][:-3]
    page = open_page(browser, f"{server}/{slug}")
    try:
        page.wait_for_selector("h1", timeout=120_000)
        no_exception(page)
        families = next(p.families for p in existing_pages() if p.path == path)
        if slug == "":
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=120_000)
        elif not families and slug != "compare":  # the guide, timeline, engineering pages: their first view
            page.wait_for_function(IDLE, timeout=120_000)
            page.wait_for_function(
                """() => [...document.querySelectorAll(
                    '.js-plotly-plot, [data-testid="stDataFrame"], .katex-display'
                )].some(e => e.offsetParent !== null)""",
                timeout=120_000,
            )
        else:  # every family page shows a layer graph: open the tab that holds it
            # tabs are lazy (ui/links.py): a click reruns the page, so wait for the inner Graph tab to
            # exist (drawn by that rerun) before clicking it, on a machine of any speed
            # wait for the page's tab bar first: on a slow machine the title is drawn long before the tabs
            page.get_by_role("tab").first.wait_for(timeout=120_000)
            graph_tab = page.get_by_role("tab", name=re.compile(r"^Graphs?$")).first  # Compare: "Graphs"
            if '"Architectures"' in (ROOT / path).read_text():  # the layer graph is inside that tab
                outer = page.get_by_role("tab", name="Architectures", exact=True).first
                outer.wait_for(timeout=120_000)
                # a click that lands while the page's first run is still being drawn can be lost under
                # load (seen twice in a full parallel run, never alone): click again until the tab opens
                for _ in range(4):
                    outer.click()
                    try:
                        graph_tab.wait_for(timeout=30_000)
                        break
                    except PlaywrightTimeout:
                        continue
            graph_tab.wait_for(timeout=120_000)
            graph_tab.click()
            # the layer graph: a drawn, visible plot whose node trace has the model's layers
            page.wait_for_function(
                """() => [...document.querySelectorAll('.js-plotly-plot')].some(p =>
                p.offsetParent !== null && (p.data || []).some(t => t.name === 'layers' && t.customdata
                && t.customdata.length > 3) && p.querySelectorAll('.scatterlayer .point').length > 3)""",
                timeout=120_000,
            )
        page.screenshot(path=str(tmp_path / f"{slug or 'home'}.png"))
        no_exception(page)
    finally:
        page.close()


HEAD_POINT = """() => { const p = [...document.querySelectorAll('.js-plotly-plot')].find(p =>
    p.offsetParent !== null && (p._fullData || []).some(t => t.name === 'layers'));
  const k = p._fullData.findIndex(t => t.name === 'layers');
  const i = Array.from(p._fullData[k].customdata).indexOf('head');
  if (i < 0) return null;
  const pt = p.querySelectorAll('.scatterlayer .trace')[k].querySelectorAll('.point')[i];
  const r = pt.getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"""


def test_clicking_a_graph_node_opens_its_details(server, browser):
    page = open_page(browser, f"{server}/feedforward")
    try:
        page.get_by_role("tab", name="Architectures").click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent !== null
            && (p._fullData || []).some(t => t.name === 'layers'))""",
            timeout=120_000,
        )
        # opening the tab reruns the page: a click that lands while that run is still going may be
        # dropped by Streamlit, so wait until the app is idle, and click again if the details did not come
        for attempt in range(3):
            page.wait_for_function(IDLE, timeout=120_000)
            # the visible layer graph's "head" node (other tabs hold hidden ones)
            box = page.evaluate(HEAD_POINT)
            assert box is not None, "no 'head' node in the visible graph"
            page.mouse.move(box["x"] - 4, box["y"] - 4)
            page.mouse.move(box["x"], box["y"])
            try:
                # plotly clicks the hovered point: wait until it shows the hover label, then click (a
                # redraw between measuring the point and hovering it moves it: measure again, CI saw it)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.hoverlayer .hovertext')]"
                    ".some(h => h.textContent.includes('head'))",
                    timeout=30_000,
                )
                page.mouse.click(box["x"], box["y"])
                # the details of the clicked layer
                page.wait_for_selector("text=head · Linear", timeout=60_000 if attempt < 2 else 120_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
                page.mouse.move(0, 0)  # leave the chart, so the next hover is a fresh one
        no_exception(page)
    finally:
        page.close()


def _eventually(check, timeout: float = 60.0, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


# The decision boundary's chart: tagged the first time it is seen; its prediction at one grid point.
BOUNDARY_TAG = """() => {
    const p = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.offsetParent !== null
        && (p._fullData || []).some(t => t.type === 'heatmap')
        && (p._fullData || []).some(t => (t.name || '').startsWith('class ')));
    if (!p) return null;
    if (!window.__boundaryTagged) { p.dataset.archatlasTag = 'boundary'; window.__boundaryTagged = true; }
    if (p.dataset.archatlasTag !== 'boundary') return 'replaced';
    const z = p._fullData.find(t => t.type === 'heatmap').z;
    return String(z[10][10]);
}"""


def test_playground_trains_live_and_pauses(server, browser):
    """Train on the Playground: the step counter and the loss curve move, the curve and the decision
    boundary are painted in (nearly) every sample taken while it trains, and Pause pauses: the page
    says so and the step counter stops. How fast is bench/live_training.py's business, not a test's."""
    page = open_playground(browser, server)
    try:
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(TRAINING_JS, timeout=120_000)

        def step() -> int:
            return page.evaluate(SAMPLE_JS)["step"] or 0

        first, last = step(), page.evaluate(CURVE_LAST_STEP)
        # a loaded 2-core machine (the other test worker, the server) may delay a poll: wait up to 60 s
        assert _eventually(lambda: step() > first), "the step counter did not move while training"
        assert _eventually(lambda: page.evaluate(CURVE_LAST_STEP) > last), "the loss curve did not grow"
        # the sidebar's job counter follows jobs that start and end between the page's reruns
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes('1 running')",
            timeout=60_000,
        )
        # the boundary is redrawn in place: the same chart element shows the new predictions (a chart
        # mounted afresh at every tick is blank until drawn again: ui/live_chart.py)
        first_z = page.evaluate(BOUNDARY_TAG)
        assert first_z is not None, "no decision boundary while training"
        assert _eventually(lambda: page.evaluate(BOUNDARY_TAG) not in (None, first_z)), (
            "the boundary never changed"
        )
        assert page.evaluate(BOUNDARY_TAG) != "replaced", (
            "the boundary chart was thrown away and mounted afresh"
        )
        row = run_and_pause(page, run_s=4.0, already_training=True)
        assert row["curve_painted"] >= 0.95 and row["boundary_painted"] >= 0.95, row
        assert row["pause_latency_s"] is not None, f"the page never said paused: {row}"
        assert row["steps_after_paused"] == 0, row
        no_exception(page)
    finally:
        if page.evaluate(SAMPLE_JS)["text"].startswith("training"):
            page.evaluate(PAUSE_JS)  # do not leave a 50,000-step job loading the shared server
        page.close()


def _play_clicks(frames: list[bytes]) -> list[str]:
    """The fragment ids of the reruns that carry a click on the Playground's Train/Pause button, from the
    frames the browser sent (Streamlit's BackMsg protobufs): "" is a rerun of the whole page."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    ids = []
    for raw in frames:
        m = BackMsg()
        try:
            m.ParseFromString(raw)
        except Exception:  # not a BackMsg (never seen; be safe)
            continue
        if m.WhichOneof("type") != "rerun_script":
            continue
        r = m.rerun_script
        if any(w.id.endswith(("-pg.play", "-pg.pause")) and w.trigger_value for w in r.widget_states.widgets):
            ids.append(r.fragment_id)
    return ids


def test_pause_reruns_only_the_training_panel(server, browser):
    """The training controls are drawn inside the live fragment (ui/train_panel.py): a click on Pause
    reruns that fragment alone, so the page says *paused* without waiting for the whole page to be
    drawn again; Train after it still starts the run again (it asks for a whole-page rerun)."""
    frames: list[bytes] = []

    def watch(ws):
        ws.on("framesent", lambda p: frames.append(p if isinstance(p, bytes) else p.encode()))

    page = open_playground(browser, server, on_websocket=watch)
    try:
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(TRAINING_JS, timeout=120_000)
        page.wait_for_function(
            "() => /step [1-9]/.test(document.querySelector('[data-testid=\"stProgress\"]').innerText)",
            timeout=120_000,
        )
        frames.clear()
        assert page.evaluate(PAUSE_JS), "no Pause button while training"
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stProgress\"]').innerText.startsWith('paused')",
            timeout=60_000,
        )
        clicks = _play_clicks(frames)
        assert clicks, "the Pause click was not sent"
        assert all(clicks), f"Pause reran the whole page, not the training panel: {clicks}"
        # the status line may say *paused* a moment before the button's new label reaches the browser:
        # wait for the Train button (TRAIN_JS clicks it once found)
        # (once over 60 s on a loaded 2-core machine, in a full parallel run: 120 s, as elsewhere)
        page.wait_for_function(TRAIN_JS, timeout=120_000)
        page.wait_for_function(TRAINING_JS, timeout=120_000)
        no_exception(page)
    finally:
        if page.evaluate(SAMPLE_JS)["text"].startswith("training"):
            page.evaluate(PAUSE_JS)
        page.close()


# which nodes each "predicted <class>" trace of the visible graph chart holds (its customdata's node ids)
PREDICTED_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const ts = (p._fullData || []).filter(t => (t.name || '').startsWith('predicted '));
    if (ts.length) return Object.fromEntries(ts.map(t => [t.name,
        Array.from(t.customdata || [], r => Array.isArray(r) ? r[0] : r).map(Number).sort((a, b) => a - b)]));
    } return null; }"""


def test_graph_nodes_train_and_the_graph_is_recoloured(server, browser):
    """The karate-club GCN trains in the browser: the graph first shows the untrained network's
    predictions, then, once the run has ended, the trained ones: the nodes change colour."""
    page = open_page(browser, f"{server}/graph?gnn.tab=Nodes")
    try:
        page.wait_for_function(f"() => ({PREDICTED_JS})() !== null", timeout=120_000)
        before = page.evaluate(PREDICTED_JS)
        before_s = page.evaluate(f"() => JSON.stringify(({PREDICTED_JS})())")
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(
            "() => { const b = document.querySelector('[data-testid=\"stProgress\"]');"
            " return !!b && b.innerText.startsWith('done'); }",
            timeout=120_000,
        )
        page.wait_for_function(
            f"(b) => JSON.stringify(({PREDICTED_JS})()) !== b", arg=before_s, timeout=60_000
        )
        after = page.evaluate(PREDICTED_JS)
        assert sum(map(len, after.values())) == 34 and after != before
        no_exception(page)
    finally:
        page.close()


RETURN_POINTS_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const t = (p._fullData || []).find(t => t.name === 'return (smoothed)');
    if (t) return (t.x || []).length; } return 0; }"""


def test_rl_agent_trains_its_return_curve_moves_and_an_episode_is_rendered(server, browser):
    """PPO on CartPole trains in the browser: the return curve appears and grows while it runs; then the
    Watch tab renders a frame of the trained agent's episode (a real image, not an empty box)."""
    page = open_page(browser, f"{server}/rl?rl.tab=Agent")
    try:
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(f"() => ({RETURN_POINTS_JS})() >= 2", timeout=120_000)
        first = page.evaluate(RETURN_POINTS_JS)
        page.wait_for_function(f"(n) => ({RETURN_POINTS_JS})() > n", arg=first, timeout=120_000)
        page.get_by_role("tab", name="Watch", exact=True).click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stImage"] img')].some(
                i => i.offsetParent !== null && i.complete && i.naturalWidth >= 300)""",
            timeout=120_000,
        )
        no_exception(page)
    finally:
        page.close()


SCENE_LABELS_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const d = p._fullData || [];
    if (d.filter(t => t.type === 'image').length === 4 && d.some(t => t.name === 'ground truth'))
        return (p._fullLayout.annotations || []).length; } return -1; }"""


def test_detection_trains_yolo_and_boxes_are_drawn_on_the_held_out_scenes(server, browser):
    """YOLO trains on shape scenes in the browser: the four held-out scenes are drawn from the start, and
    while it trains labelled boxes (class and score on a tab) appear on them."""
    # YOLOv3 (the link picks it): its first box at score ≥ 0.25 comes after about 30 steps, YOLOv8n's after
    # about 110 (seed 0), which took 220 s of a loaded full run beside two test workers
    page = open_page(browser, f"{server}/detection?det.tab=Train&det.train.arch=yolov3")
    try:
        page.wait_for_function(f"() => ({SCENE_LABELS_JS})() >= 0", timeout=120_000)
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(f"() => ({SCENE_LABELS_JS})() >= 1", timeout=600_000)
        no_exception(page)
    finally:
        page.close()


def test_transformer_attention_grid_is_drawn(server, browser):
    """The Attention tab draws a heatmap for every layer × head of the chosen model, then one head
    large and the rollout: all visible and painted (plotly draws each heatmap as an image)."""
    page = open_page(browser, f"{server}/transformers")
    try:
        page.get_by_role("tab", name="Architectures", exact=True).click()
        page.get_by_role("tab", name="Attention", exact=True).click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent !== null
            && (p._fullData || []).filter(t => t.type === 'heatmap').length >= 4
            && p.querySelectorAll('.heatmaplayer image').length >= 4)""",
            timeout=120_000,
        )
        # the grid comes first; the large head and the rollout may still be drawing: wait for them too
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null
            && (p._fullData || []).some(t => t.type === 'heatmap')).length >= 3""",
            timeout=120_000,
        )
        maps = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null)
            .map(p => (p._fullData || []).filter(t => t.type === 'heatmap').length)"""
        )
        assert len([m for m in maps if m >= 1]) >= 3, maps  # the grid, one head large, the rollout
        no_exception(page)
    finally:
        page.close()


def test_a_link_opens_the_chosen_architecture_and_value_and_copy_link_copies_the_state(server, browser):
    """A link names a tab, an inner tab, an architecture and a hyperparameter: the page opens there with
    that value; changing a setting writes it into the address; Copy link copies that address."""
    link = (
        f"{server}/cnn?cnn.tab=Architectures&cnn.view=Summary&cnn.arch=ResNet-34+%282015%29"
        "&cnn.resnet34.tiny.num_classes=7&atlas.seed=5"
    )
    page = open_page(browser, link)
    try:
        page.wait_for_selector("text=34 layers of two-conv residual blocks", timeout=120_000)
        page.get_by_text("Hyperparameters", exact=True).click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('input')].some(
                i => (i.getAttribute('aria-label') || '').replace(/\\u200b/g, '') === 'num_classes'
                    && i.value === '7')""",  # a form's label may break after an underscore (ui/forms.py)
            timeout=60_000,
        )
        assert page.get_by_role("tab", name="Summary", exact=True).get_attribute("aria-selected") == "true"
        # the sidebar's field may be drawn a moment after the page's (seen once under load): wait for it
        page.wait_for_function(
            """() => [...document.querySelectorAll('input')].some(
                i => i.getAttribute('aria-label') === 'Global seed' && i.value === '5')""",
            timeout=60_000,
        )
        no_exception(page)
        # the user changes the seed: the address follows, and Copy link copies it
        page.get_by_label("Global seed", exact=True).and_(page.locator("input")).fill("9")
        page.get_by_label("Global seed", exact=True).and_(page.locator("input")).press("Enter")
        page.wait_for_function("() => window.location.search.includes('atlas.seed=9')", timeout=60_000)
        page.locator("button.archatlas-copy-link").click()
        page.wait_for_function(
            "() => (document.querySelector('button.archatlas-copy-link').dataset.copied || '')"
            ".includes('atlas.seed=9')",
            timeout=30_000,
        )
        copied = page.evaluate("() => document.querySelector('button.archatlas-copy-link').dataset.copied")
        assert "cnn.resnet34.tiny.num_classes=7" in copied and "cnn.view=Summary" in copied
    finally:
        page.close()


def test_a_lessons_next_moves_the_page(server, browser):
    """A link opens a lesson (the lesson is a setting too); Next moves the page to the step's state: the
    Playground tab opens with the step's features selected."""
    from urllib.parse import quote

    from ui.lessons import LESSONS

    title = LESSONS["ff"][0].title
    page = open_page(browser, f"{server}/feedforward?ff.lesson={quote(title)}")
    try:
        page.wait_for_selector("text=Step 1 of 5", timeout=120_000)
        page.get_by_role("button", name="Next").click()
        page.wait_for_selector("text=Step 2 of 5", timeout=60_000)
        tab = page.get_by_role("tab", name="Playground", exact=True)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[role=tab]')].some(t => t.innerText.trim() === 'Playground'"
            " && t.getAttribute('aria-selected') === 'true')",
            timeout=60_000,
        )
        assert tab.get_attribute("aria-selected") == "true"
        page.wait_for_selector("text=Features", timeout=60_000)
        no_exception(page)
    finally:
        page.close()


# the visible plots that draw a layer graph, and the labels of the bars of the Compare page's cost chart
LAYER_GRAPHS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.offsetParent !== null
    && (p.data || []).some(t => t.name === 'layers') && p.querySelectorAll('.scatterlayer .point').length > 3)
    .length"""
COST_BARS = """() => { const p = [...document.querySelectorAll('.js-plotly-plot')].find(p =>
    p.offsetParent !== null && (p.data || []).some(t => t.type === 'bar'));
    return p ? Array.from(p.data[0].y) : null; }"""


def test_compare_two_canonical_models_side_by_side(server, browser):
    """A link to the Compare page with two canonical models: their cost bars, then both layer graphs."""
    query = "&".join(
        f"{k}={quote(v)}" for k, v in {"cmp.1.arch": "ResNet-18", "cmp.2.arch": "ViT-B/16"}.items()
    )
    page = open_page(browser, f"{server}/compare?{query}")
    try:
        page.wait_for_function(
            f"() => JSON.stringify(({COST_BARS})()) === "
            "JSON.stringify(['ResNet-18 (canonical)', 'ViT-B/16 (canonical)'])",
            timeout=120_000,
        )
        no_exception(page)
        page.get_by_role("tab", name="Graphs", exact=True).click()
        page.wait_for_function(f"() => ({LAYER_GRAPHS})() === 2", timeout=120_000)
        no_exception(page)
    finally:
        page.close()


def test_the_camera_button_saves_an_svg_when_the_sidebar_says_so(server, browser):
    page = open_page(browser, f"{server}/compare?atlas.figfmt=SVG")
    try:
        page.wait_for_function(f"() => ({COST_BARS})() !== null", timeout=120_000)
        chart = page.locator(".js-plotly-plot").filter(has=page.locator(".barlayer")).first
        chart.hover()  # the modebar shows on hover
        with page.expect_download(timeout=60_000) as download:
            chart.locator('.modebar-btn[data-title^="Download plot"]').click()
        assert download.value.suggested_filename == "archatlas_cmp.bars.svg"
        assert download.value.path().read_text().lstrip().startswith("<svg")
    finally:
        page.close()


# the visible energy chart's "energy" trace (plotly.js's decoded _fullData): its values, or null
HOPFIELD_ENERGY_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const t = (p._fullData || []).find(t => t.name === 'energy');
    if (t && t.y) return Array.from(t.y, Number); } return null; }"""


def test_hopfield_recall_draws_an_energy_curve_that_never_rises(server, browser):
    """The Hopfield tab: run a recall (a new corruption of the chosen letter) and see the energy after each
    asynchronous update drawn, a visible chart whose curve has at least two points and never rises."""
    page = open_page(browser, f"{server}/energy?energy.tab=Hopfield")
    try:
        page.get_by_role("button", name="Run recall with new noise").click()
        page.wait_for_function(
            f"() => {{ const y = ({HOPFIELD_ENERGY_JS})(); return !!y && y.length >= 2; }}", timeout=120_000
        )
        page.wait_for_function(IDLE, timeout=120_000)
        y = page.evaluate(HOPFIELD_ENERGY_JS)
        assert len(y) >= 2 and all(b <= a + 1e-9 for a, b in zip(y, y[1:], strict=False)), y[:20]
        assert y[-1] < y[0]  # 20 flipped bits were repaired: the energy fell
        no_exception(page)
    finally:
        page.close()


# The held-out embeddings' chart: its title and the first points of every class, or null while not drawn.
EMBEDDING_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const title = ((p.layout || {}).title || {}).text || '';
    if (!title.includes('Held-out embeddings')) continue;
    const points = (p._fullData || []).map(t => Array.from(t.x || []).slice(0, 8));
    return {title: title, points: JSON.stringify(points)}; }
    return null; }"""


def test_ssl_simclr_trains_and_its_embedding_plot_changes(server, browser):
    """SimCLR on the coloured shapes trains in the browser (a worker process): the held-out embeddings,
    drawn untrained first, move to where the trained encoder puts them, and move again as it trains on."""
    page = open_page(browser, f"{server}/ssl?ssl.tab=Train")
    moved = f"(before) => {{ const e = ({EMBEDDING_JS})(); return !!e && e.points !== before; }}"
    try:
        page.wait_for_function(
            f"() => {{ const e = ({EMBEDDING_JS})(); return !!e && e.title.includes('untrained encoder'); }}",
            timeout=120_000,
        )
        untrained = page.evaluate(EMBEDDING_JS)["points"]
        page.get_by_role("button", name="Train", exact=True).first.click()
        page.wait_for_function(moved, arg=untrained, timeout=120_000)
        first = page.evaluate(EMBEDDING_JS)
        assert "step" in first["title"], first["title"]
        page.wait_for_function(moved, arg=first["points"], timeout=120_000)
        no_exception(page)
    finally:
        page.close()


# The visible expert-load chart (bars named "MoE layer N"): its shares, joined into one string, or null
LOADS_JS = """() => { for (const p of document.querySelectorAll('.js-plotly-plot')) {
    if (p.offsetParent === null) continue;
    const bars = (p._fullData || []).filter(t => t.type === 'bar' && (t.name || '').startsWith('MoE layer'));
    if (bars.length) return bars.map(t => Array.from(t.y, v => Number(v).toFixed(4)).join(',')).join(';'); }
    return null; }"""


def test_moe_trains_and_the_expert_load_histogram_changes(server, browser):
    """The mixture-of-experts lab trains in the browser (a worker process): the load histogram, drawn for
    the untrained router first, is redrawn with other shares as training runs, and again later."""
    page = open_page(browser, f"{server}/beyond?beyond.tab=Experts")
    changed = f"(before) => {{ const s = ({LOADS_JS})(); return !!s && s !== before; }}"
    try:
        page.wait_for_function(f"() => !!({LOADS_JS})()", timeout=120_000)
        untrained = page.evaluate(LOADS_JS)
        page.get_by_role("button", name="Train", exact=True).first.click()
        page.wait_for_function(changed, arg=untrained, timeout=120_000)
        first = page.evaluate(LOADS_JS)
        page.wait_for_function(changed, arg=first, timeout=120_000)
        no_exception(page)
    finally:
        page.close()

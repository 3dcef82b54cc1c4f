"""Live training as a student sees it, in headless Chromium against a real ``streamlit run``.

On the Feedforward Playground: press Train, then every 0.3 s sample what the page shows — is the loss
curve painted (plotly has drawn a line with points), is the decision boundary painted (its heatmap
image is drawn), what does the status line say — then press Pause and time how long the page takes to
say *paused*, and check that the step counter stops. Reported: the share of samples in which each chart
was painted, the intervals between status updates (against the fragment's tick), the Pause latency
and the steps trained after the page said paused. ``python -m bench.live_training`` prints one row.
"""

from __future__ import annotations

import json
import statistics
import time

from bench.browser_load import ARGS, IDLE_JS, Server

# What the page shows right now: the playground's status line and step, and whether the loss curve
# and the decision boundary are painted (an SVG line with points; a drawn heatmap image).
SAMPLE_JS = """() => {
    const bar = document.querySelector('[data-testid="stProgress"]');
    const text = bar ? bar.innerText : '';
    const m = text.match(/step ([\\d,]+)/);
    let curve = false, boundary = false;
    for (const p of document.querySelectorAll('.js-plotly-plot')) {
        if (p.offsetParent === null) continue;
        const names = (p._fullData || []).map(t => t.name || '');
        if (names.some(n => n.includes('train loss'))) {
            curve = [...p.querySelectorAll('.scatterlayer path.js-line')].some(
                e => (e.getAttribute('d') || '').length > 20);
        }
        if ((p._fullData || []).some(t => t.type === 'heatmap' || t.type === 'contour')
                && !names.some(n => n.includes('loss'))) {
            const img = p.querySelector('.heatmaplayer image, .contourlayer path');
            const drawn = img && (img.getAttribute('href') || img.getAttribute('d') || '');
            boundary = boundary || !!(drawn && drawn.length > 20);
        }
    }
    return {text: text, step: m ? parseInt(m[1].replace(/,/g, '')) : null, curve, boundary};
}"""


# the visible button (the Architectures tab's training panel has its own, hidden while on the Playground)
PAUSE_JS = """() => [...document.querySelectorAll('button')]
    .some(b => b.offsetParent !== null && b.innerText.trim().endsWith('Pause') && (b.click(), true))"""
TRAIN_JS = """() => [...document.querySelectorAll('button')]
    .some(b => b.offsetParent !== null && b.innerText.trim().endsWith('Train') && (b.click(), true))"""
RESET_JS = """() => [...document.querySelectorAll('button')]
    .some(b => b.offsetParent !== null && b.innerText.trim().endsWith('Reset') && (b.click(), true))"""


def open_playground(browser, url: str, steps_value: str = "End", on_websocket=None):
    """The Playground tab with its longest run selected (``End`` of the Stop-after slider).
    ``on_websocket(ws)``: called with the page's websocket to Streamlit (to watch its frames)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    if on_websocket is not None:
        page.on("websocket", on_websocket)
    page.set_default_timeout(180_000)
    page.goto(f"{url}/feedforward?ff.tab=Playground")  # a link to the tab (ui/links.py)
    page.wait_for_selector("h1:has-text('Feedforward networks')")
    stop = page.locator('[data-testid="stSlider"]').filter(has_text="Stop after").get_by_role("slider")
    stop.first.focus()
    page.keyboard.press(steps_value)
    deadline = time.monotonic() + 120
    while stop.first.get_attribute("aria-valuetext") != "50000":
        if time.monotonic() > deadline:
            raise TimeoutError("the Stop-after slider did not reach 50,000")
        page.wait_for_timeout(100)
    page.wait_for_function(IDLE_JS)  # the rerun for the new slider value has finished: Train is live
    return page


STEPPED_JS = """() => { const b = document.querySelector('[data-testid="stProgress"]');
    return !!b && /step [1-9]/.test(b.innerText); }"""

TRAINING_JS = """() => { const b = document.querySelector('[data-testid="stProgress"]');
    return !!b && b.innerText.startsWith('training'); }"""


def run_and_pause(
    page, run_s: float = 8.0, every_s: float = 0.3, after_pause_s: float = 3.0, already_training: bool = False
) -> dict:
    """Train for ``run_s`` while sampling, press Pause, time it, watch the counter."""
    if not already_training:
        page.get_by_role("button", name="Train").first.click()
    page.wait_for_function(TRAINING_JS)
    # sample a run in progress, from when its first step and both its charts are on the page (a worker
    # starting, or a chart not yet drawn for the first time, is not a chart that goes blank while training)
    page.wait_for_function(STEPPED_JS)
    page.wait_for_function(f"() => {{ const s = ({SAMPLE_JS})(); return s.curve && s.boundary; }}")
    samples, t_end = [], time.perf_counter() + run_s
    while time.perf_counter() < t_end:
        s = page.evaluate(SAMPLE_JS)
        s["t"] = time.perf_counter()
        samples.append(s)
        time.sleep(every_s)
    # a DOM click, timed from when it happens: Playwright's own click first waits for the button to
    # hold still, which a page redrawing every tick makes it take seconds to believe
    t_click = time.perf_counter()
    page.evaluate(PAUSE_JS)
    paused_at = None
    while time.perf_counter() - t_click < 30:
        s = page.evaluate(SAMPLE_JS)
        if s["text"].startswith("paused"):
            paused_at = (time.perf_counter() - t_click, s["step"])
            break
        time.sleep(0.05)
    later = None
    if paused_at:
        time.sleep(after_pause_s)
        later = page.evaluate(SAMPLE_JS)["step"]
    changes = [b["t"] - a["t"] for a, b in zip(samples, samples[1:], strict=False) if b["text"] != a["text"]]
    updates = [s["t"] for a, s in zip(samples, samples[1:], strict=False) if s["text"] != a["text"]]
    gaps = [b - a for a, b in zip(updates, updates[1:], strict=False)]
    return {
        "samples": len(samples),
        "curve_painted": round(sum(s["curve"] for s in samples) / max(1, len(samples)), 3),
        "boundary_painted": round(sum(s["boundary"] for s in samples) / max(1, len(samples)), 3),
        "status_updates": len(changes),
        "median_update_gap_s": round(statistics.median(gaps), 2) if gaps else None,
        "max_update_gap_s": round(max(gaps), 2) if gaps else None,
        "pause_latency_s": round(paused_at[0], 2) if paused_at else None,
        "steps_after_paused": (later - paused_at[1]) if paused_at and later is not None else None,
        "step_at_pause": paused_at[1] if paused_at else None,
    }


def measure(sessions: int = 1, run_s: float = 8.0) -> dict:
    """One server; ``sessions`` Playground sessions; the first is measured while the others train."""
    import shutil

    from playwright.sync_api import sync_playwright

    with Server() as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        others = [open_playground(browser, srv.url) for _ in range(sessions - 1)]  # a context each
        for o in others:
            o.get_by_role("button", name="Train").first.click()
        page = open_playground(browser, srv.url)
        row = {"sessions": sessions, **run_and_pause(page, run_s=run_s)}
        browser.close()
    return row


def _p95(xs: list[float]) -> float | None:
    return round(sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)], 2) if xs else None


def _click_until(page, click_js: str, status: str | tuple[str, ...], timeout: float = 60.0) -> float | None:
    """Click (a DOM click, timed from when it happens) and return the seconds until the status line
    starts with ``status`` (polled every 20 ms from here: the page's own polling starves on a busy tab)."""
    t0 = time.perf_counter()
    if not page.evaluate(click_js):
        return None  # no such button now (the run just ended): not a click to time
    while time.perf_counter() - t0 < timeout:
        text = page.evaluate(SAMPLE_JS)["text"]
        if text.startswith(status):
            return time.perf_counter() - t0
        if text.startswith("done"):
            return None  # the run reached its last step before the click took effect
        time.sleep(0.02)
    raise TimeoutError(f"the page did not say {status!r} within {timeout:.0f} s of the click")


def _keep_training(page) -> bool:
    """A Playground run of 50,000 steps ends after some 20 s of training here: reset and train again
    (True if it did)."""
    if page.evaluate(SAMPLE_JS)["text"].startswith("done"):
        page.evaluate(RESET_JS)
        _until(page, "", "ready")  # no status line (a new network), or ready
        page.wait_for_function(IDLE_JS)
        page.evaluate(TRAIN_JS)
        _until(page, "training")
        page.wait_for_function(STEPPED_JS)
        return True
    return False


def _until(page, *status: str, timeout: float = 60.0) -> str:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        text = page.evaluate(SAMPLE_JS)["text"]
        if text.startswith(tuple(s for s in status if s)) or ("" in status and not text):
            return text
        time.sleep(0.02)
    raise TimeoutError(f"the page did not say {status} within {timeout:.0f} s")


def _protocol_students(url: str, n: int, seconds: float) -> None:
    """``n`` protocol-level sessions (bench.protocol_load) that train the Playground without pause for
    ``seconds``, in a thread: other students on other machines, costing this one no browser."""
    import asyncio
    import threading

    from bench.protocol_load import Student, _student

    async def run() -> None:
        end = time.perf_counter() + seconds
        await asyncio.gather(*(_student(url, Student(), "50000", end, forever=True) for _ in range(n)))

    threading.Thread(target=lambda: asyncio.run(run()), daemon=True, name="other-students").start()


# Every change of the status line, stamped in the page's own clock (performance.now(), ms) as it happens:
# update intervals read from these are exact, and cost the page no polling while it trains.
STATUS_LOG_JS = """() => { window.__status = []; let last = null;
    const look = () => { const b = document.querySelector('[data-testid="stProgress"]');
        const t = b ? b.innerText : '';
        if (t !== last) { last = t; window.__status.push([performance.now(), t]); } };
    new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
    look(); }"""
NOW_JS = "() => performance.now()"

# A widget on the Playground that changes what a running job's charts show without touching the job: the
# "Show test data" toggle, and whether the decision boundary shows the test points (the loss chart's
# "test loss" is not one of them).
SHOW_TEST_BOX_JS = """() => { const l = [...document.querySelectorAll('[data-testid="stCheckbox"] label')]
    .find(l => l.offsetParent !== null && l.innerText.trim() === 'Show test data');
    if (!l) return null; const r = l.getBoundingClientRect(); return [r.left + 12, r.top + r.height / 2]; }"""
TEST_SHOWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p.offsetParent !== null
    && (p._fullData || []).some(t => (t.name || '').startsWith('test: class')))"""


def _toggle_until(page, timeout: float = 60.0) -> float | None:
    """While the page trains, flip "Show test data" with the mouse and return the seconds until the
    decision boundary shows (or hides) the test points; None if the run is not training now, or ended
    before the boundary followed."""
    if not page.evaluate(SAMPLE_JS)["text"].startswith("training"):
        return None
    before = page.evaluate(TEST_SHOWN_JS)
    if (box := page.evaluate(SHOW_TEST_BOX_JS)) is None:
        return None
    t0 = time.perf_counter()
    page.mouse.click(*box)  # a real pointer's press and release on the switch, no waiting first
    while time.perf_counter() - t0 < timeout:
        if page.evaluate(TEST_SHOWN_JS) != before:
            return time.perf_counter() - t0
        if page.evaluate(SAMPLE_JS)["text"].startswith("done"):
            return None
        time.sleep(0.02)
    raise TimeoutError(f"the boundary did not follow the toggle within {timeout:.0f} s")


def clicks(sessions: int = 2, n: int = 20, run_s: float = 2.5, others: str = "protocol") -> dict:
    """Pause and Train clicked ``n`` times each on one Playground while ``sessions - 1`` others train on
    the same server (process backend): the time from the click until the page says *paused* (or
    *training* again), as p50 and p95; the time from flipping "Show test data" while it trains until
    the decision boundary shows (or hides) the test points (a widget change: a full rerun of the page);
    the intervals between the status line's updates while it trains, against the fragment's 0.7 s tick,
    each from one update to the next as the page's own clock stamped them (``STATUS_LOG_JS``); and the
    time from Train until the first update that shows new steps. That one is a tick plus the tick's
    round trip by construction (the page's polling starts with the rerun that Train asks for), so it is
    reported on its own: counted as an interval (from the moment the page said *training*), it made up
    nearly half of the samples, one per click."""
    import shutil

    from playwright.sync_api import sync_playwright

    pauses, resumes, gaps, firsts, widgets = [], [], [], [], []
    with Server() as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        if others == "chromium":  # every session a tab of this machine's browser (its rendering included)
            tabs = [open_playground(browser, srv.url) for _ in range(sessions - 1)]
            for o in tabs:
                o.get_by_role("button", name="Train").first.click()
        else:  # the other sessions speak the protocol: the server's load without their browsers'
            tabs = []
            _protocol_students(srv.url, sessions - 1, seconds=3600)
        page = open_playground(browser, srv.url)
        page.evaluate(STATUS_LOG_JS)
        page.get_by_role("button", name="Train").first.click()
        page.wait_for_function(STEPPED_JS)
        t_train = None  # the page's clock at the last Train click (None: the window did not follow one)
        for _ in range(n):
            for q in (page, *tabs):
                if _keep_training(q) and q is page:
                    t_train = None
            w0 = page.evaluate(NOW_JS)
            time.sleep(run_s)  # the page trains; its status changes are logged as they happen
            w1 = page.evaluate(NOW_JS)
            log = page.evaluate("() => window.__status")
            window = [(t, text) for t, text in log if w0 <= t <= w1 and text.startswith("training")]
            gaps += [(b[0] - a[0]) / 1000 for a, b in zip(window, window[1:], strict=False)]
            if t_train is not None:  # the first new step after the page said training again
                after = [(t, text) for t, text in log if t >= t_train and text.startswith("training")]
                if len(after) > 1 and after[1][0] <= w1:
                    firsts.append((after[1][0] - t_train) / 1000)
            if (took := _toggle_until(page)) is not None:  # outside the window: a full rerun, on purpose
                widgets.append(took)
            # a click during a job's start-up finds it not yet running: the page says ready
            if (took := _click_until(page, PAUSE_JS, ("paused", "ready"))) is None:
                t_train = None
                continue
            pauses.append(took)
            page.wait_for_function(IDLE_JS)
            t_train = page.evaluate(NOW_JS)
            if (took := _click_until(page, TRAIN_JS, "training")) is not None:
                resumes.append(took)
            else:
                t_train = None
        browser.close()
    return {
        "sessions": sessions,
        "others": others,
        "clicks": len(pauses),
        "pause_p50_s": round(statistics.median(pauses), 2),
        "pause_p95_s": _p95(pauses),
        "train_p50_s": round(statistics.median(resumes), 2),
        "train_p95_s": _p95(resumes),
        "widget_changes": len(widgets),
        "widget_p50_s": round(statistics.median(widgets), 2) if widgets else None,
        "widget_p95_s": _p95(widgets),
        "update_gaps": len(gaps),
        "update_gap_median_s": round(statistics.median(gaps), 2) if gaps else None,
        "update_gap_p95_s": _p95(gaps),
        "first_update_after_train_p50_s": round(statistics.median(firsts), 2) if firsts else None,
        "first_update_after_train_p95_s": _p95(firsts),
    }


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["clicks"]:  # clicks [SESSIONS] [protocol|chromium]
        sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 2
        print(json.dumps(clicks(sessions, others=sys.argv[3] if len(sys.argv) > 3 else "protocol")))
    else:
        for n in (1, 2):
            print(json.dumps(measure(n)))

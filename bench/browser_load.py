"""Browser figures from a real ``streamlit run`` server and headless Chromium:

- per page: first contentful paint and the time until the first chart (or table) is drawn;
- classroom load: N concurrent sessions each train the Feedforward Playground for 500 steps. Reported:
  whether all runs finish, the p95 interval between live updates a student sees while all train
  (the fragment's tick is 0.7 s), the server's resident memory per session, and the longest queue
  place shown to a user and the longest wait from pressing Train to training.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# true once the app's script (or fragment) run has finished: Streamlit's own attribute on the app root
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
    return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; }"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``with Server() as srv:`` a real ``streamlit run app.py`` on a free local port (``srv.url``), stopped
    (killed if it will not stop) on exit. Used by the benchmarks and the browser tests."""

    def __init__(self, start_timeout: float = 120.0, backend: str = "process"):
        self.start_timeout, self.backend = start_timeout, backend

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block the server
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port)]
            + ["--server.headless", "true", "--server.address", "127.0.0.1"]
            + ["--server.fileWatcherType", "none"],  # a checkout edited meanwhile changes nothing here
            cwd=ROOT,
            env={
                **os.environ,
                "ARCHATLAS_DEVICE": os.environ.get("ARCHATLAS_DEVICE", "cpu"),
                "ARCHATLAS_JOBS": self.backend,
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=1)
                return self
            except Exception:
                time.sleep(0.25)
        self.__exit__()
        self.log.seek(0)
        raise RuntimeError("streamlit did not start: " + self.log.read().decode(errors="replace")[-2000:])

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)
        self.log.close()


_FIRST_CHART_JS = """() => document.querySelector(
    '.js-plotly-plot .main-svg, [data-testid="stDataFrame"]')"""


def page_paint(quick: bool = False) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from ui.nav import existing_pages

    rows = []
    with Server() as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        page0 = browser.new_page()
        page0.goto(srv.url)  # warm the server once: imports and caches are not what a student waits for
        page0.wait_for_selector("h1", timeout=120_000)
        page0.close()
        pages = existing_pages()
        for pd in pages[:2] if quick else pages:
            slug = "" if pd.path.endswith("home.py") else pd.path.rsplit("/", 1)[-1][:-3]
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            try:
                t0 = time.perf_counter()
                page.goto(f"{srv.url}/{slug}")
                page.wait_for_selector("h1", timeout=120_000)
                t_title = time.perf_counter() - t0
                # the first chart plotly has drawn (or the Atlas table), in view or in a tab not shown yet
                page.wait_for_function(_FIRST_CHART_JS, timeout=120_000)
                t_chart = time.perf_counter() - t0
                fcp = page.evaluate(
                    "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
                )
                rows.append(
                    {
                        "page": slug or "home",
                        "first_contentful_paint_s": round(fcp / 1000, 3) if fcp else None,
                        "title_s": round(t_title, 3),
                        "first_chart_s": round(t_chart, 3),
                    }
                )
            except Exception as e:  # one page's failure is a row, not the end of the table
                rows.append({"page": slug or "home", "error": f"{type(e).__name__}: {e}"[:160]})
            page.close()
        browser.close()
    return rows


_STEP_JS = """() => { const el = document.querySelector('[data-testid="stProgress"]');
    if (!el) return null; const t = el.innerText; const m = t.match(/step ([\\d,]+)/);
    return {text: t, step: m ? parseInt(m[1].replace(/,/g, '')) : null}; }"""


def classroom(n: int, timeout_s: float = 900) -> dict:
    from playwright.sync_api import sync_playwright

    with Server() as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        base_rss = _rss_mb(srv.proc.pid)
        pages = []
        for _ in range(n):
            page = browser.new_context(viewport={"width": 1300, "height": 1600}).new_page()
            page.set_default_timeout(180_000)
            page.goto(f"{srv.url}/feedforward")
            page.wait_for_selector("h1")
            page.get_by_role("tab", name="Playground").click()
            slider = (
                page.locator('[data-testid="stSlider"]')
                .filter(has_text="Stop after")
                .locator('input[type="range"]')
            )
            slider.focus()
            page.keyboard.press("Home")  # 500 steps
            time.sleep(0.5)
            pages.append(page)
        rss_sessions = _rss_mb(srv.proc.pid)
        pressed = {}
        for i, page in enumerate(pages):
            page.get_by_role("button", name="Train").first.click()
            pressed[i] = time.perf_counter()
        started, done, last_update, intervals, max_place = {}, set(), {}, [], 0
        end = time.perf_counter() + timeout_s
        while len(done) < n and time.perf_counter() < end:
            for i, page in enumerate(pages):
                if i in done:
                    continue
                s = page.evaluate(_STEP_JS)
                now = time.perf_counter()
                if not s:
                    continue
                if "place" in s["text"]:
                    try:
                        max_place = max(max_place, int(s["text"].split("place ")[1].split()[0]))
                    except (IndexError, ValueError):
                        pass
                if s["step"] and i not in started:
                    started[i] = now - pressed[i]
                if s["step"] is not None and last_update.get(i, (None, 0))[0] != s["step"]:
                    if i in last_update and i in started:  # a running session's live updates
                        intervals.append(now - last_update[i][1])
                    last_update[i] = (s["step"], now)
                if s["text"].startswith("done"):
                    done.add(i)
            time.sleep(0.1)
        rss_peak = _rss_mb(srv.proc.pid)
        browser.close()
    intervals.sort()
    return {
        "sessions": n,
        "finished": len(done),
        "p95_update_interval_s": round(intervals[int(0.95 * (len(intervals) - 1))], 2) if intervals else None,
        "median_update_interval_s": round(statistics.median(intervals), 2) if intervals else None,
        "server_mb_per_session": round((rss_sessions - base_rss) / n, 1),
        "server_peak_mb": round(rss_peak, 1),
        "max_queue_place": max_place,
        "max_wait_to_start_s": round(max(started.values()), 1) if started else None,
    }

"""A classroom load test that measures the server, not the clients: N sessions speak Streamlit's own
websocket protocol (its protobuf messages) instead of each running a Chromium.

Each simulated student opens the Feedforward page, sets the Playground's run to 500 steps, presses
Train and then behaves as the browser does: whenever the server asks for the live view's automatic
rerun (``auto_rerun``: the fragment's ``run_every``), it sends one after that interval. A client costs a
few MB and almost no CPU, so 30 or 100 of them measure what the server can do on its cores.

Reported per run: how many sessions finished their 500 steps, the p95 interval between the redraws of
a session's status line from its Train to the end of its run (against the live view's 0.7 s tick), the
longest wait from Train to the first step, the server's CPU time and resident memory per session.
``python -m bench.protocol_load 10 30 100``.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import StringArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

from bench.browser_load import Server, _rss_mb

STEP = re.compile(r"step ([\d,]+) / ([\d,]+)")
QUERY = "ff.tab=Playground"  # the page draws only its open tab (ui/links.py): open the Playground's


@dataclass
class Student:
    """One protocol-level session and what it saw."""

    page_hash: str = ""
    widgets: dict[str, str] = field(default_factory=dict)  # widget key (from its id) -> id
    progress: str = ""
    pressed_at: float | None = None
    first_step_at: float | None = None
    updates: list[float] = field(default_factory=list)
    done: bool = False
    error: str = ""
    reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> interval the server asked for
    in_flight: bool = False  # a run was asked for and has not finished


def _widget_id(element) -> tuple[str, str] | None:
    kind = element.WhichOneof("type")
    if kind in ("button", "slider", "selectbox", "number_input", "checkbox", "button_group", "radio"):
        # a bound widget's id is its key's own (``$$ID-...-<key>``): the key is what follows the last "-"
        wid = getattr(element, kind).id
        return (wid.rsplit("-", 1)[-1] if "-" in wid else wid), wid
    return None


def _read(s: Student, msg: ForwardMsg) -> None:
    kind = msg.WhichOneof("type")
    if kind == "script_finished":
        s.in_flight = False
    if kind in ("new_session", "navigation"):  # st.navigation's pages come in "navigation"
        pages = {p.url_pathname: p.page_script_hash for p in getattr(msg, kind).app_pages}
        s.page_hash = pages.get("feedforward", s.page_hash)
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        w = _widget_id(el)
        if w:
            s.widgets[w[0]] = w[1]
        if el.WhichOneof("type") == "progress":
            text = el.progress.text
            if s.pressed_at is not None and not s.done:
                now = time.perf_counter()
                m = STEP.search(text)
                if m and int(m.group(1).replace(",", "")) > 0 and s.first_step_at is None:
                    s.first_step_at = now
                # every redraw of the status line from Train to the end of the run (waiting, starting or
                # training, changed or not): how often the page shows the student the job's state. A
                # 500-step Playground run trains in about a second, so its text alone changes too
                # rarely to time the server by.
                s.updates.append(now)
                s.done = text.startswith("**done**")
            s.progress = text
    elif kind == "auto_rerun":  # a fragment's run_every (the live view; the sidebar's job counter)
        s.reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
    elif kind == "stop_auto_rerun":
        for frag in msg.stop_auto_rerun.fragment_ids or list(s.reruns):
            s.reruns.pop(frag, None)


def _rerun(s: Student, states: list[WidgetState], fragment: str = "", auto: bool = False) -> bytes:
    cs = ClientState(
        query_string=QUERY,
        page_script_hash=s.page_hash,
        widget_states=WidgetStates(widgets=states),
        fragment_id=fragment,
        is_auto_rerun=auto,
    )
    return BackMsg(rerun_script=cs).SerializeToString()


async def _student(url: str, s: Student, steps: str, deadline: float, forever: bool = False) -> None:
    """One student. ``forever``: when the run is done, Reset and Train again until the deadline (a
    session that keeps training, for the click benchmark's other sessions)."""
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        # no keepalive pings: a browser sends none, and a busy server's late pong must not end a session
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=2**26, ping_interval=None
        ) as ws:
            first = ClientState(page_name="feedforward", query_string=QUERY)
            await ws.send(BackMsg(rerun_script=first).SerializeToString())
            # the first run: learn the widgets' ids (if it drew another page, ask for this one by hash)
            # and wait for that run to end, as a student waits for the page before pressing Train
            while True:
                msg = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), deadline - time.perf_counter()))
                _read(s, msg)
                if msg.WhichOneof("type") == "script_finished":
                    if "pg.play" in s.widgets and "pg.steps" in s.widgets:
                        break
                    await ws.send(_rerun(s, []))
            keep = [WidgetState(id=s.widgets["pg.steps"], string_array_value=StringArray(data=[steps]))]
            press = WidgetState(id=s.widgets["pg.play"], trigger_value=True)
            s.pressed_at, s.in_flight = time.perf_counter(), True
            await ws.send(_rerun(s, [*keep, press]))
            due: dict[str, float] = {}  # fragment id -> when its next automatic rerun is due
            while (forever or not s.done) and time.perf_counter() < deadline:
                now = time.perf_counter()
                if forever and s.done and not s.in_flight:  # Reset, then Train once that run has ended
                    s.done, s.in_flight = False, True
                    reset = WidgetState(id=s.widgets["pg.reset"], trigger_value=True)
                    await ws.send(_rerun(s, [*keep, reset]))
                    while s.in_flight:
                        _read(s, ForwardMsg.FromString(await ws.recv()))
                    s.in_flight = True
                    await ws.send(_rerun(s, [*keep, press]))
                for frag, interval in s.reruns.items():
                    due.setdefault(frag, now + interval)
                for frag in [f for f in due if f not in s.reruns]:
                    del due[frag]
                # as the browser does: each fragment's rerun when its interval is up (two due together are
                # sent together; the server runs them as one), but none while a run is in flight (an
                # automatic rerun would replace the run a click asked for)
                ready = [f for f, t in due.items() if t <= now and not s.in_flight]
                for frag in ready:
                    s.in_flight = True
                    await ws.send(_rerun(s, keep, fragment=frag, auto=True))
                    due[frag] = now + s.reruns[frag]
                wait = min([t - now for t in due.values()] + [0.25])
                try:
                    _read(s, ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), max(0.01, wait))))
                except TimeoutError:
                    pass
    except Exception as e:  # a refused or dropped session is a result, not the end of the run
        s.error = f"{type(e).__name__}: {e}"[:160]


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu(pid: int) -> float:
    """CPU seconds of the server's worker processes (the process backend trains there)."""
    import os

    total = 0.0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                total += _cpu_seconds(int(d))
    return total


async def _classroom(url: str, n: int, steps: str, timeout_s: float) -> list[Student]:
    students = [Student() for _ in range(n)]
    deadline = time.perf_counter() + timeout_s
    await asyncio.gather(*(_student(url, s, steps, deadline) for s in students))
    return students


def measure(n: int, steps: int = 500, timeout_s: float = 900, backend: str = "process") -> dict:
    """One fresh server; ``n`` protocol sessions each train the Playground for ``steps`` steps."""
    with Server(backend=backend) as srv:
        base_rss = _rss_mb(srv.proc.pid)
        cpu0 = _cpu_seconds(srv.proc.pid)
        t0 = time.perf_counter()
        students = asyncio.run(_classroom(srv.url, n, str(steps), timeout_s))
        wall = time.perf_counter() - t0
        cpu = _cpu_seconds(srv.proc.pid) - cpu0
        workers_cpu = _children_cpu(srv.proc.pid)
        rss = _rss_mb(srv.proc.pid)
    gaps = sorted(b - a for s in students for a, b in zip(s.updates, s.updates[1:], strict=False))
    waits = [s.first_step_at - s.pressed_at for s in students if s.first_step_at and s.pressed_at]
    return {
        "backend": backend,
        "sessions": n,
        "finished": sum(s.done for s in students),
        "errors": sorted({s.error for s in students if s.error})[:3],
        "p95_update_interval_s": round(gaps[int(0.95 * (len(gaps) - 1))], 2) if gaps else None,
        "median_update_interval_s": round(statistics.median(gaps), 2) if gaps else None,
        "max_wait_to_start_s": round(max(waits), 1) if waits else None,
        "wall_s": round(wall, 1),
        "server_cpu_s_per_session": round(cpu / n, 2),
        "workers_cpu_s": round(workers_cpu, 1),
        "server_mb_per_session": round((rss - base_rss) / n, 1),
    }


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["10"]:
        print(json.dumps(measure(int(arg))), flush=True)

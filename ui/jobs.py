"""Per-session training jobs. The board lives in the session's state; a session-scoped resource keeps a
list of the session's boards, and its ``on_release`` stops every job of the session when the user
leaves, so no thread trains for nobody. (The board is not the cached resource itself: AppTest gives
every test session one session id, so two AppTest sessions would share it and a test of isolation
would prove nothing.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

import archs
from training.jobs import Job, backend_name, job_counts, make_job
from training.workers import POOL

GROUP_TICK_S = 0.8  # how often a running group's progress is redrawn


class JobBoard:
    """This session's jobs by key, with the settings signature each was made from."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.signatures: dict[str, object] = {}

    def get(self, key: str) -> Job | None:
        return self.jobs.get(key)

    def put(self, key: str, job: Job, signature: object) -> Job:
        self.drop(key)
        self.jobs[key], self.signatures[key] = job, signature
        return job

    def drop(self, key: str) -> None:
        old = self.jobs.pop(key, None)
        self.signatures.pop(key, None)
        if old is not None:
            old.stop(wait=0.5)

    def stop_all(self) -> None:
        for key in list(self.jobs):
            self.drop(key)


def _release(boards: list[JobBoard]) -> None:
    for board in boards:
        board.stop_all()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _session_boards() -> list[JobBoard]:
    return []


def job_board() -> JobBoard:
    """This session's board (created on first use)."""
    board = st.session_state.get("atlas.jobs")
    if board is None:
        board = st.session_state["atlas.jobs"] = JobBoard()
        _session_boards().append(board)
        if backend_name() == "process":
            POOL.prewarm()  # a warm worker for this session's first Train
    return board


def job_counter() -> None:
    """The server's training jobs, running and waiting, in the sidebar. While any job exists it redraws
    every 2 s on its own (a fragment), since jobs start and end between this page's reruns."""
    # the sidebar is drawn before the page: a Train click's wish (see ui.train_panel) counts as busy
    wished = any(str(k).endswith(".wish") for k in st.session_state.keys())
    running, waiting, _ = job_counts()
    busy = running or waiting or wished or any(j.is_active for j in job_board().jobs.values())

    @st.fragment(run_every=2.0 if busy else None)
    def counter() -> None:
        running, waiting, limit = job_counts()
        st.caption(f"Training jobs on this server: {running} running, {waiting} waiting ({limit}).")

    counter()


# ---------------------------------------------------------------------------------- queued job groups


def launch_group(key: str, trainers: dict[str, Callable[[], Any]], signature: object) -> None:
    """Start one job per label (each ``trainers[label]()`` builds its Trainer), replacing the group's
    previous jobs; the server's job runner queues what exceeds its limit. A configuration that cannot
    be trained is remembered as a sentence and shown by ``job_group_view``."""
    board = job_board()
    for name in [k for k in board.jobs if k.startswith(key + ".")]:
        board.drop(name)
    errors = []
    for label, make in trainers.items():
        try:
            board.put(f"{key}.{label}", make_job(make()), signature).start()
        except archs.ConfigError as e:
            errors.append(f"{label}: {e}")
    st.session_state[f"{key}.errors"] = errors
    st.session_state[f"{key}.labels"] = list(trainers)


def group_jobs(key: str) -> dict[str, Job]:
    """The group's jobs by label, in launch order."""
    board = job_board()
    return {lab: j for lab in st.session_state.get(f"{key}.labels", []) if (j := board.get(f"{key}.{lab}"))}


def _headline(ev: dict) -> str:
    for k, fmt in (
        ("test_acc", "test accuracy {:.1%}"),
        ("test_rmse", "test RMSE {:.4g}"),
        ("test_loss", "test loss {:.4g}"),
        ("eval_return", "evaluation return {:.1f}"),
    ):
        if k in ev:
            return " · " + fmt.format(ev[k])
    return ""


def job_group_view(
    key: str,
    signature: object,
    results: Callable[[dict[str, Job]], None],
    stale: str = "The settings changed since this run: run it again to compare on the new settings.",
    live_results: bool = False,
) -> None:
    """Progress of each queued job while any runs (polled by a fragment); ``results(jobs)`` once all
    have finished (at every poll if ``live_results``), drawn in the same fragment. ``stale`` is said
    when the group was launched with another signature than the page's settings now give."""
    for err in st.session_state.get(f"{key}.errors", []):
        st.error(f"**Cannot train this configuration.** {err}", icon=":material/block:")
    jobs = group_jobs(key)
    if jobs and any(job_board().signatures.get(f"{key}.{lab}") != signature for lab in jobs):
        st.warning(stale)
        return
    active = any(j.is_active for j in jobs.values())

    @st.fragment(run_every=GROUP_TICK_S if active else None)
    def live() -> None:
        group = group_jobs(key)
        if not group:
            return
        for lab, j in group.items():
            snap = j.snapshot()
            state = {"queued": f"queued (place {snap['queue_position']})"}.get(snap["state"], snap["state"])
            done, total, unit = snap.get("progress") or (snap["step"], snap["num_steps"], "step")
            st.progress(
                min(1.0, done / max(1, total)),
                text=f"**{lab}** · {state} · {unit} {done:,.0f} / {total:,.0f}"
                + _headline(snap["last_eval"]),
            )
            if snap["state"] == "failed":
                st.error(f"**{lab} failed.** {snap['message']}", icon=":material/error:")
        if live_results or all(j.trainer.finished for j in group.values()):
            results(group)
        if active and not any(j.is_active for j in group.values()):
            st.rerun()

    live()

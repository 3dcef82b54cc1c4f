"""Per-session training jobs. The board lives in the session's state; a session-scoped resource keeps a
list of the session's boards, and its ``on_release`` stops every job of the session when the user
leaves, so no thread trains for nobody. (The board is not the cached resource itself: AppTest gives
every test session one session id, so two AppTest sessions would share it and a test of isolation
would prove nothing.)"""

from __future__ import annotations

import streamlit as st

from training.jobs import Job, backend_name, job_counts
from training.workers import POOL


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

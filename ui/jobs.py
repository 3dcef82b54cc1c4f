"""Per-session training jobs. The board is a session-scoped resource: when the user leaves, its
``on_release`` stops every job of that session so no thread trains for nobody."""

from __future__ import annotations

import streamlit as st

from training.jobs import Job


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


def _release(board: JobBoard) -> None:
    board.stop_all()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def job_board() -> JobBoard:
    return JobBoard()

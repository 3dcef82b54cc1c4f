"""The live training panel: Train / Pause / Step / Reset and a fragment that redraws while it runs.

The job trains in a worker thread (training.jobs); this fragment only polls it. ``run_every`` is set
only while the job is active, and when the job ends the fragment asks for one full rerun so the
polling stops and the buttons show the final state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from archs.spec import ConfigError
from data.base import Supervised
from training.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from training.jobs import Job
from training.trainer import Trainer
from ui.jobs import job_board
from ui.keys import child
from viz.curves import training_curves

TICK_S = 0.7


def _new_job(key: str, make_trainer: Callable[[], Trainer], signature: object) -> Job | None:
    try:
        trainer = make_trainer()
    except ConfigError as e:
        st.session_state[child(key, "error")] = str(e)
        return None
    st.session_state.pop(child(key, "error"), None)
    return job_board().put(key, Job(trainer), signature)


def _on_play(key: str, action: str) -> None:
    """Train or Pause, as the click's callback (before the script reruns). Pause acts here, at once,
    even while the live view is mid-tick. Train only records the wish: the job is made or resumed in
    the script below, with the settings of this rerun (a widget changed in the same rerun as the click
    must count). ``action`` is what the button said, not a toggle: Streamlit may deliver one click
    twice (a rerun replacing one in flight), and a toggle would then pause and restart the run."""
    if action == "pause":
        job = job_board().get(key)
        if job is not None:
            job.pause()
    else:
        st.session_state[child(key, "wish")] = "start"


def _on_step(key: str) -> None:
    st.session_state[child(key, "wish")] = "step"


def _on_reset(key: str) -> None:
    job_board().drop(key)
    st.session_state.pop(child(key, "wish"), None)


def _grant_wish(key: str, job: Job | None, make_trainer: Callable[[], Trainer], signature: object, n: int):
    """Start or step the job as the last click asked, with this rerun's settings."""
    wish = st.session_state.pop(child(key, "wish"), None)
    if wish is None:
        return job
    job = job or _new_job(key, make_trainer, signature)
    if job is not None:
        job.start() if wish == "start" else job.step(n)
    return job


def train_panel(
    key: str,
    make_trainer: Callable[[], Trainer],
    *,
    signature: object = None,
    probes: Callable[[Supervised], dict] | None = None,
    render: Callable[[dict[str, Any], Supervised], None] | None = None,
    step_sizes=(1, 10, 100),
) -> Job | None:
    """Controls and live view of one training job of this session.

    ``make_trainer`` builds a fresh Trainer (called on the first Train/Step and on Reset).
    ``signature`` identifies the settings: when it changes, the old job is stopped and replaced, as
    TensorFlow Playground resets its network when a hyperparameter changes. ``probes(data)`` returns
    the probe functions to snapshot (``data`` is the job's own data set); ``render(snapshot, data)``
    draws the family's own live views.

    Keys: the panel owns ``key.<control>`` (play, step, nstep, reset, save, dl, up) and ``key.live.*``;
    what ``render`` draws should use ``child(key, "view", name)``. Buttons act in their callbacks."""
    board = job_board()
    job = board.get(key)
    if job is not None and board.signatures.get(key) != signature:
        board.drop(key)
        job = None
        st.toast("Settings changed: the network was reset.", icon=":material/restart_alt:")

    job = _grant_wish(key, job, make_trainer, signature, int(st.session_state.get(child(key, "nstep"), 1)))
    c = st.columns([1.2, 1, 1, 1.2, 3])
    active = job is not None and job.is_active
    c[0].button(
        "Pause" if active else "Train",
        key=child(key, "play"),
        type="primary",
        icon=":material/pause:" if active else ":material/play_arrow:",
        width="stretch",
        on_click=_on_play,
        args=(key, "pause" if active else "start"),
    )
    c[2].selectbox("steps", step_sizes, key=child(key, "nstep"), label_visibility="collapsed")
    c[1].button(
        "Step",
        key=child(key, "step"),
        icon=":material/skip_next:",
        width="stretch",
        help="Train this many steps now, then stop.",
        disabled=active,
        on_click=_on_step,
        args=(key,),
    )
    c[3].button(
        "Reset",
        key=child(key, "reset"),
        icon=":material/restart_alt:",
        width="stretch",
        help="Throw the trained weights away and start from a new initialisation.",
        on_click=_on_reset,
        args=(key,),
    )
    if err := st.session_state.get(child(key, "error")):
        st.error(f"**Cannot train this configuration.** {err}", icon=":material/block:")

    job = board.get(key)
    active = job is not None and job.is_active
    tick_key = child(key, "live", "tick")

    @st.fragment(run_every=st.session_state.get(tick_key, TICK_S) if active else None)
    def live() -> None:
        t0 = time.perf_counter()
        j = job_board().get(key)
        if j is None:
            st.info(
                "Press **Train** to start, or **Step** to train a few steps at a time.",
                icon=":material/model_training:",
            )
            return
        data = j.trainer.data
        snap = j.snapshot(probes(data) if probes else None)
        _status_line(snap)
        if snap.get("probe_error"):
            st.warning(f"A live view could not be computed: {snap['probe_error']}", icon=":material/warning:")
        if snap["history"]:
            st.plotly_chart(training_curves({"run": snap["history"]}), key=child(key, "live", "curves"))
        if render is not None:
            render(snap, data)
        # the next tick waits for this one: a tick slower than TICK_S (a big view, a loaded server)
        # would otherwise be interrupted by the next one and never finish drawing
        st.session_state[tick_key] = max(TICK_S, 1.5 * (time.perf_counter() - t0))
        if active and not j.is_active:
            st.rerun()  # the job ended: one full rerun to stop polling and refresh the buttons

    live()
    job = job_board().get(key)
    if job is not None and getattr(job.trainer, "arch", None):
        _weights_panel(key, job)
    return job


def _weights_panel(key: str, job: Job) -> None:
    """Save the trained weights as .safetensors, or load weights saved earlier (never a pickle)."""
    with st.expander("Weights: save or load (.safetensors)"):
        t = job.trainer
        c1, c2 = st.columns(2)
        if c1.button(
            "Prepare a download of the current weights",
            key=child(key, "save"),
            disabled=job.is_active,
            help="Pause training first.",
        ):
            with job.lock:
                st.session_state[child(key, "blob")] = save_checkpoint(t.model, t.arch, t.config)
        if blob := st.session_state.get(child(key, "blob")):
            c1.download_button(
                "Download",
                blob,
                file_name=f"{t.arch}_step{t.step_count}.safetensors",
                mime="application/octet-stream",
                key=child(key, "dl"),
            )
        up = c2.file_uploader(
            "Load weights",
            type=["safetensors"],
            key=child(key, "up"),
            help="A checkpoint saved here for the same architecture and settings.",
        )
        if up is not None and st.session_state.get(child(key, "loaded")) != up.file_id:
            st.session_state[child(key, "loaded")] = up.file_id
            try:
                model, arch, config = load_checkpoint(up.getvalue())
                if arch != t.arch or config != t.config:
                    raise CheckpointError(
                        f"This checkpoint is for {arch} with other settings; choose the "
                        "same architecture and hyperparameters first, then load it."
                    )
                job.pause()
                with job.lock:
                    t.model.load_state_dict(model.state_dict())
                c2.success("Weights loaded into the current model.")
            except CheckpointError as e:
                c2.error(str(e), icon=":material/block:")


def _status_line(snap: dict[str, Any]) -> None:
    state = snap["state"]
    frac = snap["step"] / max(1, snap["num_steps"])
    ev = snap["last_eval"]
    parts = [f"step {snap['step']:,} / {snap['num_steps']:,}"]
    for k, label in (
        ("train_loss", "train loss"),
        ("test_loss", "test loss"),
        ("test_acc", "test accuracy"),
        ("val_acc", "validation accuracy"),
        ("test_r2", "test R²"),
    ):
        if k in ev:
            parts.append(f"{label} {ev[k]:.1%}" if k.endswith("acc") else f"{label} {ev[k]:.4f}")
    if snap["train_seconds"] > 0:
        parts.append(f"{snap['samples_seen'] / snap['train_seconds']:,.0f} samples/s")
    label = {
        "queued": f"waiting for a free slot (place {snap['queue_position']} in the queue)",
        "running": "training",
        "paused": "paused",
        "idle": "ready",
        "done": "done",
        "failed": "failed",
        "stopped": "stopped",
    }[state]
    st.progress(min(1.0, frac), text=f"**{label}** · " + " · ".join(parts))
    if state == "failed":
        st.error(f"**Training failed.** {snap['message']}", icon=":material/error:")
    elif state == "done" and snap.get("warning"):
        st.warning(f"**{snap['message']}** {snap['warning']}", icon=":material/warning:")
    elif state == "done" and snap["message"]:
        st.success(snap["message"], icon=":material/check_circle:")

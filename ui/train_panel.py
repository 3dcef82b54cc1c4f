"""The live training panel: Train / Pause / Step / Reset and a fragment that redraws while it runs.

The job trains in a worker thread (training.jobs); this fragment only polls it. ``run_every`` is set
only while the job is active, and when the job ends the fragment asks for one full rerun so the
polling stops and the page shows the final state. The buttons are drawn inside the fragment, so a click
on Pause reruns the fragment alone and the page says *paused* at once; Train, Step, Reset and a demo
ask for a full rerun, which acts on them with that rerun's settings.

Before the first step a panel can show its views for the untrained model (``untrained=True``), as
TensorFlow Playground draws the boundary of its random network; and it can offer a demo model
(``demo=PanelDemo(...)``, see training.demos) that fills the views at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from archs.spec import ConfigError
from data.base import Supervised
from training import demos
from training.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from training.jobs import Job, make_job
from training.metrics import history_csv
from training.trainer import Trainer
from ui.charts import plotly_chart
from ui.jobs import job_board
from ui.keys import child
from ui.live_chart import live as live_charts
from viz.curves import training_curves_spec

TICK_S = 0.7
BUILD_CAP_S = 3600.0  # building a demo here may take longer than a user's run (latent diffusion on a CPU)


@dataclass(frozen=True)
class PanelDemo:
    """A demo model a panel offers (a name in training.demos.DEMOS) and how the page's widgets reproduce
    the settings it was made with: ``widgets`` maps widget keys to those values, widget keys under a
    ``reset`` prefix go back to their defaults (a config form's fields: the preset's values). Loading sets
    them, and the panel loads the demo on the rerun that follows, once the page's signature describes the
    demo's settings; the demo is checked against the page's own trainer for those settings first."""

    name: str
    widgets: dict[str, Any] = field(default_factory=dict)
    reset: tuple[str, ...] = ()


def _new_job(key: str, make_trainer: Callable[[], Trainer], signature: object) -> Job | None:
    pre = st.session_state.pop(child(key, "preview"), None)
    if pre is not None and pre[0] == signature:  # the untrained model the views showed: train that one
        return job_board().put(key, pre[1], signature)
    try:
        trainer = make_trainer()
    except ConfigError as e:
        st.session_state[child(key, "error")] = str(e)
        return None
    st.session_state.pop(child(key, "error"), None)
    return job_board().put(key, make_job(trainer), signature)


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
        st.session_state[child(key, "full")] = True


def _on_step(key: str) -> None:
    st.session_state[child(key, "wish")] = "step"
    st.session_state[child(key, "full")] = True


def _on_reset(key: str) -> None:
    job_board().drop(key)
    st.session_state.pop(child(key, "wish"), None)
    st.session_state[child(key, "full")] = True


def _grant_wish(key: str, job: Job | None, make_trainer: Callable[[], Trainer], signature: object, n: int):
    """Start or step the job as the last click asked, with this rerun's settings."""
    wish = st.session_state.pop(child(key, "wish"), None)
    if wish is None:
        return job
    job = job or _new_job(key, make_trainer, signature)
    if job is not None:
        job.start() if wish == "start" else job.step(n)
    return job


def _on_demo(key: str, demo: PanelDemo) -> None:
    """Set the page's widgets to the demo's settings; the panel loads it on the rerun (the signature
    is only known once the page has read those widgets)."""
    ss = st.session_state
    for prefix in demo.reset:
        for k in [k for k in ss if isinstance(k, str) and k.startswith(prefix)]:
            del ss[k]
    for k, v in demo.widgets.items():
        ss[k] = v
    ss[child(key, "demo")] = demo.name
    ss[child(key, "full")] = True
    ss.pop(child(key, "demo_error"), None)
    ss.pop(child(key, "wish"), None)


def _load_demo(key: str, name: str, make_trainer: Callable[[], Trainer], signature: object) -> None:
    """Put the demo on the board under the page's signature: loaded from its file, or, where it has not
    been built on this server, trained here from its recipe and saved when done."""
    ss, board = st.session_state, job_board()
    try:
        mine = make_trainer()
        if demos.available(name):
            job = board.put(key, Job(demos.load(name, like=mine)), signature)
            st.toast("Demo model loaded.", icon=":material/check_circle:")
        else:
            t = demos.trainer(name, mine.device)
            if why := demos.mismatch(t, mine):
                raise demos.DemoError(f"The demo model is made with other settings: {why}")
            job = board.put(key, Job(t, max_seconds=BUILD_CAP_S), signature)
            job.start()
            ss[child(key, "building")] = (job.id, name)
    except (ConfigError, demos.DemoError) as e:
        ss[child(key, "demo_error")] = str(e)


def _save_built(key: str, job: Job) -> None:
    """A demo trained here has finished: save it, so that later loads (any session) are instant."""
    ss = st.session_state
    built = ss.get(child(key, "building"))
    if built is None or built[0] != job.id or job.trainer.status != "done":
        return
    del ss[child(key, "building")]
    try:
        with job.lock:
            p = demos.save(built[1], job.trainer, demos.build_dir())
        st.toast(f"Demo model saved ({p.name}): later loads are instant.", icon=":material/save:")
    except OSError as e:
        st.warning(f"The demo model trained but could not be saved on this server: {e}")


def _preview(key: str, make_trainer: Callable[[], Trainer], signature: object) -> Job | None:
    """The untrained model for the current settings (a job never started), kept while they stay."""
    ss = st.session_state
    pre = ss.get(child(key, "preview"))
    if pre is None or pre[0] != signature:
        try:
            pre = ss[child(key, "preview")] = (signature, Job(make_trainer()))
        except ConfigError:
            ss.pop(child(key, "preview"), None)
            return None
    return pre[1]


def current_job(key: str) -> Job | None:
    """The panel's job, else the untrained model it previews (``train_panel(..., untrained=True)``, in
    this run): for views outside the panel that show the model in either state."""
    job = job_board().get(key)
    if job is not None:
        return job
    pre = st.session_state.get(child(key, "preview"))
    return pre[1] if pre is not None else None


def demo_button(key: str, demo: PanelDemo, where: Any = st, suffix: str | None = None) -> None:
    """The panel's "Load the demo model" button (or "Build", where the demo has no file here); views
    outside the panel may draw more of them, each with its own ``suffix``."""
    d = demos.DEMOS[demo.name]
    ready = demos.available(demo.name)
    where.button(
        "Load the demo model" if ready else "Build the demo model",
        key=child(key, "demo_btn", suffix) if suffix else child(key, "demo_btn"),
        icon=":material/auto_awesome:" if ready else ":material/construction:",
        help=(
            f"{d.title}, trained by the atlas's own recipe. Sets this panel's settings to the demo's and "
            "fills the views at once."
            if ready
            else f"{d.title}. Not built on this server yet: trains it here with the demo's settings "
            "(watch it learn), then saves it so that later loads are instant."
        ),
        on_click=_on_demo,
        args=(key, demo),
    )


def train_panel(
    key: str,
    make_trainer: Callable[[], Trainer],
    *,
    signature: object = None,
    probes: Callable[[Supervised], dict] | None = None,
    render: Callable[[dict[str, Any], Supervised], None] | None = None,
    step_sizes=(1, 10, 100),
    demo: PanelDemo | None = None,
    untrained: bool = False,
    curve_figure: Callable[[list[dict]], Any] | None = None,
    before: str | None = None,
) -> Job | None:
    """Controls and live view of one training job of this session.

    ``make_trainer`` builds a fresh Trainer (called on the first Train/Step and on Reset).
    ``signature`` identifies the settings: when it changes, the old job is stopped and replaced, as
    TensorFlow Playground resets its network when a hyperparameter changes. ``probes(data)`` returns
    the probe functions to snapshot (``data`` is the job's own data set); ``render(snapshot, data)``
    draws the family's own live views. ``untrained``: before the first step, draw ``render`` for the
    untrained model (``current_job`` gives it to views outside the panel). ``demo``: a "Load the demo
    model" button (see PanelDemo). ``before``: what the views show before the first step, where the model
    does not start untrained (a pre-trained base being pruned or fine-tuned).

    Keys: the panel owns ``key.<control>`` (play, pause, step, nstep, reset, demo_btn, save, dl, csv, up) and
    ``key.live.*`` (views may add ``key.demo_btn.<suffix>``); what ``render`` draws should use
    ``child(key, "view", name)``. Buttons act in their callbacks."""
    board = job_board()
    st.session_state.pop(child(key, "full"), None)  # this is the whole page's run that the flag asks for
    if demo is not None and st.session_state.pop(child(key, "demo"), None) == demo.name:
        _load_demo(key, demo.name, make_trainer, signature)
    job = board.get(key)
    if job is not None and board.signatures.get(key) != signature:
        board.drop(key)
        job = None
        st.toast("Settings changed: the network was reset.", icon=":material/restart_alt:")

    job = _grant_wish(key, job, make_trainer, signature, int(st.session_state.get(child(key, "nstep"), 1)))
    active = job is not None and job.is_active
    tick_key = child(key, "live", "tick")

    @st.fragment(run_every=st.session_state.get(tick_key, TICK_S) if active else None)
    def live() -> None:
        t0 = time.perf_counter()
        if st.session_state.pop(child(key, "full"), False):
            st.rerun()  # Train, Step, Reset or a demo was clicked: the whole page acts on it (_grant_wish)
        j = job_board().get(key)
        _controls(key, j, step_sizes, demo)
        if j is None and untrained and (j := _preview(key, make_trainer, signature)) is not None:
            shipped = demo is not None and demos.available(demo.name)
            st.info(
                (before or "**Untrained**: the views below show the network as initialised, before training")
                + ". Press **Train** to start, or **Step** to train a few steps at a time"
                + (", or **Load the demo model** to see a trained one at once." if shipped else "")
                + (", or **Build the demo model** (trained here, then kept)." if demo and not shipped else "")
                + ("." if demo is None else ""),
                icon=":material/model_training:",
            )
            if render is not None:
                render(j.snapshot(probes(j.trainer.data) if probes else None), j.trainer.data)
            return
        if j is None:
            st.info(
                "Press **Train** to start, or **Step** to train a few steps at a time.",
                icon=":material/model_training:",
            )
            return
        data = j.trainer.data
        snap = j.snapshot(probes(data) if probes else None)
        # Fixed slots, so that every chart keeps its place from tick to tick whatever the lines above it
        # say: a chart that moves is mounted afresh, and a live chart is meant to be redrawn in place.
        head, curves, views = st.container(), st.container(), st.container()
        with head:
            _status_line(snap)
            if (built := st.session_state.get(child(key, "building"))) and built[0] == j.id and j.is_active:
                st.caption(
                    f"Building the demo model {built[1]} with its settings; it is saved when the run ends, "
                    "and loads at once from then on."
                )
            if snap.get("probe_error"):
                st.warning(
                    f"A live view could not be computed: {snap['probe_error']}", icon=":material/warning:"
                )
        # While the job runs the views are redrawn in place at every tick (ui/live_chart.py), and they stay
        # live charts while a run is paused: a chart that changes from Streamlit's element to the live one
        # or back is mounted afresh, which on the Playground held the browser's main thread for ~0.8 s at
        # every Train and Pause: the first update after Train came 0.9-1.5 s after the page said
        # *training*, and 0.7-0.85 s with the charts kept live (six clicks each, two sessions). A run
        # trained by Step alone, or ended, draws Streamlit's charts (selections, AppTest's chart protos).
        keep_live = j.is_active or (j.started and snap["state"] == "paused")
        with live_charts() if keep_live else contextlib.nullcontext():
            if snap["history"]:
                with curves:
                    fig = (
                        curve_figure(snap["history"])
                        if curve_figure
                        else training_curves_spec({"run": snap["history"]})
                    )
                    if fig is not None:  # a family may draw its curves in its own views instead
                        plotly_chart(fig, key=child(key, "live", "curves"))
            if render is not None:
                with views:
                    render(snap, data)
        # the next tick waits for this one: a tick slower than TICK_S (a big view, a loaded server)
        # would otherwise be interrupted by the next one and never finish drawing
        st.session_state[tick_key] = max(TICK_S, 1.5 * (time.perf_counter() - t0))
        if not j.is_active:
            _save_built(key, j)
        if active and not j.is_active:
            st.rerun()  # the job ended: one full rerun to stop polling and refresh the buttons

    live()
    job = job_board().get(key)
    if job is not None and getattr(job.trainer, "arch", None):
        _weights_panel(key, job)
    return job


def _controls(key: str, job: Job | None, step_sizes, demo: PanelDemo | None) -> None:
    """Train/Pause, Step, the step count, Reset and the demo button, drawn inside the live fragment: a
    click reruns the fragment alone, so Pause is on the page as soon as its callback has paused the job,
    without waiting for the whole page (measured: ~110 messages, 230–430 kB, 0.5–1.7 s before the
    status line on the Playground). The other buttons ask for a full rerun (``key.full``)."""
    c = st.columns([1.2, 1, 1, 1.2, 3])
    active = job is not None and job.is_active
    # Train and Pause are two buttons with keys of their own. Streamlit may deliver a click twice (a rerun
    # that replaces one in flight), and the second time it calls the callback that the *latest* run
    # registered under that key: one key for both made a second Train a Pause and a second Pause a Train
    # (seen in the click bench: paused, then training again by itself). A click on a button that the
    # latest run no longer drew has no callback, and is dropped.
    c[0].button(
        "Pause" if active else "Train",
        key=child(key, "pause" if active else "play"),
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
    if demo is not None:
        demo_button(key, demo, c[4])
    if err := st.session_state.get(child(key, "error")):
        st.error(f"**Cannot train this configuration.** {err}", icon=":material/block:")
    if err := st.session_state.get(child(key, "demo_error")):
        st.error(f"**Cannot load the demo model.** {err}", icon=":material/block:")


def _weights_panel(key: str, job: Job) -> None:
    """Save the trained weights as .safetensors, or load weights saved earlier (never a pickle); download
    the run's history as CSV."""
    with st.expander("Weights (.safetensors) and training history (.csv)"):
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
        if t.history:
            c1.download_button(
                "Training history (CSV)",
                history_csv(t.history),
                file_name=f"{t.arch}_history.csv",
                mime="text/csv",
                key=child(key, "csv"),
                help="Every step's loss and every evaluation's metrics, one row per step.",
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
                job.push_weights()
                c2.success("Weights loaded into the current model.")
            except CheckpointError as e:
                c2.error(str(e), icon=":material/block:")


def _status_line(snap: dict[str, Any]) -> None:
    state = snap["state"]
    done, total, unit = snap.get("progress") or (snap["step"], snap["num_steps"], "step")
    frac = done / max(1, total)
    ev = snap["last_eval"]
    parts = [f"{unit} {done:,.0f} / {total:,.0f}"]
    for k, label in (
        ("train_loss", "train loss"),
        ("test_loss", "test loss"),
        ("test_acc", "test accuracy"),
        ("val_acc", "validation accuracy"),
        ("test_r2", "test R²"),
        ("eval_return", "evaluation return"),
    ):
        if k in ev:
            value = (
                f"{ev[k]:.1%}"
                if k.endswith("acc")
                else f"{ev[k]:.1f}"
                if k.endswith("return")
                else f"{ev[k]:.4f}"
            )
            parts.append(f"{label} {value}")
    if snap["train_seconds"] > 0:
        # an agent's samples are environment steps (training/rl records env_steps in its history)
        unit = "environment steps" if any("env_steps" in r for r in snap["history"][-3:]) else "samples"
        parts.append(f"{snap['samples_seen'] / snap['train_seconds']:,.0f} {unit}/s")
    label = {
        "queued": f"waiting for a free slot (place {snap['queue_position']} in the queue)",
        "starting": "starting (the model is being built in a training process)",
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

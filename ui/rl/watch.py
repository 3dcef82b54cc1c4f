"""Watch the agent: one episode of the current policy (the agent lab's network, trained or not), frame by
frame with a scrubber or as an animation, beside what the network said at each frame."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from data.envs import frames_available, render_state
from training.rl.probes import episode_probe
from ui.charts import plotly_chart
from ui.keys import child
from ui.rl.agent import TRAIN_KEY
from ui.train_panel import current_job
from viz.rl import episode_figure

KEY = "rl.w"
GIF_FRAMES = 250  # an animation of at most this many frames (every other frame beyond): a few MB at most


@st.cache_data(show_spinner=False, max_entries=64)
def _frame(env_id: str, state: bytes, shape: tuple[int, ...]) -> np.ndarray | None:
    return render_state(env_id, np.frombuffer(state, dtype=np.float32).reshape(shape))


def frame(env_id: str, s: np.ndarray) -> np.ndarray | None:
    s = np.asarray(s, dtype=np.float32)
    return _frame(env_id, s.tobytes(), s.shape)


@st.cache_data(show_spinner=False, max_entries=4)
def _gif(env_id: str, states: bytes, shape: tuple[int, ...]) -> bytes | None:
    from PIL import Image

    s = np.frombuffer(states, dtype=np.float32).reshape(shape)
    every = max(1, int(np.ceil(len(s) / GIF_FRAMES)))
    pics = []
    for x in s[::every]:
        f = render_state(env_id, x)
        if f is None:
            return None
        img = Image.fromarray(f)
        pics.append(img.resize((img.width // 2, img.height // 2)))
    buf = io.BytesIO()
    pics[0].save(buf, format="GIF", save_all=True, append_images=pics[1:], duration=40 * every, loop=0)
    return buf.getvalue()


def record(job, seed: int) -> dict:
    """One deterministic episode of the job's current network (between two training slices)."""
    d = job.trainer.data
    with job.lock:  # a worker process's weights are fetched into the mirror on entering the lock
        model, was = job.trainer.model, job.trainer.model.training
        model.eval()
        try:
            ep = episode_probe(d, seed=seed, max_steps=500)(model)
        finally:
            model.train(was)
        step = job.trainer.step_count
    return {"ep": ep, "step": step, "env": d.env_id, "job": job.id, "seed": seed}


def watch_lab() -> None:
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info(
            "Open the **Agent** tab once: its network (untrained until you press **Train** there) is the one "
            "watched here.",
            icon=":material/smart_toy:",
        )
        return
    d = job.trainer.data
    c = st.columns([1, 1, 3])
    seed = int(c[0].number_input("Episode seed", 0, 10_000, 0, key=child(KEY, "seed")))
    again = c[1].button(
        "Record an episode", key=child(KEY, "rec"), icon=":material/videocam:", type="primary"
    )
    rec = st.session_state.get(child(KEY, "ep"))
    if again or rec is None or rec["job"] != job.id or rec["seed"] != seed:
        rec = record(job, seed)
        st.session_state[child(KEY, "ep")] = rec
    ep = rec["ep"]
    trained = "untrained" if rec["step"] == 0 else f"after {rec['step']:,} training steps"
    c[2].markdown(
        f"An episode of the network {trained}, acting greedily: **return {ep['return']:.1f}** in "
        f"{ep['length']} steps"
        + (f" (solved at {d.reward_threshold:g})." if d.reward_threshold is not None else ".")
        + " Record again after more training to see the difference."
    )
    T = int(ep["length"])
    if T == 0:
        st.warning("The episode ended before its first step.", icon=":material/warning:")
        return
    t = st.slider("Frame", 0, T - 1, 0, key=child(KEY, "t")) if T > 1 else 0
    left, right = st.columns([2, 3])
    states = np.asarray(ep["states"], dtype=np.float32)
    with left:
        if not frames_available():
            st.info(
                "Frames are unavailable: pygame (gymnasium's classic-control extra) is not installed on this "
                "server. The state's coordinates are plotted on the right.",
                icon=":material/videocam_off:",
            )
        else:
            img = frame(d.env_id, states[t])
            a = int(np.asarray(ep["actions"])[t]) if np.asarray(ep["actions"]).ndim == 1 else None
            what = d.action_names[a] if a is not None and a < len(d.action_names) else "its action"
            st.image(img, caption=f"Frame {t}: the agent chooses {what}.", width="stretch")
            if st.toggle("Play the whole episode", key=child(KEY, "gif")):
                gif = _gif(d.env_id, states.tobytes(), states.shape)
                if gif is not None:
                    st.image(gif, caption="The whole episode (half size).", width="stretch")
    with right:
        if T > 121:
            st.caption(
                "The chart follows the frame, 60 steps either side of it; double-click it for the whole "
                "episode."
            )
        plotly_chart(episode_figure(ep, t, d.action_names, d.obs_names), key=child(KEY, "episode"))

"""The page table: every page of the app, its navigation group and the families it shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUPS = (
    "Atlas",
    "Foundations",
    "Vision",
    "Sequences",
    "Generative",
    "Beyond grids",
    "Learning paradigms",
    "Engineering",
    "Tools",
)


@dataclass(frozen=True)
class PageDef:
    path: str  # relative to the repository root
    title: str
    icon: str
    group: str
    families: tuple[str, ...] = ()
    default: bool = False

    @property
    def exists(self) -> bool:
        return (ROOT / self.path).is_file()


# Pages listed here appear in the navigation only once their file exists.
PAGES: tuple[PageDef, ...] = (
    PageDef("pages/home.py", "Atlas", ":material/map:", "Atlas", default=True),
    PageDef("pages/guide.py", "Selection guide", ":material/explore:", "Atlas"),
    PageDef("pages/timeline.py", "Timeline", ":material/timeline:", "Atlas"),
    PageDef(
        "pages/feedforward.py", "Feedforward networks", ":material/hub:", "Foundations", ("feedforward",)
    ),
    PageDef(
        "pages/energy.py", "Energy-based & classic networks", ":material/bolt:", "Foundations", ("energy",)
    ),
    PageDef("pages/cnn.py", "Convolutional networks", ":material/grid_on:", "Vision", ("cnn",)),
    PageDef(
        "pages/detection.py",
        "Detection & segmentation",
        ":material/center_focus_strong:",
        "Vision",
        ("detection",),
    ),
    PageDef("pages/modern_vision.py", "Mixer & Swin", ":material/window:", "Vision", ("modern_vision",)),
    PageDef("pages/capsules.py", "Capsule networks", ":material/scatter_plot:", "Vision", ("capsules",)),
    PageDef("pages/rnn.py", "Recurrent networks", ":material/replay:", "Sequences", ("rnn",)),
    PageDef("pages/forecasting.py", "Forecasting", ":material/show_chart:", "Sequences", ("forecasting",)),
    PageDef("pages/transformers.py", "Transformers", ":material/visibility:", "Sequences", ("transformer",)),
    PageDef("pages/beyond.py", "Beyond attention", ":material/alt_route:", "Sequences", ("beyond",)),
    PageDef("pages/audio.py", "Speech & audio", ":material/graphic_eq:", "Sequences", ("audio",)),
    PageDef("pages/autoencoders.py", "Autoencoders", ":material/compress:", "Generative", ("autoencoder",)),
    PageDef("pages/gans.py", "GANs", ":material/compare_arrows:", "Generative", ("gan",)),
    PageDef("pages/diffusion.py", "Diffusion models", ":material/blur_on:", "Generative", ("diffusion",)),
    PageDef(
        "pages/autoregressive.py",
        "PixelCNN & WaveNet",
        ":material/linear_scale:",
        "Generative",
        ("autoregressive",),
    ),
    PageDef("pages/flows.py", "Normalizing flows", ":material/swap_calls:", "Generative", ("flows",)),
    PageDef("pages/multimodal.py", "Multimodal", ":material/image_search:", "Generative", ("multimodal",)),
    PageDef("pages/graph.py", "Graph neural networks", ":material/share:", "Beyond grids", ("graph",)),
    PageDef(
        "pages/continuous.py",
        "Neural ODEs, KAN & NeRF",
        ":material/function:",
        "Beyond grids",
        ("continuous",),
    ),
    PageDef(
        "pages/rl.py", "Reinforcement learning", ":material/sports_esports:", "Learning paradigms", ("rl",)
    ),
    PageDef(
        "pages/ssl.py", "Self-supervised learning", ":material/join_inner:", "Learning paradigms", ("ssl",)
    ),
    PageDef("pages/augmentation.py", "Augmentation", ":material/auto_awesome:", "Engineering"),
    PageDef("pages/regularization.py", "Regularization", ":material/tune:", "Engineering"),
    PageDef("pages/transfer.py", "Transfer learning", ":material/move_up:", "Engineering"),
    PageDef("pages/compression.py", "Compression", ":material/memory:", "Engineering"),
    PageDef("pages/search.py", "Architecture search", ":material/travel_explore:", "Engineering"),
    PageDef("pages/compare.py", "Compare", ":material/compare:", "Tools"),
)


def existing_pages() -> list[PageDef]:
    return [p for p in PAGES if p.exists]


def page_for_family(family: str) -> PageDef | None:
    return next((p for p in existing_pages() if family in p.families), None)


def page_by_path(path: str) -> PageDef | None:
    return next((p for p in existing_pages() if p.path == path), None)


def page_link(
    page: PageDef, label: str, query: dict[str, str] | None = None, help: str | None = None
) -> None:
    """st.page_link when the app runs under st.navigation; a plain link when a page runs alone (tests).
    ``query`` opens the page with those settings (widget keys and values, as a link carries them)."""
    from urllib.parse import urlencode

    import streamlit as st
    from streamlit.errors import StreamlitPageNotFoundError

    try:
        st.page_link(page.path, label=label, icon=page.icon, query_params=query, help=help)
    except StreamlitPageNotFoundError:
        tail = f"?{urlencode(query)}" if query else ""
        st.markdown(f"[{label}](/{page.path.rsplit('/', 1)[-1][:-3]}{tail})")

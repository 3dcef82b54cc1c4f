"""Pure figure builders: arrays and networkx graphs in, Plotly figures out (no streamlit)."""

from viz.boundary import decision_boundary, neuron_mosaic
from viz.curves import training_curves
from viz.images import confusion_figure, heatmap, histogram, image_grid
from viz.model_graph import graph_figure, layer_layout
from viz.summary import human, model_summary

__all__ = [
    "decision_boundary",
    "neuron_mosaic",
    "training_curves",
    "graph_figure",
    "layer_layout",
    "confusion_figure",
    "heatmap",
    "histogram",
    "image_grid",
    "human",
    "model_summary",
]

"""The Streamlit layer: forms from schemas, panels, the live training panel. Pages stay thin."""

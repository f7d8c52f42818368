"""DL Playground core: experiments (torch/numpy), figures (plotly), and one Streamlit seam (core.ui)."""

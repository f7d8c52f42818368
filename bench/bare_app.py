"""The baseline for bench/explorer_latency.py: one slider, one Plotly chart, nothing else."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

a = st.slider("a", 0.0, 5.0, 1.5, 0.1)
x = np.linspace(-6, 6, 801, dtype=np.float32)
fig = go.Figure(go.Scatter(x=x, y=np.sin(a * x), name=f"a={a:.1f}"))
st.plotly_chart(fig)

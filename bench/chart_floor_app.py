"""bench/chart_floor.py's floor: one slider, one chart, the chart being the specs a page section sent (replayed from
the JSON file in $DLP_FLOOR_SPECS, one spec per slider position). Nothing else on the page, nothing computed.

$DLP_FLOOR_DRAW picks how the chart is drawn:
- `streamlit` (default): `st.plotly_chart`, through core/ui/plot_draws.py's wrappers, as the app draws its charts.
  A changed spec is a new element id, so the browser unmounts the chart and builds a new one in a new <div>.
- `inplace`: a custom component that keeps its <div> and hands each new spec to `Plotly.react` (Streamlit's own
  plotly.js, loaded by a small chart in the sidebar). Not what the app does: what it would gain if it did.
"""

import json
import os
import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.ui import plot_draws
from core.ui.scrub_chart import _Spec  # sent as it is, as the page sends its scrub charts

INPLACE_JS = """
export default function ({ parentElement, data }) {
  let gd = parentElement.querySelector('div.dlp-inplace');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'dlp-inplace';
    parentElement.appendChild(gd);
  }
  const draw = () => {
    if (!window.Plotly || !window.Plotly.react) { setTimeout(draw, 50); return; }
    window.Plotly.react(gd, data.spec.data, data.spec.layout, { displaylogo: false, responsive: true });
  };
  draw();
}
"""


@st.cache_resource
def specs() -> list[dict]:
    return json.loads(Path(os.environ["DLP_FLOOR_SPECS"]).read_text())


plot_draws.install()
i = st.slider("a", 0, len(specs()) - 1, len(specs()) // 2)
if os.environ.get("DLP_FLOOR_DRAW") == "inplace":
    with st.sidebar:  # Streamlit loads its plotly.js (window.Plotly) with its first chart
        st.plotly_chart(go.Figure(), key="loader", height=60)
    chart = st.components.v2.component("dlp_floor_inplace", js=INPLACE_JS, isolate_styles=False)
    chart(key="floor", data={"spec": specs()[i]})
else:
    st.plotly_chart(_Spec(specs()[i]), key="floor")

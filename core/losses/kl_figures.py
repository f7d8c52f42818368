"""Figures of the KL section (numpy and plotly only).

densities(r)  the two-mode target p (filled) and both fitted Gaussians q as they are now
maps(r)       KL(p‖q) and KL(q‖p) over the (μ, σ) plane (σ on a log axis), each fit's path on its own map
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import figure

COLORS = {"forward": "#1f77b4", "reverse": "#d62728"}


def _normal(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return (np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))).astype(np.float32)


def densities(r, labels: Mapping[str, str], done: bool) -> go.Figure:
    traces = [
        dict(
            type="scatter",
            x=r.x,
            y=r.p,
            name=labels["target"],
            fill="tozeroy",
            line=dict(color="rgba(90,90,90,0.8)", width=1.5),
            fillcolor="rgba(150,150,150,0.3)",
        )
    ]
    for i, key in enumerate(("forward", "reverse")):
        mu, sigma = r.end[i]
        traces.append(
            dict(
                type="scatter",
                x=r.x,
                y=_normal(r.x, mu, sigma),
                name=labels[f"q_{key}"].format(mu=f"{mu + 0.0:.2f}".replace("-0.00", "0.00"), sigma=f"{sigma:.2f}"),
                line=dict(color=COLORS[key], width=3),
            )
        )
    layout = dict(
        xaxis=dict(title=dict(text=labels["x"]), range=[-7, 7]),
        yaxis=dict(title=dict(text=labels["density"]), rangemode="tozero"),
        hovermode="closest",
    )
    title = labels["dens_title"].format(done=r.done, steps=r.steps) + ("" if done else " …")
    return figure(traces, layout, height=380, title=title, uirevision="densities")


def maps(r, labels: Mapping[str, str]) -> go.Figure:
    traces, layout = [], {"annotations": [], "hovermode": "closest"}
    for i, (key, z) in enumerate((("forward", r.map_forward), ("reverse", r.map_reverse))):
        sx = "" if i == 0 else "2"
        ax = dict(xaxis=f"x{sx}", yaxis=f"y{sx}")
        traces += [
            dict(
                type="contour",
                x=r.map_mu,
                y=r.map_sigma,
                z=np.log10(np.maximum(z, 1e-4)).astype(np.float32),
                colorscale="Viridis",
                reversescale=True,
                showscale=False,
                contours=dict(coloring="heatmap"),
                hovertemplate="μ=%{x:.2f}, σ=%{y:.2f}: log₁₀ KL=%{z:.2f}<extra></extra>",
                **ax,
            ),
            dict(
                type="scatter",
                x=r.path[:, i, 0].astype(np.float32),
                y=r.path[:, i, 1].astype(np.float32),
                mode="lines",
                name=labels[f"path_{key}"],
                showlegend=False,
                line=dict(color="white", width=3),
                hoverinfo="skip",
                **ax,
            ),
            dict(
                type="scatter",
                x=[float(r.path[-1, i, 0])],
                y=[float(r.path[-1, i, 1])],
                mode="markers",
                showlegend=False,
                marker=dict(color=COLORS[key], size=12, line=dict(color="white", width=2)),
                hoverinfo="skip",
                **ax,
            ),
        ]
        lo = 0.0 if i == 0 else 0.53
        layout[f"xaxis{sx}"] = dict(domain=[lo, lo + 0.47], title=dict(text=labels["mu"]))
        layout[f"yaxis{sx}"] = dict(anchor=f"x{sx}", type="log", title=dict(text=labels["sigma"]) if i == 0 else None)
        layout["annotations"].append(
            dict(
                text=f"<b>{labels[f'map_{key}']}</b>",
                x=lo,
                y=1.0,
                xref="paper",
                yref="paper",
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
            )
        )
    return figure(traces, layout, height=400, uirevision="kl_maps")

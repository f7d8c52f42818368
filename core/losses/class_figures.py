"""Figures of the classifier sections: CE vs MSE, imbalance, calibration (numpy and plotly only).

cemse(r)          test accuracy, the gradient that reaches the logits (log scale), p(the pushed class)
maps(r)           per loss, p(rare class) over the plane with the 0.5 boundary and the training points
pr(r)             precision–recall of the rare class per loss, the 0.5 threshold marked
reliability(rep)  accuracy per confidence bin against the diagonal, one panel per variant, ECE in the title
logit_norm(r)     mean ‖z‖ over training for plain CE and label smoothing
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import figure, stacked_axes

MODEL_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def _steps(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int32)


def cemse(r, labels: Mapping[str, str], names: Mapping[str, str], done: bool) -> go.Figure:
    panels = [
        (labels["acc"], labels["acc_title"]),
        (labels["grad_out"], labels["grad_out_title"]),
        (labels["p_wrong"], labels["p_wrong_title"]),
    ]
    layout = stacked_axes(labels["step"], panels, gap=0.07)
    layout["yaxis"]["range"] = [0, 1.02]
    layout["yaxis2"]["type"] = "log"
    layout["yaxis3"]["range"] = [0, 1.02]
    layout["xaxis"]["range"] = [0, r.steps]
    steps, traces = _steps(r.done), []
    for i, name in enumerate(r.names):
        color = MODEL_COLORS[i]
        common = dict(type="scatter", name=names[name], legendgroup=name, line=dict(color=color, width=2))
        traces += [
            dict(common, x=r.eval_steps, y=r.test_acc[:, i], yaxis="y", hovertemplate="%{y:.1%}"),
            dict(common, x=steps, y=np.maximum(r.grad_out[:, i], 1e-12), yaxis="y2", showlegend=False),
            dict(common, x=steps, y=r.p_wrong[:, i], yaxis="y3", showlegend=False),
        ]
    title = labels["cemse_title"].format(done=r.done, steps=r.steps) + ("" if done else " …")
    return figure(traces, layout, height=480, title=title, uirevision="cemse")


# ---- imbalance -------------------------------------------------------------------------------------------

RARE, COMMON = "#d62728", "#1f77b4"


def maps(r, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    m = len(r.keys)
    gap = 0.04
    width = (1 - gap * (m - 1)) / m
    traces, layout = [], {"annotations": [], "hovermode": "closest"}
    rec = r.recall()
    for i, key in enumerate(r.keys):
        sx = "" if i == 0 else str(i + 1)
        ax = dict(xaxis=f"x{sx}", yaxis=f"y{sx}")
        traces.append(
            dict(
                type="contour",
                x=r.axis,
                y=r.axis,
                z=r.p_grid[i],
                zmin=0,
                zmax=1,
                colorscale=[[0, "#dbe9f6"], [0.5, "#ffffff"], [1, "#f6d5d5"]],
                contours=dict(start=0.5, end=0.5, size=1, coloring="heatmap", showlabels=False),
                line=dict(color="black", width=2),
                showscale=False,
                hovertemplate="p=%{z:.2f}<extra></extra>",
                **ax,
            )
        )
        for cls, color, name in ((0, COMMON, labels["common"]), (1, RARE, labels["rare"])):
            pts = r.x_train[r.y_train == cls]
            traces.append(
                dict(
                    type="scatter",
                    x=pts[:, 0],
                    y=pts[:, 1],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0,
                    marker=dict(color=color, size=5 if cls == 0 else 8, line=dict(color="white", width=0.5)),
                    hoverinfo="skip",
                    **ax,
                )
            )
        lo = i * (width + gap)
        extent = float(r.axis[-1])
        layout[f"xaxis{sx}"] = dict(domain=[lo, lo + width], range=[-extent, extent], showticklabels=False)
        layout[f"yaxis{sx}"] = dict(
            anchor=f"x{sx}", range=[-extent, extent], scaleanchor=f"x{sx}", showticklabels=False
        )
        text = labels["map_title"].format(name=names[key], rare=f"{rec[i, 1]:.0%}", common=f"{rec[i, 0]:.0%}")
        layout["annotations"].append(
            dict(text=text, x=lo, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left", yanchor="bottom")
        )
    return figure(traces, layout, height=400, uirevision="maps")


def pr(r, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    traces = []
    prec, rec = r.precision(), r.recall()
    for i, (key, (p, rc, ap)) in enumerate(zip(r.keys, r.curves())):
        color = MODEL_COLORS[i]
        traces += [
            dict(
                type="scatter",
                x=np.r_[0.0, rc],
                y=np.r_[1.0, p],
                name=labels["pr_name"].format(name=names[key], ap=f"{ap:.3f}"),
                legendgroup=key,
                line=dict(color=color, width=2, shape="hv"),
                hovertemplate="R %{x:.2f}, P %{y:.2f}",
            ),
            dict(
                type="scatter",
                x=[rec[i, 1]],
                y=[prec[i]],
                mode="markers",
                legendgroup=key,
                showlegend=False,
                marker=dict(color=color, size=12, symbol="circle-open", line=dict(width=3)),
                hovertemplate=labels["at_half"] + ": R %{x:.2f}, P %{y:.2f}<extra></extra>",
            ),
        ]
    base = r.test_counts[1] / max(1, sum(r.test_counts))
    layout = dict(
        xaxis=dict(title=dict(text=labels["recall"]), range=[0, 1.02]),
        yaxis=dict(title=dict(text=labels["precision"]), range=[0, 1.02]),
        shapes=[dict(type="line", x0=0, x1=1, y0=base, y1=base, line=dict(color="gray", dash="dot"))],
        hovermode="closest",
    )
    return figure(traces, layout, height=380, title=labels["pr_title"], uirevision="pr")


# ---- calibration ------------------------------------------------------------------------------------------


def reliability(rep: Mapping, labels: Mapping[str, str]) -> go.Figure:
    """rep: variant -> calibration.Reliability (plain T=1, smoothed, plain at the knob's T, plain at the best T)."""
    keys = tuple(rep)
    gap = 0.05
    width = (1 - gap * (len(keys) - 1)) / len(keys)
    traces, layout = [], {"annotations": [], "hovermode": "closest", "bargap": 0.05}
    for i, key in enumerate(keys):
        rel = rep[key]
        sx = "" if i == 0 else str(i + 1)
        ax = dict(xaxis=f"x{sx}", yaxis=f"y{sx}")
        bins = len(rel.counts)
        centres = (np.arange(bins) + 0.5) / bins
        acc = np.nan_to_num(rel.accuracy, nan=0.0).astype(np.float32)
        conf = np.nan_to_num(rel.confidence, nan=0.0).astype(np.float32)
        traces += [
            dict(
                type="bar",
                x=centres,
                y=acc,
                width=1 / bins,
                name=labels["rel_acc"],
                legendgroup="acc",
                showlegend=i == 0,
                marker=dict(color="#1f77b4", line=dict(color="white", width=1)),
                customdata=np.stack([rel.counts, conf], 1),
                hovertemplate=labels["rel_hover"],
                **ax,
            ),
            dict(
                type="scatter",
                x=centres[rel.counts > 0],
                y=conf[rel.counts > 0],
                mode="markers",
                name=labels["rel_conf"],
                legendgroup="conf",
                showlegend=i == 0,
                marker=dict(color="#d62728", symbol="line-ew-open", size=16, line=dict(width=3)),
                hoverinfo="skip",
                **ax,
            ),
            dict(
                type="scatter",
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                line=dict(color="gray", dash="dot"),
                showlegend=False,
                hoverinfo="skip",
                **ax,
            ),
        ]
        lo = i * (width + gap)
        layout[f"xaxis{sx}"] = dict(domain=[lo, lo + width], range=[0, 1], title=dict(text=labels["rel_x"]))
        layout[f"yaxis{sx}"] = dict(anchor=f"x{sx}", range=[0, 1.02], showticklabels=i == 0)
        text = (
            labels[f"rel_{key}"].format(t=f"{rel.temperature:.2f}")
            + "<br>"
            + labels["rel_ece"].format(ece=f"{rel.ece:.3f}", conf=f"{rel.mean_confidence:.0%}", acc=f"{rel.acc:.0%}")
        )
        layout["annotations"].append(
            dict(text=text, x=lo, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left", yanchor="bottom")
        )
    layout["yaxis"]["title"] = dict(text=labels["rel_y"])
    layout["legend"] = dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0)  # titles sit on top
    layout["margin"] = dict(l=60, r=20, t=60, b=80)
    return figure(traces, layout, height=380, uirevision="reliability")


def logit_norm(r, labels: Mapping[str, str], names: Mapping[str, str], done: bool) -> go.Figure:
    panels = [(labels["norm"], labels["norm_title"]), (labels["acc"], labels["acc_title"])]
    layout = stacked_axes(labels["step"], panels, gap=0.12)
    layout["xaxis"]["range"] = [0, r.steps]
    steps, traces = _steps(r.done), []
    for i, name in enumerate(r.names):
        common = dict(type="scatter", name=names[name], legendgroup=name, line=dict(color=MODEL_COLORS[i], width=2))
        traces += [
            dict(common, x=steps, y=r.logit_norm[:, i], yaxis="y"),
            dict(common, x=r.eval_steps, y=r.test_acc[:, i], yaxis="y2", showlegend=False, hovertemplate="%{y:.1%}"),
        ]
    title = labels["norm_fig_title"].format(done=r.done, steps=r.steps) + ("" if done else " …")
    return figure(traces, layout, height=460, title=title, uirevision="logit_norm")

"""Figures of the sections that train networks on the digits: L1/L2, AdamW, dropout, early stopping,
augmentation and memorization. Result -> plotly Figure (numpy float32 arrays; no torch, no streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.regularization.figures import L1, L2, TEST, TRAIN, f32, hline, line, marker, note, stacked, vline
from core.style import PALETTE, figure

NONE = "#666666"
PENALTY_COLORS = (NONE, L2, L1)  # rows none, L2, L1
ROW_COLORS = PALETTE


def _pct_axis(title: str) -> dict:
    return dict(title=dict(text=title), tickformat=".0%", range=[0, 1.02])


def weight_hist(r, edges: np.ndarray, small: float, labels: Mapping[str, str], names: list[str]) -> go.Figure:
    """Histograms of log10|w| for the rows without penalty, with L2 and with L1 (first bin: ≤ 1e-8 and zeros)."""
    centres = f32((edges[:-1] + edges[1:]) / 2)
    centres = np.concatenate([f32([edges[0] - 0.125]), centres])  # the underflow bin, drawn left of the first
    traces = [
        dict(
            type="bar",
            x=centres,
            y=f32(r.hist[i] / max(r.hist[i].sum(), 1)),
            name=names[i],
            marker=dict(color=PENALTY_COLORS[i]),
            opacity=0.75,
            hovertemplate="10^%{x:.2f}: %{y:.1%}",
        )
        for i in range(3)
    ]
    layout = dict(
        barmode="overlay",
        bargap=0.05,
        xaxis=dict(title=dict(text=labels["log_w"]), dtick=1),
        yaxis=dict(title=dict(text=labels["share_weights"]), tickformat=".0%"),
        shapes=[vline(np.log10(small))],
        annotations=[note(labels["small_line"], np.log10(small), 1, yref="paper", xanchor="right", yanchor="top")],
    )
    return figure(traces, layout, height=380, title=labels["hist_title"], uirevision="hist")


def penalty_path(r, path: tuple[float, ...], labels: Mapping[str, str], names: list[str]) -> go.Figure:
    """Along λ, for L2 and L1: share of small weights, test accuracy, weight norm (three stacked panels)."""
    lam = f32(path)
    traces = []
    for kind, colour, name in (("l2", L2, labels["path_l2"]), ("l1", L1, labels["path_l1"])):
        for axis, metric in (("y", "small"), ("y2", "test_acc"), ("y3", "norm")):
            traces.append(
                line(lam, r.path(metric, kind), name, colour, 3, yaxis=axis, legendgroup=kind, showlegend=axis == "y",
                     mode="lines+markers")
            )  # fmt: skip
    layout = stacked(
        labels["lam"],
        [
            (labels["share_small"], labels["path_small"]),
            (labels["test_acc"], labels["path_acc"]),
            (labels["norm"], labels["path_norm"]),
        ],
        gap=0.09,
    )
    layout["xaxis"].update(type="log", exponentformat="power")
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.02])
    layout["yaxis2"].update(tickformat=".0%", range=[0, 1.02])
    layout["shapes"] = [vline(r.lam)]
    return figure(traces, layout, height=640, title=labels["path_title"], uirevision="path")


def penalty_curves(r, labels: Mapping[str, str], names: list[str]) -> go.Figure:
    """Test accuracy and share of small weights over training, for the three chosen rows."""
    traces = []
    for i in range(3):
        traces += [
            line(r.steps, r.metric("test_acc")[:, i], names[i], PENALTY_COLORS[i], legendgroup=str(i)),
            line(r.steps, r.metric("small")[:, i], names[i], PENALTY_COLORS[i], yaxis="y2", legendgroup=str(i),
                 showlegend=False),
        ]  # fmt: skip
    layout = stacked(
        labels["step"], [(labels["test_acc"], labels["curve_acc"]), (labels["share_small"], labels["curve_small"])]
    )
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.02])
    layout["yaxis2"].update(tickformat=".0%", range=[0, 1.02])
    return figure(traces, layout, height=460, uirevision="pen_curves")


SHRINK_FLOOR = 1e-3  # the shrink chart's axis starts here; smaller medians (weights driven to ~0) sit on it


def shrink(r, labels: Mapping[str, str], names: list[str]) -> go.Figure:
    """Median |θ| / |θ_plain Adam| per group of weights: never moved by the data, then deciles of √v̂ (a median
    below the axis floor is drawn at the floor; the hover gives the value)."""
    groups = [labels["unmoved"]] + [labels["decile"].format(d=d + 1) for d in range(r.shrink.shape[1] - 1)]
    traces = [
        dict(
            type="bar",
            x=groups,
            y=f32(np.maximum(r.shrink[i], SHRINK_FLOOR * 1.2)),
            customdata=f32(r.shrink[i]),
            hovertemplate="%{customdata:.3g}",
            name=names[i],
            marker=dict(color=(L1, L2)[i]),
        )
        for i in range(2)
    ]
    layout = dict(
        barmode="group",
        xaxis=dict(title=dict(text=labels["grad_scale"])),
        yaxis=dict(title=dict(text=labels["shrink"]), type="log", exponentformat="power", range=[-3, 0.2]),
        shapes=[hline(1.0)],
    )
    return figure(traces, layout, height=400, title=labels["shrink_title"], uirevision="shrink")


def adamw_grid(r, grid: tuple[float, ...], labels: Mapping[str, str]) -> go.Figure:
    """Test accuracy against λ for L2-in-Adam and AdamW, with plain Adam as a line."""
    lam = f32(grid)
    plain = float(r.final("test_acc")[0])
    traces = [
        line(lam, r.grid("test_acc", "l2"), labels["aw_l2"], L1, 3, mode="lines+markers"),
        line(lam, r.grid("test_acc", "wd"), labels["aw_wd"], L2, 3, mode="lines+markers"),
    ]
    layout = dict(
        xaxis=dict(title=dict(text=labels["lam"]), type="log", exponentformat="power"),
        yaxis=_pct_axis(labels["test_acc"]),
        shapes=[hline(plain, NONE, "dash"), vline(r.lam)],
        annotations=[note(labels["plain_adam"], 0, plain, xref="paper", xanchor="left", yanchor="bottom")],
    )
    return figure(traces, layout, height=360, title=labels["aw_grid_title"], uirevision="aw_grid")


def masks(r, labels: Mapping[str, str]) -> go.Figure:
    """The next layer's output over dropout masks (train mode), its mean, the eval-mode output, and the mean an
    unscaled mask would give."""
    traces = [
        dict(type="histogram", x=r.outputs, nbinsx=60, name=labels["train_outputs"], marker=dict(color=TEST),
             opacity=0.8, histnorm="probability"),
    ]  # fmt: skip
    mean = float(r.outputs.mean())
    shapes = [vline(r.eval_output, "black", "solid"), vline(mean, TEST, "dash"), vline(float(r.unscaled.mean()), L1)]
    notes = [
        note(labels["eval_line"].format(v=r.eval_output), r.eval_output, 1.0, yref="paper", xanchor="left",
             yanchor="bottom"),
        note(labels["unscaled_line"].format(v=float(r.unscaled.mean())), float(r.unscaled.mean()), 0.9,
             yref="paper", xanchor="right", font=dict(color=L1)),
    ]  # fmt: skip
    layout = dict(
        xaxis=dict(title=dict(text=labels["output"])),
        yaxis=dict(title=dict(text=labels["share_masks"]), tickformat=".0%"),
        shapes=shapes,
        annotations=notes,
        bargap=0.02,
    )
    return figure(traces, layout, height=340, title=labels["masks_title"].format(p=r.p), uirevision="masks")


def dropout_acc(r, labels: Mapping[str, str]) -> go.Figure:
    """Test accuracy (eval mode) against p; the bagged members and their ensemble as markers and a line."""
    d = len(r.rates)
    acc = r.test_acc[-1]
    order = np.argsort(r.rates)
    traces = [
        line(r.rates[order], acc[:d][order], labels["dropout_net"], TEST, 3, mode="lines+markers"),
        marker(r.rates[-1], acc[d - 1], labels["chosen_p"], TEST, "star", 15),
        marker(np.zeros(r.bags), acc[d:], labels["bag_member"], L1, "circle-open", 9),
        marker(r.rates[-1], r.mc_acc, labels["mc_acc"], L2, "diamond-open", 12),
    ]
    ens = float(r.ensemble_acc[-1])
    layout = dict(
        xaxis=dict(title=dict(text=labels["p"]), range=[-0.05, 0.95]),
        yaxis=dict(title=dict(text=labels["test_acc"]), tickformat=".0%"),
        shapes=[hline(ens, L1, "dash")],
        annotations=[note(labels["ensemble_line"].format(k=r.bags), 1, ens, xref="paper", xanchor="right",
                          yanchor="bottom", font=dict(color=L1))],
        hovermode="closest",
    )  # fmt: skip
    return figure(traces, layout, height=380, title=labels["dropout_title"].format(n=r.n_train), uirevision="drop")


def mc_spread(r, labels: Mapping[str, str]) -> go.Figure:
    """Probability of the true class for a few test digits: every dropout mask (dots) and eval mode (bar tick)."""
    k, m = r.mc_probs.shape
    names = [labels["digit_i"].format(i=i + 1, y=int(r.mc_labels[i])) for i in range(k)]
    x = np.repeat(np.arange(k), m).astype(np.float32) + np.tile(np.linspace(-0.25, 0.25, m), k).astype(np.float32)
    traces = [
        dict(type="scatter", x=x, y=r.mc_probs.reshape(-1), mode="markers", name=labels["one_mask"],
             marker=dict(color=TEST, size=5, opacity=0.5), hovertemplate="%{y:.3f}"),
        marker(np.arange(k), r.eval_probs, labels["eval_mode"], "black", "line-ew", 30),
    ]  # fmt: skip
    layout = dict(
        xaxis=dict(tickmode="array", tickvals=np.arange(k).astype(np.float32), ticktext=names),
        yaxis=dict(title=dict(text=labels["p_true"]), range=[0, 1.02]),
        hovermode="closest",
    )
    return figure(traces, layout, height=340, title=labels["mc_title"].format(p=r.p), uirevision="mc")


def early(r, labels: Mapping[str, str]) -> go.Figure:
    """Losses (training, validation, test) and validation/test accuracy over training: the best check (star),
    where patience stops (line), the rest of the run greyed."""
    m = r.metric
    best_step = float(r.steps[r.best])
    traces = [
        line(r.steps, m("train_loss"), labels["train_loss"], TRAIN),
        line(r.steps, m("val_loss"), labels["val_loss"], TEST, 3),
        line(r.steps, m("test_loss"), labels["test_loss"], L1, dash="dash"),
        marker(best_step, m("val_loss")[r.best], labels["best_check"], TEST, "star", 16),
        line(r.steps, m("val_acc"), labels["val_acc"], TEST, 3, yaxis="y2", showlegend=False),
        line(r.steps, m("test_acc"), labels["test_acc"], L1, dash="dash", yaxis="y2", showlegend=False),
        marker(best_step, m("test_acc")[r.best], labels["restored"], L1, "star", 16, yaxis="y2"),
    ]
    layout = stacked(labels["step"], [(labels["loss"], labels["loss_title"]), (labels["acc"], labels["acc_title"])])
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["yaxis2"].update(tickformat=".0%")
    if r.stop is not None:
        stop = float(r.steps[r.stop])
        layout["shapes"] = [
            dict(type="rect", x0=stop, x1=float(r.steps[-1]), y0=0, y1=1, yref="paper", fillcolor="#999999",
                 opacity=0.15, line=dict(width=0), layer="below"),
            vline(stop, "black", "dash"),
        ]  # fmt: skip
        layout["annotations"].append(note(labels["stop_here"], stop, 1, yref="paper", xanchor="left", yanchor="top"))
    return figure(traces, layout, height=460, uirevision="early")


def digit_images(images: np.ndarray, titles: list[str]) -> go.Figure:
    """A row of 8×8 digits (black on white) as one heatmap, a blank column between them."""
    k, side = len(images), images.shape[-1]
    gap = np.full((side, 2), np.nan, dtype=np.float32)
    z = np.hstack([part for img in images for part in (f32(img), gap)][:-1])  # (8, k·10 − 2)
    trace = dict(type="heatmap", z=z, colorscale="Greys", zmin=0, zmax=1, showscale=False, hoverinfo="skip")
    centres = [i * (side + 2) + (side - 1) / 2 for i in range(k)]
    layout = dict(
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(autorange="reversed", visible=False, scaleanchor="x"),
        annotations=[note(t, x, -0.6, yanchor="bottom") for t, x in zip(titles, centres, strict=True)],
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
    )
    return figure([trace], layout, height=170, uirevision="digits")


def augment_acc(r, labels: Mapping[str, str]) -> go.Figure:
    """Accuracy against the number of real digits without augmentation (centred and shifted test digits); the
    augmented network (n digits) as stars, and where its accuracy lands on each curve ("worth")."""
    sizes = f32(r.sizes)
    c, s = r.centred[-1], r.shifted[-1]
    traces = [
        line(sizes, c[:-1], labels["plain_centred"], TEST, 3, mode="lines+markers"),
        line(sizes, s[:-1], labels["plain_shifted"], L1, 3, mode="lines+markers"),
        marker(r.n, c[-1], labels["aug_centred"], TEST, "star", 16),
        marker(r.n, s[-1], labels["aug_shifted"], L1, "star", 16),
    ]
    shapes = [hline(float(c[-1]), TEST, "dot"), hline(float(s[-1]), L1, "dot")]
    layout = dict(
        xaxis=dict(title=dict(text=labels["real_digits"]), type="log"),
        yaxis=_pct_axis(labels["test_acc"]),
        shapes=shapes,
        hovermode="closest",
    )
    return figure(traces, layout, height=400, title=labels["aug_title"], uirevision="aug")


def memorize(r, labels: Mapping[str, str], names: list[str]) -> go.Figure:
    """Training accuracy (own labels) and test accuracy (true labels) over training, one colour per noise share."""
    traces = []
    for i in range(len(r.shares)):
        chosen = bool(np.isclose(r.shares[i], r.chosen))
        width = 4 if chosen else 2
        colour = ROW_COLORS[i % len(ROW_COLORS)]
        traces += [
            line(r.steps, r.metric("train_acc")[:, i], names[i], colour, width, legendgroup=str(i)),
            line(r.steps, r.metric("test_acc")[:, i], names[i], colour, width, yaxis="y2", legendgroup=str(i),
                 showlegend=False),
        ]  # fmt: skip
    layout = stacked(
        labels["step"], [(labels["train_acc"], labels["mem_train"]), (labels["test_acc"], labels["mem_test"])]
    )
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.02])
    layout["yaxis2"].update(tickformat=".0%", range=[0, 1.02])
    layout["shapes"] = [dict(hline(0.1, "black", "dash"), yref="y2")]
    return figure(traces, layout, height=460, uirevision="memorize")

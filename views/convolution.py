"""Convolution: a kernel over a real photo (or an upload), step by step on a small grid (and transposed),
parameter counts, a CNN trained live on the digits; the notes' claims as cards beside their sections.

Every section: its heading, then its controls in a narrow column beside its figure (one screen at 1280×720),
then the prose, the editable grids and the claim cards."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from core.convolution import cnn, count, figures
from core.convolution import concept as cv
from core.convolution import kernels as ck
from core.convolution import steps as conv_steps
from core.convolution import steps_figures as step_figures
from core.images import UPLOAD_TYPES, UploadError
from core.ui import PageView, chrome
from core.ui.live import finished, run_live
from core.ui.runner import freeze

view = PageView(cv.CONCEPT)
t = view.t
view.header()
fig = t.section("fig")


def _frame(cells: tuple) -> pd.DataFrame:
    n = math.isqrt(len(cells))
    return pd.DataFrame(np.asarray(cells, dtype=np.float64).reshape(n, n), columns=[str(j) for j in range(n)])


def _apply_edits(editor_key: str, name: str, cells: tuple, mark: str) -> None:
    """data_editor callback: write the edited cells into the parameter's widget (the URL follows)."""
    n, new = math.isqrt(len(cells)), list(cells)
    for row, changes in st.session_state[editor_key]["edited_rows"].items():
        for col, value in changes.items():
            new[int(row) * n + int(col)] = float(value) if value is not None else 0.0
    view.set({name: tuple(new)})
    st.session_state[mark] = (st.session_state[mark][0], tuple(new))  # the editor already shows them: keep it


def _cells_text(experiment, name: str, custom: bool) -> None:
    with st.expander(t("grid.as_text")):  # typing the photo's cells also selects the typed kernel
        typed = {"on_change": view.set, "args": ({"kernel": "custom"},)} if custom else {}
        view.controls(experiment, only=(name,), **typed)


def grid_editor(experiment, name: str, cells: tuple, custom: bool = False) -> None:
    """An editable n×n grid for a FloatList parameter; the parameter (and so the URL) stays the source of truth.

    The editor keeps its key (stays mounted, ~0.5 s less browser work under load) while the cells only
    change by its own edits; cells changed from outside (buttons, size, text, a link) get a fresh editor."""
    param, n, mark = cv.CONCEPT.params[name], math.isqrt(len(cells)), f"_conv_grid.{name}"
    version, shown = st.session_state.get(mark, (0, None))
    if cells != shown:
        version += 1
        st.session_state[mark] = (version, cells)
    key = f"conv_grid_{name}_{version}"
    config = {
        str(j): st.column_config.NumberColumn(
            str(j), min_value=param.lo, max_value=param.hi, format="%.4g", required=True
        )
        for j in range(n)
    }
    st.data_editor(
        _frame(cells),
        key=key,
        column_config=config,
        hide_index=True,
        num_rows="fixed",
        on_change=_apply_edits,
        args=(key, name, cells, mark),
    )
    _cells_text(experiment, name, custom)


def _edit_preset(cells: tuple) -> None:
    view.set({"kernel": "custom", "k": cells})


def kernel_grid(v: dict) -> None:
    """The photo's kernel: editable when typed; a preset is shown read-only with a button that copies it."""
    if v["kernel"] == "custom":
        st.caption(t("filter.grid_help"))
        grid_editor(cv.FILTER, "k", v["k"], custom=True)
        return
    cells = ck.cells(v["kernel"], v["ksize"], v["sigma"])
    st.dataframe(
        _frame(cells),
        hide_index=True,
        column_config={str(j): st.column_config.NumberColumn(format="%.4g") for j in range(v["ksize"])},
    )
    st.button(t("filter.edit"), key="conv_edit_kernel", on_click=_edit_preset, args=(cells,), width="stretch")
    _cells_text(cv.FILTER, "k", True)


def _resize_custom(cells: tuple) -> None:  # kernel/ksize callback: a typed kernel keeps its centre cells
    if view.widget("kernel") == "custom":
        view.set({"k": ck.resize(cells, view.widget("ksize"))})


@st.cache_data(max_entries=8, show_spinner=False)
def _run_upload(data: bytes, frozen: tuple):
    return cv.run_upload(data, dict(frozen))


@view.section
def filter_section():
    v = view.values
    st.header(t("filter.heading"))
    view.conflicts(cv.FILTER)
    res = view.run(cv.FILTER)
    upload = st.session_state.get("conv_upload")
    notes = []  # what the page says about an upload: under the figure, so the figure stays on the first screen
    if upload is not None:
        try:
            info, res = _run_upload(upload.getvalue(), freeze(view.values_for(cv.FILTER)))
            notes.append(t("filter.upload_note", img=t.choice("img", v["img"])))
            if info["downscaled"]:
                notes.append(t("filter.downscaled", **info))
            chrome.notices(t, cv.CONCEPT.params, v, list(res.notices))
        except UploadError as err:
            st.warning(t(f"upload.{err.code}", **err.info) + " " + t("upload.fallback"), icon="⚠️")
    rgb = res.in_shape[0] == 3
    left, right = st.columns([1, 2.6], gap="medium")
    with right:
        st.plotly_chart(figures.filtered(res, fig), key="conv_filter_chart")
    with left:  # what changes the map, beside it (after it: a figure-first section, core/ui/__init__.py)
        view.controls(cv.FILTER, only=("img",))
        view.controls(cv.FILTER, only=("kernel",), on_change=_resize_custom, args=(v["k"],))
        view.controls(cv.FILTER, only=("stride", "pad", "dil", "pmode"))
    with right:
        for note in notes:
            st.info(note, icon="ℹ️")
        for latex in res.size_latex[: 1 if res.in_shape[1] == res.in_shape[2] else 2]:
            st.latex(latex)
        st.caption(t("filter.stats", **res.stats, macs=f"{res.macs:,}", c=res.in_shape[0], k=res.kernel.shape[0]))
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    st.markdown(t("filter.intro"))
    grid, more = st.columns([1.3, 2], gap="medium")
    with grid:  # the kernel's size and cells together
        view.controls(cv.FILTER, only=("ksize",), on_change=_resize_custom, args=(v["k"],))
        view.controls(cv.FILTER, only=("sigma",))
        kernel_grid(v)
    with more:
        view.controls(cv.FILTER, only=("side", "gray"))
        st.file_uploader(t("filter.upload"), type=list(UPLOAD_TYPES), key="conv_upload", help=t("filter.upload_help"))
        with st.expander(t("filter.weights"), expanded=rgb):  # only the page knows if the image (an upload?) has colour
            view.controls(cv.FILTER, only=cv.CHANNEL_WEIGHTS, active={n: rgb for n in cv.CHANNEL_WEIGHTS})
    if rgb:
        st.subheader(t("filter.rgb_heading"))
        st.markdown(t("filter.rgb_intro", c=res.in_shape[0], k=res.kernel.shape[0], n=3 * res.kernel.size))
        st.plotly_chart(figures.channels(res, fig), key="conv_channels_chart")
    view.claim_cards("filter")


def _fill(kind: str, cells: tuple) -> None:
    n = math.isqrt(len(cells))
    if kind == "ones":
        new = (1.0,) * (n * n)
    else:  # a 3×3 kernel, centred in (or cropped to) the current size
        new = ck.resize(ck.SEEDS_SHARPEN if kind == "sharpen" else ck.cells(kind, 3), n)
    view.set({"t_w": new})


def kernel_buttons(cells: tuple) -> None:
    """Under the step-through kernel: resize it (keeping the centre) or fill it with a known kernel."""
    n = math.isqrt(len(cells))
    for col, side in zip(st.columns(len(conv_steps.KERNEL_SIDES)), conv_steps.KERNEL_SIDES):
        col.button(
            f"{side}×{side}",
            key=f"conv_tw_{side}",
            disabled=side == n,
            width="stretch",
            on_click=view.set,
            args=({"t_w": ck.resize(cells, side)},),
        )
    for col, kind in zip(st.columns(2) * 2, ("ones", "sharpen", "sobel_x", "identity")):
        col.button(
            t(f"steps.fill_{kind}"), key=f"conv_fill_{kind}", on_click=_fill, args=(kind, cells), width="stretch"
        )


@view.section
def steps_section():
    v = view.values
    st.header(t("steps.heading"))
    transposed = v["t_op"] == "transposed"
    view.conflicts(conv_steps.STEPS)
    res = view.run(conv_steps.STEPS)
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(conv_steps.STEPS, only=("t_op", "t_in", "t_n", "t_s", "t_p", "t_pm", "t_d", "t_opad"))
    with right:
        st.plotly_chart(step_figures.steps(res, fig), key="conv_steps_chart")
        st.latex(res.size_latex)
        fn = "conv_transpose2d" if transposed else "conv2d"
        st.markdown(t("steps.check", n=len(res.cells), err=f"{res.max_err:.1e}", fn=fn))
    st.markdown(t("steps.intro"))
    grid, words = st.columns([1.3, 2], gap="medium")
    with grid:
        st.markdown(f"**{t('steps.kernel')}**")
        grid_editor(conv_steps.STEPS, "t_w", v["t_w"])
        kernel_buttons(v["t_w"])
    with words:
        st.markdown(t("steps.t_explain" if transposed else "steps.explain"))
        if res.cropped:
            st.caption(t("steps.cropped", n=res.x.shape[0]))
    view.claim_cards("steps")


@view.section
def count_section():
    st.header(t("count.heading"))
    for col, name in zip(st.columns(5), count.COUNT_PARAMS.names):
        with col:
            view.controls(count.COUNT, only=(name,))
    res = view.run(count.COUNT)
    names = {k: t(f"count.kind_{k}") for k in count.KINDS}
    st.plotly_chart(figures.counts(res, fig, names, count.KINDS), key="conv_count_chart")
    st.markdown(t("count.intro"))
    st.dataframe(
        {
            t("count.col_kind"): [names[k] for k in count.KINDS],
            t("count.col_formula"): [count.PLAIN[k] for k in count.KINDS],
            t("count.col_params"): [f"{res.params[k]:,}" for k in count.KINDS],
            t("count.col_macs"): [f"{res.macs[k]:,}" for k in count.KINDS],
            t("count.col_ratio"): [f"{res.params[k] / res.params['standard']:.4g}" for k in count.KINDS],
        },
        hide_index=True,
        width="stretch",
    )
    st.latex(res.latex)
    st.markdown(t("count.reading", factor=f"{1 / res.ratio:.1f}", k=res.k, c_out=res.c_out))
    view.claim_cards("count")


@view.section
def learn_section():
    v = view.values
    st.header(t("learn.heading"))
    st.markdown(t("learn.intro"))
    for col, name in zip(st.columns(6), cnn.PROBE_PARAMS.names):
        with col:
            view.controls(cnn.PROBE, only=(name,))
    stored = finished(view, cnn.LEARN)
    if stored is None and not st.button(t("learn.button"), key="conv_learn_go", type="primary"):
        st.caption(t("learn.cost"))
        return
    curves_slot, kernels_slot = st.columns(2)
    with curves_slot:
        curves = st.empty()
    with kernels_slot:
        kernels = st.empty()

    def render(res, done):
        curves.plotly_chart(figures.curves(res, fig), key=f"conv_curves_{len(res.steps)}_{done}")
        kernels.plotly_chart(figures.kernels(res, fig), key=f"conv_kernels_{len(res.steps)}_{done}")

    res = run_live(view, cnn.LEARN, render)
    if not res.finite:
        st.warning(t("learn.diverged"), icon="⚠️")
        return
    st.markdown(t("learn.result", acc=f"{res.test_acc[-1]:.1%}", steps=int(res.steps[-1]), ch=res.ch, k=res.k))
    probe = cnn.feature_maps(res, v["l_digit"])
    st.plotly_chart(figures.probe(probe, fig), key="conv_probe_chart")
    st.markdown(t("learn.maps", digit=probe.label, pred=probe.pred, p=f"{probe.probs[probe.pred]:.1%}"))


filter_section()
steps_section()
count_section()
learn_section()

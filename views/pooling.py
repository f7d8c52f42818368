"""Pooling: window by window (editable grid, real photo, gradient routing), translation, receptive
field, GAP vs flatten, a training check; the notes' claims as cards beside their sections (the overfitting card
once the training has run: it reads that run).

Every section: its heading, then its controls in a narrow column beside its figure (one screen at 1280×720),
then the prose, the tables and the claim cards."""

import pandas as pd
import streamlit as st

from core.pooling import claims, figures, heads, shift, training
from core.pooling import concept as pl
from core.pooling import pool as pp
from core.pooling import receptive_field as rfm
from core.ui import PageView
from core.ui.live import finished, run_live

view = PageView(pl.CONCEPT)
t = view.t
view.header()
fig = t.section("fig")
X = pl.POOL_PARAMS["x"]


def _set_cells(cells: tuple) -> None:
    view.set({"x": cells})


def _apply_edits(editor_key: str, n: int) -> None:
    cells = list(view.widget("x"))
    if len(cells) != n * n:
        return
    for row, changes in st.session_state[editor_key]["edited_rows"].items():
        for col, value in changes.items():
            cells[int(row) * n + int(col)] = float(value) if value is not None else 0.0
    _set_cells(tuple(cells))


def _grid_editor(cells: tuple) -> None:
    n = pp.grid_side(cells)
    frame = pd.DataFrame([cells[i * n : (i + 1) * n] for i in range(n)], columns=[str(j) for j in range(n)])
    key = f"pool_editor_{X.encode(cells)}"  # new cells -> a fresh editor holding them
    config = {
        str(j): st.column_config.NumberColumn(str(j), min_value=X.lo, max_value=X.hi, required=True) for j in range(n)
    }
    st.data_editor(
        frame, key=key, column_config=config, hide_index=False, num_rows="fixed", on_change=_apply_edits, args=(key, n)
    )
    cols = st.columns(2) * 3  # two buttons a row: the column beside the figure is narrow
    cols[0].button(
        t("pool.seeds_btn"), on_click=_set_cells, args=(pp.SEEDS_EXAMPLE,), key="pool_seeds", width="stretch"
    )
    for col, size in zip(cols[1:3], (6, 8)):
        col.button(
            t("pool.random_btn", n=size),
            on_click=_set_cells,
            key=f"pool_rand{size}",
            width="stretch",
            args=(pp.random_grid(size, X.encode(cells)),),
        )
    for col, size, key in zip(cols[3:5], (max(2, n - 1), min(12, n + 1)), ("pool_shrink", "pool_grow")):
        col.button(
            t("pool.grow_btn", n=size),
            on_click=_set_cells,
            key=key,
            args=(pp.resize_grid(cells, size),),
            disabled=size == n,
            width="stretch",
        )
    with st.expander(t("pool.cells_text")):
        view.controls(pl.POOL, only=("x",))
    view.refused("x")


def _window_notes(res) -> None:
    """What the grid's settings do that the figure cannot say: dropped or skipped cells, L_p's quirks, NaN."""
    size = res.size
    if size["out"] != size["out_raw"]:
        start, limit = (size["out_raw"] - 1) * res.s, size["n"] + res.p
        st.info(t("pool.dropped", raw=size["out_raw"], s=res.s, start=start, limit=limit, out=size["out"]), icon="ℹ️")
    if res.s > res.k:
        st.info(t("pool.skip", s=res.s, k=res.k), icon="ℹ️")
    elif res.uncovered:
        st.info(t("pool.uncovered", count=res.uncovered), icon="ℹ️")
    if res.op == "lp":
        st.caption(t("pool.lp_pad"))
        if res.lp_scaled:
            cells = "; ".join(f"({i}, {j}): {res.out[i, j]:.4g} / {tb:.4g}" for i, j, tb in res.lp_scaled)
            st.info(t("pool.lp_scaled", cells=cells), icon="ℹ️")
    if res.nan_cells:
        st.warning(t("pool.nan", count=res.nan_cells), icon="⚠️")


@view.section
def window_section():
    v = view.values
    st.header(t("pool.heading"))
    view.conflicts(pl.POOL)
    res = view.run(pl.POOL)
    left, right = st.columns([1, 2.6], gap="medium")
    with right:
        st.plotly_chart(figures.grid(res, fig), key="pool_grid_chart")
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        view.controls(pl.POOL, only=("op", "k", "s", "pad", "ceil", "cip", "pnorm"))
    with right:
        st.caption(t("pool.step_help"))
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    grid, words = st.columns([1.3, 2], gap="medium")
    with grid:
        st.markdown(f"**{t('pool.grid_label')}**")
        _grid_editor(v["x"])
    with words:
        st.markdown(t("pool.intro"))
        _window_notes(res)
    st.markdown(f"**{t('pool.formula')}** · **{t('pool.size_heading')}**")
    st.latex(pp.formula(res.op, res.norm) + r"\qquad\qquad " + res.size_latex)

    st.subheader(t("pool.grad_heading"))
    st.markdown(t("pool.grad_intro"))
    st.plotly_chart(
        figures.gradients(res, fig, tuple(res.grads), {o: t(f"names.op.{o}") for o in pp.OPS}), key="pool_grad_chart"
    )

    st.subheader(t("pool.image_heading"))
    st.markdown(t("pool.image_intro"))
    c1, c2 = st.columns(2)
    with c1:
        view.controls(pl.POOL, only=("img",))
    with c2:
        view.controls(pl.POOL, only=("side",))
    st.plotly_chart(figures.image(res, fig, t(f"names.op.{res.op}")), key="pool_image_chart")
    if res.img_out_scale > 1:
        st.caption(t("pool.lp_display", scale=f"{res.img_out_scale:.3g}"))
    view.claim_cards("pool")


@view.section
def shift_section():
    st.header(t("shift.heading"))
    res = view.run(pl.SHIFT)
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(pl.SHIFT)
    with right:
        st.plotly_chart(figures.shift(res, fig, {c: t(f"names.curves.{c}") for c in shift.CURVES}), key="shift_chart")
        st.markdown(t("shift.reading", **shift.shift_numbers(res)))
    st.markdown(t("shift.intro"))
    view.claim_cards("shift")


def _edit_stack(token: str | None) -> None:
    layers = [s for s in str(view.widget("layers")).split(",") if s]  # the text as typed (a stack's value is text)
    if token is None:
        layers = layers[:-1] or layers
    elif len(layers) < rfm.MAX_LAYERS:
        layers.append(token)
    view.set({"layers": ",".join(layers)})


@view.section
def rf_section():
    st.header(t("rf.heading"))
    view.conflicts(pl.RF)
    res = view.run(pl.RF)
    left, right = st.columns([1.2, 2.6], gap="medium")
    with left:
        view.controls(pl.RF, only=("layers",))
        view.refused("layers")
        st.caption(t("rf.add"))
        tokens = ("c3", "c3s2", "c5", "c3d2", "m2", "m3s2p1", "a2")
        for col, token in zip(st.columns(2) * 4, tokens):
            col.button(f"+ {token}", on_click=_edit_stack, args=(token,), key=f"rf_add_{token}", width="stretch")
        st.button("⌫", on_click=_edit_stack, args=(None,), key="rf_remove", help=t("rf.remove"), width="stretch")
        view.controls(pl.RF, only=("rf_in", "rf_img"))
    with right:
        st.plotly_chart(figures.receptive_field(res, fig), key="rf_chart")
    last = res.rows[-1]
    st.markdown(t("rf.result", n=last.n, rf=last.rf, n_in=res.n_in, share=f"{res.support_share:.0%}"))
    st.markdown(t("rf.intro"))
    cols = ("i", "layer", "k", "s", "p", "d", "n", "j", "rf")
    data = [
        (i + 1, r.layer.token(), r.layer.k, r.layer.s, r.layer.p, r.layer.d, r.n, r.jump, r.rf)
        for i, r in enumerate(res.rows)
    ]
    st.dataframe(
        {t(f"rf.col_{c}"): [row[k] for row in data] for k, c in enumerate(cols)}, hide_index=True, width="stretch"
    )
    st.markdown(f"**{t('rf.formula')}**")
    st.latex(rfm.LATEX)
    view.claim_cards("rf")


@view.section
def head_section():
    st.header(t("head.heading"))
    res = view.run(pl.HEAD)
    names = {h: t(f"names.heads.{h}") for h in heads.HEADS}
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(pl.HEAD)
    with right:
        st.plotly_chart(figures.heads(res, fig, names), key="head_chart")
        st.markdown(t("head.ratio", size=res.size, ratio=res.chosen["flatten"] / res.chosen["gap"]))
    st.markdown(t("head.intro"))
    shown = [h for h in heads.HEADS if res.chosen[h] > 0]
    st.dataframe(
        {
            t("head.col_head"): [names[h] for h in shown],
            t("head.col_in"): [res.features_in[h] for h in shown],
            t("head.col_params"): [f"{res.chosen[h]:,}" for h in shown],
            t("head.col_layers"): [", ".join(f"{n} ({p:,})" for n, p in res.layers[h] if p) for h in shown],
        },
        hide_index=True,
        width="stretch",
    )
    view.claim_cards("head")


@view.section
def train_section():
    st.header(t("train.heading"))
    st.markdown(t("train.intro"))
    cols = st.columns(4)
    for col, name in zip(cols, pl.TRAIN_PARAMS.names):
        with col:
            view.controls(pl.TRAIN, only=(name,))
    names = {m: t(f"names.models.{m}") for m in training.MODELS}
    stored = finished(view, pl.TRAIN)
    if stored is None and not st.button(t("train.button"), key="train_go", type="primary", help=t("train.cost")):
        st.caption(t("train.cost"))
        return
    chart, words = st.empty(), st.empty()

    def render(result, done):
        chart.plotly_chart(figures.training(result, fig, names), key=f"train_chart_{len(result.steps)}_{done}")
        if done:
            numbers = training.verdict(result)
            key = "train.overfit_yes" if numbers["overfit_reduced"] else "train.overfit_no"
            words.markdown(t(key, **numbers) + "\n\n" + t("train.shifted", **numbers))

    run_live(view, pl.TRAIN, render)
    done = finished(view, pl.TRAIN)  # a partial run (superseded, stepping aside) has no card yet
    if done is not None:
        view.claim_cards("train", {**claims.card_numbers(), **training.verdict(done)})  # this run's own numbers


window_section()
shift_section()
rf_section()
head_section()
train_section()

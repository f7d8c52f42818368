"""Vanishing and exploding gradients: a deep MLP layer by layer, trained live, and RNN/LSTM/GRU through time; the
interview notes' claims as cards beside the section each is about.

Every section: its heading, then its controls in a narrow column beside its figure (one screen at 1280×720), then
the explanation under the figure."""

import math

import streamlit as st

from core.gradients import concept as gr
from core.gradients import figures, inits, rnn
from core.ui import PageView
from core.ui.live import finished, run_live

view = PageView(gr.CONCEPT)
t = view.t
fig = t.section("fig")
view.header()


def config_name(v: dict, k: str) -> str:
    init = t.choice(f"init_{k}", v[f"init_{k}"])
    if v[f"init_{k}"] == "normal":
        init += t("names.sigma", sigma=v[f"sigma_{k}"])
    extra = t(f"names.{v[f'norm_{k}']}") if v[f"norm_{k}"] != "none" else ""
    extra += t("names.res") if v[f"res_{k}"] else ""
    return t("names.config", k=k.upper(), act=t.choice(f"act_{k}", v[f"act_{k}"]), init=init) + extra


def init_caption(v: dict, k: str) -> None:
    key, n = v[f"init_{k}"], v["width"]
    var = inits.INITS[key].variance(n, n, v[f"sigma_{k}"])
    st.latex(inits.INITS[key].latex)
    st.caption(t("net.var_line", var=var, n=n, nvar=n * var))
    if key in ("default", "orthogonal"):
        st.caption(t(f"net.{key}_note"))
    elif key == "normal":
        st.caption(t("net.sigma_note", **inits.sigma_scale(v[f"sigma_{k}"], n)))


def num(x: float, spec: str = ".3f") -> str:
    return format(x, spec) if math.isfinite(x) else t("net.na")


@view.section
def network():
    v = view.values
    st.header(t("net.heading"))
    left, right = st.columns([1, 2.6], gap="medium")
    res = view.run(gr.NET)
    names = {k: config_name(v, k) for k in "ab"}
    rows = [(names[k], p) for k, p in (("a", res.a), ("b", res.b))]
    with right:
        st.plotly_chart(figures.norms(res, fig, names), key="norms_chart")
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        st.markdown(f"**{t('net.shared')}**")
        view.controls(gr.NET, only=("depth", "width", "data", "batch", "seed"))
        for tab, k in zip(st.tabs([t("net.config", k=k.upper()) for k in "ab"]), "ab"):
            with tab:
                view.controls(gr.NET, only=(f"act_{k}", f"init_{k}", f"sigma_{k}", f"norm_{k}", f"res_{k}"))
                init_caption(v, k)
    view.conflicts(gr.NET)
    with right:
        for name, p in rows:
            for key, numbers in gr.notes(p):
                st.info(t(key, name=name, **numbers), icon="🕳️" if key == "net.underflow" else "💥")
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
        st.caption(t("net.intro"))

    st.subheader(t("net.norms_heading"))
    st.markdown(t("net.norms_intro"))
    cols = {
        "factor": ".3f",
        "theory": ".3f",
        "gain": ".3f",
        "slope": ".3f",
        "act_ratio": ".2e",
        "weight_ratio": ".2e",
        "loss": ".4g",
    }
    head = [t("net.col_config"), *(t(f"net.col_{c}") for c in cols)]  # a markdown table: no DataFrame per rerun
    body = [[n, *(num(gr.table_row(p)[c], spec) for c, spec in cols.items())] for n, p in rows]
    st.markdown("\n".join("| " + " | ".join(r) + " |" for r in [head, ["---"] * len(head), *body]))
    st.caption(t("net.factor_note"))
    with st.expander(t("net.why_heading")):
        st.markdown(t("net.why"))
    with st.expander(t("net.formulas")):
        st.latex(gr.FORMULAS["backward"])
        st.latex(gr.FORMULAS["factor"])

    st.subheader(t("net.forward_heading"))
    st.markdown(t("net.forward_intro"))
    st.plotly_chart(figures.forward_stats(res, fig, names), key="forward_chart")
    for col, (k, p) in zip(st.columns(2), (("a", res.a), ("b", res.b))):
        col.plotly_chart(figures.ridge(p, fig, names[k], figures.COLORS[k]), key=f"ridge_{k}")
    view.claim_cards("net")


@view.section
def training():
    v = view.values
    st.header(t("train.heading"))
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(gr.TRAIN, only=("steps", "lr", "clip", "clip_at"))
    view.conflicts(gr.TRAIN)
    names = {k: config_name(v, k) for k in "ab"}
    with right:  # the chart on top once a run exists; before it, what will be trained and the button
        chart, words = st.empty(), st.empty()
        st.caption(t("train.uses", a=names["a"], b=names["b"], depth=v["depth"], width=v["width"], seed=v["seed"]))
        stored = finished(view, gr.TRAIN)
        started = stored is not None or st.button(t("train.button"), key="train_go", type="primary")
        if not started:
            st.caption(t("train.cost"))
    st.caption(t("train.intro"))
    with st.expander(t("train.clip_heading")):
        st.markdown(t("train.clip_intro"))
        st.latex(gr.FORMULAS["clip_norm"] + r"\qquad" + gr.FORMULAS["clip_value"])
    if started:
        heat_title = st.empty()
        heat = [c.empty() for c in st.columns(2)]
        replay = st.empty()

        def render(res, done):
            tag = f"{res.done}_{done}"
            chart.plotly_chart(figures.training(res, fig, names), key=f"train_chart_{tag}")
            heat_title.subheader(t("train.heat_heading"))
            zrange = figures.heat_range(res)
            for slot, k in zip(heat, "ab"):
                slot.plotly_chart(figures.heatmap(res, k, fig, names[k], zrange), key=f"heat_{k}_{tag}")
            words.markdown(
                "\n\n".join(t(key, name=names[k], **numbers) for k, (key, numbers) in zip("ab", gr.verdicts(res)))
            )
            if done:
                with replay.container():
                    st.subheader(t("train.replay_heading"))
                    st.caption(t("train.replay_intro"))
                    st.plotly_chart(figures.replay(res, fig, names), key="replay_chart")

        with right:
            run_live(view, gr.TRAIN, render)
    view.claim_cards("train")


@view.section
def through_time():
    st.header(t("rnn.heading"))
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(gr.RNN, only=("seq_len", "hidden", "fbias", "w_scale"))
    res = view.run(gr.RNN)
    cells = {k: t.choice("cell", k) for k in rnn.CELLS}
    with right:
        st.plotly_chart(figures.through_time(res, fig, cells, rnn.CELLS), key="rnn_chart")
        st.caption(t("rnn.forget", f=res.forget, fbias=res.fbias))
    series = [(cells[k], res.h[i]) for i, k in enumerate(rnn.CELLS)] + [(fig["cell_state"], res.c)]
    drops = [rnn.steps_to_drop(s) for _, s in series]
    st.dataframe(
        {
            t("rnn.col_cell"): [n for n, _ in series],
            t("rnn.col_drop"): [t("rnn.never") if d is None else str(d) for d in drops],
            t("rnn.col_first"): [num(gr.ratio(s[0], s[-1]), ".2e") for _, s in series],
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(t("rnn.intro"))
    with st.expander(t("net.formulas")):
        st.latex(gr.FORMULAS["rnn"])
    view.claim_cards("rnn")


network()
training()
through_time()

"""Activations: the function explorer (f, autograd f′, saturation, probe, trade-offs, claims)."""

import streamlit as st

from core import activations as act
from core.figures import activations as figures
from core.ui import PageView

view = PageView(act.CONCEPT)
t = view.t
view.header()

# ---- function explorer ---------------------------------------------------------------------------
names = {k: t.choice("fns", k) for k in act.FUNCTIONS}


def _where(res, intervals):
    if not intervals:
        return t("explorer.none")
    if intervals == ((float(res.x[0]), float(res.x[-1])),):
        return t("explorer.everywhere")
    return ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in intervals)


@view.section
def explorer():
    values = view.values
    st.header(t("explorer.heading"))
    view.controls(act.EXPLORER, only=("fns",))
    left, right = st.columns([1, 2.8], gap="medium")
    with left:
        view.controls(act.EXPLORER, only=("xmin", "xmax", "x0", "thresh"))
        with st.expander(t("explorer.knobs")):
            st.caption(t("explorer.knobs_help"))
            uses = {act.FUNCTIONS[k].knob for k in values["fns"]}
            view.controls(act.EXPLORER, only=act.KNOBS, active={k: k in uses for k in act.KNOBS})
    view.conflicts(act.EXPLORER)
    res = view.run(act.EXPLORER)
    with right:
        st.plotly_chart(figures.explorer(res, t.section("fig"), names, tuple(act.FUNCTIONS)), key="explorer_chart")

    st.subheader(t("explorer.probe_heading", x0=f"{res.x0:g}"))
    st.dataframe(
        {t("explorer.col_fn"): [names[k] for k in res.keys],
         t("explorer.col_f"): res.f0, t("explorer.col_df"): res.df0,
         t("explorer.col_sat", thresh=f"{res.thresh:g}"): [_where(res, iv) for iv in res.saturated]},
        hide_index=True, width="stretch",
    )
    with st.expander(t("explorer.formulas"), expanded=True):
        st.latex(r"\\[4pt]".join(res.formulas))

    st.subheader(t("explorer.props_heading"))
    st.markdown(t("explorer.props_intro"))
    st.dataframe(
        {t("explorer.col_fn"): [names[k] for k in res.keys],
         t("explorer.col_mean"): res.stats["mean"], t("explorer.col_mean_grad"): res.stats["mean_grad"],
         t("explorer.col_sat_share"): res.stats["saturated_share"],
         t("explorer.col_zero_share"): res.stats["zero_grad_share"]},
        hide_index=True, width="stretch",
    )
    st.subheader(t("explorer.tradeoffs"))
    st.markdown("\n\n".join(f"**{names[k]}** — {t('notes.' + k)}" for k in res.keys))


explorer()

# ---- the seeds' claims, checked ------------------------------------------------------------------
st.header(t("claims.heading"))
st.markdown(t("claims.intro"))
numbers = act.claims()
claims = ("tanh", "sigmoid_vanish", "sigmoid_explode", "sigmoid_band", "tanh_stable", "relu_always_one",
          "sigmoid_mean", "gelu")
st.markdown("\n".join(f"- {t('claims.' + key, **numbers)}" for key in claims))

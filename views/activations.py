"""Activations: the function explorer (f, autograd f′, saturation, probe, trade-offs, claims)."""

import streamlit as st

from core import activations as act
from core.figures import activations as figures
from core.ui import PageView

view = PageView(act.CONCEPT)
t, values = view.t, view.values
view.header()

# ---- function explorer ---------------------------------------------------------------------------
st.header(t("explorer.heading"))
view.controls(act.EXPLORER, only=("fns",))
left, right = st.columns([1, 2.8], gap="medium")
with left:
    view.controls(act.EXPLORER, only=("xmin", "xmax", "x0", "thresh"))
    with st.expander(t("explorer.knobs")):
        st.caption(t("explorer.knobs_help"))
        uses = {act.FUNCTIONS[k].knob for k in values["fns"]}
        view.controls(act.EXPLORER, only=act.KNOBS, active={k: k in uses for k in act.KNOBS})

res = view.run(act.EXPLORER)
names = {k: t.choice("fns", k) for k in act.FUNCTIONS}
with right:
    st.plotly_chart(figures.explorer(res, t.section("fig"), names, tuple(act.FUNCTIONS)), key="explorer_chart")

def _where(intervals):
    if not intervals:
        return t("explorer.none")
    if intervals == ((float(res.x[0]), float(res.x[-1])),):
        return t("explorer.everywhere")
    return ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in intervals)

st.subheader(t("explorer.probe_heading", x0=f"{res.x0:g}"))
st.dataframe(
    {t("explorer.col_fn"): [names[k] for k in res.keys],
     t("explorer.col_f"): res.f0, t("explorer.col_df"): res.df0,
     t("explorer.col_sat", thresh=f"{res.thresh:g}"): [_where(iv) for iv in res.saturated]},
    hide_index=True, width="stretch",
)

with st.expander(t("explorer.formulas"), expanded=True):
    for formula in res.formulas:
        st.latex(formula)

st.subheader(t("explorer.props_heading"))
st.markdown(t("explorer.props_intro"))
st.dataframe(
    {t("explorer.col_fn"): [names[k] for k in res.keys],
     t("explorer.col_mean"): res.stats["mean"], t("explorer.col_mean_grad"): res.stats["mean_grad"],
     t("explorer.col_sat_share"): res.stats["saturated_share"],
     t("explorer.col_zero_share"): res.stats["zero_grad_share"]},
    hide_index=True, width="stretch", column_config=None,
)

st.subheader(t("explorer.tradeoffs"))
for key in res.keys:
    st.markdown(f"**{names[key]}** — {t('notes.' + key)}")

# ---- the seeds' claims, checked ------------------------------------------------------------------
st.header(t("claims.heading"))
st.markdown(t("claims.intro"))
numbers = act.claims()
for key in ("tanh", "sigmoid_vanish", "sigmoid_explode", "sigmoid_band", "tanh_stable", "relu_always_one",
            "sigmoid_mean", "gelu"):
    st.markdown(f"- {t('claims.' + key, **numbers)}")

"""Optimizers: paths on 2-D surfaces (click to start, animation, internals, theory on the quadratic),
the same optimizers racing on a real network; the interview notes' claims as cards beside the section each is
about (the network's behind a button: they train). Each section: its heading, then its controls beside its
figure ([controls | figure], one screen at 1280×720), then the prose."""

import streamlit as st

from core.optimizers import claims, figures, surfaces
from core.optimizers import concept as opt
from core.ui import PageView, click_chart
from core.ui.live import finished, run_live

view = PageView(opt.CONCEPT)
t = view.t
fig = t.section("fig")
names = {k: t.choice("opts", k) for k in opt.KINDS}
view.header()


def _load_surface() -> None:
    """Surface callback: load the new surface's start point and learning rates."""
    view.set(opt.suggested(view.widget("surface")))


def _start_from_click(x: float, y: float) -> None:
    view.set({"x0": round(x, 2), "y0": round(y, 2)})


def _dash(n) -> str:
    return "—" if n is None or n < 0 else str(int(n))


@view.section
def paths_section():
    v = view.values
    st.header(t("paths.heading"))
    left, right = st.columns([1, 2.3], gap="medium")
    surface = surfaces.get(v["surface"], v["kappa"], v["theta"])
    res = view.run(opt.PATHS)
    grid = opt.landscape_grid(v)
    with right:  # the map before every control (a figure-first section: core/ui/__init__.py)
        st.plotly_chart(figures.landscape(res, grid, fig, names), key="opt_landscape")
        click_chart.listen(figures.CLICK_CHART, _start_from_click)
        st.caption(t("paths.click_hint"))
    with left:
        view.controls(opt.PATHS, only=("surface",), on_change=_load_surface)
        view.controls(opt.PATHS, only=("kappa", "theta", "x0", "y0", "steps", "starts", "opts"))
    view.conflicts(opt.PATHS)
    with left:
        with st.expander(t("paths.hyper"), expanded=True):
            for kind, tab in zip(opt.KINDS, st.tabs([names[k] for k in opt.KINDS])):
                with tab:
                    view.controls(opt.PATHS, only=opt.KNOBS[kind])
                    st.latex(opt.UPDATES[kind])
        with st.expander(t("paths.more")):
            view.controls(opt.PATHS, only=("wd", "noise", "seed", "sched", "every", "gamma", "warmup", "patience"))
            st.latex(opt.GRAD)
        view.controls(opt.PATHS, only=("tol", "view3d"))
    view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    with right:
        st.markdown(t("paths.intro"))
        for kind, starts, steps, bad in res.divergences():
            text = t(
                "paths.escaped" if res.fstar is None else "paths.diverged",
                name=names[kind],
                starts=", ".join(map(str, starts)),
                steps=", ".join(map(str, steps)),
            )
            st.info(text + (t("paths.nonfinite", step=bad) if bad is not None else ""), icon="💥")
        if v["view3d"]:
            st.plotly_chart(figures.surface3d(res, grid, fig, names), key="opt_3d")
    st.latex(surface.latex)
    st.markdown(t(f"about.{v['surface']}"))

    st.subheader(t("paths.curves_heading"))
    st.plotly_chart(figures.curves(res, fig, names), key="opt_curves")
    st.dataframe(
        {
            t("paths.col_opt"): [names[k] for k in res.kinds],
            t("paths.col_loss", tol=f"{res.tol:g}") if res.fstar is not None else t("paths.col_f"): [
                f"{x:.3g}" for x in res.final_loss[:, 0]
            ],
            t("paths.col_tol", tol=f"{res.tol:g}"): [_dash(n) for n in res.to_tol[:, 0]],
            t("paths.col_end"): [f"({x:.4f}, {y:.4f})" for x, y in res.end[:, 0]],
            t("paths.col_diverged"): [_dash(n) for n in res.left[:, 0]],
            t("paths.col_torch"): list(res.calls),
        },
        hide_index=True,
        width="stretch",
    )
    if res.theory is not None:
        theory_panel(res, v)

    st.subheader(t("paths.internals_heading"))
    st.markdown(t("paths.internals_intro"))
    view.controls(opt.PATHS, only=("inspect",))
    kind = v["inspect"]
    o = res.kinds.index(kind)
    st.markdown(f"**{fig['internals_title'].format(name=names[kind])}**")
    st.plotly_chart(figures.internals(res, o, fig, kind in opt.BUFFERED, kind in opt.ADAPTIVE), key="opt_internals")
    st.markdown(t(f"why.{kind}"))
    view.claim_cards("paths")


def theory_panel(res, v: dict) -> None:
    th = res.theory
    st.subheader(t("theory.heading", kappa=f"{th.kappa:g}"))
    st.markdown(t("theory.intro", L=f"{th.big_l:g}", mu=f"{th.mu:.4g}"))
    left, right = st.columns(2)
    left.latex(opt.theory.FORMULAS["gd"])
    left.markdown(t("theory.gd", lr=f"{th.gd_lr:.4f}", rate=f"{th.gd_rate:.4f}"))
    right.latex(opt.theory.FORMULAS["hb"])
    right.markdown(t("theory.hb", lr=f"{th.hb_lr:.4f}", beta=f"{th.hb_beta:.4f}", rate=f"{th.hb_rate:.4f}"))
    rate = lambda r: "—" if r is None else f"{r:.4f}"
    st.dataframe(
        {
            t("theory.col_opt"): [names[r.kind] for r in th.rows],
            t("theory.col_lr"): [f"{r.lr:g}" for r in th.rows],
            t("theory.col_mom"): ["—" if r.momentum is None else f"{r.momentum:g}" for r in th.rows],
            t("theory.col_pred"): [rate(r.predicted) for r in th.rows],
            t("theory.col_meas"): [rate(r.measured) for r in th.rows],
            t("theory.col_steps"): ["—" if r.steps is None else f"{r.steps:.0f}" for r in th.rows],
        },
        hide_index=True,
        width="stretch",
    )
    if not th.exact:
        st.caption(t("theory.not_exact"))
    st.caption(t("theory.note"))
    st.button(
        t("theory.button"),
        key="opt_optimal",
        on_click=view.set,
        args=(opt.optimal_values(th.kappa, v["opts"]),),
        type="primary",
    )


@view.section
def race_section():
    st.header(t("race.heading"))
    left, right = st.columns([1, 2.3], gap="medium")
    with left:
        view.controls(opt.RACE, only=("net_opts", "batch", "net_steps", "width", "net_seed"))
        with st.expander(t("race.lrs")):
            for kind in opt.KINDS:
                view.controls(opt.RACE, only=(f"nlr_{kind}",))
            st.caption(t("race.defaults"))
    view.conflicts(opt.RACE)
    with right:
        stored = finished(view, opt.RACE)
        if stored is None and not st.button(t("race.button"), key="race_go", type="primary"):
            st.caption(t("race.cost"))
        else:
            race()
        st.markdown(t("race.intro"))
    net_cards()


def race() -> None:
    """The race, drawn live (the finished one from the store at once) in the current column."""
    chart, table = st.empty(), st.empty()

    def render(res, done):
        chart.plotly_chart(figures.race(res, fig, names, done), key=f"race_{res.done}_{done}")
        tail = max(1, res.done // 10)
        table.dataframe(
            {
                t("race.col_opt"): [names[k] for k in res.kinds],
                t("race.col_loss"): [f"{res.loss[-tail:, o].mean():.4f}" for o in range(len(res.kinds))],
                t("race.col_acc"): [f"{res.test_acc[-1, o]:.1%}" for o in range(len(res.kinds))],
                t("race.col_diverged"): [_dash(n) for n in res.diverged],
                t("race.col_torch"): list(res.calls),
            },
            hide_index=True,
            width="stretch",
        )

    res = run_live(view, opt.RACE, render)
    st.caption(t("race.done", steps=res.done, epochs=f"{res.epochs:.1f}", batch=res.batch))


def net_cards() -> None:
    """The notes' claims about training networks: cards once their trainings have run (a button; then kept for the
    session: the trainings are cached in the process)."""
    if st.session_state.get("opt_net_claims") or st.button(t("race.net_button"), key="opt_net_claims_go"):
        st.session_state["opt_net_claims"] = True
        with st.spinner(t("running")):
            net = claims.network_claims()
        view.claim_cards("race", {**claims.card_numbers(), **net})
    else:
        st.caption(t("race.net_note"))


paths_section()
race_section()

"""Regularization & generalization: overfitting seen, L1 vs L2 (and AdamW), dropout, early stopping,
augmentation, memorization, k-fold cross-validation, input normalization; each section with the interview notes'
claims about it, checked (cards: the light ones at once, those that need trainings on request)."""

import streamlit as st

from core.regularization import adamw, claims, figures, net_figures, penalties, poly, words
from core.regularization import concept as reg
from core.ui import PageView
from core.ui.live import finished, run_live

view = PageView(reg.CONCEPT)
t = view.t
fig = t.section("fig")
view.header()
view.controls(reg.FIT, only=("seed",))


def side(experiment, names):
    """The named controls in a narrow left column; the wide right column beside it is returned (the section's
    figure goes there, at the top, so knobs and figure share the screen)."""
    left, right = st.columns([1, 3], gap="medium")
    with left:
        view.controls(experiment, only=tuple(names))
    return right


def live(experiment, key: str, render) -> None:
    """Train (or replay) the section's run once asked: a finished run of these values is stored, the button was
    pressed, or these values were asked for earlier in this session (the section stepped aside and resumes)."""
    values, mark = view.values_for(experiment), f"_reg.asked.{key}"
    if finished(view, experiment) is None and st.session_state.get(mark) != values:
        slot = st.empty()
        if not slot.button(t("train.button"), key=f"reg_{key}_go", type="primary"):
            st.caption(t(f"{key}.cost"))
            return
        slot.empty()  # pressed: the run takes the button's place
        st.session_state[mark] = values
    box = st.empty()

    def draw(r, done):
        with box.container():
            render(r, done, f"{key}_{r.steps[-1]}_{done}")

    run_live(view, experiment, draw)


NET = "reg_net_claims"  # set once the student asked for the claims that need trainings (this session)


def net_cards(section: str) -> None:
    """The cards of this section's claims that need trainings (claims.network, the page's defaults): a button
    until asked (in any such section: one press checks them all), then the cards, filled with the trainings'
    numbers. The sections that finished a run of the defaults are reused, not trained again."""
    if not st.session_state.get(NET):
        if st.button(t("claims.net_button"), key=f"reg_net_claims_go.{section}", help=t("claims.net_cost")):
            st.session_state[NET] = True
            st.rerun()  # the whole page: every section with such claims shows its cards
        return
    defaults = reg.defaults()
    reused = {
        e.key: run
        for e in reg.CONCEPT.experiments
        if e.key in claims.REUSED
        and view.values_for(e) == {n: defaults[n] for n in e.params.names}
        and (run := finished(view, e)) is not None
    }
    with st.spinner(t("running")):
        net = claims.network(defaults, reused)
    view.claim_cards(section, net)


def chart(figure, tag: str, name: str) -> None:
    st.plotly_chart(figure, key=f"reg_{name}_{tag}")


@view.section
def overfitting():
    st.header(t("fit.heading"))
    st.markdown(t("fit.intro"))
    left, right = st.columns([1, 2], gap="medium")
    res = view.run(reg.FIT)
    numbers = words.fit(res)
    with right:  # the degree moves in the browser among the fits of every degree (a scrub knob, core/scrub.py)
        every, degrees = reg.fit_curves(view.values), tuple(int(d) for d in poly.sweep_degrees(res.n, 0))
        view.scrub(
            reg.FIT,
            "degree",
            lambda d: figures.fit(res, fig, d, every[d]),
            chart="reg.fit",
            grid=degrees,
            steps_at=lambda grid, labels: figures.fit_steps(fig, grid, every, labels),
        )
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        view.controls(reg.FIT, only=("n", "noise", "basis", "ridge_on", "ridge"))
    with right:
        st.markdown(t("fit.numbers", **numbers))
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    st.plotly_chart(figures.sweep(res, poly.double_descent(res), fig), key="reg_sweep")
    st.markdown(t(words.fit_verdict(res), **numbers))
    with st.expander(t("fit.how")):
        st.latex(reg.LATEX["ridge"])
        st.markdown(t("fit.how_text"))
    st.subheader(t("mlp.heading"))
    right = side(reg.MLP, ("width", "depth", "steps", "lr"))

    def render(r, done, tag):
        chart(figures.mlp(r, fig, done), tag, "mlp")
        st.markdown(t("mlp.numbers", **words.mlp(r)))

    with right:
        live(reg.MLP, "mlp", render)
    st.markdown(t("mlp.intro"))
    view.claim_cards("fit")


@view.section
def geometry_section():
    st.header(t("penalty.heading"))
    st.subheader(t("geometry.heading"))
    left, right = st.columns([1, 3], gap="medium")
    with left:
        view.controls(reg.GEOMETRY)
    g = view.run(reg.GEOMETRY)
    right.plotly_chart(figures.geometry(g, fig), key="reg_geometry")
    st.markdown(t("geometry.numbers", **words.geometry(g)))
    st.markdown(t("penalty.intro"))
    st.latex(reg.LATEX["l2"] + r"\qquad " + reg.LATEX["l1"])
    view.claim_cards("geometry")


@view.section
def penalty_section():
    lam = view.values["lam"]
    st.subheader(t("pen.heading"))
    right = side(reg.PENALTY, ("pen_n", "lam", "pen_steps", "pen_opt", "pen_lr_sgd", "pen_lr_adam"))
    names = [t("pen.none"), t("pen.l2", lam=lam), t("pen.l1", lam=lam)]

    def render(r, done, tag):
        chart(net_figures.weight_hist(r, penalties.BINS, penalties.SMALL, fig, names), tag, "hist")
        st.dataframe(
            {
                t("pen.col_run"): names,
                t("pen.col_acc"): [f"{a:.1%}" for a in r.final("test_acc")[:3]],
                t("pen.col_small"): [f"{a:.1%}" for a in r.final("small")[:3]],
                t("pen.col_zero"): [f"{z:,}" for z in r.zeros[:3]],
                t("pen.col_norm"): [f"{a:.2f}" for a in r.final("norm")[:3]],
                t("pen.col_train"): [f"{a:.3f}" for a in r.final("train_loss")[:3]],
            },
            hide_index=True,
            width="stretch",
        )
        chart(net_figures.penalty_curves(r, fig, names), tag, "pen_curves")
        chart(net_figures.penalty_path(r, penalties.PATH, fig, names), tag, "path")

    with right:
        live(reg.PENALTY, "pen", render)
    st.markdown(t("pen.intro"))
    st.markdown(t("pen.reading"))
    net_cards("penalty")


@view.section
def adamw_section():
    lam = view.values["aw_lam"]
    st.subheader(t("adamw.heading"))
    right = side(reg.ADAMW, ("aw_n", "aw_lam", "aw_lr", "aw_steps"))
    names = [t("adamw.adam_l2", lam=lam), t("adamw.adamw", lam=lam)]

    def render(r, done, tag):
        chart(net_figures.shrink(r, fig, names), tag, "shrink")
        chart(net_figures.adamw_grid(r, adamw.GRID, fig), tag, "aw_grid")
        st.markdown(t("adamw.numbers", **words.adamw(r)))

    with right:
        live(reg.ADAMW, "adamw", render)
    st.markdown(t("adamw.intro"))
    left, right = st.columns(2)
    left.latex(reg.LATEX["adam_l2"])
    right.latex(reg.LATEX["adamw"])
    view.claim_cards("adamw")


@view.section
def dropout_section():
    st.header(t("dropout.heading"))
    right = side(reg.MASKS, ("p",))
    m = view.run(reg.MASKS)
    right.plotly_chart(net_figures.masks(m, fig), key="reg_masks")
    st.markdown(t("dropout.masks_numbers", **words.masks(m)))
    st.markdown(t("dropout.intro"))
    st.latex(reg.LATEX["dropout"])
    st.subheader(t("dropout.train_heading"))
    right = side(reg.DROPOUT, ("drop_n", "bags", "drop_steps", "drop_lr"))

    def render(r, done, tag):
        chart(net_figures.dropout_acc(r, fig), tag, "drop")
        chart(net_figures.mc_spread(r, fig), tag, "mc")
        st.markdown(t("dropout.numbers", **words.dropout(r)))

    with right:
        live(reg.DROPOUT, "dropout", render)
    st.markdown(t("dropout.train_intro"))
    net_cards("dropout")


@view.section
def early_section():
    st.header(t("early.heading"))
    right = side(reg.EARLY, ("es_n", "es_noise", "patience", "es_steps", "es_lr"))

    def render(r, done, tag):
        chart(net_figures.early(r, fig), tag, "early")
        st.markdown(t("early.numbers" if r.stop is not None else "early.never", **words.early(r)))

    with right:
        live(reg.EARLY, "early", render)
    st.markdown(t("early.intro"))


@view.section
def augment_section():
    st.header(t("augment.heading"))
    right = side(reg.AUGMENT, ("aug_shift", "aug_rot", "aug_noise", "test_shift", "aug_n", "aug_steps", "aug_lr"))

    def render(r, done, tag):
        titles = [t("augment.original", y=r.example_label)] + [t("augment.copy")] * (len(r.examples) - 1)
        chart(net_figures.digit_images(r.examples, titles), tag, "examples")
        shifted = [t("augment.shifted_test")] * len(r.shifted_examples)
        chart(net_figures.digit_images(r.shifted_examples, shifted), tag, "shifted")
        chart(net_figures.augment_acc(r, fig), tag, "aug")
        lines = [t("augment.numbers", **words.augment(r))]
        lines += [t(key, **{**nums, "test": t(f"augment.{nums['test']}")}) for key, nums in words.augment_worth(r)]
        st.markdown("\n\n".join(lines))

    with right:
        live(reg.AUGMENT, "augment", render)
    st.markdown(t("augment.intro"))
    net_cards("augment")


@view.section
def memorize_section():
    st.header(t("memorize.heading"))
    right = side(reg.MEMORIZE, ("mem_noise", "mem_n", "mem_steps", "mem_lr"))

    def render(r, done, tag):
        chart(net_figures.memorize(r, fig, [t("memorize.row", q=q) for q in r.shares]), tag, "memorize")
        st.dataframe(
            {
                t("memorize.col_share"): [f"{q:.0%}" for q in r.shares],
                t("memorize.col_changed"): [f"{c:.1%}" for c in r.changed],
                t("memorize.col_train"): [f"{a:.1%}" for a in r.metric("train_acc")[-1]],
                t("memorize.col_test"): [f"{a:.1%}" for a in r.metric("test_acc")[-1]],
                t("memorize.col_fit"): ["—" if f is None else str(f) for f in r.fitted_at()],
            },
            hide_index=True,
            width="stretch",
        )

    with right:
        live(reg.MEMORIZE, "memorize", render)
    st.markdown(t("memorize.intro"))
    st.markdown(t("memorize.reading"))
    net_cards("memorize")


@view.section
def kfold_section():
    st.header(t("kfold.heading"))
    right = side(reg.KFOLD, ("k", "cv_n", "cv_noise", "cv_deg"))
    view.conflicts(reg.KFOLD)
    r = view.run(reg.KFOLD)
    numbers = words.kfold(r)
    with right:
        st.plotly_chart(figures.folds(r, fig), key="reg_folds")
        st.plotly_chart(figures.cv_curves(r, fig), key="reg_cv")
    st.markdown(t("kfold.intro"))
    st.markdown(t("kfold.numbers", **numbers))
    st.plotly_chart(figures.spread(r, fig), key="reg_spread")
    st.markdown(t("kfold.repeats", **numbers))
    view.claim_cards("kfold")


@view.section
def scaling_section():
    st.header(t("scaling.heading"))
    right = side(reg.SCALING, ("scale", "offset", "tol"))
    r = view.run(reg.SCALING)
    with right:
        st.plotly_chart(figures.scaling_curves(r, fig), key="reg_scaling")
        st.plotly_chart(figures.scaling_contours(r, fig), key="reg_contours")
    st.markdown(t("scaling.intro"))
    st.latex(reg.LATEX["kappa"])
    numbers = words.scaling(r)
    st.markdown(t("scaling.numbers", **numbers) + "\n\n" + t("scaling.digits", **numbers))
    st.markdown(t("scaling.link"))
    view.claim_cards("scaling")


overfitting()
geometry_section()
penalty_section()
adamw_section()
dropout_section()
early_section()
augment_section()
memorize_section()
kfold_section()
scaling_section()

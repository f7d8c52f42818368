"""Activations: the function explorer (f, autograd f′, saturation, probe, trade-offs, the notes' claims as cards),
then activations in training: a live 2-D classifier (why non-linearity, hidden units), dead ReLUs, softmax.

Every section: its heading, then its controls in a narrow column beside its figure (one screen at 1280×720),
then the explanation under the figure."""

import streamlit as st

from core.activations import concept as act
from core.activations import dead_relu as dr
from core.activations import figures
from core.activations import nonlinearity as nl
from core.activations import softmax as sm
from core.activations import softmax_figures as sm_fig
from core.activations import trainer_figures as tr_fig
from core.ui import PageView
from core.ui.live import run_live

view = PageView(act.CONCEPT)
t = view.t
view.header()

# ---- function explorer ---------------------------------------------------------------------------
names = {k: t.choice("fns", k) for k in act.FUNCTIONS}
ORDER = tuple(act.FUNCTIONS)


def say(prefix: str, lines: list[tuple[str, dict]]) -> list[str]:
    """Catalogue sentences with their numbers; `act` keys become display names."""
    return [t(f"{prefix}.{key}", name=names.get(nums.get("act"), ""), **nums) for key, nums in lines]


def _where(res, intervals):
    if not intervals:
        return t("explorer.none")
    if intervals == ((float(res.x[0]), float(res.x[-1])),):
        return t("explorer.everywhere")
    return ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in intervals)


@view.section
def explorer():
    st.header(t("explorer.heading"))
    left, right = st.columns([1.4, 2.6], gap="medium")
    res = view.run(act.EXPLORER)
    values = view.values_for(act.EXPLORER)
    with right:  # the probe x₀ moves in the browser (core/scrub.py): the slider's steps move its markers and line
        view.scrub(
            act.EXPLORER,
            "x0",
            lambda _: figures.explorer(res, t.section("fig"), names, ORDER),
            chart="act.explorer",
            grid=act.probe_grid(values),
            steps_at=lambda xs, labels: figures.probe_steps(len(res.keys), xs, *act.probes(values, xs), labels),
        )
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        view.controls(act.EXPLORER, only=("fns", "xmin", "xmax", "thresh"))
        with st.expander(t("explorer.knobs")):
            st.caption(t("explorer.knobs_help"))
            view.controls(act.EXPLORER, only=act.KNOBS)  # a knob is greyed out unless a plotted function reads it
    view.conflicts(act.EXPLORER)
    view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)

    st.subheader(t("explorer.probe_heading", x0=f"{res.x0:g}"))
    st.dataframe(
        {
            t("explorer.col_fn"): [names[k] for k in res.keys],
            t("explorer.col_f"): [act.shown(v) for v in res.f0],
            t("explorer.col_df"): [act.shown(v) for v in res.df0],
            t("explorer.col_sat", thresh=f"{res.thresh:g}"): [_where(res, iv) for iv in res.saturated],
        },
        hide_index=True,
        width="stretch",
    )
    with st.expander(t("explorer.formulas")):
        st.latex(r"\\[4pt]".join(res.formulas))

    st.subheader(t("explorer.props_heading"))
    st.dataframe(
        {
            t("explorer.col_fn"): [names[k] for k in res.keys],
            **{t(f"explorer.col_{c}"): [act.shown(v) for v in res.stats[s]] for c, s in act.STAT_COLUMNS},
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(t("explorer.props_intro"))
    with st.expander(t("explorer.tradeoffs")):
        st.markdown("\n\n".join(f"**{names[k]}** — {t('notes.' + k)}" for k in res.keys))
    view.claim_cards("explorer")


explorer()


# ---- activations in training: the trainer, dead ReLUs, softmax -----------------------------------
def columns(experiment, groups, widths, heads=()):
    """The experiment's widgets in columns, one group per column (with an optional bold heading)."""
    for i, (col, group) in enumerate(zip(st.columns(widths, gap="medium"), groups)):
        with col:
            if heads:
                st.markdown(f"**{t(heads[i])}**")
            view.controls(experiment, only=group)


@view.section
def trainer():
    st.header(t("train.heading"))
    left, right = st.columns([1, 2.8], gap="medium")
    with left:
        for group, head in (
            (("data", "noise", "n", "test"), "train.data_heading"),
            (("depth", "width", "act"), "train.net_heading"),
            (("opt", "lr", "batch", "steps", "l2", "seed"), "train.opt_heading"),
        ):
            st.markdown(f"**{t(head)}**")
            view.controls(nl.TRAIN, only=group)
    view.conflicts(nl.UNITS)
    with right:
        chart, words = st.empty(), st.empty()
        st.caption(t("train.intro"))
    st.subheader(t("train.units_heading"))
    st.caption(t("train.units_intro"))
    columns(nl.UNITS, (("layer",),), [1, 2])
    units, labels, layer = st.empty(), t.section("tfig"), view.values["layer"]

    def render(c, done):
        classes = tuple(labels["cls"].format(i=i + 1) for i in range(c.run.classes))
        chart.plotly_chart(tr_fig.training(c, labels, classes, done), key=f"train_chart_{c.run.done}_{done}")
        if done:  # words and unit maps once, at the end (up to 64 small heatmaps: too many to redraw per chunk)
            text = " ".join(say("train", nl.lines(c))) + "\n\n" + t("train.replay_hint")
            (words.warning if c.run.diverged_at is not None else words.markdown)(text)
            units.plotly_chart(tr_fig.units(c.run, layer, labels), key=f"units_chart_{c.run.done}")

    with right:
        run_live(view, nl.TRAIN, render)


@view.section
def dead():
    st.header(t("dead.heading"))
    left, right = st.columns([1.5, 2.5], gap="medium")
    with left:
        view.controls(dr.DEAD, only=("d_data", "d_cmp", "d_init", "d_lr", "d_depth", "d_width", "d_steps", "d_seed"))
    with right:
        chart, words = st.empty(), st.empty()
    st.caption(t("dead.intro"))

    def render(res, done):
        chart.plotly_chart(tr_fig.dead(res, t.section("dfig"), names, ORDER), key=f"dead_{res.runs[0].done}_{done}")
        if done:
            words.markdown("\n".join(f"- {line}" for line in say("dead", dr.lines(res))))

    with right:
        run_live(view, dr.DEAD, render)
    st.caption(t("dead.notes"))
    with st.spinner(t("running")):  # three small trainings of its own, once per process
        numbers = dr.card_numbers()
    view.claim_cards("dead", numbers)


@view.section
def softmax():
    st.header(t("softmax.heading"))
    left, right = st.columns([1, 2.6], gap="medium")
    with left:
        view.controls(sm.SOFTMAX, only=("classes", "temp", "target"))
        st.markdown(f"**{t('softmax.logits')}**")
        view.controls(sm.SOFTMAX, only=[f"z{i + 1}" for i in range(len(sm.LOGIT_DEFAULTS))])
    view.conflicts(sm.SOFTMAX)
    r, labels = view.run(sm.SOFTMAX), t.section("sfig")
    nums = sm.numbers(r)
    with right:
        st.plotly_chart(sm_fig.bars(r, labels), key="softmax_bars")
        st.markdown(t("softmax.numbers", **nums))
        st.caption(t("softmax.intro"))
        st.caption(t("softmax.grad_note"))
    st.plotly_chart(sm_fig.two_class(r, labels), key="softmax_two")
    st.markdown("\n\n".join(t(f"softmax.{k}", **nums) for k in ("two_class", "temp_note", "claim_signorm")))
    with st.expander(t("softmax.formulas")):
        st.latex(r"\\[6pt]".join(sm.LATEX))


trainer()
dead()
softmax()

"""GAN: a live 2-D GAN lab (targets, losses, teaching phases, coverage, replay), then a conv GAN on
8×8 digits (trained on demand, scored by a digit classifier, latent interpolation); the interview notes' claims as
cards beside the section each is about."""

import streamlit as st

from core.gan import concept as gan
from core.gan import digits as gd
from core.gan import figures as fig
from core.gan import protocol, targets
from core.params import ParamError
from core.ui import PageView
from core.ui.live import finished, run_live
from core.ui.widgets import wkey

view = PageView(gan.CONCEPT)
t = view.t
view.header()
PTS, TARGET = wkey("gan", "pts"), wkey("gan", "target")
UPLOAD_ERROR = "_gan.upload_error"


def _set_points(points) -> None:
    st.session_state[PTS] = gan.LAB_PARAMS["pts"].encode(points)
    st.session_state[TARGET] = "points"


def _uploaded() -> None:
    """file_uploader callback: validate the CSV and put its (thinned) points into the link."""
    file = st.session_state.get("_gan.upload")
    st.session_state.pop(UPLOAD_ERROR, None)
    if file is None:
        return
    try:
        raw = targets.parse_points(file.getvalue())
        pts = targets.fit_points(raw)
    except targets.PointsError as err:
        st.session_state[UPLOAD_ERROR] = t(f"upload.{err.code}", **err.info)
        return
    _set_points(pts)
    st.session_state[UPLOAD_ERROR] = t("upload.ok", n=len(raw), kept=len(pts) // 2)


def _clicked() -> None:
    """Preview-chart callback: a click on the faint grid adds that point (up to MAX_POINTS)."""
    chosen = st.session_state.get("_gan.click", {}).get("selection", {}).get("points", [])
    if not chosen:
        return
    try:
        keep = st.session_state[TARGET] == "points"
        current = list(gan.LAB_PARAMS["pts"].parse(st.session_state[PTS])) if keep else []
    except ParamError:  # the text box holds something unusable: start a new list
        current = []
    for p in chosen[:1]:
        if len(current) // 2 < targets.MAX_POINTS:
            current += [round(float(p["x"]), 2), round(float(p["y"]), 2)]
    _set_points(tuple(current))


def _points_box(values: dict) -> None:
    with st.expander(t("lab.points_heading"), expanded=values["target"] == "points"):
        st.markdown(t("lab.points_intro", max=targets.MAX_POINTS))
        view.controls(gan.LAB, only=("pts",))
        st.file_uploader(
            t("lab.upload"),
            type=["csv", "txt"],
            key="_gan.upload",
            on_change=_uploaded,
            help=t("lab.upload_help", kb=targets.MAX_UPLOAD_BYTES // 1000, rows=targets.MAX_UPLOAD_ROWS),
        )
        note = st.session_state.get(UPLOAD_ERROR)
        if note:
            (st.success if note.startswith("✓") else st.error)(note)
        st.caption(t("lab.upload_link_note", max=targets.MAX_POINTS))
        if values["target"] == "points":
            target = targets.make("points", values["width"], values["pts"])
            st.plotly_chart(
                fig.target_preview(target, gan.preview_points(target), gan.click_axis(target), t.section("fig")),
                key="_gan.click",
                on_select=_clicked,
                selection_mode="points",
            )


def _protocol(values: dict, result) -> None:
    """The published protocol: both coverage definitions side by side with PacGAN4's row, and what each
    ingredient of the protocol presets bought (each with the preset that leaves it out)."""
    with st.expander(t("protocol.heading"), expanded=values["target"] in protocol.PUBLISHED):
        st.markdown(t("protocol.intro"))
        rows = protocol.comparison(result) if result is not None else None
        if rows is not None:
            head = [t("protocol.col_who"), t("protocol.col_published"), t("protocol.col_strict"), t("protocol.col_hq")]
            lines = [f"| {' | '.join(head)} |", "|---|---:|---:|---:|"]
            for row in rows:
                strict = "—" if row["strict"] is None else str(row["strict"])
                lines.append(f"| {t('protocol.' + row['who'])} | {row['published']:g} | {strict} | {row['hq']:.1%} |")
            st.markdown("\n".join(lines))
        st.markdown(t("protocol.ingredients_intro"))
        st.markdown(
            "\n".join(
                f"- {t('protocol.' + name, recipe=t('presets.' + recipe), without=t('presets.' + without))}"
                for name, recipe, without in protocol.INGREDIENTS
            )
        )


def pair(result, labels) -> None:
    """At the page's defaults: the default run's coverage beside the collapse preset's run (trained once per server
    and cached), so mode collapse shows without touching anything."""
    with st.spinner(t("running")):
        other = view.run_with(gan.LAB, **gan.pair_values())
    titles = [
        t(f"lab.pair_{name}", covered=int(r.covered[-1]), regions=r.target.regions)
        for name, r in (("default", result), ("collapse", other))
    ]
    st.plotly_chart(fig.pair([result, other], titles, labels), key="_gan.pair")
    st.caption(t("lab.pair_note", preset=t(f"presets.{gan.PAIR}")))


@view.section
def lab():
    values = view.values
    st.header(t("lab.heading"))
    left, right = st.columns([1, 3.3], gap="medium")
    with left:
        view.controls(gan.LAB, only=("target", "width", "loss", "gp", "clip"))
    view.conflicts(gan.LAB)
    with right:
        chart, words = st.empty(), st.empty()
        teach = st.columns([1.4, 1], gap="medium")  # the teaching phase appends to the run drawn above
        for col, name in zip(teach, ("phase", "k")):
            with col:
                view.controls(gan.LAB, only=(name,))
    labels = t.section("fig")

    def render(r, done):
        chart.plotly_chart(fig.lab(r, labels, done), key=f"_gan.lab_{r.done}_{done}")
        if done:
            words.markdown("\n\n".join(t(key, **nums) for key, nums in gan.lab_verdict(r)))

    with right:
        result = run_live(view, gan.LAB, render)
        if result is not None and result.finished and gan.pair_shown(view.values_for(gan.LAB)):
            pair(result, labels)
    view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    _points_box(values)
    with st.expander(t("lab.more_heading")):
        more = st.columns(2, gap="large")  # two wide columns: every option of a segmented control stays visible
        for col, group in zip(
            more,
            (
                ("g_depth", "g_width", "d_depth", "d_width", "z_dim", "noise", "act", "d_steps", "pack", "norm", "drs"),
                ("g_opt", "g_lr", "d_opt", "d_lr", "beta1", "beta2", "decay", "batch", "steps", "seed"),
            ),
        ):
            with col:
                view.controls(gan.LAB, only=group)
    st.markdown(t("lab.intro"))
    st.caption(t("lab.reading"))
    _protocol(values, result)
    with st.expander(t("lab.formulas")):
        st.latex(r"\\[4pt]".join(gan.LATEX))
    view.claim_cards("lab")


lab()


@view.section
def digits():
    st.header(t("digits.heading"))
    left, right = st.columns([1.15, 3], gap="medium")
    with left:
        view.controls(
            gan.DIGITS, only=("dg_cond", "dg_steps", "dg_lr", "dg_beta1", "dg_loss", "dg_batch", "dg_z", "dg_seed")
        )
        ready = finished(view, gan.DIGITS) is not None
        start = ready or st.button(t("digits.train"), key="_gan.digits_train", type="primary")
    with right:
        chart, words = st.empty(), st.empty()
    labels = t.section("fig")
    result = None
    if start:

        def render(r, done):
            chart.plotly_chart(fig.digits(r, labels, done), key=f"_gan.digits_{r.done}_{done}")
            if done:
                words.markdown("\n\n".join(t(key, **nums) for key, nums in gan.digits_verdict(r)))

        with right:
            result = run_live(view, gan.DIGITS, render)
    else:
        chart.plotly_chart(fig.real_digits(gd.real_examples(), labels), key="_gan.real_digits")
        words.info(t("digits.press"))
    st.markdown(t("digits.intro"))
    st.subheader(t("digits.interp_heading"))
    st.markdown(t("digits.interp_intro"))
    a, b, _ = st.columns([1, 1, 2])
    trained = result is not None and result.g_state is not None
    for col, name in ((a, "dg_a"), (b, "dg_b")):
        with col:
            view.controls(gan.INTERP, only=(name,), active={name: trained})
    if trained:
        images, probs = view.run(gan.INTERP)
        st.plotly_chart(fig.interpolation(images, probs, labels), key="_gan.interp")
    else:
        st.caption(t("digits.interp_wait"))
    view.claim_cards("digits")


digits()

"""Losses: what each loss rewards (curves), and what it does to a model trained on it — outliers, CE vs MSE,
imbalance, calibration, forward vs reverse KL — each with the interview notes' claims about it, checked (cards)."""

import streamlit as st

from core.losses import class_figures as cf
from core.losses import concept as lc
from core.losses import figures, kl_figures, words
from core.losses import points as lp
from core.text import shown
from core.ui import PageView, chrome
from core.ui.live import finished, run_live
from core.ui.widgets import wkey

KEY = lc.CONCEPT.key
view = PageView(lc.CONCEPT)
t = view.t
fig = t.section("fig")
names = {k: t.choice("reg", k) for k in lc.REG_KEYS} | {k: t.choice("cls", k) for k in lc.CLS_KEYS}
models = t.section("models")
view.header()


def presets(section: str) -> None:
    """This section's presets as one line of links (each opens that view: one click)."""
    params = lc.CONCEPT.params
    links = []
    for name in lc.SECTIONS[section]:
        values, _ = params.validate({**params.defaults(), **lc.PRESETS[name]})
        links.append(f"[{t('presets.' + name)}]({chrome.link(KEY, params.encode(values))})")
    st.caption(t("try") + " " + " · ".join(links))


GROUPS = {  # each training section's knobs, in groups (the left column shows them in this order)
    "outliers": (
        ("o_data", "o_truth", "o_n", "o_noise"),
        ("o_share", "o_size", "o_steps", "o_seed"),
        ("o_losses", "o_delta", "o_tau"),
    ),
    "cemse": (("cm_bias", "cm_opt", "cm_lr", "cm_adam_lr"), ("cm_steps", "cm_batch"), ("cm_width", "cm_seed")),
    "imbalance": (("im_data", "im_ratio", "im_noise"), ("im_gamma", "im_alpha"), ("im_steps", "im_seed")),
    "calibration": (("ca_eps", "ca_n"), ("ca_steps", "ca_width"), ("ca_seed",)),
    "kl": (("kl_d", "kl_w"), ("kl_mu0", "kl_sigma0"), ("kl_steps",)),
}


def head(section: str, experiment):
    """A training section's heading and presets, then its knobs in a narrow left column beside a wide right one
    (returned: the figure goes there, at the top, so knobs and figure share the screen); the adjusted values,
    then the introduction, below both."""
    st.header(t(f"{section}.heading"))
    presets(section)
    left, right = st.columns([1, 3], gap="medium")
    with left:
        for group in GROUPS[section]:
            view.controls(experiment, only=group)
    return right


def intro(section: str, experiment) -> None:
    """Below the figure: the values a rule adjusted, and the section's introduction."""
    view.conflicts(experiment)
    st.markdown(t(f"{section}.intro", **intro_numbers(section)))


def formulas(section: str, latex: tuple[str, ...]) -> None:
    with st.expander(t(f"{section}.formulas")):
        st.latex(r"\\[4pt]".join(latex))


def intro_numbers(section: str) -> dict:
    return {"p": f"{lc.start_probability(view.values['cm_bias']):.4%}"} if section == "cemse" else {}


def live(experiment, render, button: bool = False):
    """Train `experiment` live (run_live) and draw each chunk; a run that stopped on a NaN/inf says so. With
    `button`, a run starts only when a finished run is stored, the section's knobs differ from the defaults
    (a link, a preset, a moved slider) or its button was pressed in this session."""

    def draw(r, done):
        render(r, done)
        if done and not r.finite:
            st.warning(t("diverged", step=r.done), icon="💥")

    flag = f"_losses.go.{experiment.key}"
    idle = finished(view, experiment) is None and not experiment.params.encode(view.values_for(experiment))
    if button and idle and not st.session_state.get(flag):
        if not st.button(t("train"), key=f"_losses.btn.{experiment.key}", type="primary"):
            st.caption(t(f"{experiment.key}.cost", s=f"{experiment.cost(view.values_for(experiment)):.1f}"))
            return None
        st.session_state[flag] = True
    return run_live(view, experiment, draw)


# ---- 1. curves -------------------------------------------------------------------------------------------

st.header(t("curves.heading"))


def curves_part(experiment, keys: tuple[str, ...], family: str, probe: str) -> None:
    """The curves of one family; the probe moves in the browser along curves computed once (a scrub knob): its
    steps move the probe's line and dots only, computed at every position in one call (lc.probes)."""
    st.subheader(t(f"{family}.heading"))
    left, right = st.columns([1, 2.8], gap="medium")
    c = view.run(experiment)
    with right:
        at = lambda x: figures.curves(view.run_with(experiment, **{probe: x}), fig, names, keys)
        steps = lambda xs, labels: figures.probe_steps(xs, *lc.probes(family, view.values, xs), labels)
        view.scrub(experiment, probe, at, chart=f"losses.{experiment.key}", steps_at=steps)
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        view.controls(experiment)
    with right:
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    st.markdown(words.curve_text(t, names, c))
    view.claim_cards(experiment.key)


@view.section
def reg_curves():
    curves_part(lc.REG_CURVES, lc.REG_KEYS, "reg", "r0")


@view.section
def cls_curves():
    curves_part(lc.CLS_CURVES, lc.CLS_KEYS, "cls", "m0")


reg_curves()  # right under the heading: its knobs and figure share the first screen
presets("curves")
with st.expander(t("curves.how")):  # how to read the panels
    st.markdown(t("curves.intro"))
cls_curves()
formulas("curves", words.LATEX)

# ---- 2. outliers --------------------------------------------------------------------------------------------

PTS, DATA, UPLOAD_NOTE = wkey(KEY, "o_pts"), wkey(KEY, "o_data"), "_losses.upload_note"


def _uploaded() -> None:
    """file_uploader callback: a valid CSV becomes the points of the link; a bad one says why."""
    file = st.session_state.get("_losses.upload")
    st.session_state.pop(UPLOAD_NOTE, None)
    if file is None:
        return
    try:
        pts, rows = lp.parse_csv(file.getvalue())
    except lp.PointsError as err:
        st.session_state[UPLOAD_NOTE] = ("error", t(f"points.{err.code}", **{k: shown(v) for k, v in err.info.items()}))
        return
    st.session_state[PTS] = lc.OUT_PARAMS["o_pts"].encode(lp.flat(pts))
    st.session_state[DATA] = "points"
    st.session_state[UPLOAD_NOTE] = ("success", t("points.ok", n=rows, kept=len(pts)))


def points_box() -> None:
    view.controls(lc.OUTLIERS, only=("o_pts",))
    raw = st.session_state.get(PTS, "")
    try:
        lp.parse_text(raw)
    except lp.PointsError as err:
        info = {k: shown(v) for k, v in err.info.items()}
        st.error(t(f"points.{err.code}", **info) + " " + t("points.fallback", raw=shown(raw)))
    st.file_uploader(
        t("points.upload"),
        type=["csv", "txt"],
        key="_losses.upload",
        on_change=_uploaded,
        help=t("points.upload_help", kb=lp.MAX_UPLOAD_BYTES // 1000, max=lp.MAX_POINTS),
    )
    note = st.session_state.get(UPLOAD_NOTE)
    if note:
        getattr(st, note[0])(note[1])


@view.section
def outliers_section():
    v = view.values
    right = head("outliers", lc.OUTLIERS)
    with right:
        chart, boxes, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        chart.plotly_chart(figures.fits(r, fig, names, lc.REG_KEYS), key=f"_losses.fits_{r.done}_{done}")
        if done:
            boxes.plotly_chart(figures.residuals(r, fig, names, lc.REG_KEYS), key=f"_losses.res_{r.done}")
            said.markdown(words.outlier_text(t, names, r))

    with right:
        live(lc.OUTLIERS, render)
        if v["o_data"] == "points":
            st.caption(t("outliers.reading"))
    with st.expander(t("points.heading"), expanded=v["o_data"] == "points"):
        st.markdown(t("points.intro", min=lp.MIN_POINTS, max=lp.MAX_POINTS))
        points_box()
    intro("outliers", lc.OUTLIERS)
    view.claim_cards("outliers")


outliers_section()

# ---- 3. cross-entropy vs MSE ------------------------------------------------------------------------------


@view.section
def cemse_section():
    right = head("cemse", lc.CEMSE)
    with right:
        chart, said = st.empty(), st.empty()

    def render(r, done):
        chart.plotly_chart(cf.cemse(r, fig, models, done), key=f"_losses.cemse_{r.done}_{done}")
        if done:
            said.markdown(t("cemse.verdict", **words.cemse_numbers(r)))

    with right:
        live(lc.CEMSE, render, button=True)
    intro("cemse", lc.CEMSE)
    formulas("cemse", words.CEMSE_LATEX)
    view.claim_cards("cemse")


cemse_section()

# ---- 4. imbalance -------------------------------------------------------------------------------------------


@view.section
def imbalance_section():
    right = head("imbalance", lc.IMBALANCE)
    with right:
        maps, pr, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        maps.plotly_chart(cf.maps(r, fig, models), key=f"_losses.maps_{r.done}_{done}")
        if done:
            pr.plotly_chart(cf.pr(r, fig, models), key=f"_losses.pr_{r.done}")
            said.markdown(words.imbalance_text(t, models, r))

    with right:
        live(lc.IMBALANCE, render, button=True)
    intro("imbalance", lc.IMBALANCE)
    formulas("imbalance", words.IMBALANCE_LATEX)
    view.claim_cards("imbalance")


imbalance_section()

# ---- 5. calibration -------------------------------------------------------------------------------------------


@view.section
def calibration_section():
    right = head("calibration", lc.CALIBRATION)
    with right:
        chart = st.empty()

    def render(r, done):
        chart.plotly_chart(cf.logit_norm(r, fig, models, done), key=f"_losses.norm_{r.done}_{done}")

    with right:
        result = live(lc.CALIBRATION, render, button=True)
    intro("calibration", lc.CALIBRATION)
    done = result is not None and result.done == result.steps
    st.subheader(t("calibration.temp_heading"))
    with st.columns([1, 2])[0]:
        view.controls(lc.TEMPERATURE, only=("ca_temp",), active={"ca_temp": done})
    if not done:
        st.caption(t("calibration.temp_wait"))
        return
    rep = lc.temperature_report(result, view.values["ca_temp"])
    st.plotly_chart(cf.reliability(rep, fig), key="_losses.reliability")
    st.markdown(t("calibration.verdict", **words.calibration_numbers(result, rep)))
    formulas("calibration", words.CALIBRATION_LATEX)


calibration_section()

# ---- 6. KL ----------------------------------------------------------------------------------------------------


@view.section
def kl_section():
    right = head("kl", lc.KL)
    with right:
        dens, maps, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        dens.plotly_chart(kl_figures.densities(r, fig, done), key=f"_losses.kl_{r.done}_{done}")
        maps.plotly_chart(kl_figures.maps(r, fig), key=f"_losses.klmap_{r.done}_{done}")
        if done:
            said.markdown(words.kl_text(t, models, r))

    with right:
        live(lc.KL, render)
    intro("kl", lc.KL)
    st.markdown(t("kl.gan"))
    formulas("kl", words.KL_LATEX)
    view.claim_cards("kl")


kl_section()

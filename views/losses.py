"""Losses: what each loss rewards (curves), and what it does to a model trained on it — outliers, CE vs MSE,
imbalance, calibration, forward vs reverse KL — then the seed notes' claims, checked."""

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


def table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of the page's own words and numbers (nothing a user typed)."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def columns(experiment, groups: tuple[tuple[str, ...], ...]) -> None:
    """The experiment's widgets in columns, one group per column."""
    for col, group in zip(st.columns(len(groups), gap="medium"), groups):
        with col:
            view.controls(experiment, only=group)


def train_or_wait(experiment, render):
    """Train live when a finished run is stored, the section's knobs differ from the defaults (a link, a
    preset, a moved slider) or its button was pressed in this session; else show the button."""
    flag = f"_losses.go.{experiment.key}"
    if finished(view, experiment) is None and not experiment.params.encode(view.values_for(experiment)):
        if not st.session_state.get(flag):
            if not st.button(t("train"), key=f"_losses.btn.{experiment.key}", type="primary"):
                st.caption(t(f"{experiment.key}.cost"))
                return None
            st.session_state[flag] = True
    return run_live(view, experiment, render)


# ---- 1. curves -------------------------------------------------------------------------------------------

st.header(t("curves.heading"))
st.markdown(t("curves.intro"))
presets("curves")


def curve_table(c) -> str:
    rows = [[names[k], f"{c.loss0[i]:.4g}", f"{c.grad0[i]:.4g}", f"`{c.torch_calls[i]}`"] for i, k in enumerate(c.keys)]
    return table([t("curves.col_loss"), t("curves.col_l"), t("curves.col_g"), t("curves.col_torch")], rows)


@view.section
def reg_curves():
    st.subheader(t("reg.heading"))
    left, right = st.columns([1, 2.8], gap="medium")
    with left:
        view.controls(lc.REG_CURVES)
    c = view.run(lc.REG_CURVES)
    with right:
        st.plotly_chart(figures.curves(c, fig, names, lc.REG_KEYS), key="_losses.reg_chart")
    st.markdown(t("curves.probe", x=f"{c.x0:g}", thresh=f"{c.thresh:g}") + "\n\n" + curve_table(c))
    st.markdown("\n".join(f"- **{names[k]}** — {t('notes.' + k)}" for k in c.keys))


@view.section
def cls_curves():
    st.subheader(t("cls.heading"))
    left, right = st.columns([1, 2.8], gap="medium")
    with left:
        view.controls(lc.CLS_CURVES)
    c = view.run(lc.CLS_CURVES)
    with right:
        st.plotly_chart(figures.curves(c, fig, names, lc.CLS_KEYS), key="_losses.cls_chart")
    st.markdown(t("curves.probe_m", x=f"{c.x0:g}", thresh=f"{c.thresh:g}") + "\n\n" + curve_table(c))
    st.markdown("\n".join(f"- **{names[k]}** — {t('notes.' + k)}" for k in c.keys))


reg_curves()
cls_curves()
with st.expander(t("curves.formulas")):
    st.latex(r"\\[4pt]".join(words.LATEX))

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


def outlier_words(r) -> str:
    pull, targets, below = r.pull(), r.targets(), r.share_below()
    rows = []
    for i, k in enumerate(r.keys):
        row = [names[k], f"{r.const[i]:.3f}", f"{below[i]:.0%}"]
        row += [f"{pull[kind][i]:+.3f}" for kind in ("line", "mlp")] if pull else ["—", "—"]
        rows.append(row)
    head = [t("outliers.col_loss"), t("outliers.col_const"), t("outliers.col_below"), t("outliers.col_pull_line")]
    text = table(head + [t("outliers.col_pull_mlp")], rows)
    nums = {k: f"{v:.3f}" for k, v in targets.items()} | {"tau": f"{r.tau:g}"}
    key = "outliers.targets" if pull else "outliers.targets_points"
    return t(key, **nums) + "\n\n" + text


@view.section
def outliers_section():
    v = view.values
    st.header(t("outliers.heading"))
    st.markdown(t("outliers.intro"))
    presets("outliers")
    columns(
        lc.OUTLIERS,
        (
            ("o_data", "o_truth", "o_n", "o_noise"),
            ("o_share", "o_size", "o_steps", "o_seed"),
            ("o_losses", "o_delta", "o_tau"),
        ),
    )
    with st.expander(t("points.heading"), expanded=v["o_data"] == "points"):
        st.markdown(t("points.intro", min=lp.MIN_POINTS, max=lp.MAX_POINTS))
        points_box()
    view.conflicts(lc.OUTLIERS)
    chart, boxes, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        chart.plotly_chart(figures.fits(r, fig, names, lc.REG_KEYS), key=f"_losses.fits_{r.done}_{done}")
        if done:
            boxes.plotly_chart(figures.residuals(r, fig, names, lc.REG_KEYS), key=f"_losses.res_{r.done}")
            said.markdown(outlier_words(r))

    run_live(view, lc.OUTLIERS, render)
    if v["o_data"] == "points":
        st.caption(t("outliers.reading"))


outliers_section()

# ---- 3. cross-entropy vs MSE ------------------------------------------------------------------------------


@view.section
def cemse_section():
    st.header(t("cemse.heading"))
    st.markdown(t("cemse.intro", p=f"{lc.start_probability(view.values['cm_bias']):.4%}"))
    presets("cemse")
    columns(lc.CEMSE, (("cm_bias", "cm_opt", "cm_lr", "cm_adam_lr"), ("cm_steps", "cm_batch"), ("cm_width", "cm_seed")))
    view.conflicts(lc.CEMSE)
    chart, said = st.empty(), st.empty()

    def render(r, done):
        chart.plotly_chart(cf.cemse(r, fig, models, done), key=f"_losses.cemse_{r.done}_{done}")
        if done:
            said.markdown(t("cemse.verdict", **words.cemse_numbers(r)))

    train_or_wait(lc.CEMSE, render)
    with st.expander(t("cemse.formulas")):
        st.latex(r"\\[4pt]".join(words.CEMSE_LATEX))


cemse_section()

# ---- 4. imbalance -------------------------------------------------------------------------------------------


@view.section
def imbalance_section():
    st.header(t("imbalance.heading"))
    st.markdown(t("imbalance.intro"))
    presets("imbalance")
    columns(lc.IMBALANCE, (("im_data", "im_ratio", "im_noise"), ("im_gamma", "im_alpha"), ("im_steps", "im_seed")))
    view.conflicts(lc.IMBALANCE)
    maps, pr, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        maps.plotly_chart(cf.maps(r, fig, models), key=f"_losses.maps_{r.done}_{done}")
        if done:
            pr.plotly_chart(cf.pr(r, fig, models), key=f"_losses.pr_{r.done}")
            said.markdown(imbalance_words(r))

    train_or_wait(lc.IMBALANCE, render)
    with st.expander(t("imbalance.formulas")):
        st.latex(r"\\[4pt]".join(words.IMBALANCE_LATEX))


def imbalance_words(r) -> str:
    rec, prec, acc = r.recall(), r.precision(), r.accuracy()
    rows = [
        [models[k], f"{acc[i]:.1%}", f"{rec[i, 0]:.1%}", f"{rec[i, 1]:.1%}", f"{prec[i]:.1%}", f"{c[2]:.3f}"]
        for i, (k, c) in enumerate(zip(r.keys, r.curves()))
    ]
    head = [t(f"imbalance.col_{c}") for c in ("model", "acc", "common", "rare", "precision", "ap")]
    counts = t("imbalance.counts", n0=r.counts[0], n1=r.counts[1], t0=r.test_counts[0], t1=r.test_counts[1])
    return counts + "\n\n" + table(head, rows) + "\n\n" + t("imbalance.reading")


imbalance_section()

# ---- 5. calibration -------------------------------------------------------------------------------------------


@view.section
def calibration_section():
    st.header(t("calibration.heading"))
    st.markdown(t("calibration.intro"))
    presets("calibration")
    columns(lc.CALIBRATION, (("ca_eps", "ca_n"), ("ca_steps", "ca_width"), ("ca_seed",)))
    view.conflicts(lc.CALIBRATION)
    chart = st.empty()

    def render(r, done):
        chart.plotly_chart(cf.logit_norm(r, fig, models, done), key=f"_losses.norm_{r.done}_{done}")

    result = train_or_wait(lc.CALIBRATION, render)
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
    with st.expander(t("calibration.formulas")):
        st.latex(r"\\[4pt]".join(words.CALIBRATION_LATEX))


calibration_section()

# ---- 6. KL ----------------------------------------------------------------------------------------------------


@view.section
def kl_section():
    st.header(t("kl.heading"))
    st.markdown(t("kl.intro"))
    presets("kl")
    columns(lc.KL, (("kl_d", "kl_w"), ("kl_mu0", "kl_sigma0"), ("kl_steps",)))
    view.conflicts(lc.KL)
    dens, maps, said = st.empty(), st.empty(), st.empty()

    def render(r, done):
        dens.plotly_chart(kl_figures.densities(r, fig, done), key=f"_losses.kl_{r.done}_{done}")
        maps.plotly_chart(kl_figures.maps(r, fig), key=f"_losses.klmap_{r.done}_{done}")
        if done:
            nums = words.kl_numbers(r)
            rows = [
                [models[k]] + [nums[f"{k}_{m}"] for m in ("mu", "sigma", "fkl", "rkl", "js", "w1")]
                for k in ("forward", "reverse")
            ]
            head = [t(f"kl.col_{c}") for c in ("fit", "mu", "sigma", "fkl", "rkl", "js", "w1")]
            said.markdown(t("kl.verdict", **nums) + "\n\n" + table(head, rows))

    run_live(view, lc.KL, render)
    st.markdown(t("kl.gan"))
    with st.expander(t("kl.formulas")):
        st.latex(r"\\[4pt]".join(words.KL_LATEX))


kl_section()

# ---- 7. the seed notes' claims ------------------------------------------------------------------------------------

st.header(t("claims.heading"))
st.markdown(t("claims.intro"))
numbers = view.run(lc.CLAIMS)
st.markdown(
    "\n".join(f"- **{t('verdict.' + v)}** — {t('claims.' + k, **nums)}" for k, v, nums in words.claim_lines(numbers))
)

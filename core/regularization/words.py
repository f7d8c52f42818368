"""The numbers each section's sentences are filled with: flat dicts for text.toml's placeholders, which
carry their own format ("{test:.3g}", "{acc:.1%}"). Pure functions of the results, so the page stays a
list of figures and sentences, and tests can check a sentence's numbers without a browser."""

from __future__ import annotations

import numpy as np

from core.regularization import poly


def fit(r: poly.Fit) -> dict:
    dd = poly.double_descent(r)
    return dict(
        d=r.degree,
        n=r.n,
        thr=r.threshold,
        train=r.train_mse,
        test=r.test_mse,
        norm=r.weight_norm,
        u=dd.best_below[0],
        u_mse=dd.best_below[1],
        peak=dd.peak[0],
        peak_mse=dd.peak[1],
        beyond=dd.best_beyond[0],
        beyond_mse=dd.best_beyond[1],
    )


def fit_verdict(r: poly.Fit) -> str:
    dd = poly.double_descent(r)
    return "fit.dd_beats" if dd.beats_u else "fit.dd_yes" if dd.appears else "fit.dd_no"


def mlp(r) -> dict:
    b = r.best
    return dict(
        params=r.params,
        best=int(r.steps[b]),
        best_mse=float(r.test_mse[b]),
        last=int(r.steps[-1]),
        train=float(r.train_mse[-1]),
        test=float(r.test_mse[-1]),
    )


def geometry(g) -> dict:
    zero = ", ".join("—" if z is None else f"{z:.2f}" for z in g.l1_zero_at)
    return dict(lam=g.lam, l1a=g.l1[0], l1b=g.l1[1], l2a=g.l2[0], l2b=g.l2[1], zeros=g.l1_zeros, zero_at=zero)


def adamw(r) -> dict:
    acc, norm = r.final("test_acc"), r.final("norm")
    return dict(acc0=acc[0], acc1=acc[1], acc2=acc[2], n0=norm[0], n1=norm[1], n2=norm[2], unmoved=r.unmoved)


def masks(m) -> dict:
    return dict(
        p=m.p,
        kept=m.kept,
        mean=float(m.outputs.mean()),
        eval=m.eval_output,
        unscaled=float(m.unscaled.mean()),
        std=float(m.outputs.std()),
        theory=m.theory_std,
    )


def dropout(r) -> dict:
    acc, d = r.test_acc[-1], len(r.rates)
    return dict(
        p=r.p,
        acc_p=acc[d - 1],
        acc0=acc[0],
        mc=r.mc_acc,
        member=float(acc[d:].mean()),
        ens=float(r.ensemble_acc[-1]),
        k=r.bags,
    )


def early(r) -> dict:
    stopped = r.stop is not None
    stop = int(r.steps[r.stop]) if stopped else r.total
    return dict(
        best=int(r.steps[r.best]),
        stop=stop,
        total=r.total,
        restored=r.restored_test_acc,
        final=float(r.metric("test_acc")[-1]),
        saved=r.total - stop,
    )


def augment(r) -> dict:
    c, s = r.centred[-1], r.shifted[-1]
    (wc, _), (ws, _) = r.worth("centred"), r.worth("shifted")
    return dict(n=r.n, pc=c[r.plain], ps=s[r.plain], ac=c[-1], as_=s[-1], worth_c=wc, worth_s=ws, most=int(r.sizes[-1]))


def kfold(r) -> dict:
    d = r.degree
    return dict(
        d=d,
        k=r.k,
        folds=", ".join(f"{x:.3g}" for x in r.per_fold[:, d]),
        cv=r.cv[d],
        sd=r.per_fold[:, d].std(),
        one=r.one_split[d],
        truth=r.truth[d],
        best=r.best_true,
        cv_best=int(np.argmin(r.cv)),
        one_best=int(np.argmin(r.one_split)),
        cv_sd=r.cv_repeats.std(),
        one_sd=r.split_repeats.std(),
        cv_right=float(np.mean(r.cv_picks == r.best_true)),
        one_right=float(np.mean(r.split_picks == r.best_true)),
        repeats=len(r.cv_repeats),
    )


def scaling(r) -> dict:
    steps = lambda s: "∞" if s is None else f"{s:,}"
    dg = r.digits
    return dict(
        k_raw=r.kappa_raw,
        k_std=r.kappa_std,
        s_raw=steps(r.steps_raw),
        s_std=steps(r.steps_std),
        tol=r.tol,
        f=dg["features"],
        dk_raw=dg["kappa_raw"],
        dk_unit=dg["kappa_unit"],
        dk_std=dg["kappa_std"],
        ds_raw=steps(dg["steps_raw"]),
        ds_unit=steps(dg["steps_unit"]),
        ds_std=steps(dg["steps_std"]),
    )


def augment_worth(r) -> list[tuple[str, dict]]:
    """The 'worth in real digits' sentence for each test set: (catalogue key, its numbers)."""
    out = []
    for test in ("centred", "shifted"):
        worth, where = r.worth(test)
        out.append((f"augment.worth_{where}", dict(test=test, worth=worth, n=r.n, most=int(r.sizes[-1]))))
    return out

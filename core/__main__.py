"""A shared link is also a command.

    python -m core <page> '<query string>' [--experiment KEY] [--indent N]
    python -m core activations 'fns=sigmoid,relu&x0=2'
    python -m core 'http://host/activations?fns=sigmoid,relu&x0=2'      (the link as "Share this view" copies it)
    python -m core --list

Runs the same experiments as the page with that link's query string and prints their summaries as
JSON. Invalid input (unknown page, unknown key, out-of-range or malformed value) exits with status 2
and a one-line message on stderr; nothing is run. A combination the page adjusts (a probe outside the
range, a run cut to the work budget) is adjusted the same way here and listed under "adjusted" (only the
rules of the experiments run: `--experiment net` is not cut to the budget of a training it does not run); values
that a slider cannot show exactly are kept and listed under "exact".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import urlsplit

import numpy as np

from core import device, registry
from core.notices import notice_text
from core.params import GLOBAL_KEYS, GLOBALS, ParamSet, merge, parse_query_string
from core.text import Text, shown


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if np.isfinite(v) else str(v)  # JSON has no NaN/inf: say it in words
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and status 2, like every other refusal (not the usage block)
        print(f"error: {shown(message, 200)}", file=sys.stderr)
        sys.exit(2)


def split_link(page: str, query: str = "") -> tuple[str, str]:
    """A page key and a query string, or a whole link ('http://host/optimizers?surface=saddle') split in two."""
    if "://" in page or page.startswith("/") or "?" in page:
        parts = urlsplit(page)
        return parts.path.rstrip("/").rsplit("/", 1)[-1], parts.query or query
    return page, query


def run(page: str, query: str, experiment: str | None = None) -> dict:
    """Decode strictly and run; raises ValueError with a one-line message on invalid input."""
    try:
        concept = registry.get(page)
    except KeyError:
        raise ValueError(f"unknown page '{page}' (pages: {', '.join(c.key for c in registry.CONCEPTS)})") from None
    raw = parse_query_string(query)
    chosen = concept.experiments if experiment is None else (concept.experiment(experiment),)
    values, notices = ParamSet(concept.params.params).decode(raw, known=GLOBAL_KEYS)  # every key checked
    values, notices = merge(*(e.params for e in chosen)).apply_rules(values, notices)  # the rules of those run
    lang, lang_notices = GLOBALS.decode({k: raw[k] for k in GLOBAL_KEYS if k in raw})
    refused = lang_notices + [n for n in notices if n.code != "conflict"]  # the page warns about these
    if refused:
        raise ValueError(f"{page}: " + "; ".join(n.english() for n in refused))
    out = {"page": page, "query": concept.params.encode(values), "device": str(device.device()), "experiments": {}}
    t = Text(page, lang["lang"])  # the page's sentences, in the link's language
    adjusted = [notice_text(t, concept.params, values, n) for n in notices if n.code == "conflict"]
    if adjusted:  # what the page says in its info lines: the same values are run here
        out["adjusted"] = adjusted
    exact = concept.params.off_grid(values)
    if exact:
        out["exact"] = {name: {"value": v, "slider": shown} for name, (v, shown) in exact.items()}
    for exp in chosen:
        start = time.perf_counter()
        with device.compute():
            result = exp.run({n: values[n] for n in exp.params.names})
        summary = exp.summary(result)
        summary["wall_s"] = round(time.perf_counter() - start, 4)
        out["experiments"][exp.key] = summary
    return _jsonable(out)


def _describe(p) -> str:
    marks = ([f"when {p.when.text}"] if p.when is not None else []) + (["scrub"] if p.scrub else [])
    return f"{p.name} [{', '.join(marks)}]" if marks else p.name


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(prog="python -m core", description=__doc__.split("\n\n")[0])
    ap.add_argument("page", nargs="?", help="page key, e.g. activations")
    ap.add_argument("query", nargs="?", default="", help="the link's query string (leading '?' allowed)")
    ap.add_argument("--experiment", help="run only this experiment of the page")
    ap.add_argument("--indent", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="list pages, experiments and parameters")
    try:
        args = ap.parse_args(argv)
    except SystemExit as end:  # --help, or a malformed option (one line printed by _Parser.error)
        return int(end.code or 0)
    device.setup()
    if args.list or not args.page:
        for c in registry.CONCEPTS:
            print(
                f"{c.key}: " + ", ".join(f"{e.key}({', '.join(_describe(p) for p in e.params)})" for e in c.experiments)
            )
        return 0
    page, query = split_link(args.page, args.query)
    try:
        if args.experiment:
            registry.get(page).experiment(args.experiment)
        result = run(page, query, args.experiment)
    except (ValueError, KeyError) as err:
        msg = err.args[0] if err.args else str(err)
        print(f"error: {shown(msg if isinstance(msg, str) else err, 2000)}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=args.indent, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

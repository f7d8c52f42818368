"""Parameter declarations: one per knob, and everything derived from it.

A concept module declares its knobs once, as data (`Float`, `LogFloat`, `Int`, `Choice`, `Multi`,
`Bool`, `FloatList`, `Typed`), grouped in a `ParamSet`. From that declaration come the widgets (core/ui),
the URL codec and validation (here), the CLI (core/__main__) and the tests. Bounds are hard caps:
no query string can ask for more work than `hi` allows.

URL form (short, stable, language-independent):
    floats/ints  x0=1.5        choices  fn=relu       multi  fns=sigmoid,tanh
    bools        bn=1 / bn=0   lists    k=0,-1,0,-1,5,-1,0,-1,0     typed text  layers=c3,c3,m2
Defaults are left out, so a link lists only what differs from the page's defaults.

A link means what it says: a valid value that is off a slider's grid (`lr=0.123` on a 1-2-5 grid) is
kept exactly; only the widget shows the nearest grid position (`Param.nearest`). A knob may declare
`when=`, the condition under which it matters (betas only for Adam): the page greys it out otherwise,
and the CLI lists the condition. It may also declare `within=`, the part of its range that the other
values leave it (a start point inside the chosen surface's plot, an optimizer to inspect among those
shown): the widget offers only that part, and a value outside it is moved to its nearest allowed value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from core.text import DEFAULT_LANG, LANGS, shown

# app-wide URL keys owned by the shell, not by a page (declared in GLOBALS below): the language, presenter
# mode, and the lesson a view belongs to with its step
GLOBAL_KEYS = ("lang", "present", "lesson", "step")


class ParamError(ValueError):
    """A raw value that cannot be used. `code` picks the message; `info` fills it in."""

    def __init__(self, code: str, **info: Any):
        super().__init__(code, info)
        self.code = code
        self.info = info


@dataclass(frozen=True)
class Notice:
    """Why a value from a URL (or a combination of values) was not used as given."""

    param: str
    code: str  # unknown | type | range | choice | length | grid | conflict
    raw: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        """One-line plain-English form, for logs and the CLI's refusals (the UI translates `code`)."""
        i, head = self.info, f"'{shown(self.param)}={shown(self.raw)}'"
        why = {
            "unknown": f"unknown parameter '{shown(self.param)}'",
            "type": f"{head}: expected a {i.get('expected', 'value')}",
            "range": f"{head}: outside [{i.get('lo')}, {i.get('hi')}]",
            "choice": f"{head}: no option '{shown(i.get('item', self.raw))}' (options: {i.get('choices')})",
            "length": f"{head}: needs {i.get('lo')} to {i.get('hi')} entries",
            "grid": f"{head}: must be {i.get('lo')} plus a multiple of {i.get('step')}, up to {i.get('hi')}",
        }
        return why.get(self.code, f"{head}: {i.get('why', self.code)}")


def _fmt(v: float) -> str:
    """Shortest stable text for a number: 5.0 -> '5', 0.30000000000000004 -> '0.3'."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    text = f"{float(v):.10g}"
    return "0" if text == "-0" else text


def _parse_float(raw: str) -> float:
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise ParamError("type", expected="number") from None
    if not math.isfinite(v):
        raise ParamError("type", expected="number")
    return v


def _clamp(value: Any, span: tuple[Any, Any]) -> Any:
    lo, hi = span
    return type(value)(min(max(value, lo), hi))


@dataclass(frozen=True)
class When:
    """The condition under which a knob matters, as a function of the page's values, with a short text
    for the CLI's `--list` ("loss=wgan_gp"). Combine with `&`."""

    test: Callable[[Mapping[str, Any]], bool]
    text: str

    def __call__(self, values: Mapping[str, Any]) -> bool:
        try:
            return bool(self.test(values))
        except (KeyError, TypeError, ValueError):
            return True  # a value the condition cannot read: show the knob rather than hide it

    def __and__(self, other: When) -> When:
        return When(lambda v: self(v) and other(v), f"{self.text} and {other.text}")


def when(name: str, *allowed: Any) -> When:
    """Active while `name` holds one of `allowed` (for a multi-choice: while any chosen item is allowed)."""

    def test(v: Mapping[str, Any]) -> bool:
        value = v[name]
        if isinstance(value, (tuple, list)):
            return any(item in allowed for item in value)
        return value in allowed

    return When(test, f"{name}={'|'.join(_fmt(a) if isinstance(a, (int, float)) else str(a) for a in allowed)}")


def when_not(name: str, *excluded: Any) -> When:
    """Active while `name` holds none of `excluded`."""
    return When(lambda v: v[name] not in excluded, f"{name}!={'|'.join(str(e) for e in excluded)}")


Span = Callable[[Mapping[str, Any]], Any]  # values -> (lo, hi) of a number, or the allowed choices


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    when: When | None = field(default=None, kw_only=True, compare=False)  # None: always active
    within: Span | None = field(default=None, kw_only=True, compare=False)  # None: the whole declared range
    # True: moves in the browser among views computed for each of its positions (a probe, a degree): drawn by
    # `view.scrub` as a Plotly slider under its chart, not by `view.controls` (core/scrub.py)
    scrub: bool = field(default=False, kw_only=True, compare=False)

    def parse(self, raw: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode(self, value: Any) -> str:
        return str(value)

    def check(self, value: Any) -> Any:
        """Validate a Python-side value (from a widget or a preset) by the same rules as a URL."""
        return self.parse(self.encode(value))

    def nearest(self, value: Any) -> Any:
        """The widget position that shows `value` (the nearest grid point for sliders; else the value)."""
        return value

    def active(self, values: Mapping[str, Any]) -> bool:
        return self.when is None or self.when(values)

    def span(self, values: Mapping[str, Any]) -> Any:
        """The part of the range the other values leave this knob ((lo, hi) or choices); None: all of it."""
        return None if self.within is None else self.within(values)

    def fit(self, value: Any, span: Any) -> Any:
        """`value` moved into `span` (a choice: the first allowed one; numbers clamp, see `_clamp`)."""
        return value if value in span else span[0]

    def samples(self) -> list[Any]:
        """Values the tests push through the codec: the edges and the default."""
        return [self.default]


@dataclass(frozen=True)
class Float(Param):
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.1

    def parse(self, raw: str) -> float:
        v = _parse_float(raw)
        if not self.lo - 1e-12 <= v <= self.hi + 1e-12:
            raise ParamError("range", lo=_fmt(self.lo), hi=_fmt(self.hi))
        return float(min(self.hi, max(self.lo, float(_fmt(v)))))  # exact, to the 10 digits a link keeps

    def nearest(self, value: Any) -> float:
        snapped = self.lo + round((float(value) - self.lo) / self.step) * self.step  # onto the slider's grid
        decimals = max(0, -math.floor(math.log10(self.step)) + 1)
        return float(min(self.hi, max(self.lo, round(snapped, decimals))))

    def encode(self, value: Any) -> str:
        return _fmt(value)

    def fit(self, value: Any, span: Any) -> float:
        return _clamp(value, span)

    def samples(self) -> list[Any]:
        return [self.lo, self.default, self.hi]


@dataclass(frozen=True)
class LogFloat(Param):
    """A positive float on a log scale; the widget offers `grid()` (1-2-5 per decade by default)."""

    lo: float = 1e-3
    hi: float = 1.0
    mantissas: tuple[float, ...] = (1.0, 2.0, 5.0)

    def grid(self) -> tuple[float, ...]:
        return _log_grid(self.lo, self.hi, self.mantissas, self.default)

    def parse(self, raw: str) -> float:
        v = _parse_float(raw)
        if not self.lo * (1 - 1e-9) <= v <= self.hi * (1 + 1e-9):
            raise ParamError("range", lo=_fmt(self.lo), hi=_fmt(self.hi))
        return float(min(self.hi, max(self.lo, float(_fmt(v)))))  # exact, to the 10 digits a link keeps

    def nearest(self, value: Any) -> float:
        grid = np.asarray(self.grid())
        return float(grid[np.argmin(np.abs(np.log(grid) - math.log(float(value))))])  # nearest on a log scale

    def encode(self, value: Any) -> str:
        return _fmt(value)

    def fit(self, value: Any, span: Any) -> float:
        return _clamp(value, span)

    def samples(self) -> list[Any]:
        return [self.lo, self.default, self.hi]


@lru_cache(maxsize=256)
def _log_grid(lo: float, hi: float, mantissas: tuple[float, ...], default: float) -> tuple[float, ...]:
    """LogFloat.grid, once per declaration: a widget asks on every run (up to 541 positions a knob, nine knobs on the
    optimizers' first section)."""
    lo_e, hi_e = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    vals = {float(f"{m * 10.0**e:.6g}") for e in range(lo_e, hi_e + 1) for m in mantissas}
    vals |= {lo, hi, default}
    return tuple(sorted(v for v in vals if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)))


@dataclass(frozen=True)
class Int(Param):
    """An integer slider. Values off the slider's `step` are kept exactly, unless `on_grid` says the grid is
    a rule of the knob itself (odd kernel sizes): then a value off it is refused with a notice."""

    lo: int = 0
    hi: int = 10
    step: int = 1
    on_grid: bool = False

    def parse(self, raw: str) -> int:
        try:
            v = int(raw)
        except (TypeError, ValueError):
            raise ParamError("type", expected="integer") from None
        if not self.lo <= v <= self.hi:
            raise ParamError("range", lo=self.lo, hi=self.hi)
        if self.on_grid and (v - self.lo) % self.step:
            raise ParamError("grid", lo=self.lo, hi=self.hi, step=self.step)
        return v

    def nearest(self, value: Any) -> int:
        return int(min(self.hi, max(self.lo, self.lo + round((int(value) - self.lo) / self.step) * self.step)))

    def fit(self, value: Any, span: Any) -> int:
        return int(_clamp(value, span))

    def samples(self) -> list[Any]:
        return [self.lo, self.default, self.hi]


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple[str, ...] = ()

    def parse(self, raw: str) -> str:
        if raw not in self.choices:
            raise ParamError("choice", item=raw, choices=",".join(self.choices))
        return raw

    def samples(self) -> list[Any]:
        return list(self.choices)


@dataclass(frozen=True)
class Multi(Param):
    """Several choices at once, kept in declaration order; `hi` caps how many."""

    choices: tuple[str, ...] = ()
    lo: int = 1
    hi: int = 8

    def parse(self, raw: str) -> tuple[str, ...]:
        items = [s for s in str(raw).split(",") if s]
        bad = [s for s in items if s not in self.choices]
        if bad:
            raise ParamError("choice", item=bad[0], choices=",".join(self.choices))
        chosen = tuple(c for c in self.choices if c in items)
        if not self.lo <= len(chosen) <= self.hi:
            raise ParamError("length", lo=self.lo, hi=self.hi)
        return chosen

    def encode(self, value: Any) -> str:
        return ",".join(value)

    def samples(self) -> list[Any]:
        return [self.default, tuple(self.choices[: self.hi]), tuple(self.choices[: self.lo])]


@dataclass(frozen=True)
class Bool(Param):
    def parse(self, raw: str) -> bool:
        text = str(raw).lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ParamError("type", expected="bool")

    def encode(self, value: Any) -> str:
        return "1" if value else "0"

    def samples(self) -> list[Any]:
        return [False, True]


@dataclass(frozen=True)
class FloatList(Param):
    """A fixed-shape list of floats (e.g. kernel cells); `lengths` lists the allowed sizes."""

    lo: float = -10.0
    hi: float = 10.0
    lengths: tuple[int, ...] = (9,)

    def parse(self, raw: str) -> tuple[float, ...]:
        vals = tuple(_parse_float(s) for s in str(raw).split(","))
        if len(vals) not in self.lengths:
            raise ParamError("length", lo=min(self.lengths), hi=max(self.lengths))
        if any(not self.lo <= v <= self.hi for v in vals):
            raise ParamError("range", lo=_fmt(self.lo), hi=_fmt(self.hi))
        return vals

    def encode(self, value: Any) -> str:
        return ",".join(_fmt(v) for v in value)

    def samples(self) -> list[Any]:
        return [self.default, tuple([self.lo] * self.lengths[0]), tuple([self.hi] * self.lengths[-1])]


@dataclass(frozen=True)
class Code(Param):
    """A token of URL-safe characters (a lesson's name or its packed steps); what it means is checked by its
    user (core.lessons), here only its form and length."""

    max_len: int = 4000

    def parse(self, raw: str) -> str:
        text = str(raw)
        if len(text) > self.max_len or not re.fullmatch(r"[A-Za-z0-9_.~-]*", text):
            raise ParamError("type", expected="code")
        return text


@dataclass(frozen=True)
class Typed(Param):
    """A value typed as text and kept as its canonical text (a layer stack `c3,m2`): the widget is a text box.
    A subclass parses the text (raising ParamError) and returns the canonical form."""

    def parse(self, raw: str) -> str:
        return str(raw)


Checker = Callable[[dict[str, Any]], list[Notice]]


@dataclass(frozen=True)
class ParamSet:
    """The knobs of one experiment. `rules` fixes inconsistent combinations in place and says why."""

    params: tuple[Param, ...]
    rules: Checker | None = None

    def __post_init__(self):
        names = [p.name for p in self.params]
        assert len(names) == len(set(names)), f"duplicate parameter names in {names}"

    def __iter__(self):
        return iter(self.params)

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def active(self, values: Mapping[str, Any]) -> dict[str, bool]:
        """Which knobs matter for these values (their declared `when`)."""
        return {p.name: p.active(values) for p in self.params}

    def off_grid(self, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Values a slider cannot show exactly: name -> (the exact value, the slider's nearest position)."""
        out = {}
        for p in self.params:
            if p.name in values and p.encode(p.nearest(values[p.name])) != p.encode(values[p.name]):
                out[p.name] = (values[p.name], p.nearest(values[p.name]))
        return out

    def decode(self, query: Mapping[str, Any], *, known: Iterable[str] = ()) -> tuple[dict, list[Notice]]:
        """Query mapping -> (safe values, notices). Bad entries fall back to the default."""
        values, notices = self.defaults(), []
        allowed = set(self.names) | set(known) | set(GLOBAL_KEYS)
        for key, raw in query.items():
            raw = raw[-1] if isinstance(raw, (list, tuple)) else raw
            if key not in allowed:
                notices.append(Notice(key, "unknown", str(raw)))
            elif key in self.names:
                try:
                    values[key] = self[key].parse(str(raw))
                except ParamError as err:
                    notices.append(Notice(key, err.code, str(raw), err.info))
        return self.apply_rules(values, notices)

    def apply_rules(self, values: dict, notices: list[Notice] | None = None) -> tuple[dict, list[Notice]]:
        """The cross-parameter rules (which say what they changed), then each knob's `within` (silently:
        a rule that wants to explain a move makes it first)."""
        values, notices = dict(values), list(notices or [])
        if self.rules is not None:
            notices += self.rules(values)
        for p in self.params:
            span = p.span(values) if p.name in values else None
            if span is not None:
                values[p.name] = p.fit(values[p.name], span)
        return values, notices

    def validate(self, values: Mapping[str, Any]) -> tuple[dict, list[Notice]]:
        """Python-side values (widgets, presets) -> (safe values, notices); missing keys -> default."""
        out, notices = self.defaults(), []
        for p in self.params:
            if p.name in values:
                try:
                    out[p.name] = p.check(values[p.name])
                except ParamError as err:
                    notices.append(Notice(p.name, err.code, p.encode(values[p.name]), err.info))
        return self.apply_rules(out, notices)

    def encode(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Values -> the query mapping of those that differ from the default, in declaration order."""
        out = {}
        for p in self.params:
            if p.name in values and p.encode(values[p.name]) != p.encode(p.default):
                out[p.name] = p.encode(values[p.name])
        return out


GLOBALS = ParamSet(  # the shell's keys, as page and CLI read them
    (
        Choice("lang", DEFAULT_LANG, choices=LANGS),
        Bool("present", False),
        Code("lesson", ""),
        Int("step", 1, lo=1, hi=20),
    )
)
assert GLOBALS.names == GLOBAL_KEYS


def merge(*sets: ParamSet) -> ParamSet:
    """One page's URL namespace: the union of its sections' parameters. Sections may share a knob by
    sharing its declaration (a seed, a network both sections use); two different declarations under
    one name are an error. A rules function shared by several sections runs once."""
    params: dict[str, Param] = {}
    for s in sets:
        for p in s.params:
            if params.setdefault(p.name, p) != p:
                raise ValueError(f"two different declarations of parameter '{p.name}'")
    checkers = tuple(dict.fromkeys(s.rules for s in sets if s.rules))

    def rules(values: dict) -> list[Notice]:
        return [n for check in checkers for n in check(values)]

    return ParamSet(tuple(params.values()), rules)


def parse_query_string(qs: str) -> dict[str, str]:
    """'a=1&b=x' (leading '?' allowed) -> {'a': '1', 'b': 'x'}; the last of repeated keys wins."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(qs.lstrip("?"), keep_blank_values=True))


def to_query_string(mapping: Mapping[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(mapping, safe=",")

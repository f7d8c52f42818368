"""The unit a page is built from: a declared parameter set and a pure function of its values.

    Experiment.run(values) -> Result        (torch/numpy only, deterministic for the same values)
    Experiment.summary(result) -> dict      (the JSON numbers the page shows; what the CLI prints)

`heavy=True` marks runs that hold the process-wide compute gate and show a spinner; a light
experiment (an analytic curve) runs straight through.

Training experiments stream: `stream(values)` yields `(fraction_done, result_so_far)` once per chunk
of steps (100–250), reading metrics once per chunk (never `.item()` per step). Their `run` drains the
stream and returns the last result, so the CLI and the tests see the same numbers as the page;
core.ui.live shows the chunks as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from core.params import ParamSet, merge


@dataclass(frozen=True)
class Experiment:
    key: str
    params: ParamSet
    run: Callable[[dict], Any]
    summary: Callable[[Any], dict]
    heavy: bool = False
    stream: Callable[[dict], Iterator[tuple[float, Any]]] | None = None
    # Estimated CPU seconds of one run on one torch thread (core.budget): the budget rule cuts a link above
    # core.budget.CPU_S, and bench/link_budget.py searches it for the costliest legal link. Heavy
    # experiments declare it; light ones are cheap by construction.
    cost: Callable[[dict], float] | None = None


VERDICTS = ("true", "false", "partly", "depends")


@dataclass(frozen=True)
class Claim:
    """One statement of the interview notes, checked by experiment, shown as a card beside its section.

    Words live in the page's catalogue: `claims.<key>.claim` (the statement, in our words) and
    `claims.<key>.why` (at most ~50 words of evidence, with the numbers an experiment measured filled in).
    The numbers come from the concept's `numbers()` (cached; it runs once per process), or from a run the
    section passes to `view.claim_cards(section, numbers)` (a training's result, say).

    `verdict` is one of VERDICTS, or a function of those numbers returning one (a verdict the experiment
    decides, e.g. "depends" where a seed diverges): `judged(numbers)` gives the badge."""

    key: str
    verdict: str | Callable[[Mapping[str, Any]], str]  # one of VERDICTS, or computed from the numbers
    section: str  # the experiment key whose section the card sits beside
    preset: str | None = None  # one click shows the evidence on the page
    evidence: tuple[tuple[str, str], ...] = ()  # (label key under claims.<key>., number key): a small bar chart

    def __post_init__(self):
        assert callable(self.verdict) or self.verdict in VERDICTS, self.verdict

    def judged(self, numbers: Mapping[str, Any]) -> str:
        """The badge: the declared verdict, or the one the numbers reach."""
        verdict = self.verdict(numbers) if callable(self.verdict) else self.verdict
        assert verdict in VERDICTS, (self.key, verdict)
        return verdict


def drain(stream: Iterator[tuple[float, Any]]) -> Any:
    """The final result of a stream of (fraction_done, result_so_far)."""
    last = None
    for _, result in stream:
        last = result
    return last


def finished_run(
    stream: Callable[[dict], Iterator[tuple[float, Any]]], names: tuple[str, ...], maxsize: int = 4
) -> Callable[[dict], Any]:
    """`run(values)`: the drained stream for the named values, cached in this process, so experiments
    built on one training (the run, its probes, its interpolations) train once in a headless run."""

    @lru_cache(maxsize=maxsize)
    def trained(frozen: tuple) -> Any:
        return drain(stream(dict(frozen)))

    return lambda values: trained(tuple(sorted((name, values[name]) for name in names)))


def streaming(
    key: str,
    params: ParamSet,
    stream: Callable[[dict], Iterator[tuple[float, Any]]],
    summary: Callable[[Any], dict],
    cost: Callable[[dict], float] | None = None,
) -> Experiment:
    """A training experiment: shown chunk by chunk on the page, drained by the CLI and tests."""
    run = lambda values: drain(stream(values))
    return Experiment(key, params, run=run, summary=summary, heavy=True, stream=stream, cost=cost)


@dataclass(frozen=True)
class Concept:
    """One page of the playground. Titles, questions and all prose live in core/text/<key>.toml."""

    key: str  # URL path and catalogue name
    icon: str  # an emoji: Material icons fetch fonts from the web, classrooms may be offline
    experiments: tuple[Experiment, ...]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
    numbers: Callable[[], dict[str, Any]] | None = None  # measures what the claims' texts quote

    def claims_for(self, section: str) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.section == section)

    @property
    def page(self) -> str:
        return f"views/{self.key}.py"  # not pages/: see README, "Why views/"

    @cached_property
    def params(self) -> ParamSet:
        return merge(*(e.params for e in self.experiments))

    def preset_groups(self) -> dict[str, list[str]]:
        """Presets by the section (experiment) they set up: the experiment that owns most of a preset's
        keys (the first such on a tie), in page order; the sidebar lists them under that section's name."""
        groups: dict[str, list[str]] = {e.key: [] for e in self.experiments}
        for name, preset in self.presets.items():
            owner = max(
                self.experiments, key=lambda e: (len(set(preset) & set(e.params.names)), -self.experiments.index(e))
            )
            groups[owner.key].append(name)
        return {k: v for k, v in groups.items() if v}

    def experiment(self, key: str) -> Experiment:
        for e in self.experiments:
            if e.key == key:
                return e
        raise KeyError(key)

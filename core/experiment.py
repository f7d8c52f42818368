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
    key: str, params: ParamSet, stream: Callable[[dict], Iterator[tuple[float, Any]]], summary: Callable[[Any], dict]
) -> Experiment:
    """A training experiment: shown chunk by chunk on the page, drained by the CLI and tests."""
    return Experiment(key, params, run=lambda values: drain(stream(values)), summary=summary, heavy=True, stream=stream)


@dataclass(frozen=True)
class Concept:
    """One page of the playground. Titles, questions and all prose live in core/text/<key>.toml."""

    key: str  # URL path and catalogue name
    icon: str  # an emoji: Material icons fetch fonts from the web, classrooms may be offline
    experiments: tuple[Experiment, ...]
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

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

"""A run's settings: the page's validated values, read as attributes, plus what a run records off the page.

    cfg = lab.Config(values)          # values: LAB_PARAMS.validate(...)[0], so every knob is present
    cfg.steps, cfg.loss               # the knobs, by their declared names (core.gan.concept declares them once)
    cfg.n_eval                        # a recording setting a subclass adds (not on the page, no link key)

There is no second list of defaults or names: a knob's name, default and range live only on its declaration,
and tests build a config the same way the page does (`core.gan.concept.lab_config(steps=300)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunConfig:
    values: dict[str, Any]  # every knob of the experiment, validated (do not mutate)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")  # not self.values: unpickling asks before __dict__ is filled
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__} has no setting {name!r}")

"""The one list of pages. Navigation, home cards, the CLI and the tests all iterate CONCEPTS."""

from __future__ import annotations

from core import activations, convolution, gan, gradients, optimizers, pooling
from core.experiment import Concept

CONCEPTS: tuple[Concept, ...] = (activations.CONCEPT, pooling.CONCEPT, gradients.CONCEPT, convolution.CONCEPT,
                                  optimizers.CONCEPT, gan.CONCEPT)


def get(key: str) -> Concept:
    for c in CONCEPTS:
        if c.key == key:
            return c
    raise KeyError(key)

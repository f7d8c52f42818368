"""The one list of pages. Navigation, home cards, the CLI and the tests all iterate CONCEPTS."""

from __future__ import annotations

from core.activations import concept as activations
from core.convolution import concept as convolution
from core.experiment import Concept
from core.gan import concept as gan
from core.gradients import concept as gradients
from core.hardware import concept as hardware
from core.losses import concept as losses
from core.normalization import concept as normalization
from core.optimizers import concept as optimizers
from core.pooling import concept as pooling
from core.regularization import concept as regularization

# Reading order: a page comes after the pages it builds on (pooling after convolution).
CONCEPTS: tuple[Concept, ...] = (
    activations.CONCEPT,
    losses.CONCEPT,
    gradients.CONCEPT,
    normalization.CONCEPT,
    convolution.CONCEPT,
    pooling.CONCEPT,
    optimizers.CONCEPT,
    regularization.CONCEPT,
    gan.CONCEPT,
    hardware.CONCEPT,
)


def get(key: str) -> Concept:
    for c in CONCEPTS:
        if c.key == key:
            return c
    raise KeyError(key)

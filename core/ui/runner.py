"""Cached experiment runs: same values -> same result, computed once for all sessions."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import device, registry


def freeze(values: dict[str, Any]) -> tuple:
    """A hashable, order-independent key of primitives for st.cache_data."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(concept_key: str, experiment_key: str, frozen: tuple) -> Any:
    experiment = registry.get(concept_key).experiment(experiment_key)
    values = dict(frozen)
    if experiment.heavy:
        with device.compute():
            return experiment.run(values)
    return experiment.run(values)


def run_cached(concept_key: str, experiment_key: str, values: dict[str, Any]) -> Any:
    return _cached(concept_key, experiment_key, freeze(values))

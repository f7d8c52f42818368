"""The seam: the only package in core that imports streamlit.

A page is thin:

    view = PageView(activations.CONCEPT)      # language, URL state, notices, presets, share box

    @view.section                             # reruns alone when its own widgets move (st.fragment)
    def explorer():
        left, right = st.columns([1, 2.6])
        result = view.run(activations.EXPLORER)   # cached on the values, gated if heavy
        right.plotly_chart(figures.explorer(result, view.t.section("fig"), ...))
        with left:                            # the figure first, its knobs beside it after (see PageView.section)
            view.controls(activations.EXPLORER)

    explorer()
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from core import boot, scrub
from core.experiment import Concept, Experiment
from core.params import Notice, ParamError, ParamSet
from core.text import Text
from core.ui import chrome, lazy, scrub_chart, state
from core.ui.live import StepAside
from core.ui.runner import run_cached
from core.ui.widgets import draw, wkey


class _Folded(Exception):
    """The first screen of a fresh visit is complete (PageView.fold)."""


class PageView:
    def __init__(self, concept: Concept):
        self.concept = concept
        self.t = Text(concept.key, state.lang())
        fresh = state.fresh()
        self._lazy = fresh and lazy.enabled()  # sections below the first wait for the first screen
        self._first: str | None = None
        self._cards: list[str] | None = None  # during a page run's section: its fixed claim cards, drawn after it
        self._page_cards: set[str] = set()  # sections whose fixed cards the page run drew (outside the section)
        held = None if fresh else lazy.release(concept.key, state.visit())
        if held is not None:  # the marker's rerun: the link's values for the widgets the first run did not draw
            state.seed(concept.key, ParamSet(tuple(p for p in concept.params if p.name not in held.drawn)), held.values)
        self.values, notices = state.page_values(concept)
        if self._lazy:
            lazy.hold(concept.key, state.visit(), self.values, notices)
        elif held is not None:  # … and the link's notices, shown again on the page it redraws
            notices = [n for n in held.notices if n not in notices] + notices
        chrome.notices(self.t, concept.params, self.values, [n for n in notices if n.code != "conflict"])
        self._conflicts = [n for n in notices if n.code == "conflict"]
        self._link_conflicts = list(self._conflicts)  # from a shared link: its widgets hold the fixed values,
        # so a section's refresh() no longer sees them; view.conflicts shows each once, in its section
        self._share = chrome.sidebar(self.t, concept)
        if self._lazy:  # the share box (a code block: its highlighter costs the browser ~0.5 s) comes later too
            with self._share:
                lazy.wait(concept.key, state.visit())
        else:
            chrome.share_box(self._share, concept, self.values)

    def header(self) -> None:
        st.title(f"{self.concept.icon} {self.t('title')}")
        st.markdown(f"**{self.t('question')}**")
        if not state.shell()["present"]:  # on a projector the lesson's note stands in for the intro
            st.markdown(self.t("intro"))

    def section(self, body: Callable[[], None]) -> Callable[[], None]:
        """Decorator: a page section that reruns on its own when one of its widgets changes.

        A section rerun (st.fragment) skips the rest of the page, so it re-reads the widgets,
        rewrites the URL and the share box itself, and shows the conflicts among its values.

        Figure first: a section writes its figure before its knobs (into a column beside them). A rerun's elements
        go to the browser in the order they are written, and the changed figure is what a slider's user waits for:
        written after a column of knobs it reached the browser 30–50 ms later (/activations, bench note of issue 17).
        The page's values are read (and fitted, `ParamSet.apply_rules`) before any widget is drawn, so the order
        changes nothing else; `fold()` still comes after the knobs.
        """

        @st.fragment
        @functools.wraps(body)
        def run_section():
            with boot.timed("section"):
                self.refresh()
                try:
                    body()
                except (StepAside, _Folded):  # a training with no chunk yet stepped aside for another rerun;
                    pass  # or the first screen of a fresh visit ends here (fold)

        @functools.wraps(body)
        def call():
            self._first = self._first or body.__name__
            if self._lazy and body.__name__ != self._first:
                return  # the page's marker reruns the page once the first screen is drawn
            self._cards = []
            try:
                run_section()
            finally:
                cards, self._cards = self._cards, None
            for section in cards:  # outside the fragment: a rerun of the section alone leaves them as they are
                self._draw_cards(section, None)
                self._page_cards.add(section)

        return call

    def fold(self) -> None:
        """Below here the section is off the first screen: on a fresh visit in a browser its first run ends here
        (the marker's rerun, core/ui/lazy.py, draws the rest once the first screen is drawn)."""
        if self._lazy:
            raise _Folded

    def refresh(self) -> None:
        self.values, notices = state.page_values(self.concept)
        self._conflicts = [n for n in notices if n.code == "conflict"]
        if not self._lazy:
            chrome.share_box(self._share, self.concept, self.values)

    def conflicts(self, experiment: Experiment) -> None:
        """Explain the combinations of `experiment`'s values that were adjusted (e.g. a probe outside the range)."""
        mine = [n for n in self._conflicts if n.param in experiment.params.names]
        link = [n for n in self._link_conflicts if n.param in experiment.params.names and n not in mine]
        self._link_conflicts = [n for n in self._link_conflicts if n not in link]
        chrome.notices(self.t, self.concept.params, self.values, mine + link)

    def refused(self, name: str) -> None:
        """Under a text knob (typed cells, a layer stack): why the text in its box is not used, if it is not (the
        page then runs the knob's default; a section rerun keeps only conflicts, so the text box says it here)."""
        param, raw = self.concept.params[name], str(st.session_state.get(wkey(self.concept.key, name), ""))
        try:
            param.parse(raw)
        except ParamError as err:
            chrome.notices(self.t, self.concept.params, self.values, [Notice(name, err.code, raw, err.info)])

    def controls(
        self,
        experiment: Experiment,
        only: Iterable[str] | None = None,
        active: dict[str, bool] | None = None,
        on_change: Callable | None = None,
        args: tuple = (),
    ) -> None:
        """Draw the widgets of `experiment` (or the named subset) in the current container.

        A knob is greyed out when its declared `when` does not hold for the current values; `active` can
        grey out more for what only the page knows (e.g. a probe that needs a finished run).
        `on_change(*args)` runs when the user moves one of these widgets, before the rerun. A scrub knob is left
        out: `scrub` draws it under its chart."""
        names = [n for n in (only if only is not None else experiment.params.names) if not experiment.params[n].scrub]
        page = self.concept.key
        if self._lazy:
            lazy.drawn(page, names)
        for name in names:
            param = experiment.params[name]
            on = param.active(self.values) and (active or {}).get(name, True)
            span = param.span(self.values)
            if span is not None:  # the widget offers only this part of the range: its state must lie inside
                state.fit(page, param, span)
            draw(
                param,
                self.t,
                wkey(page, name),
                disabled=not on,
                exact=state.exact_value(page, name),
                on_change=on_change,
                args=args,
                span=span,
            )

    def scrub(
        self,
        experiment: Experiment,
        name: str,
        figure_at: Callable[[Any], Any],
        chart: str,
        grid: tuple | None = None,
        steps_at: Callable[[tuple, list[str]], list[dict]] | None = None,
    ) -> None:
        """The chart of `experiment` with knob `name` as a scrub slider under it (core/scrub.py): the figure at
        every position of the knob is sent once, the browser moves among them, and Streamlit hears the
        position when the user lets go (then the link and everything else in the section follow).
        `steps_at(grid, labels)`: the slider's steps, when the caller knows what a position changes without
        drawing the figure at every position (core/ui/scrub_chart.draw).
        `figure_at(value)` builds the section's figure for the knob at `value`, the other values as they are;
        `grid`: the positions offered, when not every value of the knob (a value off them is drawn exactly, the
        slider at the nearest position)."""
        param, value = experiment.params[name], self.values[name]
        if self._lazy:  # a pick made before the marker's rerun must survive it, as a widget's move does
            lazy.drawn(self.concept.key, [name])
        others = {k: v for k, v in self.values_for(experiment).items() if k != name}
        grid = grid or scrub.positions(param)
        pick = lambda v: self.set({name: v})
        scrub_chart.draw(
            self.concept.key,
            param,
            grid,
            value,
            others,
            state.lang(),
            self.t.label(name),
            figure_at,
            chart,
            pick,
            steps_at=steps_at,
        )

    def set(self, values: dict[str, Any]) -> None:
        """For a button or widget callback: put declared values into their widgets, as a link would (exact
        values kept); the URL follows on the rerun."""
        state.seed(self.concept.key, ParamSet(tuple(self.concept.params[n] for n in values)), values)

    def widget(self, name: str) -> Any:
        """For a widget callback: the declared value a widget holds now (inside its on_change: the new one)."""
        return state._widget_value(self.concept.key, self.concept.params[name])

    def claim_cards(self, section: str, numbers: dict[str, Any] | None = None) -> None:
        """The interview notes' claims about this section, each a card beside it: the claim, a verdict
        badge, the evidence in a few words with the measured numbers, a one-click preset, a small chart.
        `numbers`: what the cards quote when a section's own run measures it (default: the concept's
        `numbers()`). The notes are introduced once, above the page's first cards (the first section in the
        concept's order that has claims), so a section that reruns alone keeps or omits it alike."""
        if numbers is None and self._cards is not None:  # the same on every run: drawn after the section by the
            self._cards.append(section)  # page's run, so a rerun of the section alone has fewer elements to redraw
        elif numbers is not None or section not in self._page_cards:  # (a page run that stepped aside before
            self._draw_cards(section, numbers)  # them leaves them to the section's own reruns)

    def _draw_cards(self, section: str, numbers: dict[str, Any] | None) -> None:
        claims = self.concept.claims_for(section)
        if claims:
            first = next(e.key for e in self.concept.experiments if self.concept.claims_for(e.key))
            chrome.claim_cards(self.t, self.concept, claims, numbers, intro=section == first)

    def values_for(self, experiment: Experiment) -> dict[str, Any]:
        return {n: self.values[n] for n in experiment.params.names}

    def run_with(self, experiment: Experiment, **changes: Any) -> Any:
        """The run of `experiment` at the page's values with `changes` (a scrub knob's other positions)."""
        return run_cached(self.concept.key, experiment.key, {**self.values_for(experiment), **changes})

    def run(self, experiment: Experiment) -> Any:
        values = self.values_for(experiment)
        if experiment.heavy:
            with st.spinner(self.t("running")):
                return run_cached(self.concept.key, experiment.key, values)
        return run_cached(self.concept.key, experiment.key, values)


__all__ = ["PageView", "state", "chrome", "run_cached"]

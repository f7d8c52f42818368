"""Lessons: an ordered walk through views of any page, each with a one-line note; the lesson is one link.

    /lessons?lesson=vanishing                       a built-in lesson (its steps are presets, its notes text)
    /lessons?lesson=~eJyLrlZKzs...                  a teacher's own lesson: its steps packed into the link
    /gradients?depth=30&...&lesson=vanishing&step=2 a step of it: the view, with the lesson bar on top

A teacher's lesson is packed as JSON [[page, query string, note], ...] → zlib → URL-safe base64, behind
"~". Nothing else is stored: the link is the lesson. Packed lessons are data from a link: they are checked
(known pages, the page's own link rules, at most MAX_STEPS steps, notes of at most NOTE_MAX characters,
a bounded unpacked size) and their notes are shown as text only.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass

from core.params import GLOBAL_KEYS, parse_query_string, to_query_string

MAX_STEPS = 20
NOTE_MAX = 200
PACKED_MAX = 4000  # characters of a packed lesson in a link
UNPACKED_MAX = 20_000  # bytes after decompression (a zip bomb in a link is refused)


class LessonError(ValueError):
    """A lesson link that cannot be used; `code` picks the message (catalogue `lessons.error.<code>`)."""

    def __init__(self, code: str, **info):
        super().__init__(code, info)
        self.code, self.info = code, info


@dataclass(frozen=True)
class Step:
    page: str  # a registered concept key
    query: dict[str, str]  # the page's query (its keys only), as in its share link
    note: str  # a built-in lesson's catalogue key, or a teacher's own text (shown as text)


@dataclass(frozen=True)
class Lesson:
    code: str  # what the link carries after lesson=
    steps: tuple[Step, ...]
    builtin: bool

    def step_query(self, index: int, extra: dict[str, str]) -> dict[str, str]:
        """The query of step `index` (1-based) as a link: the view, then the lesson's own keys."""
        step = self.steps[index - 1]
        return {**step.query, **extra, "lesson": self.code, "step": str(index)}


# Built-in lessons follow the interview notes' topics. A step names a preset of its page (so it follows the
# preset's values); its note is `lessons.<lesson>.step<k>` in core/text/lessons.toml.
BUILTIN: dict[str, tuple[tuple[str, str], ...]] = {
    "vanishing": (
        ("activations", "sigmoid_saturates"),
        ("gradients", "sigmoid_30"),
        ("gradients", "relu_he"),
        ("gradients", "normal_explodes"),
        ("gradients", "residual_rescue"),
        ("gradients", "lstm_vs_rnn"),
    ),
    "cnn": (
        ("convolution", "seeds_example"),
        ("convolution", "stride_pad_steps"),
        ("convolution", "edges_rgb"),
        ("convolution", "mobilenet_block"),
        ("pooling", "overlapping"),
        ("pooling", "alexnet_rf"),
        ("pooling", "vgg_head"),
    ),
    "optimizers": (
        ("optimizers", "momentum_valley"),
        ("optimizers", "optimal_kappa100"),
        ("optimizers", "adam_saddle"),
        ("optimizers", "rastrigin_traps"),
        ("optimizers", "adamw_decay"),
        ("optimizers", "race_adaptive"),
    ),
    "gan": (
        ("gan", "teach"),
        ("gan", "stall"),
        ("gan", "stall_fixed"),
        ("gan", "ring_drops"),
        ("gan", "ring_wgan_gp"),
        ("gan", "digits_minute"),
    ),
}


def preset_query(page: str, preset: str) -> dict[str, str]:
    from core import registry

    concept = registry.get(page)
    values, _ = concept.params.validate({**concept.params.defaults(), **concept.presets[preset]})
    return concept.params.encode(values)


def builtin(key: str) -> Lesson:
    steps = tuple(
        Step(page, preset_query(page, preset), f"lessons.{key}.step{i}")
        for i, (page, preset) in enumerate(BUILTIN[key], 1)
    )
    return Lesson(key, steps, builtin=True)


def pack(steps: list[tuple[str, str, str]]) -> str:
    """[(page, query string, note), ...] → the code after lesson= ('~' + URL-safe base64 of zlib(JSON))."""
    raw = json.dumps([list(s) for s in steps], ensure_ascii=False, separators=(",", ":")).encode()
    return "~" + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def _check_step(item) -> Step:
    from core import registry

    if not (isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)):
        raise LessonError("shape")
    page, query, note = item
    try:
        concept = registry.get(page)
    except KeyError:
        raise LessonError("page", page=page) from None
    if len(note) > NOTE_MAX:
        raise LessonError("note", limit=NOTE_MAX)
    values, notices = concept.params.decode(parse_query_string(query), known=GLOBAL_KEYS)
    refused = [n for n in notices if n.code != "conflict"]
    if refused:
        raise LessonError("query", page=page, why=refused[0].english())
    return Step(page, concept.params.encode(values), note)


def unpack(code: str) -> Lesson:
    """A packed lesson from a link, checked; raises LessonError."""
    if len(code) > PACKED_MAX:
        raise LessonError("long", limit=PACKED_MAX)
    try:
        data = base64.urlsafe_b64decode(code[1:] + "=" * (-len(code[1:]) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, UNPACKED_MAX)
        if inflater.unconsumed_tail:
            raise LessonError("long", limit=PACKED_MAX)
        items = json.loads(raw.decode())
    except LessonError:
        raise
    except Exception:  # not base64, not zlib, not UTF-8 JSON: a damaged link
        raise LessonError("damaged") from None
    if not isinstance(items, list) or not items:
        raise LessonError("shape")
    if len(items) > MAX_STEPS:
        raise LessonError("steps", limit=MAX_STEPS)
    return Lesson(code, tuple(_check_step(item) for item in items), builtin=False)


def load(code: str) -> Lesson:
    """A lesson from the code in a link (a built-in name or a packed lesson); raises LessonError."""
    if code in BUILTIN:
        return builtin(code)
    if code.startswith("~"):
        return unpack(code)
    raise LessonError("unknown", names=", ".join(BUILTIN))


def from_links(text: str) -> list[tuple[str, str, str]]:
    """A teacher's lines "<share link> | <note>" (one step each) → [(page, query string, note)]; raises
    LessonError on the first line that is not a page link."""
    steps = []
    for line in filter(None, (ln.strip() for ln in text.splitlines())):
        link, _, note = line.partition("|")
        link, note = link.strip(), note.strip()
        path, _, query = link.partition("?")
        page = path.rstrip("/").rsplit("/", 1)[-1]
        keep = {k: v for k, v in parse_query_string(query).items() if k not in GLOBAL_KEYS}
        step = _check_step([page, to_query_string(keep), note])
        steps.append((step.page, to_query_string(step.query), step.note))
    if not steps:
        raise LessonError("shape")
    if len(steps) > MAX_STEPS:
        raise LessonError("steps", limit=MAX_STEPS)
    return steps

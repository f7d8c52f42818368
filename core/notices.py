"""Notices in words: why a value from a link was not used as given, in the page's language.

One function for the page (core/ui/chrome shows it) and the CLI (core/__main__ prints it), so both say
the same sentence. Catalogue entries: `notice.<code>` (common.toml) and `conflict.<why>` (the page's).

Anything a link carried is shown as text, never as Markdown, HTML or LaTeX: `shown()` makes it one short
line that cannot leave the inline-code span the catalogue puts it in (no newline, no backtick), and the
catalogue puts every such field in one (`{param}`, `{raw}`, `{item}`).
"""

from __future__ import annotations

from typing import Any

from core.params import Notice, ParamSet
from core.text import Text, shown

GLOBAL_LABELS = ("lang",)  # app-wide keys that have a label in common.toml


def notice_text(t: Text, params: ParamSet, values: dict[str, Any], n: Notice) -> str:
    known = n.param in params.names
    used = params[n.param].encode(values[n.param]) if known and n.param in values else ""
    if n.code == "conflict":
        label = t.label(n.param) if known else shown(n.param)
        return t(f"conflict.{n.info['why']}", raw=shown(n.raw), used=shown(n.info.get("used", used)), label=label)
    info = {"choices": "", "lo": "", "hi": "", "step": "", "expected": "", **n.info}
    info["item"] = shown(info.get("item", n.raw))
    if info["expected"]:
        info["expected"] = t(f"expected.{info['expected']}")
    label = t.label(n.param) if known or n.param in GLOBAL_LABELS else shown(n.param)
    return t(f"notice.{n.code}", param=shown(n.param), raw=shown(n.raw), label=label, used=used or "—", **info)

"""Notices in words: why a value from a link was not used as given, in the page's language.

One function for the page (core/ui/chrome shows it) and the CLI (core/__main__ prints it), so both say
the same sentence. Catalogue entries: `notice.<code>` (common.toml) and `conflict.<why>` (the page's).
"""

from __future__ import annotations

from typing import Any

from core.params import Notice, ParamSet
from core.text import Text

GLOBAL_LABELS = ("lang",)  # app-wide keys that have a label in common.toml


def notice_text(t: Text, params: ParamSet, values: dict[str, Any], n: Notice) -> str:
    known = n.param in params.names
    used = params[n.param].encode(values[n.param]) if known and n.param in values else ""
    if n.code == "conflict":
        return t(f"conflict.{n.info['why']}", raw=n.raw, used=n.info.get("used", used))
    info = {"item": n.raw, "choices": "", "lo": "", "hi": "", "step": "", "expected": "", **n.info}
    if info["expected"]:
        info["expected"] = t(f"expected.{info['expected']}")
    label = t.label(n.param) if known or n.param in GLOBAL_LABELS else n.param
    return t(f"notice.{n.code}", param=n.param, raw=n.raw, label=label, used=used or "—", **info)

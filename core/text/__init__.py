"""User-facing text: one TOML catalogue per page, one table per language.

    core/<concept>/text.toml   a concept page's catalogue      [en] ... [zh] ...
    core/text/<name>.toml      the shell's: common.toml (every page), home.toml
    keys are dotted paths: "params.x0.label"

Adding a language: add its table to every catalogue and its code to LANGS (tests check that every
catalogue has the same keys in every language). A new page brings `text.toml` in its package. Formulas
are not text: they live with the experiment (core/<concept>/) and are shared by all languages.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import tomllib

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
_DIR = Path(__file__).parent
_CORE = _DIR.parent


def catalogue_path(name: str) -> Path:
    """core/text/<name>.toml for the shell's catalogues, else the concept package's text.toml."""
    shell = _DIR / f"{name}.toml"
    return shell if shell.exists() else _CORE / name / "text.toml"


SHOWN_MAX = 60  # characters of a user-supplied string shown back


def shown(raw: Any, limit: int = SHOWN_MAX) -> str:
    """A user-supplied string (from a link, a file, a typed field) as one short, inert line: control characters
    and line breaks become spaces, a backtick (which would end the inline-code span the catalogues put such
    strings in) becomes ˋ, and it is cut to `limit` characters. Never Markdown, HTML or LaTeX."""
    text = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029") else c for c in str(raw))
    text = " ".join(text.split()).replace("`", "ˋ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def raw_catalogue(name: str) -> dict[str, Any]:
    with open(catalogue_path(name), "rb") as fh:
        return tomllib.load(fh)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in tree.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, path + "."))
        else:
            out[path] = v
    return out


@cache
def _table(name: str, lang: str) -> dict[str, str]:
    return flatten(raw_catalogue(name).get(lang, {}))


class Text:
    """Look up `key` in the page's catalogue, then in common.toml; `t("k", n=3)` formats."""

    def __init__(self, page: str | None, lang: str):
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.page = page
        self._tables = ([_table(page, self.lang)] if page else []) + [_table("common", self.lang)]

    def get(self, key: str, default: str | None = None) -> str | None:
        for table in self._tables:
            if key in table:
                return table[key]
        return default

    def __call__(self, key: str, **fmt: Any) -> str:
        text = self.get(key)
        if text is None:
            return key  # a missing key shows itself instead of crashing; tests keep catalogues complete
        return text.format(**fmt) if fmt else text

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def label(self, param: str) -> str:
        return self(f"params.{param}.label")

    def help(self, param: str) -> str | None:
        return self.get(f"params.{param}.help")

    def choice(self, param: str, key: str) -> str:
        return self.get(f"choices.{param}.{key}") or self.get(f"choices.{key}") or key

    def section(self, prefix: str) -> dict[str, str]:
        """All keys under `prefix.` as a flat dict (e.g. figure labels handed to a figure builder)."""
        out: dict[str, str] = {}
        for table in reversed(self._tables):
            out.update({k[len(prefix) + 1 :]: v for k, v in table.items() if k.startswith(prefix + ".")})
        return out

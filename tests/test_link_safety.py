"""Links that cannot hurt a student: whatever a crafted link carries is shown back as inert text.

Each payload from the security review goes through the page (AppTest) and the CLI. The page's messages
are Markdown, so they are parsed here as CommonMark (markdown-it, as the browser's renderer would) and the
tree must hold no link, image, heading, HTML, emphasis or math made from the payload: user text may only
appear inside inline-code spans, on one line, cut short. The real-browser check is tests/e2e/test_link_safety.py.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from core import __main__ as cli
from core.text import SHOWN_MAX, shown
from tests.conftest import open_page

MD = MarkdownIt("commonmark")

# (page, query mapping as the browser would decode it) — from issue 20, plus a few more of the same kind
PAYLOADS = [
    ("pooling", {"[Log in again](https://evil.example/login)": "1"}),
    ("activations", {"act": "x\n\n# Your session has expired\n\n## [Click here](https://evil.example/login)"}),
    ("pooling", {"k": "` ![t](http://127.0.0.1:9/pixel.png) `"}),
    ("pooling", {"op": "$\\rule{3000px}{3000px}$"}),
    ("pooling", {"**X**": "1"}),
    ("home", {"lang": "**X**"}),
    ("home", {"<img src=x onerror=alert(1)>": "1"}),
    ("gradients", {"act_a": "<script>alert(1)</script>", "depth": "``` \n# H1"}),
    ("optimizers", {"opts": "sgd,:red[pwned],![x](http://127.0.0.1:9/a.png)"}),
    ("activations", {"x0": "1e999", "fns": "relu\u2028# line separator", "zz" * 200: "y" * 5000}),
]

BAD_TOKENS = {"link_open", "image", "heading_open", "html_inline", "html_block", "strong_open", "em_open"}


def tokens(markdown: str):
    for tok in MD.parse(markdown):
        yield tok
        yield from tok.children or ()


def messages(at) -> list[str]:
    return [e.value for kind in ("warning", "info", "error", "success") for e in getattr(at, kind)]


def assert_inert(text: str) -> None:
    for tok in tokens(text):
        assert tok.type not in BAD_TOKENS, (tok.type, text)
        if tok.type == "text":  # outside code spans: nothing a payload could have put there
            for needle in ("evil", "pixel", "rule{", "<", "$", ":red["):
                assert needle not in tok.content, (needle, text)
    for line in text.split("\n"):
        assert len(line) < 600, line[:100]


@pytest.mark.parametrize("page,query", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_crafted_link_shows_its_content_as_text_only(page, query):
    at = open_page(page, query=query)
    assert not at.exception, [e.value for e in at.exception]
    shown_back = messages(at)
    assert shown_back, "the bad link must be reported"
    for text in shown_back:
        assert_inert(text)
    for element in (*at.markdown, *at.caption, *at.title, *at.header, *at.subheader):
        assert "evil.example" not in element.value and "pixel.png" not in element.value


@pytest.mark.parametrize("page,query", [p for p in PAYLOADS if p[0] != "home"], ids=range(len(PAYLOADS) - 2))
def test_the_cli_refuses_a_crafted_link_in_one_short_line(page, query, capsys):
    from urllib.parse import urlencode

    assert cli.main([page, urlencode(query)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error:") and len(err) < 2100


def test_shown_makes_one_short_inert_line():
    assert shown("a\nb\r\n\tc\u2028d") == "a b c d"
    assert shown("`x`") == "ˋxˋ"
    assert len(shown("y" * 5000)) == SHOWN_MAX and shown("y" * 5000).endswith("…")
    for raw in ("[a](http://e)", "![i](http://e/p.png)", "# h", "**b**", "$x$", "<b>x</b>"):
        assert_inert(f"`k={shown(raw)}` — text")


def test_more_than_a_thousand_keys_is_reported_not_silently_dropped():
    at = open_page("activations", query={f"k{i}": "1" for i in range(1001)})
    assert not at.exception
    warning = " ".join(messages(at))
    assert "1,001" in warning and "1,000" in warning


def test_the_home_page_reports_unknown_keys():
    at = open_page("home", query={"foo": "1"})
    assert not at.exception
    assert any("foo" in m for m in messages(at))


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["activations", "x0=1&lang=xx"], "lang=xx"),
        (["activations", "--indent", "x"], "--indent"),
        (["activations", "x0=a\nb"], "x0=a b"),
    ],
)
def test_cli_edges_refuse_in_one_line(argv, needle, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1

"""The page's Chinese text (issue 19): no stray space between two Chinese characters (a line break inside a
sentence renders as one), one term for mini-batch (小批量), ratios written as "是…的 N 倍", never "N×"."""

import re
from pathlib import Path

import tomllib

CATALOGUE = Path(__file__).resolve().parents[2] / "core" / "hardware" / "text.toml"


def _strings(table: dict, path: str = ""):
    for k, v in table.items():
        if isinstance(v, dict):
            yield from _strings(v, f"{path}{k}.")
        else:
            yield f"{path}{k}", v


def problems(text: str) -> list[str]:
    joined = re.sub(r"\s*\n\s*", " ", text)  # Markdown renders a line break inside a paragraph as a space
    out = []
    if re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", joined):
        out.append("space between Chinese characters")
    if re.search(r"(?<!小)批量", joined):
        out.append("批量 without 小")
    if re.search(r"(\d|\})×(?![\d{n])", joined):
        out.append("N× in a sentence")
    if re.search(r"向前|种子笔记|评论家|批次", joined):
        out.append("a term the house does not use")
    return out


def test_the_checker_can_fail():
    assert problems("梯度\n消失") == ["space between Chinese characters"]
    assert problems("批量大小") == ["批量 without 小"] and problems("小批量大小") == []
    assert problems("快 {x}× 倍") == ["N× in a sentence"] and problems("{n}×{n} 的矩阵") == []


def test_the_chinese_catalogue_follows_the_house_rules():
    zh = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["zh"]
    found = {key: p for key, text in _strings(zh) if (p := problems(text))}
    assert not found, found

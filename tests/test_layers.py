"""Layer rules, read from the imports (AST): experiments never touch streamlit/plotly, figures never
touch torch/streamlit, only core/ui imports streamlit inside core, views never import torch."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def files(pattern):
    return sorted(ROOT.glob(pattern))


CORE = [p for p in files("core/*.py")]
FIGURES = [p for p in files("core/figures/*.py")]
VIEWS = files("views/*.py")


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_import_neither_streamlit_nor_plotly(path):
    assert not imports(path) & {"streamlit", "plotly"}, path


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figure_modules_import_neither_torch_nor_streamlit(path):
    assert not imports(path) & {"torch", "streamlit"}, path


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_views_import_no_torch(path):
    assert "torch" not in imports(path), path


def test_only_the_ui_seam_imports_streamlit_inside_core():
    offenders = [p for p in ROOT.glob("core/**/*.py") if "streamlit" in imports(p) and "ui" not in p.parts]
    assert offenders == []


def test_the_rule_checker_sees_imports():  # a checker that cannot fail is a defect
    assert {"streamlit", "core"} <= imports(ROOT / "streamlit_app.py")

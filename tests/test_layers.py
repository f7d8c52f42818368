"""Layer rules, read from the imports (AST):

- experiment code (everything in core but core/ui and figure modules) never imports streamlit or plotly;
- figure modules (core/style.py, core/<concept>/figures.py and *_figures.py) never import torch or streamlit;
- only core/ui imports streamlit inside core; views never import torch;
- a concept package imports only the shared base and its own package — never another concept;
- the shared base never imports a concept package (registry.py, the one list of pages, excepted);
- a view imports only the shared base and its own concept.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONCEPT_PACKAGES = sorted(p.parent.name for p in ROOT.glob("core/*/concept.py"))


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, dotted in full ('from core.gan import lab' -> core.gan.lab)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def imports(path: Path) -> set[str]:
    """Top-level packages a file imports."""
    return {m.split(".")[0] for m in imported_modules(path)}


def concepts_imported(path: Path) -> set[str]:
    return {
        m.split(".")[1] for m in imported_modules(path) if m.startswith("core.") and m.split(".")[1] in CONCEPT_PACKAGES
    }


def is_figure_module(path: Path) -> bool:
    return path in (ROOT / "core/style.py", ROOT / "core/scrub.py") or (  # the base's figure helpers
        path.parent.name in CONCEPT_PACKAGES and (path.stem == "figures" or path.stem.endswith("_figures"))
    )


CORE = sorted(p for p in ROOT.glob("core/**/*.py") if "ui" not in p.relative_to(ROOT).parts)
EXPERIMENT_CODE = [p for p in CORE if not is_figure_module(p)]
FIGURES = [p for p in CORE if is_figure_module(p)]
VIEWS = sorted(ROOT.glob("views/*.py"))
BASE = [p for p in ROOT.glob("core/**/*.py") if p.relative_to(ROOT).parts[1] not in CONCEPT_PACKAGES]


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("path", EXPERIMENT_CODE, ids=rel)
def test_experiment_code_imports_neither_streamlit_nor_plotly(path):
    assert not imports(path) & {"streamlit", "plotly"}, path


@pytest.mark.parametrize("path", FIGURES, ids=rel)
def test_figure_modules_import_neither_torch_nor_streamlit(path):
    assert not imports(path) & {"torch", "streamlit"}, path


@pytest.mark.parametrize("path", VIEWS, ids=rel)
def test_views_import_no_torch(path):
    assert "torch" not in imports(path), path


def test_only_the_ui_seam_imports_streamlit_inside_core():
    offenders = [rel(p) for p in ROOT.glob("core/**/*.py") if "streamlit" in imports(p) and "ui" not in p.parts]
    assert offenders == []


@pytest.mark.parametrize("package", CONCEPT_PACKAGES)
def test_a_concept_imports_only_the_base_and_its_own_package(package):
    offenders = {rel(p): sorted(concepts_imported(p) - {package}) for p in ROOT.glob(f"core/{package}/*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_base_imports_no_concept_but_through_the_registry():
    offenders = {rel(p): sorted(concepts_imported(p)) for p in BASE if p.name != "registry.py"}
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("path", VIEWS, ids=rel)
def test_a_view_imports_only_its_own_concept(path):
    assert concepts_imported(path) <= ({path.stem} & set(CONCEPT_PACKAGES)), path


def test_the_rule_checkers_see_imports(tmp_path):  # a checker that cannot fail is a defect
    assert {"streamlit", "core"} <= imports(ROOT / "streamlit_app.py")
    assert len(CONCEPT_PACKAGES) >= 6 and FIGURES and EXPERIMENT_CODE
    bad = tmp_path / "x.py"
    bad.write_text("from core.gan import lab\nfrom core import gradients\nimport core.pooling.windows as w\n")
    # 'from core import gradients' names the package as an attribute: still an import of the concept
    assert concepts_imported(bad) == {"gan", "gradients", "pooling"}
    assert is_figure_module(ROOT / "core/gan/figures.py") and not is_figure_module(ROOT / "core/gan/lab.py")

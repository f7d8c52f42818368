"""Repository promises: CI runs README's test command, and README's commands name real files."""

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip().startswith(("pip install", "streamlit run"))]


def test_ci_runs_the_readme_test_command_verbatim():
    ci_last = [ln for ln in (ROOT / ".ci/run").read_text().splitlines() if ln.strip() and not ln.startswith("#")][-1]
    assert ci_last.strip() in readme_commands()


def test_readme_start_command_runs_the_entrypoint():
    starts = [c for c in readme_commands() if "streamlit run" in c]
    assert starts and all("streamlit_app.py" in c for c in starts)
    assert (ROOT / "streamlit_app.py").exists() and (ROOT / "requirements.txt").exists()

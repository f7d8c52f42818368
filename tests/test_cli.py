"""`python -m core <page> '<query>'` prints the page's numbers as JSON, and refuses bad input."""

import json
import subprocess
import sys

import pytest

from core import __main__ as cli
from tests.conftest import ROOT


def test_cli_runs_a_shared_link_and_prints_json():
    proc = subprocess.run(
        [sys.executable, "-m", "core", "activations", "?fns=sigmoid,relu&x0=2&lang=zh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    fns = out["experiments"]["explorer"]["functions"]
    assert set(fns) == {"sigmoid", "relu"}
    assert fns["relu"]["f"] == 2.0 and fns["relu"]["df"] == 1.0
    assert fns["sigmoid"]["df"] == pytest.approx(0.104993585, rel=1e-6)
    assert out["query"] == {"fns": "sigmoid,relu", "x0": "2"}


@pytest.mark.parametrize(
    "args,needle",
    [
        (["activations", "x0=abc"], "x0=abc"),
        (["activations", "x0=99"], "outside"),
        (["activations", "fns=sigmoid,nope"], "nope"),
        (["activations", "bogus=1"], "bogus"),
        (["nosuchpage", ""], "unknown page"),
    ],
)
def test_cli_rejects_invalid_input_with_one_line_and_status_2(args, needle, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and err.startswith("error:")


def test_cli_result_matches_the_experiment_called_directly():
    from core.activations import concept as act

    out = cli.run("activations", "fns=tanh&x0=0.5")
    res = act.explore({**act.EXPLORER_PARAMS.defaults(), "fns": ("tanh",), "x0": 0.5})
    assert out["experiments"]["explorer"] | {"wall_s": 0} == cli._jsonable(act.explorer_summary(res)) | {"wall_s": 0}


def test_cli_takes_the_link_as_the_share_box_copies_it():
    out = cli.run(*cli.split_link("http://class.example:8501/activations?fns=tanh&x0=0.5&lang=zh"), "explorer")
    assert out["query"] == {"fns": "tanh", "x0": "0.5"}
    assert cli.split_link("activations", "x0=1") == ("activations", "x0=1")
    assert cli.split_link("/optimizers?surface=saddle") == ("optimizers", "surface=saddle")


def test_cli_keeps_exact_values_and_says_which_a_slider_cannot_show():
    out = cli.run("activations", "fns=relu&x0=0.123", "explorer")
    assert out["experiments"]["explorer"]["functions"]["relu"]["f"] == pytest.approx(0.123)
    assert out["exact"]["x0"]["value"] == 0.123 and out["exact"]["x0"]["slider"] != 0.123


def test_cli_runs_a_link_the_page_adjusts_and_says_how_in_the_pages_words():
    """A combination the page fixes with an info line (here a probe outside the range) runs from the CLI
    with the same fixed values, and the JSON carries the page's sentence, in the link's language."""
    out = cli.run("activations", "xmax=3&x0=5&lang=zh", "explorer")
    assert out["experiments"]["explorer"]["x0"] == 3.0
    assert len(out["adjusted"]) == 1 and "3" in out["adjusted"][0]
    assert not out["adjusted"][0].isascii()  # Chinese, as the page shows it

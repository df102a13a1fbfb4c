"""The walkthroughs in notebooks/ run top to bottom on small demo data, and stay clean.

Each notebook is executed in a fresh ``python3`` kernel (ipykernel from this environment) with
``CUSTINTEL_NOTEBOOK_CUSTOMERS`` set small, in a temporary working directory. Plots use the
inline backend, which renders them to PNG without a display, so the tests also see that every
figure was drawn.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [path.stem for path in PATHS]

# Small enough to run fast, large enough for every notebook to show something meaningful
# (a few hundred churn labels per cutoff, a few orders per province and day).
N_CUSTOMERS = "800"
CELL_TIMEOUT = 300  # seconds per cell; a notebook takes 5-15 s at N_CUSTOMERS

# What each notebook's outputs must show: (text somewhere in the outputs, figures drawn).
EXPECTED: dict[str, tuple[list[str], int]] = {
    "00_data_contract_and_demo_data": (["did you mean 'COD' -> 'cod'", "Double-11"], 0),
    "01_quickstart_churn": (["roc_auc", "precision", "churn_rate"], 2),
    "02_segmentation_and_tags": (["silhouette", "high-value loyal", "重要价值客户", "rule"], 2),
    "03_demand_forecasting": (["seasonal_naive", "combined", "全国", "(pooled)", "coverage"], 1),
}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Third-party noise allowed on stderr: shap and statsforecast import tqdm.auto, which warns in
# a kernel without ipywidgets (the warning and the source line it prints).
ALLOWED_STDERR = re.compile(r"TqdmWarning: IProgress not found|from \.autonotebook import tqdm")


def _text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return str(output.text)
    if output.output_type in ("execute_result", "display_data"):
        return str(output.data.get("text/plain", "")) + str(output.data.get("text/html", ""))
    return ""


def test_every_notebook_has_expectations():
    assert PATHS, "notebooks/ has no .ipynb walkthrough"
    assert sorted(EXPECTED) == IDS


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_is_committed_clean(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.metadata.kernelspec.name == "python3"
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    for cell in code:
        assert cell.outputs == [], f"{path.name}: clear the outputs before committing"
        assert cell.execution_count is None, f"{path.name}: clear the execution counts"
        # walkthroughs only call the library: anything reusable belongs in src/custintel
        assert not re.search(r"^\s*(async\s+)?(def|class)\s", cell.source, flags=re.M), (
            f"{path.name} defines a function or class:\n{cell.source}"
        )
    assert "CUSTINTEL_NOTEBOOK_CUSTOMERS" in code[0].source, "the first cell reads the size"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTINTEL_NOTEBOOK_CUSTOMERS", N_CUSTOMERS)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / ".ipython"))
    # the python3 kernelspec of this environment first, whatever a user-level one says
    jupyter_path = [str(Path(sys.prefix, "share", "jupyter")), os.environ.get("JUPYTER_PATH")]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, jupyter_path)))
    before = sorted(NOTEBOOKS.iterdir())
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError naming the cell on the first error

    outputs = [output for cell in book.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(_text(output) for output in outputs)
    expected, n_figures = EXPECTED[path.stem]
    for snippet in expected:
        assert snippet in text, f"{path.name}: no output shows {snippet!r}"
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= n_figures, f"{path.name}: {len(figures)} figures, {n_figures} expected"
    # nothing else went to stderr: no warning, no traceback, no logged notice
    stderr = [
        line
        for o in outputs
        if o.output_type == "stream" and o.name == "stderr"
        for line in o.text.splitlines()
        if line.strip() and not ALLOWED_STDERR.search(line)
    ]
    assert not stderr, f"{path.name} wrote to stderr:\n" + "\n".join(stderr)
    assert sorted(NOTEBOOKS.iterdir()) == before, "running a notebook wrote into notebooks/"
    if path.stem == "01_quickstart_churn":
        # the last cell: reason codes in Chinese (and English) for the riskiest customers
        last = _text(book.cells[-1].outputs[0])
        assert CJK.search(last) and "(+" in last, last

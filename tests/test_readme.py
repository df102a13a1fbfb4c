"""The README's library example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "README has no python example"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # the example trains and tracks
    code = "\n".join(blocks).replace("n_customers=5_000", "n_customers=300")
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "orders.amount: has negative amounts" in out
    assert len(blocks) >= 3  # data, identity and features examples all ran
    assert (tmp_path / "out" / "my-demo" / "orders.csv").is_file()
    assert "first version of the model" in out
    assert len(list((tmp_path / "reports" / "churn").glob("*.html"))) == 1


def test_readme_shows_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text

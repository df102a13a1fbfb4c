"""The layer order of DESIGN.md, and heavy dependencies kept at the edges."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "custintel"

# Third-party packages that only one subpackage may import.
EDGE_IMPORTS = {"mlflow": "tracking", "bentoml": "serving", "matplotlib": None}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(EDGE_IMPORTS))
def test_heavy_dependency_only_at_its_edge(package):
    home = EDGE_IMPORTS[package]
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        allowed = home is not None and rel.parts[0] == home
        if package == "matplotlib":
            allowed = "plot" in path.stem
        if package in imported_modules(path) and not allowed:
            offenders.append(str(rel))
    assert not offenders, f"{package} imported outside its layer: {offenders}"


def test_import_linter_layers_contract():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (it is, with the test extras)")
    result = subprocess.run(
        [exe, "--no-cache"], capture_output=True, text=True, cwd=SRC.parents[1], check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_import_custintel_is_light():
    code = "import sys, custintel; print(len([m for m in sys.modules if m.startswith(('pandas', 'mlflow', 'bentoml', 'lightgbm'))]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"

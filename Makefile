# custintel: the two commands that matter are `make demo` and `make test`.
# Both create .venv when needed and install the pinned dependency set from
# requirements/constraints.txt, so a fresh clone on a fresh machine just works.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
UV     := $(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode \
          --constraint requirements/constraints.txt \
          --build-constraint requirements/build-constraints.txt
DEMO_CONFIG ?= configs/demo.yaml

# Keep runs quiet and deterministic on 2-core machines; see README "Environment".
export OMP_WAIT_POLICY ?= PASSIVE
export MLFLOW_DISABLE_TELEMETRY ?= true
export PYTHONHASHSEED ?= 0

.PHONY: demo test lint typecheck imports pytest bench docs lock clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed-runtime: pyproject.toml requirements/constraints.txt requirements/build-constraints.txt | $(BIN)/uv
	$(UV) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements/constraints.txt requirements/build-constraints.txt | $(BIN)/uv
	$(UV) -e ".[test]"
	@touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime  ## run the main job on the embedded demo data
	$(BIN)/custintel demo --config $(DEMO_CONFIG)

test: $(VENV)/.installed-test lint typecheck imports pytest  ## lint, type-check, layer contract and the full test suite

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-runtime  ## run the benchmarks (tables go to benchmarks/results/)
	$(UV) -e ".[bench]"
	$(BIN)/python benchmarks/bench_demo_data.py
	$(BIN)/python benchmarks/bench_identity.py
	$(BIN)/python benchmarks/bench_features.py
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_fraud.py
	$(BIN)/python benchmarks/bench_demand.py
	$(BIN)/python benchmarks/bench_demand_public.py
	$(BIN)/python benchmarks/bench_sentiment.py
	$(BIN)/python benchmarks/bench_models_public.py
	$(BIN)/python benchmarks/bench_serving.py

docs: $(VENV)/.installed-runtime  ## regenerate docs/ (data contract, feature catalog, run configs) from the code
	$(BIN)/python -m custintel.data.docs > docs/data-contract.md
	$(BIN)/python -m custintel.features.docs > docs/features.md
	$(BIN)/python -m custintel.pipelines.docs > docs/pipelines.md

lock: | $(BIN)/uv  ## re-resolve the pinned dependency set after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --universal --python-version 3.11 \
		--quiet --output-file requirements/constraints.txt
	$(BIN)/uv pip compile requirements/build.in --universal --python-version 3.11 \
		--quiet --output-file requirements/build-constraints.txt

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache

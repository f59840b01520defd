# Every target sets itself up: a virtualenv in .venv with defplan and its test extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,plot,dask,excel]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/defplan validate portfolios/netherlands-2026.yaml
	$(BIN)/defplan optimise portfolios/netherlands-2026.yaml

test: $(STAMP)
	$(BIN)/ruff check defplan tests bench
	$(BIN)/ruff format --check defplan tests bench
	$(BIN)/python -m pytest

# The fuzz tests of `make test` with many more examples (DEFPLAN_FUZZ_EXAMPLES=N to change).
fuzz: $(STAMP)
	DEFPLAN_FUZZ_EXAMPLES=$${DEFPLAN_FUZZ_EXAMPLES:-5000} $(BIN)/python -m pytest tests/test_fuzz.py \
		--hypothesis-show-statistics -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check defplan tests bench
	$(BIN)/ruff format --check defplan tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py --record
	$(BIN)/python bench/family.py --record

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis

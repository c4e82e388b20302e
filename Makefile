# Set-up contract: `make demo` and `make test` each create .venv when missing and install
# everything they need (all optional extras included) before running.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.midecay-installed

DEBIAN_DATA := bowtie-examples bowtie2-examples dataset-fashion-mnist
DEB_STAMP   := $(VENV)/.midecay-debian-data

.PHONY: install demo test bench report clean

# `make report`: every figure and table of docs/report.md, at most 45 minutes on 2 cores;
# `make report SCALE=cpu` the runs its prose quotes (~4 h), `SCALE=full` the papers' scale (GPU / Ray).
SCALE ?= quick

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all,test]'
	touch $(STAMP)

# Data sets from Debian packages (E. coli, lambda phage, Fashion-MNIST): installed when this
# runs as root with apt-get; elsewhere the loaders say which package to install.
$(DEB_STAMP): | $(STAMP)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_DATA) >/dev/null) \
	    || echo "note: could not install $(DEBIAN_DATA); those data sets will say how to get them"; \
	else echo "note: not root or no apt-get; run: apt-get install $(DEBIAN_DATA)"; fi
	touch $(DEB_STAMP)

install: $(STAMP) $(DEB_STAMP)

demo: $(STAMP) $(DEB_STAMP)
	$(VENV)/bin/midecay demo --out out --force

# Two workers, each test file on one of them (the README's lines run in order in one): on two
# cores the suite takes about 10 minutes instead of 15 (numerics, subprocesses and model loads overlap).
test: $(STAMP) $(DEB_STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/bench_counting.py
	$(PY) benchmarks/bench_synth.py
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_grid.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_busy.py
	$(PY) benchmarks/bench_null.py
	$(PY) benchmarks/bench_streams.py
	$(PY) benchmarks/bench_cross_repeats.py
	$(PY) benchmarks/bench_estimators.py --max-n 1000000

report: $(STAMP) $(DEB_STAMP)
	$(PY) scripts/make_report.py --scale $(SCALE)

clean:
	rm -rf $(VENV) out build src/*.egg-info

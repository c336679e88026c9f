# Tidemark — the two commands a fresh machine needs are `make run` and `make test`.
# Each installs what is missing first (`make deps`).

SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PKGS   := libgit2-dev libyaml-dev libmimalloc-dev pkg-config
# The tests and the bench also start throwaway PostgreSQL clusters; the console's tests drive
# Debian's headless Chromium through its chromedriver.
TEST_PKGS  := postgresql chromium chromium-driver
PKGS       := $(APT_PKGS)
BIN_DEBUG  := .build/debug/tidemark

# The SageMaker model the kind shapes are generated from (make generate).
BOTOCORE_VERSION := 1.43.11
BOTOCORE_VENV    := .build/venv-botocore-$(BOTOCORE_VERSION)
GENERATED        := Sources/TidemarkCore/Kinds/Generated

# The real AWS clients the wire tests drive, and moto's SageMaker, pinned to the same botocore.
AWS_VENV     := .build/venv-aws-$(BOTOCORE_VERSION)
AWS_PY_PKGS  := botocore==$(BOTOCORE_VERSION) boto3==1.43.11 awscli==1.45.11 moto[server]==5.2.1

.PHONY: deps pydeps awsdeps consoledeps build run test release bench clean generate check-generated

deps:
	@missing=""; \
	for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else \
	    echo "make deps: need root to install$$missing (apt-get install$$missing)" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq >/dev/null || { echo "make deps: apt-get update failed" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || { echo "make deps: apt-get install$$missing failed; install them by hand" >&2; exit 1; }; \
	fi

# Python 3 with venv, for the throwaway environments under .build/.
pydeps:
	@if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then \
	  echo "make pydeps: installing python3 python3-venv"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else \
	    echo "make pydeps: need root to install python3-venv" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null \
	    || { echo "make pydeps: apt-get install python3 python3-venv failed" >&2; exit 1; }; \
	fi

# The pinned botocore from PyPI, in a throwaway virtual environment.
$(BOTOCORE_VENV)/ok: | pydeps
	@rm -rf $(BOTOCORE_VENV)
	python3 -m venv $(BOTOCORE_VENV)
	$(BOTOCORE_VENV)/bin/pip install -q --disable-pip-version-check botocore==$(BOTOCORE_VERSION)
	@touch $@

# boto3, the AWS CLI and moto_server for the wire tests (Tests/TidemarkWireTests find them here).
$(AWS_VENV)/ok: | pydeps
	@rm -rf $(AWS_VENV)
	python3 -m venv $(AWS_VENV)
	$(AWS_VENV)/bin/pip install -q --disable-pip-version-check $(AWS_PY_PKGS)
	@touch $@

awsdeps: $(AWS_VENV)/ok

# Selenium for the console's browser tests (Tests/TidemarkCLITests/Python/console_check.py).
CONSOLE_VENV    := .build/venv-console
CONSOLE_PY_PKGS := selenium==4.27.1

$(CONSOLE_VENV)/ok: | pydeps
	@rm -rf $(CONSOLE_VENV)
	python3 -m venv $(CONSOLE_VENV)
	$(CONSOLE_VENV)/bin/pip install -q --disable-pip-version-check $(CONSOLE_PY_PKGS)
	@touch $@

consoledeps: $(CONSOLE_VENV)/ok

# Kind shapes from botocore's SageMaker model into $(GENERATED) (committed).
generate: $(BOTOCORE_VENV)/ok
	PYTHONDONTWRITEBYTECODE=1 $(BOTOCORE_VENV)/bin/python scripts/generate_shapes.py --expect-botocore $(BOTOCORE_VERSION) $(GENERATED)

# Fails when the committed generated files differ from what the pinned model generates.
check-generated: $(BOTOCORE_VENV)/ok
	PYTHONDONTWRITEBYTECODE=1 $(BOTOCORE_VENV)/bin/python scripts/generate_shapes.py --expect-botocore $(BOTOCORE_VERSION) --check $(GENERATED)

build: deps
	$(SWIFT) build --product tidemark

# The controller on this repository: follows its current branch, reconciles manifests/ into
# the local services under .tidemark/, serves the API on 127.0.0.1:8080. Ctrl-C stops it.
run: build
	@echo "make run: tidemark serve on this repository; console and API at http://127.0.0.1:8080 (Ctrl-C stops)"
	@b=$$(git symbolic-ref --short -q HEAD); \
	exec $(BIN_DEBUG) serve --repo . $${b:+--branch $$b} --path manifests --data .tidemark --interval 5s --self-heal

# A test that hangs fails the run within TEST_LIMIT instead of running out CI's clock, and
# the output is line-buffered, so the log shows what was running when it stopped.
TEST_LIMIT ?= 30m
TEST_RUN   := timeout -k 30s $(TEST_LIMIT) stdbuf -oL -eL $(SWIFT) test --skip-build

test: PKGS := $(APT_PKGS) $(TEST_PKGS)
test: deps check-generated awsdeps consoledeps
	$(SWIFT) build --build-tests
	$(TEST_RUN) --skip ClientToolTests --skip ConsoleBrowserTests
	# boto3, the AWS CLI, moto and Chromium run apart: dozens of Python processes or a browser
	# would otherwise compete for the cores with the suites that measure the controller's
	# response times. Screenshots of the console land in .build/console-screenshots.
	TIDEMARK_AWS_VENV=$(CURDIR)/$(AWS_VENV) $(TEST_RUN) --filter ClientToolTests
	TIDEMARK_CONSOLE_VENV=$(CURDIR)/$(CONSOLE_VENV) $(TEST_RUN) --filter ConsoleBrowserTests

release: deps
	$(SWIFT) build -c release --product tidemark

# Speed and memory against the floor (read + parse), on generated repositories; not a test.
# BENCH_ARGS="--large" adds 100,000 resources; results land in bench-out/ (not committed).
bench: PKGS := $(APT_PKGS) $(TEST_PKGS)
bench: deps
	$(SWIFT) build -c release --product tidemark
	$(SWIFT) build -c release --product tidemark-bench
	.build/release/tidemark-bench run $(BENCH_ARGS)

clean:
	rm -rf .build

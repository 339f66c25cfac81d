#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite with the real model, real git,
# the real Pulumi SDK under its mocks and real LanceDB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec python -m pytest "$@"

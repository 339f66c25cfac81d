#!/usr/bin/env bash
# The main job on embedded defaults: set up, scaffold a local GitOps repository (no GitHub),
# turn a plain-language command into a proposal branch with the default model (Gemma 3 270M
# from PyPI), and show the offline desired-state plan of that branch.
#   scripts/demo.sh ["your command"]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate

COMMAND=${1:-"scale api in dev to 3 replicas"}
DEMO=${AGENTOPS_DEMO_DIR:-$(mktemp -d)/infra}

echo ">> agentops init $DEMO"
agentops init "$DEMO"
cd "$DEMO"

echo ">> agentops propose \"$COMMAND\""
agentops propose "$COMMAND"

branch=$(git for-each-ref --sort=-committerdate --format='%(refname:short)' 'refs/heads/agentops/*' | head -n 1)
echo ">> the proposal is branch $branch; its plan against main:"
git checkout -q "$branch"
agentops plan --base main
git checkout -q main
echo ">> demo repository: $DEMO"

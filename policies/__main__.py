"""This repository's policy pack: agentops' rules, selected here, plus the team's own.

The file is the team's: `agentops init` wrote it once and never touches it again. It runs the
same way in CI (`pulumi preview --policy-pack policies --policy-pack-config FILE`) and offline
in `agentops plan`, `check`, `scan` and `propose`, which load this directory as CrossGuard does
(this file run as the program, with the directory on sys.path, so team_rules imports).

- agentops' rules are a library (agentops.policy_rules): list any the team does not want in
  LEFT_OUT below. To change a rule's level or settings per repository instead, use `policy:`
  in .agentops.yaml (`agentops policy-config` hands the same settings to CI).
- The team's own rules live in team_rules.py, beside this file.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

import team_rules
from agentops.policy_rules import policies as agentops_policies

# Names of agentops rules this repository does not run at all, e.g. {"ec2-imdsv2"}.
LEFT_OUT: set[str] = set()

# The repository (above policies/): its own kinds' rules join agentops' (.agentops.yaml kinds:).
REPOSITORY = Path(__file__).resolve().parent.parent

PolicyPack(
    "agentops",
    policies=[p for p in agentops_policies(REPOSITORY) if p.name not in LEFT_OUT] + team_rules.policies(),
    enforcement_level=EnforcementLevel.ADVISORY,
)

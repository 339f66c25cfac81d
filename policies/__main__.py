"""The agentops policy pack: the rules in agentops.policy_rules, as CrossGuard runs them.

Settings (production stacks, allowlists, limits, enforcement levels) come from the policy
config: `agentops policy-config > policy-config.json` and
`pulumi preview --policy-pack policies --policy-pack-config policy-config.json`.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from agentops.policy_rules import policies

# The repository (above policies/): its own kinds' rules join agentops' (.agentops.yaml kinds:).
PolicyPack("agentops", policies=policies(Path(__file__).resolve().parent.parent),
           enforcement_level=EnforcementLevel.ADVISORY)

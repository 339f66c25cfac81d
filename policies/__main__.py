"""The agentops policy pack: the rules in agentops.policy_rules, as CrossGuard runs them.

Settings (production stacks, allowlists, limits, enforcement levels) come from the policy
config: `agentops policy-config > policy-config.json` and
`pulumi preview --policy-pack policies --policy-pack-config policy-config.json`.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from agentops.policy_rules import policies

PolicyPack("agentops", policies=policies(), enforcement_level=EnforcementLevel.ADVISORY)
